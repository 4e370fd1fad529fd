"""Real node processes talking signed HTTP on loopback."""

from __future__ import annotations

import dataclasses
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.common import author_denials
from deployments.local.federation import LocalFederation
from node.ingest import ingest
from node.peers import load_peers, save_peers
from node.replication import page_for
from node.service import Node
from protocol import canonical
from protocol.crypto import SigningKey, key_id
from protocol.envelope import body_summary, parse, seal
from protocol.httpsig import DESTINATION, Request, content_digest, sign_request
from tests.node.conftest import FederationFactory
from tests.node.test_verify import overwrite_state, stored_states


def test_a_record_written_on_one_node_reaches_every_peer(federation: FederationFactory) -> None:
    fed = federation("jp", "kr", "cn")
    fed.xcnet("jp", "official", "add", "Tanaka Yuki", "--role", "policy")
    wanted = fed.digests("jp", origin="jp")
    for other in ("kr", "cn"):
        fed.wait_for_records(other, wanted, origin="jp")
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


def _sync_once(fed: LocalFederation, node_id: str, peer: str) -> dict[str, object]:
    result = fed.xcnet(node_id, "sync", "--once", "--peer", peer, "--json", check=False)
    document = result.json()
    assert isinstance(document, dict), result.stderr
    report = document[peer]
    assert isinstance(report, dict)
    return report


def test_a_tampered_envelope_from_a_peer_is_refused_by_name_and_the_rest_is_kept(
    federation: FederationFactory,
) -> None:
    fed = federation("jp", "kr", start=False)
    with Node.open(fed.nodes["jp"].home) as jp:
        author_denials(jp, 5)
    position, original = stored_states(fed.nodes["jp"].home)[-3]
    envelope = parse(original)
    fields = envelope.fields()
    fields["national_ref"] = "FORGED-1"
    overwrite_state(
        fed.nodes["jp"].home,
        position,
        canonical.encode([envelope.header_bytes, canonical.encode(fields), envelope.signature]),
    )
    fed.start("jp")
    report = _sync_once(fed, "kr", "jp")
    refused = report["refused"]
    assert isinstance(refused, list) and len(refused) == 1
    assert f"{envelope.header.aggregate}@1: body_digest" in refused[0]
    held = fed.digests("kr", origin="jp")
    assert envelope.digest.hex() not in held
    assert held == fed.digests("jp", origin="jp") - {envelope.digest.hex()}
    assert fed.xcnet("kr", "verify").code == 0


def test_an_origin_that_equivocates_is_caught_by_a_peer_that_sees_both_versions(
    federation: FederationFactory,
) -> None:
    fed = federation("jp", "kr", "cn", start=False)
    with Node.open(fed.nodes["jp"].home) as jp:
        author_denials(jp, 1)
        held_by_jp = [state for _, state in page_for(jp, "kr", 0, 1000).records]
        signer = jp.keys.official(key_id(parse(held_by_jp[-1]).header.author))
        assert signer is not None
    fork = _resign(held_by_jp[-1], signer, valid_until="2030-01-01")
    with Node.open(fed.nodes["kr"].home) as kr:
        report = ingest(kr, [*held_by_jp[:-1], fork], source="jp")
        assert report.accepted == len(held_by_jp)  # kr was shown the other version
    fed.start()
    fed.wait_until(lambda: bool(_peer(fed, "cn", "jp")["equivocations"]), 30, "cn to flag jp")
    verify = fed.xcnet("cn", "verify", check=False)
    assert verify.code == 1
    assert "EQUIVOCATION: jp" in verify.stdout


def _peer(fed: LocalFederation, node_id: str, peer: str) -> dict[str, object]:
    peers = fed.xcnet(node_id, "peer", "list", "--json").json()
    assert isinstance(peers, list)
    return next(p for p in peers if p["node_id"] == peer)


def _resign(raw: bytes, signer: SigningKey, **changes: object) -> bytes:
    """The same (aggregate, version) signed again by its author with other content."""
    envelope = parse(raw)
    fields = {**envelope.fields(), **changes}
    body = canonical.encode(fields)
    digest, length = body_summary(body)
    header = dataclasses.replace(envelope.header, body_digest=digest, body_length=length)
    return seal(header, body, signer).raw


