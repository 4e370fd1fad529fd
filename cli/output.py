"""How every command answers: text for people, one JSON document with --json, exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from aggregates.base import DomainError
from node.errors import NodeError
from node.service import Node
from protocol.errors import ProtocolError

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Output:
    """What a command answers: data for --json, text for people, and its exit code."""

    data: object
    text: str
    exit_code: int = EXIT_OK


def _json_default(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def print_output(output: Output, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(output.data, default=_json_default, ensure_ascii=False, indent=2))
    elif output.text:
        click.echo(output.text)


def fail(error: DomainError | NodeError | ProtocolError, as_json: bool) -> None:
    """Report an error naming its field and exit with its code."""
    exit_code = getattr(error, "exit_code", EXIT_BAD_INPUT)
    if isinstance(error, ProtocolError):
        exit_code = EXIT_CHECK_FAILED
    field = getattr(error, "field", None)
    document = {"error": {"code": error.code, "field": field, "message": str(error)}}
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    click.echo(f"error: {error}", err=True)
    sys.exit(exit_code)


def home_path() -> Path:
    """The node home: -H/--home or XCNET_HOME."""
    home = click.get_current_context().find_root().params.get("home")
    if home is None:
        raise click.UsageError("no node home: pass -H HOME or set XCNET_HOME")
    return Path(home)


def open_node() -> Node:
    return Node.open(home_path())


def command(
    group: click.Group | None, name: str | None = None, **settings: Any
) -> Callable[[Callable[..., Output]], click.Command]:
    """Declare a subcommand that returns an Output; adds --json and the error handling."""

    def decorate(function: Callable[..., Output]) -> click.Command:
        @functools.wraps(function)
        def run(as_json: bool, **kwargs: Any) -> None:
            try:
                output = function(**kwargs)
            except (DomainError, NodeError, ProtocolError) as error:
                fail(error, as_json)
                return
            print_output(output, as_json)
            sys.exit(output.exit_code)

        run = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(run)
        if group is None:
            return click.command(name)(run)
        return group.command(name, **settings)(run)

    return decorate


def as_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """--as KEY_ID: the official who signs (default: the only one with the needed role)."""
    return click.option(
        "--as", "as_official", help="Key id (or unique prefix) of the official who signs."
    )(function)


def audience_option(default: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--audience, repeatable: public, federation, group:<convenor>/<name>, or node ids."""
    return click.option(
        "--audience",
        "audience",
        multiple=True,
        default=(default,) if default else (),
        required=default is None,
        show_default=True,
        help="public, federation, group:CONVENOR/NAME or node ids (repeatable).",
    )
