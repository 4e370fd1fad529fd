"""Authoring: signed denials written by one node in batches, against a plain eventsourcing app.

.venv/bin/python -m bench.authoring [--saves 3] [--batch 10000]

The node path is `issue_denials` (what `xcnet denial import` runs): checks, `Denial.issue`,
sealing and signing each event, one SQLite transaction per batch, then the read models caught
up from the events as written (the screening index analyses every party name). The time in
`views.catch_up` is counted apart, so the store write alone is the total less it. The baseline saves the same `Denial.issue`
aggregates, built the same way and in batches of the same size, with a plain eventsourcing
Application on SQLite whose mapper packs the same event fields with msgpack: no envelope, no
signature, no read models.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgpack
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from bench.common import Line, catch_up_timer, drafts, make_nodes, rate, timed
from node import codec
from node.denials import DenialDraft, issue_denials
from node.store import CanonicalTranscoder
from protocol.crypto import SigningKey

FloatDict = dict[str, float]


class PlainMapper(Mapper[UUID]):
    """The event's fields (body, author, timestamp) as plain msgpack: no envelope, no signature."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = codec.encode_body(domain_event)
        state["author"] = getattr(domain_event, "author")  # noqa: B009
        state["timestamp"] = codec.to_micros(getattr(domain_event, "timestamp"))  # noqa: B009
        return StoredEvent(
            domain_event.originator_id,
            domain_event.originator_version,
            get_topic(type(domain_event)),
            msgpack.packb(state, use_bin_type=True),
        )


class PlainApplication(Application[UUID]):
    name = "plain"

    def construct_mapper(self) -> Mapper[UUID]:
        return PlainMapper(transcoder=CanonicalTranscoder())


def plain_rate(base: Path, batches: Sequence[Sequence[DenialDraft]], author: str) -> float:
    """Records/s of the plain application saving the same denials in the same batches."""
    app = PlainApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(base / "plain.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    )
    try:
        with timed() as elapsed:
            for batch in batches:
                at = datetime.now(UTC)
                app.save(
                    *(
                        d.issue(origin="jp", audience=("federation",), author=author, at=at)
                        for d in batch
                    )
                )
            return sum(map(len, batches)) / elapsed()
    finally:
        app.close()


def sign_rate(seconds: float = 1.0) -> float:
    """Single-core Ed25519 signatures per second with xcnet's signer (libsodium), now."""
    key, message = SigningKey.generate(), b"x" * 600
    return rate(lambda: key.sign(message), seconds)


def run(saves: int = 3, batch: int = 10_000) -> FloatDict:
    records = saves * batch
    pending = list(drafts(records, seed=11))
    batches = [pending[n : n + batch] for n in range(0, records, batch)]
    with tempfile.TemporaryDirectory(prefix="xcnet-bench-authoring-") as tmp:
        base = Path(tmp)
        (node,) = make_nodes(base, "jp")
        try:
            node.views.catch_up()
            author = node.author("licensing")
            with timed() as elapsed, catch_up_timer(node) as views:
                for chunk in batches:
                    issue_denials(node, chunk, audience=("federation",))
                total = elapsed()
        finally:
            node.close()
        plain = plain_rate(base, batches, author)
    store = total - views[0]
    return {
        "records": records,
        "batch": batch,
        "seconds": total,
        "views_seconds": views[0],
        "authoring_per_s": records / total,
        "store_per_s": records / store,
        "plain_per_s": plain,
        "ratio": records / total / plain,
        "store_ratio": records / store / plain,
        "sign_per_s_one_core": sign_rate(),
    }


def lines(f: FloatDict) -> list[Line]:
    plain = f"{f['plain_per_s']:,.0f} rec/s (plain eventsourcing + msgpack, no signing)"
    return [
        Line(
            "authoring (with read models)",
            f"{f['authoring_per_s']:,.0f} rec/s",
            plain,
            f["ratio"],
            "≥ 0.8x",
            f["ratio"] >= 0.8,
        ),
        Line(
            "authoring, store write alone",
            f"{f['store_per_s']:,.0f} rec/s",
            plain,
            f["store_ratio"],
            "(≥ 0.8x)",
            f["store_ratio"] >= 0.8,
        ),
    ]


def report(f: dict[str, Any]) -> None:
    print(
        f"authoring {f['records']:,.0f} denials in batches of {f['batch']:,.0f}: "
        f"{f['seconds']:.1f} s, of which read models {f['views_seconds']:.1f} s"
    )
    print(f"  with read models        {f['authoring_per_s']:>10,.0f} records/s")
    print(f"  store write alone       {f['store_per_s']:>10,.0f} records/s")
    print(f"  plain eventsourcing     {f['plain_per_s']:>10,.0f} records/s")
    print(f"  Ed25519 sign, one core  {f['sign_per_s_one_core']:>10,.0f} /s")
    print(
        f"  ratios                  {f['ratio']:.2f}x with read models, {f['store_ratio']:.2f}x store"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    report(run(args.saves, args.batch))


if __name__ == "__main__":
    main()