def test_peers_talk_tls_with_pinned_certificates_and_refuse_any_other(
    tmp_path: Path, db: str | None
) -> None:
    if db is not None:
        pytest.skip("transport only: one store is enough")
    fed = LocalFederation(tmp_path / "tls", ["jp", "kr"], tls=True)
    try:
        fed.create()
        fed.start()
        fed.xcnet("jp", "official", "add", "Tanaka Yuki", "--role", "policy")
        fed.wait_for_records("kr", fed.digests("jp", origin="jp"), origin="jp")
        peers = load_peers(fed.nodes["kr"].home)
        save_peers(fed.nodes["kr"].home, {"jp": dataclasses.replace(peers["jp"], tls="0" * 64)})
        refused = fed.xcnet("kr", "sync", "--once", "--json", check=False)
        assert refused.code == 1
        error = refused.json()
        assert isinstance(error, dict) and "jp" in error
        assert "fingerprint" in str(error["jp"]).lower()
    finally:
        fed.stop_all()


def test_serve_refuses_plain_http_off_loopback(federation: FederationFactory) -> None:
    fed = federation("jp", start=False)
    result = fed.xcnet("jp", "serve", "--listen", "0.0.0.0:8799", "--no-tls", "--json", check=False)
    assert result.code == 2
    error = result.json()
    assert isinstance(error, dict)
    assert error["error"]["field"] == "listen"


def _index_current(home: Path) -> tuple[int, int]:
    """(denials in the screening index's table, whether its position is the log head), read
    without catching up: what the serving process left there."""
    with Node.open(home) as node:
        rows = node.views.query("SELECT COUNT(*) FROM {t}xcnet_screen_denial")[0][0]
        head = node.app.process_recorder.max_notification_id() or 0
        return int(rows), int(node.views.position("screening") == head)


def test_sync_once_pulls_page_after_page_and_leaves_the_read_models_current(
    federation: FederationFactory,
) -> None:
    fed = federation("jp", "kr", start=False)
    with Node.open(fed.nodes["jp"].home) as jp:
        author_denials(jp, 2500)  # three pages: the second and third are fetched ahead
    fed.start("jp")
    held = fed.digests("jp", origin="jp")
    report = _sync_once(fed, "kr", "jp")
    assert report["accepted"] == len(held) > 2500  # the denials, jp's roster and officials
    assert report["position"] == report["head"]
    assert isinstance(report["seconds"], float) and report["seconds"] > 0
    assert fed.digests("kr", origin="jp") == held
    assert _index_current(fed.nodes["kr"].home) == (2500, 1)


def test_a_following_node_keeps_its_read_models_current_without_being_asked(
    federation: FederationFactory,
) -> None:
    fed = federation("jp", "kr")
    with Node.open(fed.nodes["jp"].home) as jp:
        author_denials(jp, 30)
    fed.wait_for_records("kr", fed.digests("jp", origin="jp"), origin="jp")
    fed.wait_until(
        lambda: _index_current(fed.nodes["kr"].home) == (30, 1),
        what="kr's screening index to take in jp's denials by itself",
    )


def test_two_pulls_from_one_peer_at_once_take_in_every_record_once(
    federation: FederationFactory, db: str | None, request: pytest.FixtureRequest
) -> None:
    if db is not None:
        # Open bug: on PostgreSQL one of two concurrent `sync --once` failed in CI under heavy
        # load (empty stdout; suspected: ingest's three IntegrityError retries exhausted).
        request.applymarker(pytest.mark.xfail(reason="concurrent pulls on PostgreSQL: open bug"))
    fed = federation("jp", "kr", start=False)
    with Node.open(fed.nodes["jp"].home) as jp:
        author_denials(jp, 3000)
    fed.start("jp")
    held = fed.digests("jp", origin="jp")
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda _: _sync_once(fed, "kr", "jp"), range(2)))
    assert all(not r["refused"] and r["position"] == r["head"] for r in reports), reports
    # Each record was taken in by one of the two; the other found it held (or never saw it,
    # having moved to where the first one had got).
    assert sum(int(str(r["accepted"])) for r in reports) == len(held)
    assert fed.digests("kr", origin="jp") == held
    assert fed.xcnet("kr", "verify").code == 0
