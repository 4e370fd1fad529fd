"""Sharing groups this node convenes or holds: form, admit, remove, look up.

Groups are signed by an official with the `operator` role: keeping the federation's routing
(who is in `group:<convenor>/<name>`) is the node operator's job.
"""

from __future__ import annotations

from uuid import UUID

from aggregates.base import check_node_id
from aggregates.group import Group, check_group_name, group_id
from node.errors import BadInput, NotFound
from node.service import Node

ROLE = "operator"


def create_group(
    node: Node,
    name: str,
    *,
    members: tuple[str, ...],
    purpose: str,
    audience: tuple[str, ...],
    as_official: str | None = None,
) -> Group:
    """Form a group convened by this node."""
    convenor = node.config.node_id
    check_group_name(name)
    if node.app.process_recorder.select_events(group_id(convenor, name), limit=1):
        raise BadInput(f"group {name!r} already exists: group:{convenor}/{name}", field="name")
    group = Group.form(
        convenor=convenor,
        name=name,
        purpose=purpose,
        members=members,
        audience=_group_audience(node, audience, name),
        author=node.author(ROLE, as_official),
        at=node.clock(),
    )
    node.save(group)
    return group


def admit_member(node: Node, name: str, node_id: str, *, as_official: str | None = None) -> Group:
    """Admit a node to a group this node convenes."""
    author = node.author(ROLE, as_official)
    return node.update(
        _own_group_id(node, name),
        Group,
        lambda g: g.admit(node_id=node_id, author=author, at=node.clock()),
    )


def remove_member(
    node: Node, name: str, node_id: str, *, reason: str, as_official: str | None = None
) -> Group:
    """Remove a node from a group this node convenes."""
    author = node.author(ROLE, as_official)
    return node.update(
        _own_group_id(node, name),
        Group,
        lambda g: g.remove(node_id=node_id, reason=reason, author=author, at=node.clock()),
    )


def get_group(node: Node, name: str, convenor: str | None = None) -> Group:
    """A held group, by name (`convenor/name` or `group:convenor/name` for another's)."""
    text = name.removeprefix("group:")
    if "/" in text:
        convenor, _, text = text.partition("/")
    convenor = check_node_id(convenor or node.config.node_id, field="convenor")
    check_group_name(text)
    try:
        return node.get(group_id(convenor, text), Group)
    except NotFound:
        raise NotFound(
            f"no group {text!r} convened by {convenor} is held here", field="name"
        ) from None


def list_groups(node: Node) -> list[Group]:
    """Every group held, own and replicated, in log order."""
    return [node.get(i, Group) for i in node.record_ids(Group.Formed.TOPIC)]


def _own_group_id(node: Node, name: str) -> UUID:
    group = get_group(node, name)
    if group.convenor != node.config.node_id:
        raise BadInput(
            f"{group.audience_token} is convened by {group.convenor}: only its convenor "
            "admits and removes members",
            field="name",
        )
    return group.id


def _group_audience(node: Node, audience: tuple[str, ...], name: str) -> tuple[str, ...]:
    own = f"group:{node.config.node_id}/{name}"
    if own in audience:
        raise BadInput(
            f"audience {own!r} names the group being formed: name its members or federation",
            field="audience",
        )
    return node.audience(audience)
