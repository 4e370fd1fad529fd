"""Taking in records from elsewhere: verify every envelope, in protocol order, before storing it.

Checks (docs/PROTOCOL.md §4): encoding, signature, body_digest, origin, version/prev, audience.
Valid records are inserted verbatim with the source's position in one transaction; a record
whose predecessor has not arrived waits in the pending table; a second, validly signed record
at a held (aggregate, version) is kept as an equivocation proof and stops that aggregate.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking

from aggregates.base import record_id
from aggregates.group import Group
from aggregates.member import Member, roster_id
from node import codec
from node.audience import admits
from node.store import envelope_of, event_of
from protocol.envelope import ZERO_DIGEST, Envelope, parse
from protocol.errors import (
    EncodingInvalid,
    OriginInvalid,
    PrevMismatch,
    ProtocolError,
    VersionGap,
)

if TYPE_CHECKING:
    from node.service import Node


@dataclass(frozen=True, slots=True)
class Refusal:
    """A record that failed a check, named by what could be read of it."""

    origin: str
    aggregate: str
    version: int
    check: str
    detail: str


@dataclass(slots=True)
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    pending: int = 0
    withheld: int = 0
    refused: list[Refusal] = field(default_factory=list)
    equivocations: list[tuple[str, UUID, int]] = field(default_factory=list)


class _Batch:
    """The checking state of one batch: chain tips and rosters, as stored plus as accepted so far."""

    def __init__(self, node: Node, source: str) -> None:
        self.node = node
        self.source = source
        self.recorder = node.app.process_recorder
        self.tips: dict[UUID, tuple[int, bytes]] = {}
        self.rosters: dict[str, Member | None] = {}
        self.accepted: list[StoredEvent] = []
        self.accepted_envelopes: dict[tuple[UUID, int], Envelope] = {}
        self.forked = forked_aggregates(node)
        self.report = IngestReport()
        self.pending: list[Envelope] = []
        self.newest: dict[UUID, tuple[int, tuple[str, ...]]] = {}
        self.groups: dict[UUID, Group] = {}

    def prime(self, aggregates: set[UUID]) -> None:
        """Look up the stored tips of a page's records in a few queries instead of one each."""
        unknown = [a for a in aggregates if a not in self.tips]
        self.tips.update(dict.fromkeys(unknown, (0, ZERO_DIGEST)))
        self.tips.update(
            (aggregate, (version, envelope_of(state).digest))
            for aggregate, version, state in self.node.sidecar.newest_versions(unknown)
        )

    def tip(self, aggregate: UUID) -> tuple[int, bytes]:
        if aggregate not in self.tips:
            last = self.recorder.select_events(aggregate, desc=True, limit=1)
            self.tips[aggregate] = (
                (last[0].originator_version, parse(last[0].state).digest)
                if last
                else (0, ZERO_DIGEST)
            )
        return self.tips[aggregate]

    def duplicate(self, envelope: Envelope) -> bool:
        """Whether this node holds this very record (same header digest) already: a relayed
        copy is dropped before any check, since the held bytes were checked when they came."""
        header = envelope.header
        version, digest = self.tip(header.aggregate)
        if header.version > version:
            return False
        if header.version == version:
            return digest == envelope.digest
        return self.held(header.aggregate, header.version).digest == envelope.digest

    def held(self, aggregate: UUID, version: int) -> Envelope:
        if (aggregate, version) in self.accepted_envelopes:
            return self.accepted_envelopes[(aggregate, version)]
        stored = self.recorder.select_events(aggregate, gt=version - 1, lte=version)
        return parse(stored[0].state)

    def roster(self, origin: str) -> Member | None:
        if origin not in self.rosters:
            try:
                self.rosters[origin] = self.node.get(roster_id(origin), Member)
            except Exception:
                self.rosters[origin] = None
        return self.rosters[origin]

    def expect(self, envelope: Envelope) -> None:
        """Note a version that this batch (or the parked set) holds, for the audience check."""
        header = envelope.header
        if header.version > self.newest.get(header.aggregate, (0, ()))[0]:
            self.newest[header.aggregate] = (header.version, header.audience)

    def take(self, raw: bytes, envelope: Envelope | None = None) -> None:
        """Check one envelope and accept it, park it, or refuse it."""
        try:
            envelope = envelope or envelope_of(raw)
            header = envelope.header
            if header.network != self.node.config.network:
                raise EncodingInvalid(f"header.network {header.network!r} is not ours")
            if self.duplicate(envelope):
                self.report.duplicates += 1
                return
            envelope.check()
            event = event_of(envelope.raw)
            self._check_origin(envelope, event)
            version, digest = self.tip(header.aggregate)
            if header.version <= version:
                self._repeat(envelope)
                return
            if header.aggregate in self.forked:
                raise VersionGap(
                    "the origin equivocated on this record: nothing past the fork is applied"
                )
            if header.version > version + 1:
                self.pending.append(envelope)
                self.report.pending = len(self.pending)
                return
            if header.prev != digest:
                raise PrevMismatch("header.prev is not the digest of the held previous version")
            if not self._admitted(envelope):
                self.pending.append(envelope)
                self.report.pending = len(self.pending)
                self.report.withheld += 1
                return
        except ProtocolError as error:
            self._refuse(raw, envelope, error)
            return
        self._accept(envelope, event)

    def _check_origin(self, envelope: Envelope, event: object) -> None:
        header = envelope.header
        if isinstance(event, Member.Founded):
            if header.origin == self.node.config.node_id:
                if (
                    event.node_key != self.node.node_key.public_key
                    or header.author != event.node_key
                ):
                    raise OriginInvalid("a roster for this node's id that this node did not sign")
                return
            peer = self.node.peers().get(header.origin)
            if peer is None:
                raise OriginInvalid(
                    f"origin {header.origin!r} is not a known member: pin it with `xcnet peer add`"
                )
            if not peer.pins(event.node_key) or event.node_key != header.author:
                raise OriginInvalid(
                    f"the roster of {header.origin!r} is not signed by its pinned key"
                )
            if event.node_id != header.origin:
                raise OriginInvalid("a roster is founded for its own node id")
            return
        roster = self.roster(header.origin)
        if roster is None:
            raise OriginInvalid(f"no roster is held for origin {header.origin!r}")
        if isinstance(event, Member.Event):
            if header.author != roster.node_key:
                raise OriginInvalid("roster records are signed by the node key")
            return
        refusal = roster.refuses(header.author, codec.from_micros(header.created))
        if refusal:
            raise OriginInvalid(refusal)

    def _admitted(self, envelope: Envelope) -> bool:
        """Whether the record's current audience (its newest version known here) admits this node.

        A widened audience sends the whole history, whose early headers name the narrower
        audience; a version the newest known audience does not admit waits for the widening.
        """
        header = envelope.header
        _, audience = self.newest.get(header.aggregate, (0, header.audience))
        return admits(
            audience,
            self.node.config.node_id,
            origin=header.origin,
            group_members=self._group_members,
            unknown_group=True,
        )

    def _group_members(self, convenor: str, name: str) -> frozenset[str] | None:
        """Group membership as this batch leaves it (an admission earlier in the page counts)."""
        group = self.groups.get(record_id(convenor, "group", name))
        if group is not None:
            return frozenset(group.members)
        return self.node.group_members(convenor, name)

    def _repeat(self, envelope: Envelope) -> None:
        header = envelope.header
        held = self.held(header.aggregate, header.version)
        if held.digest == envelope.digest:
            self.report.duplicates += 1
            return
        record_equivocation(self.node, held, envelope, self.source)
        self.forked.add(header.aggregate)
        self.report.equivocations.append((header.origin, header.aggregate, header.version))

    def _accept(self, envelope: Envelope, event: object) -> None:
        header = envelope.header
        self.accepted.append(
            StoredEvent(header.aggregate, header.version, header.topic, envelope.raw)
        )
        self.accepted_envelopes[(header.aggregate, header.version)] = envelope
        self.tips[header.aggregate] = (header.version, envelope.digest)
        if isinstance(event, Group.Event):
            group = self.groups.get(header.aggregate)
            if group is None and header.version > 1:
                group = self.node.get(header.aggregate, Group)
            mutated = event.mutate(group)
            assert isinstance(mutated, Group)
            self.groups[header.aggregate] = mutated
        if isinstance(event, Member.Event):
            roster = self.rosters.get(header.origin) if header.version > 1 else None
            self.rosters[header.origin] = event.mutate(roster)
        self.report.accepted += 1

    def _refuse(self, raw: bytes, envelope: Envelope | None, error: ProtocolError) -> None:
        if envelope is None:
            self.report.refused.append(Refusal("?", "?", 0, error.code, str(error)))
            return
        header = envelope.header
        self.report.refused.append(
            Refusal(header.origin, str(header.aggregate), header.version, error.code, str(error))
        )


