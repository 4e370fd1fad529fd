"""Fixtures for tests that run real node processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from deployments.local.federation import LocalFederation
from node import postgres
from tests.conftest import POSTGRES_URL

FederationFactory = Callable[..., LocalFederation]


@pytest.fixture
def federation(tmp_path: Path, db: str | None) -> Iterator[FederationFactory]:
    """Start federations of real `xcnet serve` processes on the store under test."""
    made: list[LocalFederation] = []
    schemas: list[str] = []

    def schema_for(node_id: str) -> str | None:
        if db is None:
            return None
        schema = f"xcnet_test_{uuid4().hex[:12]}"
        schemas.append(schema)
        return f"{POSTGRES_URL}?schema={schema}"

    def make(*node_ids: str, start: bool = True) -> LocalFederation:
        federation = LocalFederation(tmp_path / f"f{len(made)}", node_ids, db=schema_for)
        made.append(federation)
        federation.create()
        if start:
            federation.start()
        return federation

    yield make
    for federation in made:
        federation.stop_all()
    for schema in schemas:
        postgres.drop_schema(POSTGRES_URL, schema)
