"""What the benchmarks share: timing, the baseline verify rate, synthetic denials, nodes."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from aggregates.denial import item, party
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


def verify_rate(seconds: float = 1.0) -> float:
    """Single-core Ed25519 verifications per second with pyca cryptography, now."""
    key = SigningKey.generate()
    message = b"x" * 600
    signature = key.sign(message)
    count = 0
    with timed() as elapsed:
        while elapsed() < seconds:
            for _ in range(200):
                verify(key.public_key, message, signature)
            count += 200
        return count / elapsed()


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
