"""Footprint: peak resident memory of a node holding a large log while it serves a full sync.

.venv/bin/python -m bench.footprint [--records 1000000]

`xcnet serve --no-sync --no-views` (as in bench.replication) runs on (a copy of) a home
holding the log; a pinned peer `kr` pulls the whole log from position 0 with signed requests,
page after page, exactly as its sync does,
but drops the pages instead of ingesting them (the receiver's cost is the ingest row's). The
server's peak RSS is VmHWM in /proc/PID/status.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
from pathlib import Path

import aiohttp

from bench.common import Line, copy_home, make_nodes, peak_rss_mb, pin_all, timed
from bench.rebuild import build
from deployments.local.federation import XCNET, free_port, wait_for_health
from node.server import MAX_PAGE
from node.service import Node
from node.sync import PeerClient

FloatDict = dict[str, float]


async def pull_everything(receiver: Node) -> tuple[int, int]:
    """Pull `jp`'s whole log as `receiver`, page by page; (records received, pages)."""
    peer = receiver.peers()["jp"]
    received = pages = after = 0
    async with aiohttp.ClientSession() as session:
        client = PeerClient(receiver, peer, session)
        while True:
            page = await client.get(f"log?after={after}&limit={MAX_PAGE}&wait=0", timeout=120)
            records, position, head = page["records"], page["next"], page["head"]
            assert isinstance(records, list)
            assert isinstance(position, int) and isinstance(head, int)
            received, after = received + len(records), position
            pages += 1
            if after >= head:
                return received, pages


def run(records: int = 1_000_000, *, home: Path | None = None, copy: bool = True) -> FloatDict:
    """Figures for a closed `jp` home (copied unless `copy` is False), or one built here."""
    with tempfile.TemporaryDirectory(prefix="xcnet-bench-footprint-") as tmp:
        base = Path(tmp)
        if home is None:
            home = build(base / "built", records)
        if copy:
            copy_home(home, base / "jp")
            home = base / "jp"
        (receiver,) = make_nodes(base, "kr")
        port = free_port()
        with Node.open(home) as origin:
            held = origin.app.process_recorder.max_notification_id() or 0
            pin_all([origin, receiver], {"jp": f"http://127.0.0.1:{port}"})
        server = subprocess.Popen(
            [
                XCNET,
                "-H",
                str(home),
                "serve",
                "--no-sync",
                "--no-views",
                "--listen",
                f"127.0.0.1:{port}",
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_health(f"http://127.0.0.1:{port}", server)
            idle, _ = peak_rss_mb(server.pid)
            with timed() as elapsed:
                received, pages = asyncio.run(pull_everything(receiver))
                seconds = elapsed()
            peak, current = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait()
            receiver.close()
    return {
        "log": held,
        "received": received,
        "pages": pages,
        "seconds": seconds,
        "served_per_s": received / seconds,
        "idle_mb": idle,
        "peak_mb": peak,
        "after_mb": current,
    }


def lines(f: FloatDict) -> list[Line]:
    return [
        Line(
            f"footprint, serving a full sync of {f['log']:,.0f} records",
            f"{f['peak_mb']:,.0f} MB peak RSS",
            f"{f['idle_mb']:,.0f} MB idle after start",
            None,
            "< 300 MB",
            f["peak_mb"] < 300,
        )
    ]


def report(f: FloatDict) -> None:
    print(
        f"footprint: `xcnet serve` holding {f['log']:,.0f} records serves them all "
        f"({f['received']:,.0f} in {f['pages']:,.0f} pages, {f['seconds']:.1f} s, "
        f"{f['served_per_s']:,.0f} records/s)"
    )
    print(f"  RSS idle after start {f['idle_mb']:>8.1f} MB")
    print(f"  peak RSS (VmHWM)     {f['peak_mb']:>8.1f} MB")
    print(f"  RSS at the end       {f['after_mb']:>8.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=1_000_000)
    report(run(parser.parse_args().records))


if __name__ == "__main__":
    main()
