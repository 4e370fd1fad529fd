"""A node opened on its home: identity, roster, officials, the log. The CLI's one door."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from aggregates.base import RecordRef, parse_audience, record_id
from aggregates.member import Member, Official, roster_id
from node import codec, postgres
from node.config import CONFIG_FILE, Config, StoreConfig, parse_store_url
from node.errors import BadInput, NotFound, StoreUnavailable
from node.keystore import Keystore
from node.peers import Peer, load_peers
from node.sidecar import Sidecar
from node.store import NodeApplication, notifications
from node.tls import certificate_fingerprint, create_certificate
from node.verify import Report, verify_store
from node.views import Views
from protocol.crypto import SigningKey, fingerprint, key_id
from protocol.envelope import parse
from protocol.errors import ProtocolError

Clock = Callable[[], datetime]
DEFAULT_NETWORK = "xcnet"
logger = logging.getLogger(__name__)
_A = TypeVar("_A", bound=Aggregate)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One stored record as the log shows it."""

    position: int
    origin: str
    aggregate: UUID
    version: int
    topic: str
    created: int
    author: str
    audience: tuple[str, ...]
    digest: str
    problem: str = ""


class Node:
    """A node home opened for work: its configuration, keys and signed store."""

    def __init__(self, config: Config, *, clock: Clock = utc_now) -> None:
        self.config = config
        self.clock = clock
        self.keys = Keystore(config.home)
        self.node_key = self.keys.node_key()
        self._official_keys: dict[str, SigningKey] = {}
        self.app = NodeApplication(
            env=config.store.env(config.home, config.node_id),
            network=config.network,
            origin=config.node_id,
            signers=self._signer,
        )

    @classmethod
    def open(cls, home: Path, *, clock: Clock = utc_now) -> Node:
        config = Config.load(home)
        if config.store.is_postgres:
            reason = postgres.unreachable(config.store.url)
            if reason:
                raise StoreUnavailable(
                    f"the database at {config.store.display()} does not answer ({reason}): "
                    "start it or fix [store] url in " + str(home / CONFIG_FILE),
                    field="db",
                )
        return cls(config, clock=clock)

    def close(self) -> None:
        self.app.close()

    @functools.cached_property
    def sidecar(self) -> Sidecar:
        return Sidecar(self.app.recorder)

    @functools.cached_property
    def views(self) -> Views:
        """The read models, created on first use (their modules build on this one)."""
        from node.readmodels import MODELS

        return Views(self.app, [model() for model in MODELS])

    def peers(self) -> dict[str, Peer]:
        """The pinned peers (read from HOME/peers.toml each time: another process may edit it)."""
        return load_peers(self.config.home)

    def now_micros(self) -> int:
        return codec.to_micros(self.clock())

    def group_members(self, convenor: str, name: str) -> frozenset[str] | None:
        """The current members of a group record held here, or None when it is not held."""
        try:
            group: Aggregate = self.app.repository.get(record_id(convenor, "group", name))
        except AggregateNotFoundError:
            return None
        return frozenset(getattr(group, "members", ()))

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _signer(self, key_id: str) -> SigningKey:
        """The key that signs as `key_id`: read from its file once per process, not per record."""
        if key_id == self.node_key.key_id:
            return self.node_key
        key = self._official_keys.get(key_id) or self.keys.official(key_id)
        if key is None:
            raise NotFound(f"this node home holds no key for official {key_id}", field="official")
        self._official_keys[key_id] = key
        return key

    # Records -------------------------------------------------------------------------------

    def get(self, aggregate_id: UUID, kind: type[_A]) -> _A:
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {kind.__name__.lower()} record {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"record {aggregate_id} is not a {kind.__name__.lower()}")
        return aggregate

    def update(self, aggregate_id: UUID, kind: type[_A], action: Callable[[_A], object]) -> _A:
        """Load, act and save; a concurrent write to the same record makes it try again."""
        for attempt in range(5):
            aggregate = self.get(aggregate_id, kind)
            action(aggregate)
            try:
                self.app.save(aggregate)
            except IntegrityError:
                if attempt == 4:
                    raise
                continue
            self.catch_up_views()
            return aggregate
        raise AssertionError("unreachable")

    def save(self, *aggregates: Aggregate) -> None:
        """Save new records (a refused command has raised before this, so nothing is written)."""
        self.app.save(*aggregates)
        self.catch_up_views()

    def catch_up_views(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Bring the read models up to the write just made. The write stands whatever happens
        here: a failure is logged, and the next query or write catches up again."""
        try:
            self.views.catch_up(stop)
        except Exception:
            logger.exception("the read models could not catch up; the next command will retry")

    def record_ids(self, created_topic: str) -> list[UUID]:
        """Ids of every record held (own or replicated) created with this topic, in log order."""
        return [
            UUID(str(note.originator_id))
            for note in notifications(self.app.process_recorder, topics=(created_topic,))
        ]

    def ref(self, aggregate_id: UUID, version: int | None = None) -> RecordRef:
        """A RecordRef to a stored version (default: the latest) of a record, with its digest."""
        stored = self.app.process_recorder.select_events(
            aggregate_id, lte=version, desc=True, limit=1
        )
        if not stored or (version is not None and stored[0].originator_version != version):
            raise NotFound(
                f"no record {aggregate_id}" + (f" at version {version}" if version else "")
            )
        envelope = parse(stored[0].state)
        return RecordRef(
            envelope.header.origin, aggregate_id, envelope.header.version, envelope.digest
        )

    def audience(self, tokens: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Check an audience; every group it names must be a group record this node holds."""
        names = parse_audience(tokens)
        for name in names:
            if name.startswith("group:"):
                convenor, _, group = name.removeprefix("group:").partition("/")
                if not self.app.process_recorder.select_events(
                    record_id(convenor, "group", group), limit=1
                ):
                    raise BadInput(
                        f"audience names an unknown group {name!r}: create it with "
                        "`xcnet group create` or wait for the convenor's record",
                        field="audience",
                    )
        return names

    def author(self, role: str, as_official: str | None = None) -> str:
        """The key id that signs for an official acting in `role` (`--as`, else the only one)."""
        roster = self.roster()
        if as_official:
            official = roster.official(as_official)
            candidates = [official]
        else:
            candidates = [
                o
                for o in roster.officials.values()
                if o.status == "active" and role in o.roles and self.keys.official(o.key_id)
            ]
            if len(candidates) != 1:
                raise BadInput(
                    f"{len(candidates) or 'no'} active officials with role {role!r} hold keys here: "
                    + (
                        "name one with --as KEY_ID"
                        if candidates
                        else f"enrol one with `xcnet official add NAME --role {role}`"
                    ),
                    field="as",
                )
        official = candidates[0]
        if official.status != "active":
            raise BadInput(f"official {official.key_id} is {official.status}", field="as")
        if role not in official.roles:
            raise BadInput(
                f"official {official.key_id} ({official.name}) does not hold the role {role!r}",
                field="as",
            )
        if self.keys.official(official.key_id) is None:
            raise BadInput(
                f"this node home holds no key for official {official.key_id}", field="as"
            )
        return official.key_id

    # Roster --------------------------------------------------------------------------------

    def roster(self) -> Member:
        return self.get(roster_id(self.config.node_id), Member)

    def add_official(self, name: str, roles: tuple[str, ...]) -> Official:
        self.roster().enrol(  # validate before a key is made
            key_id="0" * 16, key=b"", name=name, roles=roles, author="", at=self.clock()
        )
        key = self.keys.add_official()
        try:
            roster = self.update(
                roster_id(self.config.node_id),
                Member,
                lambda member: member.enrol(
                    key_id=key.key_id,
                    key=key.public_key,
                    name=name,
                    roles=roles,
                    author=self.node_key.key_id,
                    at=self.clock(),
                ),
            )
        except BaseException:
            self.keys.discard_official(key.key_id)
            raise
        return roster.officials[key.key_id]

    def retire_official(self, key_id: str, reason: str) -> Official:
        found = self.roster().official(key_id).key_id
        roster = self.update(
            roster_id(self.config.node_id),
            Member,
            lambda m: m.retire(
                key_id=found, reason=reason, author=self.node_key.key_id, at=self.clock()
            ),
        )
        return roster.officials[found]

    def revoke_key(self, key_id: str, reason: str, effective_from: datetime | None) -> Official:
        found = self.roster().official(key_id).key_id
        now = self.clock()
        roster = self.update(
            roster_id(self.config.node_id),
            Member,
            lambda m: m.revoke(
                key_id=found,
                reason=reason,
                effective_from=effective_from or now,
                author=self.node_key.key_id,
                at=now,
            ),
        )
        return roster.officials[found]

    def identity(self) -> dict[str, object]:
        roster = self.roster()
        return {
            "node_id": self.config.node_id,
            "name": roster.name,
            "country": roster.country,
            "network": self.config.network,
            "key_id": self.node_key.key_id,
            "fingerprint": fingerprint(self.node_key.public_key),
            "tls_cert": certificate_fingerprint(self.config.home),
            "store": self.config.store.display(),
            "officials": sum(1 for o in roster.officials.values() if o.status == "active"),
        }

    # Log -----------------------------------------------------------------------------------

    def log(self, *, origin: str | None = None) -> Iterator[LogEntry]:
        """Every stored record in log order; unreadable ones say why."""
        for note in notifications(self.app.process_recorder):
            entry = _log_entry(note.id, note.originator_id, note.originator_version, note.state)
            if origin is None or entry.origin == origin:
                yield entry

    def verify(self) -> Report:
        """Re-check every stored record (see node.verify)."""
        report = verify_store(self.app.process_recorder, network=self.config.network)
        report.equivocations = [
            (origin, UUID(aggregate), int(version))
            for origin, aggregate, version in self.sidecar.query(
                "SELECT origin, aggregate, version FROM {t}xcnet_equivocations ORDER BY detected"
            )
        ]
        return report


def _log_entry(position: int, aggregate: object, version: int, state: bytes) -> LogEntry:
    try:
        envelope = parse(state)
    except ProtocolError as error:
        assert isinstance(aggregate, UUID)
        return LogEntry(position, "?", aggregate, version, "?", 0, "?", (), "", str(error))
    header = envelope.header
    return LogEntry(
        position,
        header.origin,
        header.aggregate,
        header.version,
        header.topic,
        header.created,
        key_id(header.author),
        header.audience,
        envelope.digest.hex(),
    )


# Creating a node home ----------------------------------------------------------------------


def init_home(
    home: Path,
    *,
    node_id: str,
    name: str,
    country: str | None,
    db: str | None,
    network: str = DEFAULT_NETWORK,
    clock: Clock = utc_now,
) -> Config:
    """Create a node home with its keys, store and roster; all or nothing."""
    home = home.absolute()
    country = (country or (node_id.upper() if len(node_id) == 2 else "")).upper()
    if not country:
        raise BadInput(
            f"--country is needed: node id {node_id!r} is not a two-letter country code",
            field="country",
        )
    Member.found(node_id=node_id, name=name, country=country, node_key=b"", author="", at=clock())
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise BadInput(
            f"{home} is not empty: give a new or empty directory for the node home", field="home"
        )
    if not home.parent.is_dir():
        raise BadInput(f"{home.parent} does not exist: create it first", field="home")
    store = parse_store_url(db)
    created_schema = _prepare_postgres(store, node_id)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.init-", dir=home.parent))
    try:
        os.chmod(staging, 0o700)
        config = Config(staging, node_id, name.strip(), country, network, store)
        (staging / CONFIG_FILE).write_text(config.dump(), encoding="utf-8")
        os.chmod(staging / CONFIG_FILE, 0o600)
        node_key = Keystore(staging).create()
        create_certificate(staging, node_id)
        with Node(config, clock=clock) as node:
            node.app.save(
                Member.found(
                    node_id=node_id,
                    name=name,
                    country=country,
                    node_key=node_key.public_key,
                    author=node_key.key_id,
                    at=clock(),
                )
            )
        if home.exists():
            home.rmdir()
        staging.rename(home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_schema:
            postgres.drop_schema(store.url, store.schema(node_id))
        raise
    return Config.load(home)


def _prepare_postgres(store: StoreConfig, node_id: str) -> bool:
    """Check the server answers and the schema is free; create it. True when we created it."""
    if not store.is_postgres:
        return False
    reason = postgres.unreachable(store.url)
    if reason:
        raise StoreUnavailable(
            f"cannot reach the database at {store.display()} ({reason}): "
            "start the server or correct --db",
            field="db",
        )
    schema = store.schema(node_id)
    state = postgres.schema_state(store.url, schema)
    if state == "used":
        raise BadInput(
            f"schema {schema!r} at {store.display()} already holds tables: "
            "give another with ?schema=NAME in --db",
            field="db",
        )
    postgres.create_schema(store.url, schema)
    return state == "absent"
