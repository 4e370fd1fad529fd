"""Local side tables next to the event store (waiting records, equivocation proofs, the access
log), and plain SQL over the events table where eventsourcing has no batched read.

They live in the same SQLite file or PostgreSQL schema as the events, through the event
store's own connection pool; they are node-local and never replicated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Recorder

_TABLES = {
    "xcnet_pending": (
        "aggregate TEXT NOT NULL, version BIGINT NOT NULL, origin TEXT NOT NULL, "
        "envelope {blob} NOT NULL, source TEXT NOT NULL, received BIGINT NOT NULL, "
        "PRIMARY KEY (aggregate, version)"
    ),
    "xcnet_equivocations": (
        "aggregate TEXT NOT NULL, version BIGINT NOT NULL, origin TEXT NOT NULL, "
        "held {blob} NOT NULL, other {blob} NOT NULL, source TEXT NOT NULL, "
        "detected BIGINT NOT NULL, PRIMARY KEY (aggregate, version)"
    ),
    "xcnet_access": (
        "peer TEXT NOT NULL, aggregate TEXT NOT NULL, version BIGINT NOT NULL, "
        "served BIGINT NOT NULL"
    ),
}
_INDEXES = ("CREATE INDEX IF NOT EXISTS xcnet_access_aggregate ON {t}xcnet_access (aggregate)",)

Row = tuple[Any, ...]


class Sidecar:
    """Plain SQL on the event store's datastore, for SQLite (`?`) and PostgreSQL (`%s`)."""

    def __init__(self, recorder: Recorder) -> None:
        self.datastore: Any = getattr(recorder, "datastore")  # noqa: B009
        self.events: str = getattr(recorder, "events_table_name")  # noqa: B009
        self.postgres = hasattr(self.datastore, "schema")
        self.prefix = f'"{self.datastore.schema}".' if self.postgres else ""
        blob = "BYTEA" if self.postgres else "BLOB"
        with self.transaction() as cursor:
            for table, columns in _TABLES.items():
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.prefix}{table} ({columns.format(blob=blob)})"
                )
            for index in _INDEXES:
                cursor.execute(index.format(t=self.prefix))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cursor:
            yield cursor

    def _sql(self, statement: str) -> str:
        statement = statement.replace("{t}", self.prefix)
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence[object] = ()) -> None:
        with self.transaction() as cursor:
            cursor.execute(self._sql(statement), params)

    def execute_many(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        if not rows:
            return
        with self.transaction() as cursor:
            cursor.executemany(self._sql(statement), rows)

    def query(self, statement: str, params: Sequence[object] = ()) -> list[Row]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._sql(statement), params)
            rows = cursor.fetchall()
        return [
            tuple(
                bytes(v) if isinstance(v, memoryview) else v
                for v in (r.values() if isinstance(r, dict) else r)
            )
            for r in rows
        ]

    def newest_versions(self, records: Sequence[UUID]) -> list[tuple[UUID, int, bytes]]:
        """(record, version, envelope) of the newest stored version of each of these records
        that is held: one query per few hundred records instead of one each."""
        found: list[tuple[UUID, int, bytes]] = []
        table = f'{{t}}"{self.events}"'
        for start in range(0, len(records), _PER_QUERY):
            chunk = records[start : start + _PER_QUERY]
            rows = self.query(
                f"SELECT originator_id, originator_version, state FROM {table} AS e "
                f"WHERE originator_id IN ({', '.join('?' * len(chunk))}) AND originator_version = "
                f"(SELECT MAX(originator_version) FROM {table} WHERE originator_id = e.originator_id)",
                [r if self.postgres else r.hex for r in chunk],
            )
            found.extend((UUID(str(row[0])), int(row[1]), row[2]) for row in rows)
        return found


_PER_QUERY = 500
