"""Propagation: from a save on one node to visible on every node of a 10-node federation.

.venv/bin/python -m bench.propagation [--nodes 10] [--records 200]

Ten real `xcnet serve` processes in a full mesh, each long-polling every peer (the node's
push path: a peer's poll is answered as soon as the origin's log watcher sees the record).
The bench opens the origin's home in this process while its server runs (SQLite WAL lets
both write), issues one denial at a time to the federation, and polls every other node's
SQLite file read-only for the record. Latency is from the start of the save to the moment
the record is stored on the last node; saves are spaced by a random 0-100 ms after the
previous record arrived everywhere.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import (
    Line,
    drafts,
    percentile,
    read_only,
    running_federation,
    wait_converged,
)
from node.denials import issue_denials
from node.service import Node

FloatDict = dict[str, float]
_FOUND = "SELECT 1 FROM stored_events WHERE originator_id = ? LIMIT 1"


def arrivals(
    connections: dict[str, sqlite3.Connection], record: str, start: float, timeout: float = 30.0
) -> dict[str, float]:
    """Seconds from `start` until each node stored the record (hex id)."""
    waiting = dict(connections)
    seen: dict[str, float] = {}
    while waiting:
        now = time.perf_counter()
        if now - start > timeout:
            raise TimeoutError(f"record {record} missing on {sorted(waiting)} after {timeout} s")
        for node_id, connection in list(waiting.items()):
            if connection.execute(_FOUND, (record,)).fetchone():
                seen[node_id] = time.perf_counter() - start
                del waiting[node_id]
        time.sleep(0.002)
    return seen


def run(nodes: int = 10, records: int = 200, *, seed: int = 7) -> FloatDict:
    rng = random.Random(seed)
    with (
        tempfile.TemporaryDirectory(prefix="xcnet-bench-propagation-") as tmp,
        running_federation(Path(tmp), nodes) as (federation, total),
    ):
        ids = list(federation.nodes)
        origin_id, others = ids[0], ids[1:]
        connections = {n: read_only(federation.nodes[n].home) for n in ids}
        settle = wait_converged(connections, total, timeout=120)
        origin_connection = connections.pop(origin_id)
        everywhere: list[float] = []
        each: list[float] = []
        saves: list[float] = []
        with Node.open(federation.nodes[origin_id].home) as origin:
            for draft in drafts(records, seed=seed):
                start = time.perf_counter()
                (denial,) = issue_denials(origin, [draft], audience=("federation",))
                saves.append(time.perf_counter() - start)
                seen = arrivals(connections, denial.id.hex, start)
                everywhere.append(max(seen.values()))
                each.extend(seen.values())
                time.sleep(rng.uniform(0, 0.1))
        connections[origin_id] = origin_connection
        served = sum(
            int(c.execute("SELECT COUNT(*) FROM xcnet_access").fetchone()[0])
            for c in connections.values()
        )
        for connection in connections.values():
            connection.close()
    return {
        "nodes": nodes,
        "records": records,
        "peers_each": len(others),
        "startup_converge_s": settle,
        "save_p50_ms": 1000 * statistics.median(saves),
        "p50_ms": 1000 * percentile(everywhere, 0.5),
        "p99_ms": 1000 * percentile(everywhere, 0.99),
        "max_ms": 1000 * max(everywhere),
        "one_node_p50_ms": 1000 * percentile(each, 0.5),
        "one_node_p99_ms": 1000 * percentile(each, 0.99),
        "served_per_receiver": served / (len(others) * (total + records)),
    }


def lines(f: FloatDict) -> list[Line]:
    return [
        Line(
            f"propagation p50 ({f['nodes']:.0f} nodes, to every node)",
            f"{f['p50_ms']:,.0f} ms",
            goal="< 200 ms",
            met=f["p50_ms"] < 200,
        ),
        Line(
            f"propagation p99 ({f['nodes']:.0f} nodes, to every node)",
            f"{f['p99_ms']:,.0f} ms",
            goal="< 1 s",
            met=f["p99_ms"] < 1000,
        ),
    ]


def report(f: FloatDict) -> None:
    print(
        f"propagation of {f['records']:.0f} single-denial saves to {f['peers_each']:.0f} peers "
        f"({f['nodes']:.0f} nodes; the first sync of the rosters took {f['startup_converge_s']:.1f} s)"
    )
    print(f"  save on the origin, p50          {f['save_p50_ms']:>8.1f} ms")
    print(f"  visible on every node, p50       {f['p50_ms']:>8.1f} ms")
    print(f"  visible on every node, p99       {f['p99_ms']:>8.1f} ms (max {f['max_ms']:.0f})")
    print(
        f"  visible on one node, p50 / p99   {f['one_node_p50_ms']:>8.1f} / "
        f"{f['one_node_p99_ms']:.1f} ms"
    )
    print(f"  copies served per record and receiving node  {f['served_per_receiver']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--records", type=int, default=200)
    args = parser.parse_args()
    report(run(args.nodes, args.records))


if __name__ == "__main__":
    main()
