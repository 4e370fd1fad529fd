"""Scale: 5, 10 and 20 nodes on this machine, each writing records and syncing, until all converge.

.venv/bin/python -m bench.scale [--sizes 5 10 20] [--records 50]

For each size: a full mesh of real `xcnet serve` processes is started and left to exchange
their rosters; then every node, one after another, issues `--records` denials to the
federation in one write (through the node API in this process, while its server runs), and
the clock runs until every node holds every record (polled read-only in each SQLite file).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import Line, drafts, read_only, running_federation, timed, wait_converged
from node.denials import issue_denials
from node.service import Node

FloatDict = dict[str, float]


def run_one(nodes: int, records: int) -> FloatDict:
    with (
        tempfile.TemporaryDirectory(prefix=f"xcnet-bench-scale-{nodes}-") as tmp,
        timed() as started,
        running_federation(Path(tmp), nodes) as (federation, total),
    ):
        start_s = started()
        connections = {n: read_only(node.home) for n, node in federation.nodes.items()}
        try:
            rosters_s = wait_converged(connections, total, timeout=600)
            with timed() as elapsed:
                for n, node in enumerate(federation.nodes.values()):
                    with Node.open(node.home) as opened:
                        pending = list(drafts(records, seed=100 + n))
                        issue_denials(opened, pending, audience=("federation",))
                written_s = elapsed()
                wait_converged(connections, total + nodes * records, timeout=1800)
                converged_s = elapsed()
            served = sum(
                int(c.execute("SELECT COUNT(*) FROM xcnet_access").fetchone()[0])
                for c in connections.values()
            )
        finally:
            for connection in connections.values():
                connection.close()
    delivered = nodes * (nodes - 1) * records
    return {
        "nodes": nodes,
        "records_each": records,
        "start_s": start_s,
        "rosters_s": rosters_s,
        "written_s": written_s,
        "converged_s": converged_s,
        "delivered_per_s": delivered / converged_s,
        "served_per_needed": served / ((nodes - 1) * (total + nodes * records)),
    }


def run(sizes: Sequence[int] = (5, 10, 20), records: int = 50) -> dict[str, FloatDict]:
    return {str(n): run_one(n, records) for n in sizes}


def lines(figures: dict[str, FloatDict]) -> list[Line]:
    found = []
    previous: FloatDict | None = None
    for f in figures.values():
        growth = f["converged_s"] / previous["converged_s"] if previous else None
        found.append(
            Line(
                f"scale, {f['nodes']:.0f} nodes x {f['records_each']:.0f} records: converged",
                f"{f['converged_s']:,.1f} s ({f['delivered_per_s']:,.0f} deliveries/s, "
                f"{f['served_per_needed']:.1f}x served per receiver)",
                f"{previous['nodes']:.0f} nodes: {previous['converged_s']:,.1f} s"
                if previous
                else "—",
                growth,
                "report",
            )
        )
        previous = f
    return found


def report(figures: dict[str, FloatDict]) -> None:
    print("scale: every node writes, full mesh, time until every node holds every record")
    print(f"  {'nodes':>5} {'start s':>8} {'rosters s':>9} {'written s':>9} {'converged s':>11}")
    for f in figures.values():
        print(
            f"  {f['nodes']:>5.0f} {f['start_s']:>8.1f} {f['rosters_s']:>9.1f} "
            f"{f['written_s']:>9.1f} {f['converged_s']:>11.1f}  "
            f"({f['delivered_per_s']:,.0f} record deliveries/s; each record served "
            f"{f['served_per_needed']:.1f}x per receiving node)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--records", type=int, default=50)
    args = parser.parse_args()
    report(run(args.sizes, args.records))


if __name__ == "__main__":
    main()
