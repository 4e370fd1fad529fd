from __future__ import annotations

import base64

import pytest

from protocol.crypto import SigningKey
from protocol.errors import RequestRefused
from protocol.httpsig import (
    DESTINATION,
    Request,
    content_digest,
    sign_request,
    signature_base,
    verify_request,
)

# RFC 9421 appendix B.1.4 test-key-ed25519 (the 32-byte seed inside its PKCS#8 PEM).
RFC_KEY = SigningKey(
    base64.b64decode("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF")[-32:]
)
# RFC 9421 appendix B.2 test-request.
RFC_REQUEST = Request(
    method="POST",
    target_uri="https://example.com/foo?param=Value&Pet=dog",
    headers={
        "host": "example.com",
        "date": "Tue, 20 Apr 2021 02:07:55 GMT",
        "content-type": "application/json",
        "content-digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        "content-length": "18",
    },
    body=b'{"hello": "world"}',
)


def test_rfc_9421_appendix_b_2_6_is_reproduced_byte_for_byte() -> None:
    components = ("date", "@method", "@path", "@authority", "content-type", "content-length")
    params: list[tuple[str, int | str]] = [("created", 1618884473), ("keyid", "test-key-ed25519")]
    base = signature_base(RFC_REQUEST, components, params)
    assert base == (
        b'"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
        b'"@method": POST\n'
        b'"@path": /foo\n'
        b'"@authority": example.com\n'
        b'"content-type": application/json\n'
        b'"content-length": 18\n'
        b'"@signature-params": ("date" "@method" "@path" "@authority" "content-type" '
        b'"content-length");created=1618884473;keyid="test-key-ed25519"'
    )
    fields = sign_request(
        RFC_REQUEST,
        RFC_KEY,
        created=1618884473,
        nonce="",
        components=components,
        keyid="test-key-ed25519",
        label="sig-b26",
    )
    assert fields == {
        "signature-input": 'sig-b26=("date" "@method" "@path" "@authority" "content-type" '
        '"content-length");created=1618884473;keyid="test-key-ed25519"',
        "signature": "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1"
        "u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
    }


CALLER = SigningKey(bytes(range(32)))
NOW = 1_800_000_000


def signed(
    body: bytes = b"", *, destination: str = "jp", created: int = NOW, nonce: str = "n1"
) -> Request:
    headers = {DESTINATION: destination, "content-digest": content_digest(body)}
    request = Request("GET", "http://127.0.0.1:8701/federation/v1/log?after=0", headers, body)
    fields = sign_request(request, CALLER, created=created, nonce=nonce)
    return Request(request.method, request.target_uri, {**headers, **fields}, body)


def check(request: Request, seen: set[str] | None = None) -> str:
    nonces = seen if seen is not None else set()

    def fresh(nonce: str, expires: int) -> bool:
        if nonce in nonces:
            return False
        nonces.add(nonce)
        return True

    return verify_request(
        request,
        destination="jp",
        now=NOW,
        keys=lambda key: "kr" if key == CALLER.public_key else None,
        fresh_nonce=fresh,
    )


def test_a_signed_request_from_a_pinned_peer_names_the_peer() -> None:
    assert check(signed(b"payload")) == "kr"


def refusal(request: Request, seen: set[str] | None = None) -> str:
    with pytest.raises(RequestRefused) as refused:
        check(request, seen)
    return refused.value.code


def test_a_request_signed_by_an_unknown_key_is_refused() -> None:
    request = signed()
    other = SigningKey(bytes(32))
    fields = sign_request(request, other, created=NOW, nonce="n2")
    assert (
        refusal(Request(request.method, request.target_uri, {**request.headers, **fields}))
        == "unknown_key"
    )


def test_a_request_addressed_to_another_node_is_refused() -> None:
    assert refusal(signed(destination="cn")) == "wrong_destination"


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_request_created_more_than_five_minutes_away_is_refused(skew: int) -> None:
    assert refusal(signed(created=NOW + skew)) == "stale_created"


def test_a_replayed_request_is_refused() -> None:
    seen: set[str] = set()
    request = signed()
    assert check(request, seen) == "kr"
    assert refusal(request, seen) == "replayed_nonce"


def test_a_body_that_does_not_match_its_digest_is_refused() -> None:
    request = signed(b"original")
    assert (
        refusal(Request(request.method, request.target_uri, request.headers, b"changed"))
        == "digest_mismatch"
    )


def test_a_changed_target_uri_breaks_the_signature() -> None:
    request = signed()
    moved = Request(
        request.method, request.target_uri.replace("after=0", "after=9"), request.headers
    )
    assert refusal(moved) == "bad_signature"


def test_an_unsigned_request_is_refused() -> None:
    assert refusal(Request("GET", "http://127.0.0.1/", {})) == "missing_signature"
