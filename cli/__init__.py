"""The `xcnet` command."""
