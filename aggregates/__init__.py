"""The xcnet domain: event-sourced aggregates, their events and value objects. Pure."""
