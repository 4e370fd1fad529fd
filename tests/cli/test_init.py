from __future__ import annotations

import base64
from pathlib import Path

import pytest

from node.config import Config
from tests.conftest import Xcnet


def test_init_makes_a_node_that_knows_its_identity(home: Path, xcnet: Xcnet) -> None:
    identity = xcnet("identity", "--json", home=home).json()
    assert isinstance(identity, dict)
    assert identity["node_id"] == "jp"
    assert identity["country"] == "JP"
    assert len(identity["fingerprint"].split("-")) == 13
    config = Config.load(home)
    assert (home / "keys" / "node.key").stat().st_mode & 0o777 == 0o600
    assert (home / "xcnet.toml").stat().st_mode & 0o777 == 0o600
    assert config.node_id == "jp"


def test_init_into_a_non_empty_home_is_refused_and_leaves_it_as_it_was(
    tmp_path: Path, xcnet: Xcnet
) -> None:
    home = tmp_path / "kr"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    result = xcnet("init", str(home), "--node-id", "kr", "--name", "KOSTI", "--json")
    assert result.code == 2
    error = result.json()
    assert isinstance(error, dict)
    assert error["error"]["field"] == "home"
    assert "not empty" in error["error"]["message"]
    assert [p.name for p in home.iterdir()] == ["notes.txt"]


def test_init_with_an_unreachable_database_is_refused_and_creates_nothing(
    tmp_path: Path, xcnet: Xcnet
) -> None:
    home = tmp_path / "kr"
    result = xcnet(
        "init", str(home), "--node-id", "kr", "--name", "KOSTI", "--db",
        "postgresql://postgres@127.0.0.1:9/test",
    )  # fmt: skip
    assert result.code == 2
    assert "cannot reach the database" in result.stderr
    assert "--db" in result.stderr
    assert not home.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--db", "mysql://root@127.0.0.1/test"], "db"),
        (["--node-id", "Not A Slug"], "node_id"),
        (["--country", "Korea"], "country"),
    ],
)
def test_init_with_bad_input_names_the_field_and_creates_nothing(
    tmp_path: Path, xcnet: Xcnet, args: list[str], field: str
) -> None:
    home = tmp_path / "kr"
    base = {"--node-id": "kr", "--name": "KOSTI", "--country": "KR"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]
    result = xcnet("init", str(home), *flat, "--json")
    assert result.code == 2, result.stderr
    error = result.json()
    assert isinstance(error, dict)
    assert error["error"]["field"] == field
    assert list(tmp_path.iterdir()) == []


def test_a_postgres_schema_that_already_holds_a_store_is_refused(
    tmp_path: Path, xcnet: Xcnet, db: str | None
) -> None:
    if db is None:
        pytest.skip("PostgreSQL only")
    assert (
        xcnet("init", str(tmp_path / "a"), "--node-id", "kr", "--name", "A", "--db", db).code == 0
    )
    result = xcnet("init", str(tmp_path / "b"), "--node-id", "kr", "--name", "B", "--db", db)
    assert result.code == 2
    assert "already holds tables" in result.stderr
    assert not (tmp_path / "b").exists()


def test_a_command_outside_a_node_home_says_how_to_make_one(tmp_path: Path, xcnet: Xcnet) -> None:
    result = xcnet("identity", home=tmp_path / "nowhere")
    assert result.code == 2
    assert "xcnet init" in result.stderr


def test_private_keys_are_never_printed_and_stay_in_the_home(
    tmp_path: Path, home: Path, xcnet: Xcnet
) -> None:
    outputs = []
    for args in (
        ["official", "add", "Tanaka Yuki", "--role", "policy"],
        ["official", "list"],
        ["identity"],
        ["log"],
        ["verify"],
    ):
        for json_flag in ([], ["--json"]):
            result = xcnet(*args, *json_flag, home=home)
            assert result.code == 0, result.stderr
            outputs.append(result.stdout + result.stderr)
    seeds = [path.read_bytes() for path in (home / "keys").rglob("*.key") if path.name != "tls.key"]
    assert len(seeds) == 3
    printed = "\n".join(outputs)
    assert "PRIVATE KEY" not in printed
    for seed in seeds:
        for form in (seed.hex(), base64.b64encode(seed).decode(), base64.b32encode(seed).decode()):
            assert form.lower() not in printed.lower()
    key_files = [p for p in tmp_path.rglob("*.key") if home not in p.parents]
    assert key_files == []


def test_a_node_reopened_after_its_process_ends_has_everything_it_acknowledged(
    home: Path, xcnet: Xcnet
) -> None:
    added = xcnet("official", "add", "Sato Ken", "--role", "licensing", "--json", home=home).json()
    assert isinstance(added, dict)
    log = xcnet("log", "--json", home=home).json()
    assert isinstance(log, list)
    assert [entry["topic"] for entry in log] == [
        "xcnet.member.Founded/1",
        "xcnet.member.OfficialEnrolled/1",
    ]
    assert xcnet("official", "list", "--json", home=home).json() == [added]
