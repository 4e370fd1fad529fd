"""Private keys in the node home: one 0600 file each, never printed or copied out."""

from __future__ import annotations

import os
from pathlib import Path

from protocol.crypto import SigningKey

KEYS_DIR = "keys"
NODE_KEY = "node.key"
OFFICIALS_DIR = "officials"


class Keystore:
    """The node key and the officials' keys of one node home."""

    def __init__(self, home: Path) -> None:
        self.root = home / KEYS_DIR

    def create(self) -> SigningKey:
        """Make the keys directory and a new node key."""
        self.root.mkdir(mode=0o700)
        (self.root / OFFICIALS_DIR).mkdir(mode=0o700)
        key = SigningKey.generate()
        _write_private(self.root / NODE_KEY, key.seed())
        return key

    def node_key(self) -> SigningKey:
        return SigningKey((self.root / NODE_KEY).read_bytes())

    def add_official(self) -> SigningKey:
        """Generate and store a new official's key."""
        key = SigningKey.generate()
        _write_private(self._official_path(key.key_id), key.seed())
        return key

    def discard_official(self, key_id: str) -> None:
        self._official_path(key_id).unlink(missing_ok=True)

    def official(self, key_id: str) -> SigningKey | None:
        """The official's key, or None when this home does not hold it."""
        try:
            return SigningKey(self._official_path(key_id).read_bytes())
        except FileNotFoundError:
            return None

    def _official_path(self, key_id: str) -> Path:
        return self.root / OFFICIALS_DIR / f"{key_id}.key"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
