"""Who may hold a record: its current audience, read against the groups this node holds."""

from __future__ import annotations

from collections.abc import Callable

from aggregates.base import FEDERATION, PUBLIC

GroupMembers = Callable[[str, str], frozenset[str] | None]


def admits(
    audience: tuple[str, ...],
    node_id: str,
    *,
    origin: str,
    group_members: GroupMembers,
    unknown_group: bool,
) -> bool:
    """Whether `node_id` is in `audience` (the origin always is).

    `federation` admits every member (a node only ever talks to pinned members);
    `group:<convenor>/<name>` admits the group's current members as this node holds them;
    a group this node does not hold admits nobody when serving (`unknown_group=False`)
    and is given the benefit of the doubt when receiving (`unknown_group=True`).
    """
    if node_id == origin:
        return True
    for name in audience:
        if name in (PUBLIC, FEDERATION) or name == node_id:
            return True
        if name.startswith("group:"):
            convenor, _, group = name.removeprefix("group:").partition("/")
            members = group_members(convenor, group)
            if members is None:
                if unknown_group:
                    return True
            elif node_id in members or node_id == convenor:
                return True
    return False