def ingest(
    node: Node, envelopes: Sequence[bytes], *, source: str, position: int | None = None
) -> IngestReport:
    """Verify and store a batch from `source`; with `position`, record it as that source's tracking."""
    for attempt in range(3):
        batch = _Batch(node, source)
        parsed: list[tuple[bytes, Envelope | None]] = []
        for raw in envelopes:
            try:
                parsed.append((raw, envelope_of(raw)))
            except ProtocolError:
                parsed.append((raw, None))
        batch.prime({e.header.aggregate for _, e in parsed if e is not None})
        _verify_ahead([e for _, e in parsed if e is not None and not batch.duplicate(e)])
        for _, envelope in parsed:
            if envelope is not None:
                batch.expect(envelope)
        for raw, envelope in parsed:
            batch.take(raw, envelope)
        _release_waiting(batch)
        _park(node, batch)
        tracking = Tracking(f"peer:{source}", position) if position is not None else None
        try:
            if batch.accepted:
                node.app.process_recorder.insert_events(batch.accepted, tracking=tracking)
            elif tracking is not None and position and position > tracked_position(node, source):
                node.app.process_recorder.insert_tracking(tracking)
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        _unpark(node, batch)
        return batch.report
    raise AssertionError("unreachable")


_VERIFIERS = os.cpu_count() or 1
_AHEAD_FROM = 64  # records: below this, verifying in threads costs more than it saves


