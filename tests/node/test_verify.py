from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from node.config import Config
from node.postgres import conninfo
from tests.conftest import Xcnet


def stored_states(home: Path) -> list[tuple[int, bytes]]:
    """(position, state) of every stored record, read straight from the database."""
    config = Config.load(home)
    if not config.store.is_postgres:
        with sqlite3.connect(home / config.store.sqlite_path) as connection:
            return list(connection.execute("SELECT rowid, state FROM stored_events ORDER BY rowid"))
    schema = config.store.schema(config.node_id)
    with psycopg.connect(conninfo(config.store.url)) as connection:
        query = sql.SQL(
            "SELECT notification_id, state FROM {}.xcnet_events ORDER BY notification_id"
        ).format(sql.Identifier(schema))
        return [(row[0], bytes(row[1])) for row in connection.execute(query)]


def overwrite_state(home: Path, position: int, state: bytes) -> None:
    """Change one stored record behind the node's back."""
    config = Config.load(home)
    if not config.store.is_postgres:
        with sqlite3.connect(home / config.store.sqlite_path) as connection:
            connection.execute(
                "UPDATE stored_events SET state = ? WHERE rowid = ?", (state, position)
            )
        return
    schema = config.store.schema(config.node_id)
    with psycopg.connect(conninfo(config.store.url)) as connection:
        connection.execute(
            sql.SQL("UPDATE {}.xcnet_events SET state = %s WHERE notification_id = %s").format(
                sql.Identifier(schema)
            ),
            (state, position),
        )


@pytest.fixture
def busy_home(home: Path, xcnet: Xcnet) -> Path:
    """A node with a few records: its roster, two officials, a retirement."""
    for name, role in (("Tanaka Yuki", "policy"), ("Sato Ken", "licensing")):
        assert xcnet("official", "add", name, "--role", role, home=home).code == 0
    officials = xcnet("official", "list", "--json", home=home).json()
    assert isinstance(officials, list)
    assert xcnet("official", "retire", officials[1]["key_id"], home=home).code == 0
    return home


def test_a_fresh_store_verifies(busy_home: Path, xcnet: Xcnet) -> None:
    result = xcnet("verify", "--json", home=busy_home)
    assert result.code == 0, result.stderr
    report = result.json()
    assert isinstance(report, dict)
    assert report["ok"] is True
    assert report["records"] == 4
    assert report["origins"] == ["jp"]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_flipped_byte_anywhere_in_a_stored_envelope_fails_verify_naming_the_record(
    busy_home: Path, xcnet: Xcnet, data: st.DataObject
) -> None:
    states = stored_states(busy_home)
    position, original = data.draw(st.sampled_from(states))
    offset = data.draw(st.integers(0, len(original) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = bytearray(original)
    tampered[offset] ^= flip
    overwrite_state(busy_home, position, bytes(tampered))
    try:
        result = xcnet("verify", "--json", home=busy_home)
        assert result.code == 1, result.stdout
        report = result.json()
        assert isinstance(report, dict)
        first = report["failures"][0]
        assert first["position"] == position
        assert first["check"] in (
            "encoding",
            "signature",
            "body_digest",
            "origin",
            "prev",
            "version",
        )
        assert "FAILED" in xcnet("verify", home=busy_home).stdout
    finally:
        overwrite_state(busy_home, position, original)
    assert xcnet("verify", home=busy_home).code == 0


def test_a_changed_body_is_named_as_a_body_digest_failure(busy_home: Path, xcnet: Xcnet) -> None:
    from protocol import canonical
    from protocol.envelope import parse

    position, original = stored_states(busy_home)[1]
    envelope = parse(original)
    fields = envelope.fields()
    fields["name"] = "Somebody Else"
    forged = canonical.encode([envelope.header_bytes, canonical.encode(fields), envelope.signature])
    overwrite_state(busy_home, position, forged)
    result = xcnet("verify", home=busy_home)
    assert result.code == 1
    assert "FAILED body_digest" in result.stdout
    assert f"log position {position}" in result.stdout
    assert "version 2" in result.stdout
