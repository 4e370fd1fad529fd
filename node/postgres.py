"""PostgreSQL housekeeping that eventsourcing leaves to us: reachability and schemas."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit


def conninfo(url: str) -> str:
    """The libpq URL without xcnet's own query parameters (`schema`)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=""))


def unreachable(url: str) -> str | None:
    """Why the server at `url` does not answer, or None when it does."""
    import psycopg  # loaded only when PostgreSQL is in use: it costs 0.1 s at start-up

    try:
        with psycopg.connect(conninfo(url), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def schema_state(url: str, schema: str) -> str:
    """`absent`, `empty` or `used` (holds an xcnet store)."""
    import psycopg  # loaded only when PostgreSQL is in use: it costs 0.1 s at start-up

    with psycopg.connect(conninfo(url), connect_timeout=3) as connection:
        exists = connection.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
        if not exists:
            return "absent"
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchone()
        return "used" if tables and tables[0] else "empty"


def create_schema(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo(url), connect_timeout=3, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def drop_schema(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo(url), connect_timeout=3, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


if __name__ == "__main__":
    reason = unreachable(sys.argv[1])
    if reason:
        print(f"PostgreSQL at {sys.argv[1]}: {reason}", file=sys.stderr)
    sys.exit(1 if reason else 0)
