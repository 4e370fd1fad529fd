"""Node errors: each is either bad input (exit 2) or a failed check (exit 1)."""

from __future__ import annotations


class NodeError(Exception):
    """Base of the node's errors; `code` is stable, `field` names the input at fault."""

    code = "error"
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BadInput(NodeError):
    """The caller asked for something that cannot be done as asked; nothing was written."""

    code = "bad_input"


class NotFound(BadInput):
    """A record, official or home that does not exist."""

    code = "not_found"


class StoreUnavailable(BadInput):
    """The database named by the configuration does not answer."""

    code = "store_unavailable"


class CheckFailed(NodeError):
    """A verification found a record that does not pass its checks."""

    code = "check_failed"
    exit_code = 1
