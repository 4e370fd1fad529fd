"""Read models: tables derived from the log, each kept with its tracking position.

A read model names the record kinds it reads and turns one record's current state into rows.
`Views.catch_up` reads the log after each model's tracking position (filtered to the model's
topics), rebuilds the state of every record the page touches, replaces those records' rows
and moves the tracking position, all in one transaction: a crash leaves the rows and the
position together, so each event is applied exactly once. The position is kept in
eventsourcing's own tracking table (as `view:<name>`) through the process recorder's
`_insert_tracking`, the same mechanism that tracks peers' logs.

eventsourcing's `ProjectionRunner` is not used: it needs `recorder.subscribe()`, which SQLite
lacks, and it writes one transaction per event (about 2,000 a second on SQLite); a page per
transaction gives the same guarantee at the store's batch speed. Catching up happens after
every write and ingest and before every query, so a command sees its own result at once.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Notification, Tracking

from aggregates.base import RecordRef
from node.store import NodeApplication, envelope_of

Row = tuple[Any, ...]
PAGE = 2000
_CACHE = 5000


class Writer:
    """Plain SQL inside one view transaction, for SQLite (`?`) and PostgreSQL (`%s`)."""

    def __init__(self, cursor: Any, prefix: str, postgres: bool) -> None:
        self.cursor = cursor
        self.prefix = prefix
        self.postgres = postgres

    def sql(self, statement: str) -> str:
        statement = statement.replace("{t}", self.prefix)
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence[object] = ()) -> None:
        self.cursor.execute(self.sql(statement), params)

    def insert(self, table: str, rows: Sequence[Row]) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self.cursor.executemany(self.sql(f"INSERT INTO {{t}}{table} VALUES ({marks})"), rows)

    def delete(self, table: str, column: str, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            self.execute(f"DELETE FROM {{t}}{table} WHERE {column} IN ({marks})", chunk)


class ReadModel:
    """One read model: its tables, the record kinds it reads, and the rows of one record."""

    name: ClassVar[str]
    kinds: ClassVar[tuple[type[Aggregate], ...]]
    #: table name -> column definitions; a first column `record` holds the record id.
    tables: ClassVar[dict[str, str]]
    indexes: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def topics(cls) -> tuple[str, ...]:
        return tuple(sorted(topic for kind in cls.kinds for topic in event_topics(kind)))

    def rows(self, records: Sequence[tuple[Aggregate, RecordRef]]) -> dict[str, list[Row]]:
        """The rows of these records by table, each record given with the ref of the version
        it is at. Computed before the transaction opens, so it stays short."""
        raise NotImplementedError

    def clear(self, writer: Writer, record_ids: Sequence[str] | None) -> None:
        """Delete the rows of these records (None: every row). A table whose first column is
        not `record` holds summaries of the whole model: any change empties it."""
        for table, columns in self.tables.items():
            if record_ids is not None and columns.split()[0] == "record":
                writer.delete(table, "record", record_ids)
            else:
                writer.execute(f"DELETE FROM {{t}}{table}")


def event_topics(kind: type[Aggregate]) -> list[str]:
    """The topics of every event class nested in an aggregate class."""
    return [
        str(vars(value)["TOPIC"])
        for value in vars(kind).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and "TOPIC" in vars(value)
    ]


class Views:
    """The node's read models, caught up from its log."""

    #: Events applied to one model in one catch-up from which its tables are tidied (`tidy`).
    tidy_after = 5000

    def __init__(self, app: NodeApplication, models: Sequence[ReadModel]) -> None:
        self.app = app
        self.recorder = app.process_recorder
        self.datastore: Any = getattr(self.recorder, "datastore")  # noqa: B009
        self.postgres = hasattr(self.datastore, "schema")
        self.prefix = f'"{self.datastore.schema}".' if self.postgres else ""
        self.tracking_table = self.prefix + (
            f'"{getattr(self.recorder, "tracking_table_name", "")}"'
            if self.postgres
            else "tracking"
        )
        self.models = {model.name: model for model in models}
        blob = "BYTEA" if self.postgres else "BLOB"
        with self.writer() as writer:
            for model in models:
                for table, columns in model.tables.items():
                    writer.execute(
                        f"CREATE TABLE IF NOT EXISTS {{t}}{table} ({columns.format(blob=blob)})"
                    )
                for index in model.indexes:
                    writer.execute(index)

    def __getitem__(self, name: str) -> ReadModel:
        return self.models[name]

    @contextmanager
    def writer(self, *, commit: bool = True) -> Iterator[Writer]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield Writer(cursor, self.prefix, self.postgres)

    def query(self, statement: str, params: Sequence[object] = ()) -> list[Row]:
        with self.writer(commit=False) as writer:
            writer.execute(statement, params)
            rows = writer.cursor.fetchall()
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]

    def position(self, name: str) -> int:
        return self.recorder.max_tracking_id(_tracking_name(name)) or 0

    def catch_up(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Apply everything written since each model's position; returns the events applied.
        `stop` is asked between pages: a server shutting down does not wait for a long
        catch-up (what is applied stays applied; the next catch-up goes on from there)."""
        applied = 0
        for model in self.models.values():
            for _attempt in range(5):
                try:
                    done = self._catch_up(model, stop)
                    break
                except IntegrityError:
                    continue  # another process moved this view first: read its position again
            else:
                done = 0
            if done >= self.tidy_after:
                self.tidy(model)
            applied += done
        return applied

    def tidy(self, model: ReadModel) -> None:
        """After a bulk write, have PostgreSQL vacuum and analyse the model's tables at once.

        Until a table is vacuumed its index-only scans read the table as well (the visibility
        map is empty), which made new screening queries over 100,000 fresh denials take
        seconds; autovacuum gets there too, but minutes later. SQLite needs nothing.
        """
        if not self.postgres:
            return
        with self.datastore.cursor() as cursor:  # autocommit: VACUUM runs outside a transaction
            for table in model.tables:
                cursor.execute(f"VACUUM (ANALYZE) {self.prefix}{table}")

    def _catch_up(self, model: ReadModel, stop: Callable[[], bool]) -> int:
        applied = 0
        cache: OrderedDict[UUID, Aggregate] = OrderedDict()
        head = self.recorder.max_notification_id() or 0
        while not stop():
            start = self.position(model.name)
            if start >= head:
                return applied
            page = self._page(model, start, head)
            if not page:
                # Nothing for this model up to the head: move its position there, so the next
                # catch-up does not read the other models' events again.
                with self.writer() as writer:
                    if self.lock(writer, model) == start:
                        self._track(writer, model, head)
                return applied
            ids, rows = self._rows(model, page, cache)
            with self.writer() as writer:
                if self.lock(writer, model) != start:
                    # Another process applied (part of) this page first: read again from its
                    # position, forgetting the states this unwritten page advanced.
                    cache.clear()
                    continue
                self._write(writer, model, ids, rows)
                self._track(writer, model, page[-1].id)
            applied += len(page)
        return applied

    def rebuild(self, names: Sequence[str] = ()) -> dict[str, int]:
        """Empty the models (all, or those named) and apply the whole log again, atomically."""
        counts = {}
        for name in names or list(self.models):
            model = self.models[name]
            cache: OrderedDict[UUID, Aggregate] = OrderedDict()
            counts[name] = 0
            with self.writer() as writer:
                self.lock(writer, model)
                model.clear(writer, None)
                writer.execute(
                    f"DELETE FROM {self.tracking_table} WHERE application_name = ?",
                    (_tracking_name(name),),
                )
                head = self.recorder.max_notification_id() or 0
                position = 0
                while page := self._page(model, position, head):
                    self._write(writer, model, *self._rows(model, page, cache))
                    position = page[-1].id
                    counts[name] += len(page)
                if head:
                    self._track(writer, model, head)
            self.tidy(model)
        return counts

    def lock(self, writer: Writer, model: ReadModel) -> int:
        """Take this view's write lock for the transaction; the position as it then stands.

        Writers of one view queue here, so a page is written only over the position it was read
        from (PostgreSQL: an advisory lock; SQLite: a write that takes the database's one write
        lock before anything is read).
        """
        name = _tracking_name(model.name)
        if self.postgres:
            writer.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (name,))
        else:
            writer.execute(f"DELETE FROM {self.tracking_table} WHERE 0")
        writer.execute(
            f"SELECT notification_id FROM {self.tracking_table} WHERE application_name = ?",
            (name,),
        )
        row = writer.cursor.fetchone()
        if row is None:
            return 0
        return int(row["notification_id"] if isinstance(row, dict) else row[0])

    def _page(self, model: ReadModel, after: int, head: int) -> list[Notification]:
        return list(
            self.recorder.select_notifications(
                after, PAGE, stop=head, topics=model.topics(), inclusive_of_start=False
            )
        )

    def _track(self, writer: Writer, model: ReadModel, position: int) -> None:
        insert = getattr(self.recorder, "_insert_tracking")  # noqa: B009
        insert(writer.cursor, Tracking(_tracking_name(model.name), position))

    def _write(
        self, writer: Writer, model: ReadModel, ids: list[str], rows: dict[str, list[Row]]
    ) -> None:
        model.clear(writer, ids)
        for table, table_rows in rows.items():
            writer.insert(table, table_rows)

    def _rows(
        self, model: ReadModel, page: Sequence[Notification], cache: OrderedDict[UUID, Aggregate]
    ) -> tuple[list[str], dict[str, list[Row]]]:
        """The ids of the records this page touches that may hold rows already (not created in
        it: their rows are replaced), and the rows of every record it touches."""
        events: dict[UUID, list[Any]] = defaultdict(list)
        tips: dict[UUID, RecordRef] = {}
        for note in page:
            envelope = envelope_of(note.state)
            header = envelope.header
            events[header.aggregate].append(self.app.event_of(note.state))
            tips[header.aggregate] = RecordRef(
                header.origin, header.aggregate, header.version, envelope.digest
            )
        records = [
            (self._state(aggregate_id, evs, cache), tips[aggregate_id])
            for aggregate_id, evs in events.items()
        ]
        held = [str(record) for record, evs in events.items() if evs[0].originator_version > 1]
        return held, model.rows(records)

    def _state(
        self, aggregate_id: UUID, events: list[Any], cache: OrderedDict[UUID, Aggregate]
    ) -> Aggregate:
        """The record's state after `events`: from the cache or this page when it can, else the store."""
        aggregate: Aggregate | None = cache.pop(aggregate_id, None)
        first = events[0].originator_version
        held = aggregate.version if aggregate is not None else 0
        if held != first - 1:
            aggregate = self.app.repository.get(aggregate_id, version=first - 1)
        for event in events:
            aggregate = event.mutate(aggregate)
        assert aggregate is not None
        cache[aggregate_id] = aggregate
        if len(cache) > _CACHE:
            cache.popitem(last=False)
        return aggregate


def _tracking_name(name: str) -> str:
    return f"view:{name}"
