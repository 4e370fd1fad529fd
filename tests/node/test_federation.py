"""Real node processes talking signed HTTP on loopback."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from deployments.local.federation import LocalFederation
from node import postgres
from protocol import canonical
from protocol.crypto import SigningKey
from protocol.httpsig import DESTINATION, Request, content_digest, sign_request
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


def test_a_record_written_on_one_node_reaches_every_peer(federation: FederationFactory) -> None:
    fed = federation("jp", "kr", "cn")
    fed.xcnet("jp", "official", "add", "Tanaka Yuki", "--role", "policy")
    wanted = fed.digests("jp", origin="jp")
    for other in ("kr", "cn"):
        fed.wait_until(
            lambda other=other: fed.digests(other, origin="jp") == wanted,
            30,
            f"jp's roster on {other}",
        )  # type: ignore[misc]
    assert fed.xcnet("cn", "verify").code == 0
    served = fed.xcnet("jp", "audit", "access", "--json").json()
    assert isinstance(served, list)
    assert {entry["peer"] for entry in served} >= {"kr", "cn"}


def _signed_get(
    fed: LocalFederation,
    caller: str,
    target: str,
    *,
    destination: str,
    created: int,
    nonce: str,
    key: SigningKey | None = None,
) -> tuple[int, object]:
    signer = key or SigningKey((fed.nodes[caller].home / "keys" / "node.key").read_bytes())
    url = f"{fed.nodes[target].url}/federation/v1/log?after=0&limit=10&wait=0"
    headers = {DESTINATION: destination, "content-digest": content_digest(b"")}
    headers |= sign_request(Request("GET", url, headers), signer, created=created, nonce=nonce)
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, canonical.decode(response.read())
    except urllib.error.HTTPError as error:
        return error.code, canonical.decode(error.read())


def test_replayed_stale_misaddressed_and_unknown_key_requests_are_refused(
    federation: FederationFactory,
) -> None:
    fed = federation("jp", "kr")
    now = int(time.time())
    status, page = _signed_get(fed, "kr", "jp", destination="jp", created=now, nonce="once")
    assert status == 200
    assert isinstance(page, dict) and page["records"]
    refusals = {
        "replayed_nonce": _signed_get(fed, "kr", "jp", destination="jp", created=now, nonce="once"),
        "stale_created": _signed_get(
            fed, "kr", "jp", destination="jp", created=now - 400, nonce="n2"
        ),
        "wrong_destination": _signed_get(
            fed, "kr", "jp", destination="cn", created=now, nonce="n3"
        ),
        "unknown_key": _signed_get(
            fed, "kr", "jp", destination="jp", created=now, nonce="n4", key=SigningKey.generate()
        ),
    }
    for reason, (status, body) in refusals.items():
        assert status == 401, reason
        assert body == {"error": reason, "message": "request refused"}
