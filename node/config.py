"""Node configuration: read once from HOME/xcnet.toml into a frozen value."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from node.errors import BadInput, NotFound

CONFIG_FILE = "xcnet.toml"
SQLITE_FILE = "store.sqlite"


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where the node's events live: a SQLite file in the home, or a PostgreSQL schema."""

    url: str

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgresql://", "postgres://"))

    def env(self, home: Path, node_id: str) -> dict[str, str]:
        """The eventsourcing persistence settings for this store."""
        if not self.is_postgres:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(home / self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        parts = urlsplit(self.url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": self.schema(node_id),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "10",
            # A read-model rebuild holds one transaction open while it decodes each next page.
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "120",
            "POSTGRES_POOL_SIZE": "4",
            "POSTGRES_MAX_OVERFLOW": "4",
        }

    @property
    def sqlite_path(self) -> str:
        return self.url.removeprefix("sqlite:") or SQLITE_FILE

    def schema(self, node_id: str) -> str:
        """The PostgreSQL schema: `?schema=` in the URL, else `xcnet_<node id>`."""
        query = parse_qs(urlsplit(self.url).query)
        return query.get("schema", [f"xcnet_{node_id.replace('-', '_')}"])[0]

    def display(self) -> str:
        """The URL with any password hidden."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()


def parse_store_url(url: str | None) -> StoreConfig:
    """Check a `--db` value: none (SQLite in the home) or postgresql://user@host:port/db."""
    if url is None or url in ("", "sqlite"):
        return StoreConfig(f"sqlite:{SQLITE_FILE}")
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres") and parts.hostname:
        schema = parse_qs(parts.query).get("schema", ["x"])[0]
        if not schema.replace("_", "").isalnum():
            raise BadInput(f"--db schema {schema!r} is not a plain identifier", field="db")
        return StoreConfig(url)
    raise BadInput(
        f"--db {url!r} is not a database URL: give postgresql://USER@HOST:PORT/DBNAME "
        "or leave it out for a SQLite file in the node home",
        field="db",
    )


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a node reads from its home, read once."""

    home: Path
    node_id: str
    name: str
    country: str
    network: str
    store: StoreConfig

    @classmethod
    def load(cls, home: Path) -> Config:
        """Read HOME/xcnet.toml; a home without one is not a node home."""
        path = home / CONFIG_FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound(
                f"{home} is not a node home (no {CONFIG_FILE}): run `xcnet init {home}` "
                "or pass -H / set XCNET_HOME",
                field="home",
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise BadInput(f"{path} is not valid TOML: {error}", field="home") from None
        node, store = data.get("node", {}), data.get("store", {})
        return cls(
            home=home,
            node_id=node["id"],
            name=node["name"],
            country=node["country"],
            network=node["network"],
            store=StoreConfig(store["url"]),
        )

    def dump(self) -> str:
        """The TOML text of this configuration."""

        def string(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)

        return (
            "[node]\n"
            f"id = {string(self.node_id)}\n"
            f"name = {string(self.name)}\n"
            f"country = {string(self.country)}\n"
            f"network = {string(self.network)}\n"
            "\n[store]\n"
            f"url = {string(self.store.url)}\n"
        )
