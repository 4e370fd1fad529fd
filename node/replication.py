"""Serving a node's log to a peer: only what each record's current audience admits, logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from aggregates.group import Group
from node.audience import admits
from node.store import notifications
from protocol.envelope import parse

if TYPE_CHECKING:
    from node.service import Node


@dataclass(frozen=True, slots=True)
class Page:
    """Records after a position that a peer may have, and where the next page starts."""

    records: list[tuple[int, bytes]]
    next: int
    head: int


class AudienceIndex:
    """The current audience of each aggregate, read from its latest stored header."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.cache: dict[UUID, tuple[str, tuple[str, ...]]] = {}

    def current(self, aggregate: UUID) -> tuple[str, tuple[str, ...]]:
        """(origin, audience) of the aggregate's latest version."""
        if aggregate not in self.cache:
            latest = self.node.app.process_recorder.select_events(aggregate, desc=True, limit=1)
            header = parse(latest[0].state).header
            self.cache[aggregate] = (header.origin, header.audience)
        return self.cache[aggregate]

    def admits(self, aggregate: UUID, peer: str) -> bool:
        origin, audience = self.current(aggregate)
        return serves(self.node, audience, peer, origin=origin)


def serves(node: Node, audience: tuple[str, ...], peer: str, *, origin: str) -> bool:
    """Whether this node may serve a record with `audience` to `peer` (unknown groups: no)."""
    return admits(
        audience, peer, origin=origin, group_members=node.group_members, unknown_group=False
    )


def page_for(node: Node, peer: str, after: int, limit: int) -> Page:
    """The next records of this node's log that `peer` may receive (own and relayed)."""
    recorder = node.app.process_recorder
    head = recorder.max_notification_id() or 0
    index = AudienceIndex(node)
    records: list[tuple[int, bytes]] = []
    served: set[UUID] = set()
    position = after
    while len(records) < limit and position < head:
        batch = recorder.select_notifications(position, limit, inclusive_of_start=False)
        if not batch:
            break
        for note in batch:
            position = note.id
            aggregate = UUID(str(note.originator_id))
            if not index.admits(aggregate, peer):
                continue
            if aggregate not in served and note.originator_version > 1:
                records.extend(_withheld_history(node, aggregate, note.originator_version, peer))
            served.add(aggregate)
            records.append((note.id, note.state))
            if note.topic == Group.MemberAdmitted.TOPIC:
                records.extend(_admitted_history(node, note.state, peer, after, index, served))
            if len(records) >= limit:
                break
    served_at = node.now_micros()
    node.sidecar.execute_many(
        "INSERT INTO {t}xcnet_access VALUES (?, ?, ?, ?)",
        [(peer, *_ref(state), served_at) for _, state in records],
    )
    return Page(records, position, head)


def _withheld_history(
    node: Node, aggregate: UUID, version: int, peer: str
) -> list[tuple[int, bytes]]:
    """Earlier versions the peer was not given because the audience admitted it only now.

    When the version before `version` did not admit the peer, its history was skipped when it
    was scanned; a widened audience sends the whole history (docs/PROTOCOL.md §5.4).
    """
    earlier = node.app.process_recorder.select_events(aggregate, lte=version - 1)
    previous = parse(earlier[-1].state).header if earlier else None
    if previous is None or serves(node, previous.audience, peer, origin=previous.origin):
        return []
    return [(0, stored.state) for stored in earlier]


def _admitted_history(
    node: Node, state: bytes, peer: str, after: int, index: AudienceIndex, served: set[UUID]
) -> list[tuple[int, bytes]]:
    """When the peer was admitted to a group, the group's records it was skipped for before.

    Admission widens every record addressed to the group; those the peer's cursor already
    passed (positions up to `after`) are sent now, whole, with position 0.
    """
    envelope = parse(state)
    if after == 0 or envelope.fields().get("node_id") != peer:
        return []
    group = node.get(envelope.header.aggregate, Group)
    token = f"group:{group.convenor}/{group.name}"
    history: list[tuple[int, bytes]] = []
    for note in notifications(node.app.process_recorder, stop=after):
        aggregate = UUID(str(note.originator_id))
        if aggregate in served:
            continue
        origin, audience = index.current(aggregate)
        if token not in audience or not index.admits(aggregate, peer):
            continue
        served.add(aggregate)
        if serves(node, tuple(a for a in audience if a != token), peer, origin=origin):
            continue  # the peer had it through another part of the audience
        history.extend(
            (0, stored.state) for stored in node.app.process_recorder.select_events(aggregate)
        )
    return history


def _ref(state: bytes) -> tuple[str, int]:
    header = parse(state).header
    return str(header.aggregate), header.version
