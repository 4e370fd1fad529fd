"""What the benchmarks share: timing, the baseline verify rate, synthetic denials, nodes."""

from __future__ import annotations

import math
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aggregates.denial import item, party
from deployments.local.federation import LocalFederation
from node.config import Config
from node.denials import DenialDraft, issue_denials
from node.peers import make_peer, save_peers
from node.service import Node, init_home
from protocol.crypto import SigningKey, fingerprint, verify

REGIMES = ("WA", "NSG", "AG", "MTCR", "EU")
ENTRIES = (
    "3A001.a.1",
    "1C350",
    "2B350.g",
    "9A004",
    "ML4",
    "6A003.b.4",
    "0B001.c.1",
    "5A002.a",
    "ML10",
)
NAMES = (
    "Zenit Mikrosistemy",
    "Golden Star Trading",
    "Arian Sanat Tehran",
    "Pioneer Photonics",
    "Nordic Precision",
)
FORMS = ("LLC", "OOO", "Co. Ltd", "GmbH", "FZE", "JSC")


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """`with timed() as elapsed:` … `elapsed()` seconds since the block started."""
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start


@contextmanager
def catch_up_timer(node: Node) -> Iterator[list[float]]:
    """Seconds spent in `node.views.catch_up` while the block runs (as `spent[0]`)."""
    views = node.views
    original = views.catch_up
    spent = [0.0]

    def counted(*args: Any, **kwargs: Any) -> int:
        with timed() as elapsed:
            try:
                return original(*args, **kwargs)
            finally:
                spent[0] += elapsed()

    setattr(views, "catch_up", counted)  # noqa: B010
    try:
        yield spent
    finally:
        vars(views).pop("catch_up", None)


def rate(call: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second of `call` on this thread, now."""
    count = 0
    with timed() as elapsed:
        while elapsed() < seconds:
            for _ in range(200):
                call()
            count += 200
        return count / elapsed()


def verify_rate(seconds: float = 1.0) -> float:
    """Single-core Ed25519 verifications per second with pyca cryptography (OpenSSL), now: the
    issue's baseline for ingest, though xcnet itself verifies with libsodium."""
    key = Ed25519PrivateKey.generate()
    public, message = key.public_key(), b"x" * 600
    signature = key.sign(message)
    return rate(lambda: public.verify(signature, message), seconds)


def xcnet_verify_rate(seconds: float = 1.0) -> float:
    """Single-core verifications per second with xcnet's own `verify` (libsodium), now."""
    key, message = SigningKey.generate(), b"x" * 600
    signature = key.sign(message)
    return rate(lambda: verify(key.public_key, message, signature), seconds)


def drafts(count: int, seed: int = 1) -> Iterator[DenialDraft]:
    """Synthetic but varied denials."""
    rng = random.Random(seed)
    for n in range(count):
        name = f"{rng.choice(NAMES)} {n} {rng.choice(FORMS)}"
        yield DenialDraft(
            national_ref=f"BENCH-{seed}-{n:07d}",
            regime=rng.choice(REGIMES),
            denied_on=date(2025, 1 + n % 12, 1 + n % 28),
            basis="listed",
            ground=None,
            items=(
                item(
                    control_entry=rng.choice(ENTRIES),
                    hs_code="854231",
                    description="integrated circuits",
                ),
            ),
            parties=(
                party(
                    role="end-user", name=name, country=rng.choice(("RU", "IR", "KP", "SY", "CN"))
                ),
            ),
            reasons=("wmd-programme",),
        )


def make_nodes(base: Path, *node_ids: str, db: str | None = None) -> list[Node]:
    """Nodes in `base`, each with a licensing official, pinned to one another."""
    nodes = []
    for node_id in node_ids:
        init_home(base / node_id, node_id=node_id, name=f"Agency {node_id}", country="JP", db=db)
        node = Node.open(base / node_id)
        node.add_official(f"Officer of {node_id}", ("licensing",))
        nodes.append(node)
    return nodes


def pin_all(nodes: list[Node], urls: dict[str, str]) -> None:
    for node in nodes:
        save_peers(
            node.config.home,
            {
                other.config.node_id: make_peer(
                    other.config.node_id,
                    fingerprint(other.node_key.public_key),
                    urls.get(other.config.node_id, ""),
                )
                for other in nodes
                if other is not node
            },
        )


def author_denials(
    node: Node, count: int, *, batch: int = 1000, audience: tuple[str, ...] = ("federation",)
) -> None:
    pending = list(drafts(count))
    for start in range(0, count, batch):
        issue_denials(node, pending[start : start + batch], audience=audience)


# Added for `python -m bench` (bench/__main__.py) -------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One row of the performance table."""

    path: str
    figure: str
    baseline: str = "—"
    ratio: float | None = None
    goal: str = "—"
    met: bool | None = None


def fill_store(
    node: Node, count: int, *, batch: int = 10_000, seed: int = 1, catch_up: bool = False
) -> float:
    """Save `count` signed denials straight through the store (no duplicate checks, and the
    read models left behind unless `catch_up`); returns the records per second."""
    author = node.author("licensing")
    origin = node.config.node_id
    audience = node.audience(("federation",))
    pending = drafts(count, seed)
    with timed() as elapsed:
        while chunk := list(islice(pending, batch)):
            at = node.clock()
            node.app.save(
                *(d.issue(origin=origin, audience=audience, author=author, at=at) for d in chunk)
            )
            if catch_up:
                node.views.catch_up()
        return count / elapsed()


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(peak, current) resident set of a live process in MB, from /proc/PID/status."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmHWM"], fields["VmRSS"]


