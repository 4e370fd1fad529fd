"""The one module that touches signature primitives: Ed25519 keys, signing, verifying."""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from protocol.errors import EncodingInvalid

PUBLIC_KEY_LENGTH = 32
SIGNATURE_LENGTH = 64


class SigningKey:
    """An Ed25519 private key; its seed never leaves this object except by `seed()`."""

    __slots__ = ("_key", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls) -> SigningKey:
        """Make a new random key."""
        seed = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        return cls(seed)

    def seed(self) -> bytes:
        """The 32-byte private seed, for the keystore to write to its 0600 file."""
        return self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def key_id(self) -> str:
        """The short id of the public key."""
        return key_id(self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Sign a message; 64 bytes."""
        return self._key.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self.key_id!r})"


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by `public_key`."""
    if len(public_key) != PUBLIC_KEY_LENGTH or len(signature) != SIGNATURE_LENGTH:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


#: `verify`, with the answer remembered for these exact bytes: a page verified in parallel
#: ahead of ingest (threads: pyca releases the GIL while it verifies) is not verified again.
verify_remembered = functools.lru_cache(maxsize=8192)(verify)


def key_id(public_key: bytes) -> str:
    """A public key's short id: the first 8 bytes of its SHA-256, in hex."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def fingerprint(public_key: bytes) -> str:
    """A public key's fingerprint for people to compare out of band."""
    digits = base64.b32encode(hashlib.sha256(public_key).digest()).decode().rstrip("=").lower()
    return "-".join(digits[i : i + 4] for i in range(0, 52, 4))


def parse_fingerprint(text: str) -> str:
    """Normalise a fingerprint typed by a person; refuse one of the wrong shape."""
    digits = text.strip().lower().replace("-", "").replace(" ", "")
    if len(digits) != 52 or not set(digits) <= set("abcdefghijklmnopqrstuvwxyz234567"):
        raise EncodingInvalid(f"fingerprint {text!r} is not 52 base32 digits")
    return "-".join(digits[i : i + 4] for i in range(0, 52, 4))