@functools.cache
def _verifier() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(_VERIFIERS, thread_name_prefix="xcnet-verify")


def verify_ahead(node: Node, raws: Sequence[bytes]) -> None:
    """Verify the signatures of a page's records that this node does not hold yet, on every
    core, before `ingest` takes the page (a pull does this for the next page while it ingests
    this one). Nothing is decided here: `ingest` finds the answers remembered."""
    if _VERIFIERS < 2 or len(raws) < _AHEAD_FROM:
        return
    envelopes = []
    for raw in raws:
        with contextlib.suppress(ProtocolError):
            envelopes.append(envelope_of(raw))
    held = {
        record: version
        for record, version, _ in node.sidecar.newest_versions(
            list({e.header.aggregate for e in envelopes})
        )
    }
    _verify_ahead([e for e in envelopes if e.header.version > held.get(e.header.aggregate, 0)])


def _verify_ahead(envelopes: Sequence[Envelope]) -> None:
    """Verify a page's signatures on every core before the checks run in protocol order; the
    answers are remembered (protocol.crypto.verify), so the ordered checks find them done."""
    if _VERIFIERS < 2 or len(envelopes) < _AHEAD_FROM:
        return
    size = -(-len(envelopes) // _VERIFIERS)
    chunks = [envelopes[i : i + size] for i in range(0, len(envelopes), size)]
    list(_verifier().map(lambda chunk: [e.signature_valid() for e in chunk], chunks))


def tracked_position(node: Node, source: str) -> int:
    """The last position of `source`'s log that this node has taken in."""
    return node.app.process_recorder.max_tracking_id(f"peer:{source}") or 0


def _release_waiting(batch: _Batch) -> None:
    """Re-check waiting records (this batch's and parked ones) whose predecessor has now arrived."""
    parked = {
        (UUID(row[0]), int(row[1])): bytes(row[2])
        for row in batch.node.sidecar.query(
            "SELECT aggregate, version, envelope FROM {t}xcnet_pending"
        )
    }
    for raw in parked.values():
        batch.expect(envelope_of(raw))
    while True:
        waiting = {
            **parked,
            **{(e.header.aggregate, e.header.version): e.raw for e in batch.pending},
        }
        ready = [
            raw
            for (aggregate, version), raw in waiting.items()
            if batch.tip(aggregate)[0] + 1 == version
        ]
        if not ready:
            return
        batch.pending = [e for e in batch.pending if e.raw not in ready]
        for key in [k for k, raw in parked.items() if raw in ready]:
            del parked[key]
        batch.report.pending = len(batch.pending)
        accepted = batch.report.accepted
        for raw in ready:
            batch.take(raw)
        if batch.report.accepted == accepted:
            return


def _park(node: Node, batch: _Batch) -> None:
    node.sidecar.execute_many(
        "INSERT INTO {t}xcnet_pending VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [
            (
                str(e.header.aggregate),
                e.header.version,
                e.header.origin,
                e.raw,
                batch.source,
                e.header.created,
            )
            for e in batch.pending
        ],
    )


def _unpark(node: Node, batch: _Batch) -> None:
    """Drop parked records that are now stored."""
    node.sidecar.execute_many(
        "DELETE FROM {t}xcnet_pending WHERE aggregate = ? AND version <= ?",
        [(str(aggregate), version) for aggregate, (version, _) in batch.tips.items() if version],
    )


def record_equivocation(node: Node, held: Envelope, other: Envelope, source: str) -> None:
    """Keep both validly signed envelopes at one (aggregate, version): a proof anyone can check."""
    header = held.header
    node.sidecar.execute(
        "INSERT INTO {t}xcnet_equivocations VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            str(header.aggregate),
            header.version,
            header.origin,
            held.raw,
            other.raw,
            source,
            node.now_micros(),
        ),
    )


def forked_aggregates(node: Node) -> set[UUID]:
    return {
        UUID(row[0]) for row in node.sidecar.query("SELECT aggregate FROM {t}xcnet_equivocations")
    }
