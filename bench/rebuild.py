"""Rebuild: every read model rebuilt from a large log, against reading the same log plainly.

.venv/bin/python -m bench.rebuild [--events 1000000]

`node.views.rebuild()` (what `xcnet admin rebuild` runs) on a copy of a node home holding the
log; the baseline reads the same log with `select_notifications` in pages of the views' page
size. A third figure, for the reader: the same log parsed and decoded into domain events
(`parse` + `event_from_envelope`), without building any state or row.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import Line, copy_home, fill_store, make_nodes, timed
from node.service import Node
from node.store import event_from_envelope, notifications
from node.views import PAGE
from protocol.envelope import parse

FloatDict = dict[str, float]


def build(base: Path, events: int) -> Path:
    """A closed `jp` home holding `events` signed denials (and its roster)."""
    base.mkdir(parents=True, exist_ok=True)
    (node,) = make_nodes(base, "jp")
    try:
        fill_store(node, events)
    finally:
        node.close()
    return base / "jp"


def run(events: int = 1_000_000, *, home: Path | None = None) -> FloatDict:
    """Figures over a copy of `home` (a closed node home), or a home of `events` built here."""
    with tempfile.TemporaryDirectory(prefix="xcnet-bench-rebuild-") as tmp:
        base = Path(tmp)
        if home is None:
            home = build(base / "built", events)
        copy_home(home, base / "jp")
        with Node.open(base / "jp") as node:
            recorder = node.app.process_recorder
            log = recorder.max_notification_id() or 0
            with timed() as elapsed:
                read = sum(1 for _ in notifications(recorder, page=PAGE))
                read_s = elapsed()
            with timed() as elapsed:
                for note in notifications(recorder, page=PAGE):
                    event_from_envelope(parse(note.state))
                decode_s = elapsed()
            with timed() as elapsed:
                counts = node.views.rebuild()
                rebuild_s = elapsed()
    return {
        "events": log,
        "read_events": read,
        "applied": sum(counts.values()),
        "rebuild_s": rebuild_s,
        "rebuild_per_s": log / rebuild_s,
        "read_per_s": read / read_s,
        "decode_per_s": read / decode_s,
        "ratio": (log / rebuild_s) / (read / read_s),
    }


def lines(f: FloatDict) -> list[Line]:
    return [
        Line(
            f"rebuild of every read model ({f['events']:,.0f} events)",
            f"{f['rebuild_per_s']:,.0f} events/s",
            f"{f['read_per_s']:,.0f} events/s plain log read",
            f["ratio"],
            "≥ 0.5x",
            f["ratio"] >= 0.5,
        )
    ]


def report(f: FloatDict) -> None:
    print(f"rebuild of the read models from {f['events']:,.0f} events ({f['rebuild_s']:.1f} s)")
    print(f"  rebuild                      {f['rebuild_per_s']:>10,.0f} events/s")
    print(f"  plain select_notifications   {f['read_per_s']:>10,.0f} events/s")
    print(f"  parse + decode to events     {f['decode_per_s']:>10,.0f} events/s")
    print(f"  ratio rebuild / read         {f['ratio']:>10.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    report(run(parser.parse_args().events))


if __name__ == "__main__":
    main()
