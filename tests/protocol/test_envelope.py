from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import canonical
from protocol.crypto import SigningKey, fingerprint, key_id, parse_fingerprint, verify
from protocol.envelope import ZERO_DIGEST, Envelope, Header, body_summary, parse, seal
from protocol.errors import BodyDigestMismatch, EncodingInvalid, ProtocolError, SignatureInvalid
from tests.vectors.make_vectors import build

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "envelopes.json").read_text())


def test_ed25519_matches_rfc_8032_section_7_1_test_1() -> None:
    key = SigningKey(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    assert key.public_key.hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    signature = key.sign(b"")
    assert signature.hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )
    assert verify(key.public_key, b"", signature)
    assert not verify(key.public_key, b"x", signature)


def test_a_small_order_key_verifies_nothing() -> None:
    # The identity point as public key, with R = identity and S = 0, satisfies the cofactorless
    # equation for every message; OpenSSL accepts it, libsodium (and so xcnet) does not.
    identity = bytes([1]) + bytes(31)
    assert not verify(identity, b"any message", identity + bytes(32))
    assert not verify(identity, b"", identity + bytes(32))


def test_the_golden_vectors_are_reproduced_byte_for_byte() -> None:
    assert build() == VECTORS


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_each_golden_envelope_parses_and_verifies(vector: dict[str, object]) -> None:
    envelope = parse(bytes.fromhex(str(vector["envelope"])))
    envelope.check()
    assert envelope.header_bytes.hex() == vector["header_bytes"]
    assert envelope.body.hex() == vector["body_bytes"]
    assert envelope.signature.hex() == vector["signature"]
    assert envelope.digest.hex() == vector["digest"]
    assert envelope.header.author.hex() == vector["public_key"]
    assert envelope.fields() == vector["body"]


def _envelope(key: SigningKey, body: object = None, version: int = 1) -> Envelope:
    body_bytes = canonical.encode(body if body is not None else {"note": "hello"})
    digest, length = body_summary(body_bytes)
    header = Header(
        network="xcnet",
        origin="jp",
        aggregate=UUID(int=7),
        version=version,
        prev=ZERO_DIGEST,
        topic="xcnet.member.Founded/1",
        created=1_800_000_000_000_000,
        author=key.public_key,
        audience=("federation",),
        body_digest=digest,
        body_length=length,
    )
    return seal(header, body_bytes, key)


KEY = SigningKey(bytes(range(32)))
ENVELOPE = _envelope(KEY)


@settings(max_examples=300)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_single_byte_change_to_a_valid_envelope_is_refused(position: int, flip: int) -> None:
    raw = bytearray(ENVELOPE.raw)
    raw[position % len(raw)] ^= flip
    with pytest.raises(ProtocolError):
        tampered = parse(bytes(raw))
        tampered.check()
        tampered.fields()


def test_a_changed_body_fails_the_body_digest_check() -> None:
    other = canonical.encode({"note": "hellp"})
    forged = canonical.encode([ENVELOPE.header_bytes, other, ENVELOPE.signature])
    envelope = parse(forged)
    envelope.check_signature()
    with pytest.raises(BodyDigestMismatch):
        envelope.check_body()


def test_a_header_signed_by_another_key_fails_the_signature_check() -> None:
    other = SigningKey.generate()
    forged = canonical.encode([ENVELOPE.header_bytes, ENVELOPE.body, other.sign(b"x" * 10)])
    with pytest.raises(SignatureInvalid):
        parse(forged).check()


def test_a_non_canonical_header_is_refused_before_any_signature_check() -> None:
    import msgpack

    fields = canonical.decode(ENVELOPE.header_bytes)
    assert isinstance(fields, dict)
    loose = msgpack.packb(dict(reversed(list(fields.items()))), use_bin_type=True)
    with pytest.raises(EncodingInvalid):
        parse(canonical.encode([loose, ENVELOPE.body, ENVELOPE.signature]))


def test_a_header_with_an_unknown_field_is_refused() -> None:
    fields = canonical.decode(ENVELOPE.header_bytes)
    assert isinstance(fields, dict)
    fields["extra"] = 1
    with pytest.raises(EncodingInvalid, match="exactly the fields"):
        Header.decode(canonical.encode(fields))


def test_fingerprints_are_read_back_however_a_person_types_them() -> None:
    printed = fingerprint(KEY.public_key)
    assert parse_fingerprint(printed.upper().replace("-", " ")) == printed
    assert len(key_id(KEY.public_key)) == 16
    with pytest.raises(EncodingInvalid):
        parse_fingerprint("abcd")
