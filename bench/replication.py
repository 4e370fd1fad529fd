"""Replicate signed records between two real nodes over loopback HTTP; compare with Ed25519 verify.

.venv/bin/python -m bench.replication [--records 100000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench.common import author_denials, make_nodes, pin_all, timed, verify_rate
from deployments.local.federation import XCNET, free_port, wait_for_health


def run(records: int) -> dict[str, float]:
    base = Path(tempfile.mkdtemp(prefix="xcnet-bench-replication-"))
    origin, receiver = make_nodes(base, "jp", "kr")
    port = free_port()
    pin_all([origin, receiver], {"jp": f"http://127.0.0.1:{port}"})
    with timed() as elapsed:
        author_denials(origin, records)
        authoring = records / elapsed()
    origin.close()
    receiver.close()
    server = subprocess.Popen(
        [XCNET, "-H", str(base / "jp"), "serve", "--no-sync", "--listen", f"127.0.0.1:{port}"],
        stderr=subprocess.DEVNULL,
    )
    wait_for_health(f"http://127.0.0.1:{port}", server)
    baseline = verify_rate()
    try:
        with timed() as elapsed:
            subprocess.run(
                [XCNET, "-H", str(base / "kr"), "sync", "--once", "--peer", "jp"],
                check=True, capture_output=True,
            )  # fmt: skip
            seconds = elapsed()
    finally:
        server.terminate()
        server.wait()
    replicated = records / seconds
    return {
        "records": records,
        "authoring_per_s": authoring,
        "replicated_per_s": replicated,
        "verify_per_s_one_core": baseline,
        "ratio": replicated / baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    figures = run(parser.parse_args().records)
    print(f"replication of {figures['records']:,.0f} signed records, two nodes over loopback HTTP")
    print(
        f"  authored (signed, batched 1000/save)   {figures['authoring_per_s']:>10,.0f} records/s"
    )
    print(
        f"  replicated end to end                  {figures['replicated_per_s']:>10,.0f} records/s"
    )
    print(f"  Ed25519 verify, one core, same run     {figures['verify_per_s_one_core']:>10,.0f} /s")
    print(f"  ratio replicated / verify              {figures['ratio']:>10.2f}x")


if __name__ == "__main__":
    main()
