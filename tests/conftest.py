"""Shared fixtures: both stores, a fake clock, nodes in temporary homes, the real `xcnet` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from deployments.local.federation import Result
from node import postgres
from node.service import Node, init_home

POSTGRES_URL = os.environ.get("XCNET_TEST_POSTGRES_URL", "")
XCNET = str(Path(sys.executable).with_name("xcnet"))


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The store under test: None for SQLite in the node home, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield None
        return
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL does not answer: XCNET_TEST_POSTGRES_URL is unset (make test sets it)"
        )
    schema = f"xcnet_test_{uuid4().hex[:12]}"
    yield f"{POSTGRES_URL}?schema={schema}"
    postgres.drop_schema(POSTGRES_URL, schema)


NodeFactory = Callable[..., Node]


@pytest.fixture
def make_node(tmp_path: Path, db: str | None, clock: FakeClock) -> Iterator[NodeFactory]:
    """Open new nodes in temporary homes on the store under test, with the fake clock."""
    opened: list[Node] = []
    schemas: list[str] = []

    def make(node_id: str = "jp", name: str = "Ministry of Trade", **kwargs: object) -> Node:
        url = db
        if db is not None and opened:
            schema = f"xcnet_test_{uuid4().hex[:12]}"
            schemas.append(schema)
            url = f"{POSTGRES_URL}?schema={schema}"
        home = tmp_path / node_id
        init_home(home, node_id=node_id, name=name, country=None, db=url, clock=clock, **kwargs)  # type: ignore[arg-type]
        node = Node.open(home, clock=clock)
        opened.append(node)
        return node

    yield make
    for node in opened:
        node.close()
    for schema in schemas:
        postgres.drop_schema(POSTGRES_URL, schema)


Xcnet = Callable[..., Result]


@pytest.fixture
def xcnet(tmp_path: Path) -> Xcnet:
    """Run the installed `xcnet` command; `home=` sets XCNET_HOME."""

    def run(*args: str, home: Path | None = None, input: str | None = None) -> Result:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XCNET_HOME")}
        if home is not None:
            env["XCNET_HOME"] = str(home)
        done = subprocess.run(
            [XCNET, *args],
            capture_output=True,
            text=True,
            env=env,
            input=input,
            timeout=120,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def home(tmp_path: Path, db: str | None, xcnet: Xcnet) -> Path:
    """A node home made by `xcnet init` (node jp) on the store under test."""
    path = tmp_path / "jp"
    args = [
        "init",
        str(path),
        "--node-id",
        "jp",
        "--name",
        "Ministry of Economy, Trade and Industry",
    ]
    result = xcnet(*args, *(["--db", db] if db else []))
    assert result.code == 0, result.stderr
    return path
