"""Signed record envelopes: what is stored is what is signed is what is sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from protocol import canonical, crypto
from protocol.errors import BodyDigestMismatch, EncodingInvalid, SignatureInvalid

FORMAT = 1
DOMAIN = b"xcnet/record/v1\x00"
ZERO_DIGEST = bytes(32)
_T = TypeVar("_T")

_HEADER_FIELDS = (
    "format",
    "network",
    "origin",
    "aggregate",
    "version",
    "prev",
    "topic",
    "created",
    "author",
    "audience",
    "body_digest",
    "body_length",
)


@dataclass(frozen=True, slots=True)
class Header:
    """The signed part of a record: where it belongs, who wrote it, who may see it."""

    network: str
    origin: str
    aggregate: UUID
    version: int
    prev: bytes
    topic: str
    created: int
    author: bytes
    audience: tuple[str, ...]
    body_digest: bytes
    body_length: int
    format: int = FORMAT

    def encode(self) -> bytes:
        """The header's canonical bytes, the message that is signed."""
        return canonical.encode(
            {
                "format": self.format,
                "network": self.network,
                "origin": self.origin,
                "aggregate": self.aggregate.bytes,
                "version": self.version,
                "prev": self.prev,
                "topic": self.topic,
                "created": self.created,
                "author": self.author,
                "audience": list(self.audience),
                "body_digest": self.body_digest,
                "body_length": self.body_length,
            }
        )

    @classmethod
    def decode(cls, data: bytes) -> Header:
        """Parse canonical header bytes, refusing any field of the wrong shape."""
        fields = canonical.decode(data)
        if not isinstance(fields, dict) or sorted(fields) != sorted(_HEADER_FIELDS):
            raise EncodingInvalid(f"a header has exactly the fields {', '.join(_HEADER_FIELDS)}")
        if fields["format"] != FORMAT:
            raise EncodingInvalid(f"header.format {fields['format']!r} is not {FORMAT}")
        audience = fields["audience"]
        if (
            not isinstance(audience, list)
            or not audience
            or not all(isinstance(a, str) and a for a in audience)
            or audience != sorted(set(audience))
        ):
            raise EncodingInvalid("header.audience is a non-empty sorted list of unique names")
        return cls(
            network=_field(fields, "network", str),
            origin=_field(fields, "origin", str),
            aggregate=UUID(bytes=_bytes(fields, "aggregate", 16)),
            version=_positive(fields, "version"),
            prev=_bytes(fields, "prev", 32),
            topic=_field(fields, "topic", str),
            created=_positive(fields, "created"),
            author=_bytes(fields, "author", crypto.PUBLIC_KEY_LENGTH),
            audience=tuple(audience),
            body_digest=_bytes(fields, "body_digest", 32),
            body_length=_natural(fields, "body_length"),
        )


def _field(fields: dict[object, object], name: str, kind: type[_T]) -> _T:
    value = fields[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise EncodingInvalid(f"header.{name} is not a {kind.__name__}")
    return value


def _bytes(fields: dict[object, object], name: str, length: int) -> bytes:
    value = _field(fields, name, bytes)
    if len(value) != length:
        raise EncodingInvalid(f"header.{name} is not {length} bytes")
    return value


def _natural(fields: dict[object, object], name: str) -> int:
    value = _field(fields, name, int)
    if value < 0:
        raise EncodingInvalid(f"header.{name} is negative")
    return value


def _positive(fields: dict[object, object], name: str) -> int:
    value = _natural(fields, name)
    if value == 0:
        raise EncodingInvalid(f"header.{name} is zero")
    return value


@dataclass(frozen=True, slots=True)
class Envelope:
    """A record as it travels: header bytes, body bytes and the author's signature."""

    header: Header
    header_bytes: bytes
    body: bytes
    signature: bytes
    raw: bytes

    @property
    def digest(self) -> bytes:
        """The record digest: SHA-256 of the header bytes."""
        return hashlib.sha256(self.header_bytes).digest()

    def signature_valid(self) -> bool:
        """Whether the author's signature over the header bytes verifies."""
        return crypto.verify_remembered(
            self.header.author, DOMAIN + self.header_bytes, self.signature
        )

    def check_signature(self) -> None:
        """Verify the author's signature over the header bytes."""
        if not self.signature_valid():
            raise SignatureInvalid("the signature does not verify under header.author")

    def check_body(self) -> None:
        """Check that the body is the one the signed header names."""
        if len(self.body) != self.header.body_length:
            raise BodyDigestMismatch("the body length differs from header.body_length")
        if hashlib.sha256(self.body).digest() != self.header.body_digest:
            raise BodyDigestMismatch("the body's SHA-256 differs from header.body_digest")

    def check(self) -> None:
        """The self-contained checks, in order: signature, then body digest."""
        self.check_signature()
        self.check_body()

    def fields(self) -> dict[str, object]:
        """The body decoded as a canonical map of field names to values."""
        fields = canonical.decode(self.body)
        if not isinstance(fields, dict) or not all(isinstance(k, str) for k in fields):
            raise EncodingInvalid("a body is a map with str keys")
        return fields


def parse(raw: bytes) -> Envelope:
    """Parse envelope bytes; checks encoding only (call `check()` to verify)."""
    parts = canonical.decode(raw)
    if (
        not isinstance(parts, list)
        or len(parts) != 3
        or not all(isinstance(part, bytes) for part in parts)
    ):
        raise EncodingInvalid("an envelope is an array of three bin: header, body, signature")
    header_bytes, body, signature = parts
    assert isinstance(header_bytes, bytes) and isinstance(body, bytes)
    assert isinstance(signature, bytes)
    if len(signature) != crypto.SIGNATURE_LENGTH:
        raise EncodingInvalid("the signature is not 64 bytes")
    return Envelope(Header.decode(header_bytes), header_bytes, body, signature, raw)


def seal(header: Header, body: bytes, signer: crypto.SigningKey) -> Envelope:
    """Sign a header for `body` with the author's key and frame the envelope."""
    if header.author != signer.public_key:
        raise ValueError("header.author is not the signer's public key")
    if header.body_digest != hashlib.sha256(body).digest() or header.body_length != len(body):
        raise ValueError("header.body_digest does not describe body")
    header_bytes = header.encode()
    signature = signer.sign(DOMAIN + header_bytes)
    raw = canonical.encode([header_bytes, body, signature])
    return Envelope(header, header_bytes, body, signature, raw)


def body_summary(body: bytes) -> tuple[bytes, int]:
    """The (digest, length) pair a header carries for a body."""
    return hashlib.sha256(body).digest(), len(body)
