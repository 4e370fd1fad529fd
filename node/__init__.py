"""The running node: configuration, keys, the signed store, verification and services."""
