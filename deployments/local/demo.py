"""The main job, end to end with the real `xcnet` command: `make demo`.

Creates a node in a temporary home, enrols officials, records signed events,
prints the log and a successful verify, then shows that tampering is caught.
"""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

XCNET = str(Path(sys.executable).with_name("xcnet"))


def run(*args: str, home: Path | None = None, check: bool = True) -> str:
    command = [XCNET, *(["-H", str(home)] if home else []), *args]
    print(f"\n$ xcnet {shlex.join(command[1:])}")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    print((done.stdout + done.stderr).rstrip())
    if check and done.returncode != 0:
        sys.exit(f"demo: the command above failed with exit code {done.returncode}")
    return done.stdout


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="xcnet-demo-"))
    home = base / "jp"
    run("init", str(home), "--node-id", "jp", "--name", "Ministry of Economy, Trade and Industry")
    run("identity", home=home)
    run("official", "add", "Tanaka Yuki", "--role", "policy", "--role", "reviewer", home=home)
    run("official", "add", "Sato Ken", "--role", "licensing", home=home)
    officials = run("official", "list", home=home)
    run(
        "official",
        "retire",
        officials.split()[0],
        "--reason",
        "moved to another ministry",
        home=home,
    )
    run("log", home=home)
    run("verify", home=home)

    print("\n# Flip one byte of a stored record behind the node's back, and verify again:")
    with sqlite3.connect(home / "store.sqlite") as connection:
        rowid, state = connection.execute(
            "SELECT rowid, state FROM stored_events ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        tampered = bytearray(state)
        tampered[-3] ^= 0x01
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(tampered), rowid)
        )
    run("verify", home=home, check=False)

    print(f"\nThe demo node lives in {home}; try for example:\n  xcnet -H {home} log --json")


if __name__ == "__main__":
    main()
