"""`xcnet [-H HOME] COMMAND …`: one function per subcommand, each with --json."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cli.output import EXIT_CHECK_FAILED, Output, command, open_node
from node.codec import from_micros
from node.service import DEFAULT_NETWORK, LogEntry, init_home


@click.group()
@click.option(
    "-H",
    "--home",
    envvar="XCNET_HOME",
    type=click.Path(file_okay=False, path_type=Path),
    help="The node home (or set XCNET_HOME).",
)
@click.version_option(package_name="xcnet")
def main(home: Path | None) -> None:
    """xcnet: signed, selectively shared records for export-control agencies."""


@command(main)
@click.argument("home", type=click.Path(file_okay=False, path_type=Path))
@click.option("--node-id", required=True, help="Short slug of this node, e.g. jp or eu-p2p.")
@click.option("--name", required=True, help="The agency's name.")
@click.option("--country", help="ISO 3166-1 alpha-2 code (defaults to a two-letter node id).")
@click.option("--db", help="postgresql://USER@HOST:PORT/DB[?schema=NAME]; default: SQLite in HOME.")
@click.option("--network", default=DEFAULT_NETWORK, show_default=True, help="Network id.")
def init(
    home: Path, node_id: str, name: str, country: str | None, db: str | None, network: str
) -> Output:
    """Create a node home: keys, store and the member roster."""
    config = init_home(home, node_id=node_id, name=name, country=country, db=db, network=network)
    data = {"home": str(config.home), "node_id": config.node_id, "store": config.store.display()}
    return Output(
        data, f"created node {config.node_id} in {config.home} ({config.store.display()})"
    )


@command(main)
def identity() -> Output:
    """Show this node's id, name and key fingerprint (read it out to peers)."""
    with open_node() as node:
        data = node.identity()
    text = "\n".join(f"{key:12} {value}" for key, value in data.items())
    return Output(data, text)


@main.group()
def official() -> None:
    """Officials who sign records for this node."""


def _official_data(o: object) -> dict[str, object]:
    from aggregates.member import Official

    assert isinstance(o, Official)
    return {
        "key_id": o.key_id,
        "name": o.name,
        "roles": list(o.roles),
        "status": o.status,
        "enrolled_at": o.enrolled_at,
        "retired_at": o.retired_at,
        "revoked_from": o.revoked_from,
        "revoked_reason": o.revoked_reason,
    }


@command(official, "add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="operator, policy, licensing, reviewer or donor.",
)
def official_add(name: str, roles: tuple[str, ...]) -> Output:
    """Enrol an official and make their signing key."""
    with open_node() as node:
        added = node.add_official(name, roles)
    return Output(
        _official_data(added),
        f"enrolled {added.name} as {', '.join(added.roles)}: key {added.key_id}",
    )


@command(official, "list")
def official_list() -> Output:
    """List the roster's officials."""
    with open_node() as node:
        officials = list(node.roster().officials.values())
    rows = [f"{o.key_id}  {o.status:8} {', '.join(o.roles):20} {o.name}" for o in officials]
    return Output([_official_data(o) for o in officials], "\n".join(rows) or "no officials yet")


@command(official, "revoke")
@click.argument("key_id")
@click.option("--reason", required=True, help="Why the key is revoked (e.g. compromised).")
@click.option(
    "--from",
    "effective_from",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="Records signed from this time on are invalid (UTC; default: now).",
)
def official_revoke(key_id: str, reason: str, effective_from: datetime | None) -> Output:
    """Revoke an official's key."""
    from datetime import UTC

    if effective_from is not None and effective_from.tzinfo is None:
        effective_from = effective_from.replace(tzinfo=UTC)
    with open_node() as node:
        revoked = node.revoke_key(key_id, reason, effective_from)
    return Output(_official_data(revoked), f"revoked key {revoked.key_id} of {revoked.name}")


@command(official, "retire")
@click.argument("key_id")
@click.option("--reason", default="retired", show_default=True)
def official_retire(key_id: str, reason: str) -> Output:
    """Retire an official: their key signs nothing from now on."""
    with open_node() as node:
        retired = node.retire_official(key_id, reason)
    return Output(_official_data(retired), f"retired {retired.name} ({retired.key_id})")


def _entry_data(entry: LogEntry) -> dict[str, object]:
    return {
        "position": entry.position,
        "origin": entry.origin,
        "aggregate": entry.aggregate,
        "version": entry.version,
        "topic": entry.topic,
        "created": from_micros(entry.created).isoformat() if entry.created else None,
        "author": entry.author,
        "audience": list(entry.audience),
        "digest": entry.digest,
        "problem": entry.problem or None,
    }


@command(main)
@click.option("--origin", help="Only records written by this node id.")
def log(origin: str | None) -> Output:
    """Print the stored records in log order."""
    with open_node() as node:
        entries = list(node.log(origin=origin))
    lines = [
        f"{e.position:>6} {e.origin:8} {str(e.aggregate)[:8]} v{e.version:<3} {e.topic:40} "
        f"{from_micros(e.created).isoformat(timespec='seconds') if e.created else '-':25} "
        f"{e.author} {','.join(e.audience)} {e.digest[:12]}"
        + (f"  UNREADABLE: {e.problem}" if e.problem else "")
        for e in entries
    ]
    return Output([_entry_data(e) for e in entries], "\n".join(lines) or "the log is empty")


@command(main)
def verify() -> Output:
    """Re-check every stored record: encoding, signature, body digest, origin, chain."""
    with open_node() as node:
        report = node.verify()
    data = {
        "ok": report.ok,
        "records": report.records,
        "aggregates": report.aggregates,
        "origins": sorted(report.origins),
        "unchecked": report.unchecked,
        "equivocations": [
            {"origin": origin, "aggregate": aggregate, "version": version}
            for origin, aggregate, version in report.equivocations
        ],
        "failures": [
            {
                "position": f.position,
                "origin": f.origin,
                "aggregate": f.aggregate,
                "version": f.version,
                "check": f.check,
                "detail": f.detail,
            }
            for f in report.failures
        ],
    }
    if report.ok:
        text = f"ok: {report.records} records in {report.aggregates} aggregates from {len(report.origins)} origins verified"
        return Output(data, text)
    lines = [
        f"FAILED {f.check}: record {f.origin}/{f.aggregate} version {f.version} (log position {f.position}): {f.detail}"
        for f in report.failures
    ]
    lines.extend(
        f"EQUIVOCATION: {origin} signed two different records at {aggregate} version {version} "
        "(both kept as proof; nothing past the fork applied)"
        for origin, aggregate, version in report.equivocations
    )
    if report.failures:
        lines.append(
            f"{len(report.failures)} bad records; {report.unchecked} later records of them not checked"
        )
    return Output(data, "\n".join(lines), EXIT_CHECK_FAILED)


def _register() -> None:
    from cli import admin, assessment, assist, consult, denial, federation, group, review, screen

    for module in (group, assessment, review, denial, consult, assist, admin):
        main.add_command(module.group)
    main.add_command(screen.screen)
    for extra in (federation.serve, federation.sync, federation.peer, federation.audit):
        main.add_command(extra)


_register()
