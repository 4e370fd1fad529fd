"""Known peers, like SSH known hosts: node id, URL, pinned key fingerprint and TLS certificate."""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aggregates.base import InvalidField, check_node_id
from protocol.crypto import fingerprint, parse_fingerprint
from protocol.errors import EncodingInvalid

PEERS_FILE = "peers.toml"


@dataclass(frozen=True, slots=True)
class Peer:
    """A member this node trusts: its node key fingerprint, and where to reach it (if directly)."""

    node_id: str
    key: str
    url: str = ""
    tls: str = ""

    def pins(self, public_key: bytes) -> bool:
        """True when `public_key` is the node key this entry pins."""
        return fingerprint(public_key) == self.key


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_peer(node_id: str, key: str, url: str = "", tls: str = "") -> Peer:
    """Check a peer entry as a person typed it."""
    check_node_id(node_id, field="node_id")
    try:
        pinned = parse_fingerprint(key)
    except EncodingInvalid as error:
        raise InvalidField(f"--key: {error}", field="key") from None
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidField(f"URL {url!r} is not http(s)://HOST:PORT", field="url")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise InvalidField(
                f"URL {url!r}: plain HTTP is only for loopback; use https:// with --tls-cert",
                field="url",
            )
        if parts.scheme == "https" and not tls:
            raise InvalidField(
                "--tls-cert is needed for an https peer: the SHA-256 the peer's "
                "`xcnet identity` shows as tls_cert",
                field="tls_cert",
            )
        url = url.rstrip("/")
    tls = tls.lower().replace(":", "")
    if tls and (len(tls) != 64 or not all(c in "0123456789abcdef" for c in tls)):
        raise InvalidField("--tls-cert is a SHA-256 in hex (64 digits)", field="tls_cert")
    return Peer(node_id, pinned, url, tls)


def load_peers(home: Path) -> dict[str, Peer]:
    path = home / PEERS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {
        entry["node_id"]: Peer(
            entry["node_id"], entry["key"], entry.get("url", ""), entry.get("tls", "")
        )
        for entry in data.get("peer", [])
    }


def save_peers(home: Path, peers: dict[str, Peer]) -> None:
    """Write the peers file atomically (0600)."""
    lines = []
    for peer in sorted(peers.values(), key=lambda p: p.node_id):
        lines.append("[[peer]]")
        for name in ("node_id", "key", "url", "tls"):
            lines.append(f"{name} = {json.dumps(getattr(peer, name))}")
        lines.append("")
    temporary = home / f".{PEERS_FILE}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(home / PEERS_FILE)