def sqlite_file(home: Path) -> Path:
    """The SQLite file of a node home on the default store."""
    return home / Config.load(home).store.sqlite_path


def read_only(home: Path) -> sqlite3.Connection:
    """A read-only connection to a node's SQLite file (safe while its server writes: WAL)."""
    return sqlite3.connect(f"file:{sqlite_file(home)}?mode=ro", uri=True, check_same_thread=False)


def copy_home(source: Path, target: Path) -> None:
    """Copy a node home that no process has open (SQLite checkpoints its WAL on close)."""
    shutil.copytree(source, target)


def machine() -> dict[str, str]:
    """What this run ran on."""
    cpu = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    ram = "unknown"
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version(),
        "os": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _postgres_version() -> str:
    url = os.environ.get("XCNET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=2) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return f"{row[0]} (server at {url}; not used by these rows)" if row else "unknown"
    except Exception:
        found = shutil.which("postgres") or shutil.which("psql")
        if found is None:
            return "not installed"
        done = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
        return done.stdout.strip() + " (no server answering)"


COUNTRIES = (
    "jp", "kr", "us", "de", "fr", "gb", "it", "es", "nl", "se",
    "ca", "au", "nz", "no", "fi", "dk", "at", "be", "ch", "pl",
)  # fmt: skip


@contextmanager
def running_federation(base: Path, count: int) -> Iterator[tuple[LocalFederation, int]]:
    """`count` real `xcnet serve` processes in a full mesh (an official of each role on each),
    with the number of records they hold between them before they start."""
    if count > len(COUNTRIES):
        raise ValueError(f"at most {len(COUNTRIES)} nodes")
    federation = LocalFederation(base, COUNTRIES[:count])
    federation.create()
    own = 0
    for node in federation.nodes.values():
        with closing(read_only(node.home)) as connection:
            own += log_counts({node.node_id: connection})[node.node_id]
    try:
        federation.start()
        yield federation, own
    finally:
        federation.stop_all()


def log_counts(connections: dict[str, sqlite3.Connection]) -> dict[str, int]:
    """The number of records each node's store holds."""
    return {
        node_id: int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
        for node_id, connection in connections.items()
    }


def wait_converged(
    connections: dict[str, sqlite3.Connection],
    total: int,
    *,
    timeout: float,
    interval: float = 0.05,
) -> float:
    """Seconds until every node holds `total` records (TimeoutError after `timeout`)."""
    with timed() as elapsed:
        while elapsed() < timeout:
            if all(n >= total for n in log_counts(connections).values()):
                return elapsed()
            time.sleep(interval)
    raise TimeoutError(f"not converged on {total} records after {timeout} s")


def progress(text: str, *, prefix: str = "") -> None:
    """A timestamped progress line on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {prefix}{text}", file=sys.stderr, flush=True)
