"""Re-check every stored envelope: encoding, signature, body digest, origin, chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import Notification, ProcessRecorder

from aggregates.member import Member
from node import codec
from node.store import event_from_envelope, notifications
from protocol.envelope import ZERO_DIGEST, Envelope, parse
from protocol.errors import (
    EncodingInvalid,
    OriginInvalid,
    PrevMismatch,
    ProtocolError,
    VersionGap,
)

MEMBER_TOPICS = tuple(
    cls.TOPIC
    for cls in (Member.Founded, Member.OfficialEnrolled, Member.OfficialRetired, Member.KeyRevoked)
)


@dataclass(frozen=True, slots=True)
class Failure:
    """A stored record that fails a check."""

    position: int
    origin: str
    aggregate: UUID
    version: int
    check: str
    detail: str


@dataclass(slots=True)
class Report:
    records: int = 0
    aggregates: int = 0
    origins: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    unchecked: int = 0
    equivocations: list[tuple[str, UUID, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.equivocations


@dataclass(slots=True)
class _Checker:
    network: str
    building_rosters: bool
    rosters: dict[str, Member] = field(default_factory=dict)
    tips: dict[UUID, tuple[int, bytes]] = field(default_factory=dict)
    broken: set[UUID] = field(default_factory=set)

    def check(self, note: Notification) -> Envelope:
        """Run the checks in protocol order on one stored record; raise the first that fails."""
        envelope = parse(note.state)
        header = envelope.header
        if (header.aggregate, header.version, header.topic) != (
            note.originator_id,
            note.originator_version,
            note.topic,
        ):
            raise EncodingInvalid("the store's columns disagree with the signed header")
        if header.network != self.network:
            raise EncodingInvalid(f"header.network {header.network!r} is not {self.network!r}")
        envelope.check()
        event = event_from_envelope(envelope)
        roster = self.rosters.get(header.origin)
        if isinstance(event, Member.Founded) and self.building_rosters:
            if event.node_key != header.author or event.node_id != header.origin:
                raise OriginInvalid("a roster is founded by its own node key for its own node id")
        elif roster is None:
            raise OriginInvalid(f"no roster is held for origin {header.origin!r}")
        elif isinstance(event, Member.Event) and header.author != roster.node_key:
            raise OriginInvalid("roster records are signed by the node key")
        else:
            refusal = roster.refuses(header.author, codec.from_micros(header.created))
            if refusal:
                raise OriginInvalid(refusal)
        last_version, last_digest = self.tips.get(header.aggregate, (0, ZERO_DIGEST))
        if header.version != last_version + 1:
            raise VersionGap(f"version {header.version} follows version {last_version}")
        if header.prev != last_digest:
            raise PrevMismatch("header.prev is not the digest of the previous header")
        self.tips[header.aggregate] = (header.version, envelope.digest)
        if self.building_rosters and isinstance(event, Member.Event):
            self.rosters[header.origin] = event.mutate(roster)  # type: ignore[assignment]
        return envelope


def verify_store(recorder: ProcessRecorder, *, network: str, page: int = 1000) -> Report:
    """Check every stored record; rosters first, so every origin check sees the whole roster."""
    rosters = _Checker(network, building_rosters=True)
    for note in notifications(recorder, page=page, topics=MEMBER_TOPICS):
        try:
            rosters.check(note)
        except ProtocolError:
            continue
    checker = _Checker(network, building_rosters=False, rosters=rosters.rosters)
    report = Report()
    for note in notifications(recorder, page=page):
        report.records += 1
        assert isinstance(note.originator_id, UUID)
        if note.originator_id in checker.broken:
            report.unchecked += 1
            continue
        try:
            envelope = checker.check(note)
        except ProtocolError as error:
            checker.broken.add(note.originator_id)
            origin = _origin_of(note.state)
            report.failures.append(
                Failure(
                    note.id,
                    origin,
                    note.originator_id,
                    note.originator_version,
                    error.code,
                    str(error),
                )
            )
            continue
        report.origins.add(envelope.header.origin)
    report.aggregates = len(checker.tips) + len(checker.broken)
    return report


def _origin_of(state: bytes) -> str:
    try:
        return parse(state).header.origin
    except ProtocolError:
        return "?"
