"""A federation of real xcnet nodes on loopback: homes, peering, server processes.

Used by `make demo`, by the tests, and by hand:

    .venv/bin/python -m deployments.local.federation start --nodes jp kr cn eu-p2p
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.peers import Peer, load_peers, make_peer, save_peers
from node.service import Node, init_home
from node.tls import certificate_fingerprint
from protocol.crypto import fingerprint

XCNET = str(Path(sys.executable).with_name("xcnet"))
ROLES = ("operator", "policy", "licensing", "reviewer", "donor")


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_health(
    url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 30.0
) -> None:
    """Wait until the node at `url` answers /health (or its process dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the node at {url} exited with code {process.returncode}")
        try:
            # Loopback health probe only: the certificate is self-signed and pinned by the peers.
            context = ssl._create_unverified_context() if url.startswith("https") else None
            with urllib.request.urlopen(f"{url}/health", timeout=1, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no node answered on {url} within {timeout} s")


@dataclass
class LocalNode:
    node_id: str
    home: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    tls: bool = False

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"


@dataclass
class LocalFederation:
    """N nodes in one base directory, peered in a full mesh, each served by its own process."""

    base: Path
    node_ids: Sequence[str]
    ports: Sequence[int] = ()
    db: Callable[[str], str | None] = lambda node_id: None
    tls: bool = False
    names: Mapping[str, str] = field(default_factory=dict)
    nodes: dict[str, LocalNode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ports = list(self.ports) or [free_port() for _ in self.node_ids]
        for node_id, port in zip(self.node_ids, ports, strict=True):
            self.nodes[node_id] = LocalNode(node_id, self.base / node_id, port, tls=self.tls)

    def xcnet(self, node_id: str, *args: str, check: bool = True) -> Result:
        """Run `xcnet` against one node's home."""
        env = {**os.environ, "XCNET_HOME": str(self.nodes[node_id].home)}
        done = subprocess.run(
            [XCNET, *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        result = Result(done.returncode, done.stdout, done.stderr)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"xcnet {' '.join(args)} on {node_id} failed ({done.returncode}): {done.stderr}"
            )
        return result

    def json(self, node_id: str, *args: str) -> Any:
        """Run `xcnet ARGS --json` against one node's home and return the document it prints."""
        return json.loads(self.xcnet(node_id, *args, "--json").stdout)

    def poll(
        self,
        node_id: str,
        *args: str,
        until: Callable[[Any], bool],
        timeout: float = 30.0,
        what: str = "",
    ) -> Any:
        """Run `xcnet ARGS --json` on a node until `until(document)` holds; return that document.

        A command that fails (say, `show` of a record not replicated yet) counts as not yet.
        """
        found: list[Any] = []

        def holds() -> bool:
            done = self.xcnet(node_id, *args, "--json", check=False)
            if done.code != 0:
                return False
            document = json.loads(done.stdout)
            if not until(document):
                return False
            found.append(document)
            return True

        self.wait_until(holds, timeout, what or f"`xcnet {' '.join(args)}` on {node_id}")
        return found[-1]

    def create(self, *, officials: bool = True) -> None:
        """Make every home, enrol one official per role, and pin every node in every other.

        Done in this process through the node API (the same code `xcnet init`, `official add`
        and `peer add` run), which is much faster than one process per step.
        """
        self.base.mkdir(parents=True, exist_ok=True)
        fingerprints = {}
        for node in self.nodes.values():
            country = node.node_id.upper() if len(node.node_id) == 2 else "EU"
            init_home(
                node.home,
                node_id=node.node_id,
                name=self.names.get(node.node_id, f"Agency {node.node_id}"),
                country=country,
                db=self.db(node.node_id),
            )
            with Node.open(node.home) as opened:
                if officials:
                    for role in ROLES:
                        opened.add_official(f"{role.title()} of {node.node_id}", (role,))
                fingerprints[node.node_id] = fingerprint(opened.node_key.public_key)
        for node in self.nodes.values():
            save_peers(
                node.home,
                {
                    other.node_id: make_peer(
                        other.node_id,
                        fingerprints[other.node_id],
                        other.url,
                        certificate_fingerprint(other.home) if other.tls else "",
                    )
                    for other in self.nodes.values()
                    if other is not node
                },
            )

    def start(self, *node_ids: str) -> None:
        """Start `xcnet serve` for these nodes (default: all) and wait until each answers."""
        for node_id in node_ids or tuple(self.nodes):
            node = self.nodes[node_id]
            node.log = node.home / "serve.log"
            with open(node.log, "ab") as log:
                node.process = subprocess.Popen(
                    [XCNET, "-H", str(node.home), "serve", "--listen", f"127.0.0.1:{node.port}",
                     *(["--tls"] if node.tls else [])],
                    stdout=log, stderr=log, start_new_session=True,
                )  # fmt: skip
        for node_id in node_ids or tuple(self.nodes):
            self.wait_healthy(node_id)

    def wait_healthy(self, node_id: str, timeout: float = 30.0) -> None:
        node = self.nodes[node_id]
        wait_for_health(node.url, node.process, timeout)

    def stop(self, node_id: str, sig: int = signal.SIGTERM) -> None:
        node = self.nodes[node_id]
        if node.process is None:
            return
        if node.process.poll() is None:
            node.process.send_signal(sig)
            try:
                node.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait()
        node.process = None

    def stop_all(self) -> None:
        running = [
            n for n in self.nodes.values() if n.process is not None and n.process.poll() is None
        ]
        for node in running:
            assert node.process is not None
            node.process.send_signal(signal.SIGTERM)
        for node in running:
            self.stop(node.node_id)

    def set_links(self, node_id: str, reachable: Sequence[str]) -> None:
        """Let `node_id` pull only from `reachable` (keys stay pinned, so relayed records still verify)."""
        home = self.nodes[node_id].home
        peers = load_peers(home)
        save_peers(
            home,
            {
                pid: Peer(p.node_id, p.key, self.nodes[pid].url if pid in reachable else "", p.tls)
                for pid, p in peers.items()
            },
        )

    def digests(self, node_id: str, origin: str | None = None) -> set[str]:
        """The record digests a node holds (optionally of one origin)."""
        log = self.xcnet(node_id, "log", "--json", *(["--origin", origin] if origin else [])).json()
        assert isinstance(log, list)
        return {entry["digest"] for entry in log}

    def wait_for_records(
        self, node_id: str, digests: set[str], *, origin: str | None = None, timeout: float = 60.0
    ) -> None:
        """Wait until `node_id` holds exactly these records (of `origin`)."""
        self.wait_until(
            lambda: self.digests(node_id, origin) == digests,
            timeout,
            f"{node_id} to hold {len(digests)} records" + (f" of {origin}" if origin else ""),
        )

    def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 60.0, what: str = "condition"
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.2)
        raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["start"])
    parser.add_argument("--nodes", nargs="+", default=["jp", "kr", "cn", "eu-p2p"])
    parser.add_argument(
        "--base", type=Path, default=None, help="Directory for the homes (default: a new temp dir)."
    )
    parser.add_argument("--first-port", type=int, default=8701)
    args = parser.parse_args(argv)
    base = args.base or Path(tempfile.mkdtemp(prefix="xcnet-federation-"))
    ports = [args.first_port + i for i in range(len(args.nodes))]
    federation = LocalFederation(base, args.nodes, ports)
    federation.create()
    federation.start()
    print(f"federation of {', '.join(args.nodes)} running in {base}; Ctrl-C stops it")
    for node in federation.nodes.values():
        print(f"  {node.node_id:8} {node.url}   XCNET_HOME={node.home}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        federation.stop_all()


if __name__ == "__main__":
    main()
