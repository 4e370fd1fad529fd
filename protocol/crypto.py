"""The one module that touches signature primitives: Ed25519 keys, signing, verifying.

Ed25519 is libsodium's (PyNaCl): about twice the rate of OpenSSL's on these machines for
both signing and verifying, and stricter. Besides RFC 8032's checks it refuses public keys
and signature points of small order, for which one "signature" verifies any message.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets

from nacl.bindings import crypto_sign, crypto_sign_open, crypto_sign_seed_keypair
from nacl.exceptions import BadSignatureError, CryptoError

from protocol.errors import EncodingInvalid

PUBLIC_KEY_LENGTH = 32
SIGNATURE_LENGTH = 64


class SigningKey:
    """An Ed25519 private key; its seed never leaves this object except by `seed()`."""

    __slots__ = ("_secret", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self.public_key, self._secret = crypto_sign_seed_keypair(bytes(seed))

    @classmethod
    def generate(cls) -> SigningKey:
        """Make a new random key."""
        return cls(secrets.token_bytes(32))

    def seed(self) -> bytes:
        """The 32-byte private seed, for the keystore to write to its 0600 file."""
        return self._secret[:32]

    @property
    def key_id(self) -> str:
        """The short id of the public key."""
        return key_id(self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Sign a message; 64 bytes."""
        return crypto_sign(message, self._secret)[:SIGNATURE_LENGTH]

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self.key_id!r})"


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by `public_key`."""
    if len(public_key) != PUBLIC_KEY_LENGTH or len(signature) != SIGNATURE_LENGTH:
        return False
    try:
        crypto_sign_open(signature + message, public_key)
    except (BadSignatureError, CryptoError, ValueError):
        return False
    return True


#: `verify`, with the answer remembered for these exact bytes: a page verified in parallel
#: ahead of ingest (threads: libsodium releases the GIL while it verifies) is not verified again.
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
