"""The signed event store: an eventsourcing Application whose stored state is the envelope."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import CanInitAggregate, DomainEventProtocol
from eventsourcing.persistence import (
    EventStore,
    Mapper,
    Notification,
    ProcessRecorder,
    Recording,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import Environment, get_topic, resolve_topic

import aggregates.catalog  # noqa: F401  (registers every record type's topics)
from node import codec
from protocol import canonical
from protocol.crypto import SigningKey, key_id
from protocol.envelope import ZERO_DIGEST, Envelope, Header, body_summary, parse, seal
from protocol.errors import EncodingInvalid

Signers = Callable[[str], SigningKey]


class CanonicalTranscoder(Transcoder):
    """Strict canonical msgpack, for the few places eventsourcing transcodes by itself."""

    def encode(self, obj: Any) -> bytes:
        return canonical.encode(obj)

    def decode(self, data: bytes) -> Any:
        return canonical.decode(data)


class EnvelopeMapper(Mapper[UUID]):
    """Maps domain events to signed envelopes (StoredEvent.state) and back."""

    def __init__(self, *, network: str, origin: str, signers: Signers) -> None:
        super().__init__(transcoder=CanonicalTranscoder())
        self.network = network
        self.origin = origin
        self.signers = signers
        self.recorder: ProcessRecorder | None = None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self.to_stored_events([domain_event])[0]

    def to_stored_events(self, events: Sequence[DomainEventProtocol[UUID]]) -> list[StoredEvent]:
        """Seal a batch of new events, chaining each to the one before it."""
        tips: dict[UUID, tuple[bytes, tuple[str, ...]]] = {}
        stored = []
        for event in events:
            aggregate, version = event.originator_id, event.originator_version
            if aggregate not in tips:
                tips[aggregate] = self._tip(aggregate, version)
            prev, audience = tips[aggregate]
            audience = tuple(getattr(event, "audience", audience))
            envelope = self.seal(event, prev=prev, audience=audience)
            tips[aggregate] = (envelope.digest, audience)
            stored.append(StoredEvent(aggregate, version, envelope.header.topic, envelope.raw))
        return stored

    def seal(
        self, event: DomainEventProtocol[UUID], *, prev: bytes, audience: tuple[str, ...]
    ) -> Envelope:
        signer = self.signers(getattr(event, "author"))  # noqa: B009
        body = canonical.encode(codec.encode_body(event))
        digest, length = body_summary(body)
        header = Header(
            network=self.network,
            origin=self.origin,
            aggregate=event.originator_id,
            version=event.originator_version,
            prev=prev,
            topic=get_topic(type(event)),
            created=codec.to_micros(getattr(event, "timestamp")),  # noqa: B009
            author=signer.public_key,
            audience=audience,
            body_digest=digest,
            body_length=length,
        )
        return seal(header, body, signer)

    def _tip(self, aggregate: UUID, version: int) -> tuple[bytes, tuple[str, ...]]:
        """The digest and audience of the stored header before `version`."""
        if version == 1:
            return ZERO_DIGEST, ()
        assert self.recorder is not None
        previous = self.recorder.select_events(aggregate, lte=version - 1, desc=True, limit=1)
        if not previous or previous[0].originator_version != version - 1:
            raise EncodingInvalid(f"record {aggregate} has no stored version {version - 1}")
        envelope = parse(previous[0].state)
        return envelope.digest, envelope.header.audience

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return event_of(stored_event.state)


@functools.lru_cache(maxsize=4096)
def envelope_of(raw: bytes) -> Envelope:
    """`parse(raw)`, remembered by the exact bytes: ingest parses a page, checks it, stores
    it, and the read models then read the same bytes back."""
    return parse(raw)


@functools.lru_cache(maxsize=4096)
def event_of(raw: bytes) -> DomainEventProtocol[UUID]:
    """The domain event in these exact envelope bytes (remembered, like `envelope_of`).

    Events are immutable, so one object can serve ingest, the read models and the repository.
    The caller checks the envelope first where the bytes come from outside.
    """
    return event_from_envelope(envelope_of(raw))


def event_from_envelope(envelope: Envelope) -> DomainEventProtocol[UUID]:
    """The domain event an envelope carries (its checks are the caller's business)."""
    header = envelope.header
    cls = resolve_event_class(header.topic)
    state = codec.decode_body(cls, envelope.fields())
    state["originator_id"] = header.aggregate
    state["originator_version"] = header.version
    state["timestamp"] = codec.from_micros(header.created)
    state["author"] = key_id(header.author)
    if issubclass(cls, CanInitAggregate):
        state["originator_topic"] = get_topic(aggregate_class_of(cls))
    event: DomainEventProtocol[UUID] = object.__new__(cls)
    object.__setattr__(event, "__dict__", state)
    return event


def resolve_event_class(topic: str) -> type:
    try:
        cls = resolve_topic(topic)
    except Exception:
        raise EncodingInvalid(f"topic {topic!r} is not an xcnet record type") from None
    if not isinstance(cls, type) or not topic.startswith("xcnet."):
        raise EncodingInvalid(f"topic {topic!r} is not an xcnet record type")
    return cls


def aggregate_class_of(event_class: type) -> type:
    """The aggregate class an event class is nested in."""
    owner = event_class.__qualname__.rpartition(".")[0]
    found: object = sys.modules[event_class.__module__]
    for part in owner.split("."):
        found = getattr(found, part)
    assert isinstance(found, type)
    return found


class EnvelopeEventStore(EventStore[UUID]):
    """An event store that seals each batch as one chained run of envelopes."""

    mapper: EnvelopeMapper
    #: The events of this process's latest write, by their envelope bytes: the read models,
    #: catching up right after it, take them as written instead of decoding them again.
    #: (Decoding gives equal events; the rebuild tests compare the rows of both ways.)
    saved: Mapping[bytes, DomainEventProtocol[UUID]] = MappingProxyType({})

    def put(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        stored_events = self.mapper.to_stored_events(domain_events)
        notification_ids = self.recorder.insert_events(stored_events, **kwargs) or []
        self.saved = {s.state: e for s, e in zip(stored_events, domain_events, strict=True)}
        return [
            Recording(event, _notification(stored, n_id))
            for event, stored, n_id in zip(
                domain_events, stored_events, notification_ids, strict=True
            )
        ]


def _notification(stored: StoredEvent, notification_id: int) -> Notification:
    return Notification(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=stored.state,
        id=notification_id,
    )


def notifications(
    recorder: ProcessRecorder,
    *,
    page: int = 1000,
    topics: Sequence[str] = (),
    stop: int | None = None,
) -> Iterator[Notification]:
    """Every notification in log order (up to position `stop`), read a page at a time."""
    start, inclusive = 1, True
    while True:
        batch = recorder.select_notifications(
            start, page, stop=stop, topics=topics, inclusive_of_start=inclusive
        )
        yield from batch
        if len(batch) < page:
            return
        start, inclusive = batch[-1].id, False


class NodeApplication(Application[UUID]):
    """A node's event store: signed envelopes in SQLite or PostgreSQL, with tracking."""

    name = "xcnet"

    def __init__(self, *, env: dict[str, str], network: str, origin: str, signers: Signers) -> None:
        self._mapper_args = {"network": network, "origin": origin, "signers": signers}
        super().__init__(env)

    def construct_env(self, name: str, env: Any = None) -> Environment:
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> EnvelopeMapper:
        return EnvelopeMapper(**self._mapper_args)  # type: ignore[arg-type]

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def construct_event_store(self) -> EnvelopeEventStore:
        assert isinstance(self.mapper, EnvelopeMapper)
        assert isinstance(self.recorder, ProcessRecorder)
        self.mapper.recorder = self.recorder
        return EnvelopeEventStore(mapper=self.mapper, recorder=self.recorder)

    def event_of(self, raw: bytes) -> DomainEventProtocol[UUID]:
        """The domain event in these envelope bytes: as written, when this process has just
        written them, else decoded (`event_of`)."""
        assert isinstance(self.events, EnvelopeEventStore)
        return self.events.saved.get(raw) or event_of(raw)

    @property
    def process_recorder(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder
