"""Replicate signed records between two real nodes over loopback HTTP; compare with Ed25519 verify.

.venv/bin/python -m bench.replication [--records 100000]

The origin `jp` is served by `xcnet serve --no-sync --no-views` (the filled log bypassed its read
models; a node whose read models are current spends nothing on them while it serves, and
`--no-views` stands for that without building them for the whole log); the receiver `kr` runs
`xcnet sync --once --peer jp`: pull, verify, chain check, insert with tracking (the figure, as
the command reports its pull time), then its read models caught up once (reported beside it).
The baseline is single-core Ed25519 verification with pyca cryptography, measured in the same
run; xcnet itself verifies with libsodium, whose rate is reported too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from bench.common import (
    Line,
    copy_home,
    fill_store,
    make_nodes,
    pin_all,
    timed,
    verify_rate,
    xcnet_verify_rate,
)
from deployments.local.federation import XCNET, free_port, wait_for_health
from node.service import Node

FloatDict = dict[str, float]


def run(records: int = 100_000, *, origin: Path | None = None) -> FloatDict:
    """Figures of one full sync of `records` denials; `origin` is a closed `jp` home holding
    them (copied), else one is filled here."""
    with tempfile.TemporaryDirectory(prefix="xcnet-bench-replication-") as tmp:
        base = Path(tmp)
        filled = 0.0
        if origin is not None:
            copy_home(origin, base / "jp")
            (receiver,) = make_nodes(base, "kr")
            jp = Node.open(base / "jp")
        else:
            jp, receiver = make_nodes(base, "jp", "kr")
            filled = fill_store(jp, records)
        held = jp.app.process_recorder.max_notification_id() or 0
        port = free_port()
        pin_all([jp, receiver], {"jp": f"http://127.0.0.1:{port}"})
        jp.close()
        receiver.close()
        server = subprocess.Popen(
            [
                XCNET,
                "-H",
                str(base / "jp"),
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
            baseline, libsodium = verify_rate(), xcnet_verify_rate()
            with timed() as elapsed:
                done = subprocess.run(
                    [XCNET, "-H", str(base / "kr"), "sync", "--once", "--peer", "jp", "--json"],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                seconds = elapsed()
        finally:
            server.terminate()
            server.wait()
    pulled = json.loads(done.stdout)["jp"]
    accepted, pull_seconds = int(pulled["accepted"]), float(pulled["seconds"])
    replicated = accepted / pull_seconds
    figures = {
        "records": records,
        "log": held,
        "accepted": accepted,
        "pull_seconds": pull_seconds,
        "command_seconds": seconds,
        "replicated_per_s": replicated,
        "with_read_models_per_s": accepted / seconds,
        "verify_per_s_one_core": baseline,
        "libsodium_verify_per_s_one_core": libsodium,
        "ratio": replicated / baseline,
    }
    return figures | ({"filled_per_s": filled} if filled else {})


def lines(f: FloatDict) -> list[Line]:
    return [
        Line(
            "ingest (pull, verify, chain, insert, tracking)",
            f"{f['replicated_per_s']:,.0f} rec/s",
            f"{f['verify_per_s_one_core']:,.0f} Ed25519 verify/s, one core (pyca)",
            f["ratio"],
            "≥ 2x",
            f["ratio"] >= 2,
        ),
        Line(
            "ingest, then read models caught up",
            f"{f['with_read_models_per_s']:,.0f} rec/s",
            f"{f['verify_per_s_one_core']:,.0f} Ed25519 verify/s, one core (pyca)",
            f["with_read_models_per_s"] / f["verify_per_s_one_core"],
            "(≥ 2x)",
            f["with_read_models_per_s"] >= 2 * f["verify_per_s_one_core"],
        ),
    ]


def report(f: FloatDict) -> None:
    print(
        f"replication of {f['accepted']:,.0f} signed records ({f['log']:,.0f} in the log), "
        "two nodes over loopback HTTP"
    )
    if "filled_per_s" in f:
        print(f"  filled (signed, store only)            {f['filled_per_s']:>10,.0f} records/s")
    print(f"  replicated end to end                  {f['replicated_per_s']:>10,.0f} records/s")
    print(
        f"  ... and read models caught up          {f['with_read_models_per_s']:>10,.0f} records/s"
    )
    print(f"  Ed25519 verify, one core, pyca         {f['verify_per_s_one_core']:>10,.0f} /s")
    print(
        f"  Ed25519 verify, one core, libsodium    {f['libsodium_verify_per_s_one_core']:>10,.0f} /s"
    )
    print(f"  ratio replicated / verify              {f['ratio']:>10.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000)
    report(run(parser.parse_args().records))


if __name__ == "__main__":
    main()
