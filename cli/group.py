"""`xcnet group …`: sharing groups this node convenes (signed by an `operator` official)."""

from __future__ import annotations

import click

from aggregates.group import Group
from cli.output import Output, as_option, audience_option, command, open_node
from node import groups

group = click.Group(
    "group",
    help="Sharing groups (audience group:CONVENOR/NAME), signed by an operator official.",
)


def group_data(g: Group) -> dict[str, object]:
    return {
        "id": g.id,
        "convenor": g.convenor,
        "name": g.name,
        "audience_token": g.audience_token,
        "purpose": g.purpose,
        "members": list(g.members),
        "audience": list(g.audience),
        "formed_at": g.formed_at,
        "version": g.version,
    }


def _text(g: Group) -> str:
    return (
        f"{g.audience_token}  members: {', '.join(g.members)}"
        + (f"\n  purpose: {g.purpose}" if g.purpose else "")
        + f"\n  record visible to: {', '.join(g.audience)}"
    )


@command(group, "create")
@click.argument("name")
@click.option(
    "--member", "members", multiple=True, required=True, help="Member node id (repeatable)."
)
@click.option("--purpose", default="", help="What the group shares, e.g. 'WA denial exchange'.")
@audience_option("federation")
@as_option
def create(
    name: str,
    members: tuple[str, ...],
    purpose: str,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Output:
    """Form a group convened by this node; this node is always a member."""
    with open_node() as node:
        formed = groups.create_group(
            node, name, members=members, purpose=purpose, audience=audience, as_official=as_official
        )
    return Output(group_data(formed), f"formed {_text(formed)}")


@command(group, "add-member")
@click.argument("name")
@click.argument("node_id")
@as_option
def add_member(name: str, node_id: str, as_official: str | None) -> Output:
    """Admit a node to one of this node's groups."""
    with open_node() as node:
        changed = groups.admit_member(node, name, node_id, as_official=as_official)
    return Output(group_data(changed), f"admitted {node_id}: {_text(changed)}")


@command(group, "remove-member")
@click.argument("name")
@click.argument("node_id")
@click.option("--reason", required=True, help="Why the member leaves.")
@as_option
def remove_member(name: str, node_id: str, reason: str, as_official: str | None) -> Output:
    """Remove a node from one of this node's groups."""
    with open_node() as node:
        changed = groups.remove_member(node, name, node_id, reason=reason, as_official=as_official)
    return Output(group_data(changed), f"removed {node_id}: {_text(changed)}")


@command(group, "list")
def list_() -> Output:
    """List the groups held here, own and other convenors'."""
    with open_node() as node:
        held = groups.list_groups(node)
    return Output([group_data(g) for g in held], "\n".join(map(_text, held)) or "no groups yet")


@command(group, "show")
@click.argument("name")
def show(name: str) -> Output:
    """Show a group: NAME for this node's, CONVENOR/NAME for another convenor's."""
    with open_node() as node:
        found = groups.get_group(node, name)
    return Output(group_data(found), _text(found))
