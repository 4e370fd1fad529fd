"""Serving a node's log to a peer: only what each record's current audience admits, logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from node.audience import admits
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
        return admits(
            audience,
            peer,
            origin=origin,
            group_members=self.node.group_members,
            unknown_group=False,
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
    if previous is None or admits(
        previous.audience,
        peer,
        origin=previous.origin,
        group_members=node.group_members,
        unknown_group=False,
    ):
        return []
    return [(0, stored.state) for stored in earlier]


def _ref(state: bytes) -> tuple[str, int]:
    header = parse(state).header
    return str(header.aggregate), header.version
