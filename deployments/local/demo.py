"""The main job, end to end with the real `xcnet` command: `make demo`.

Runs a federation of four nodes on loopback (jp, kr, us, ph: real `xcnet serve` processes
pulling signed pages from each other) through the cross-node workflows: a peer review, a
no-undercut consultation, an assistance request met by a donor, and a denial shared with a
group that one node never receives. Then it stops the servers, leaves the homes for you to
explore, and shows that a flipped byte in a store is caught by `xcnet verify`.

    .venv/bin/python -m deployments.local.demo
"""

from __future__ import annotations

import json
import shlex
import shutil
import socket
import sqlite3
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from deployments.local.federation import XCNET, LocalFederation, free_port

NAMES = {
    "jp": "Ministry of Economy, Trade and Industry",
    "kr": "Korea Strategic Trade Institute",
    "us": "US Export Control and Related Border Security (EXBS)",
    "ph": "Strategic Trade Management Office",
}
FIRST_PORT = 8701
RATINGS = {"LAW": "C", "INST": "LC", "PROC": "SUBSTANTIAL"}


def heading(title: str, *lines: str) -> None:
    print(f"\n\n=== {title} " + "=" * max(3, 86 - len(title)))
    for line in lines:
        print(textwrap.fill(line, 92))


def indent(text: str) -> str:
    return textwrap.indent(text.rstrip(), "      ")


def ports_for(count: int) -> list[int]:
    """8701, 8702, … when they are all free on loopback, else any free ports."""
    wanted = list(range(FIRST_PORT, FIRST_PORT + count))
    for port in wanted:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return [free_port() for _ in range(count)]
    return wanted


def due(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


class Demo:
    """Runs commands on the federation's nodes and prints what a newcomer needs to follow."""

    def __init__(self, federation: LocalFederation) -> None:
        self.fed = federation

    def run(self, node_id: str, *args: str, expect: int = 0) -> str:
        """Run a command and print it with its text output."""
        print(f"\n[{node_id}] $ xcnet {shlex.join(args)}")
        done = self.fed.xcnet(node_id, *args, check=False)
        output = (done.stdout + done.stderr).rstrip()
        if output:
            print(indent(output))
        if done.code != expect:
            sys.exit(f"demo: the command above exited with {done.code}, not {expect}")
        if expect:
            print(f"      (exit code {done.code})")
        return done.stdout

    def do(self, node_id: str, *args: str, show: Sequence[str] = ()) -> Any:
        """Run a command with --json, print it and the fields named in `show`; its document."""
        print(f"\n[{node_id}] $ xcnet {shlex.join(args)}")
        document = self.fed.json(node_id, *args)
        for name in show:
            print(f"      {name}: {document[name]}")
        return document

    def wait(self, node_id: str, *args: str, until: Any, what: str) -> Any:
        """Wait until replication has brought something to a node (polling its CLI)."""
        started = time.monotonic()
        document = self.fed.poll(node_id, *args, until=until, what=what)
        print(f"\n  ... {what}: on {node_id} within {time.monotonic() - started:.1f} s")
        return document


def peer_review(demo: Demo) -> None:
    heading(
        "1. Peer review: jp assesses itself, kr reviews, jp concludes",
        "jp's policy officer drafts the national self-assessment on the CSCAP template (12 "
        "required cells, each self-rated), seals version 1 and asks kr to review it. The "
        "assessment is shared with kr, its reviewer, and with nobody else.",
    )
    demo.run("jp", "assessment", "open", "2026", "--audience", "jp", "--audience", "kr")
    print("\n[jp] drafting and self-rating 12 cells: xcnet assessment cell 2026 CELL …")
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column, rating in RATINGS.items():
            cell = f"{row}.{column}"
            demo.fed.xcnet(
                "jp", "assessment", "cell", "2026", cell,
                "--narrative", f"How {cell} is met, with the evidence cited.",
                "--rating", rating, "--rationale", "Documented in the 2025 annual report.",
            )  # fmt: skip
    sealed = demo.do("jp", "assessment", "seal", "2026")["sealed"]
    print(f"      sealed version {sealed['version']}: ref {sealed['ref']}")
    demo.run("jp", "assessment", "request-review", "2026", "--reviewer", "kr", "--due", due(90))
    demo.wait(
        "kr", "assessment", "show", "jp/2026",
        until=lambda a: a["status"] == "in review", what="jp's sealed assessment",
    )  # fmt: skip
    demo.run("kr", "assessment", "list")

    print("\nkr's reviewer opens a review of exactly that sealed version (its record ref):")
    review = demo.do(
        "kr", "review", "open", sealed["ref"], "--interest", "No conflict of interest.",
        show=("id",),
    )  # fmt: skip
    rid = review["id"][:8]
    demo.run("kr", "review", "comment", rid, "ENF.PROC", "Risk profiles skip postal channels.")
    demo.run("kr", "review", "rate", rid, "ENF.PROC", "MODERATE", "--rationale", "Few referrals.")
    demo.run(
        "kr", "review", "recommend", rid, "ENF.PROC", "--priority", "high",
        "--action", "Screen postal exports against the control list.", "--due", due(180),
    )  # fmt: skip
    signed = demo.do("kr", "review", "sign-off", rid, show=("status", "ref"))
    demo.wait(
        "jp", "review", "show", rid,
        until=lambda r: r["ref"] == signed["ref"], what="kr's signed-off review",
    )  # fmt: skip
    demo.run("jp", "review", "show", rid)
    demo.run(
        "jp", "assessment", "answer", "2026", "kr", "--cell", "ENF.PROC",
        "--text", "Postal screening starts in 2027.",
    )  # fmt: skip
    demo.run("jp", "assessment", "conclude", "2026")
    demo.run("jp", "assessment", "show", "2026")
    demo.wait(
        "kr", "assessment", "show", "jp/2026",
        until=lambda a: a["status"] == "concluded", what="jp's conclusion",
    )  # fmt: skip
    print("\nus and ph were never in the audience, so they hold neither record:")
    demo.run("us", "assessment", "list")
    demo.run("us", "review", "list")


def consultation(demo: Demo) -> None:
    heading(
        "2. No undercut: jp's denial, kr's screening and consultation, jp's consent",
        "jp refuses a licence and notifies kr of the denial. Later an application on kr's desk "
        "names the same end user, spelled differently, for the same item: kr's screening finds "
        "jp's denial and blocks the licence until kr consults jp. jp answers on its own record "
        "and states no objection; kr may then grant, citing that signed no-objection.",
    )
    denial = demo.do(
        "jp", "denial", "issue", "JP-2026-0042", "--regime", "WA", "--reason", "diversion-risk",
        "--item", "entry=3A001.a.1; hs=854231; description=Radiation-hardened FPGAs",
        "--party", "role=end-user; name=OOO Zenit Mikrosistemy; country=RU",
        "--audience", "kr", show=("ref",),
    )  # fmt: skip
    demo.wait(
        "kr", "denial", "show", "JP-2026-0042", "--origin", "jp",
        until=lambda d: d["ref"] == denial["ref"], what="jp's denial",
    )  # fmt: skip
    demo.run("kr", "denial", "show", "JP-2026-0042", "--origin", "jp")
    application = demo.fed.nodes["kr"].home / "application-KR-LIC-2026-7781.json"
    application.write_text(
        json.dumps(
            {
                "reference": "KR-LIC-2026-7781",
                "parties": [
                    {"name": "Зенит Микросистемы", "country": "RU"},
                    {"name": "Hanbit Logistics Co., Ltd.", "country": "KR"},
                ],
                "items": [{"control_entry": "3A001.a.1", "hs_code": "8542.31"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"\nkr's licensing officer screens application KR-LIC-2026-7781 ({application.name}):")
    demo.run("kr", "screen", "--file", str(application), "--explain", "--fail-on-hit", expect=1)
    result = application.with_name("screening-KR-LIC-2026-7781.json")
    result.write_text(demo.fed.xcnet("kr", "screen", "--file", str(application), "--json").stdout)
    print("\nThe licence is blocked (exit 1) until kr consults jp, with the match attached:")
    consulting = demo.do(
        "kr", "consult", "open", "--from-screening", str(result), "--due", due(30),
        show=("id", "ref", "denial"),
    )  # fmt: skip
    demo.wait(
        "jp", "consult", "show", consulting["id"],
        until=lambda c: c["ref"] == consulting["ref"], what="kr's consultation",
    )  # fmt: skip
    reply = demo.do(
        "jp", "consult", "open", "--reply-to", consulting["ref"], "--denial", "JP-2026-0042",
        show=("id",),
    )  # fmt: skip
    stated = demo.do(
        "jp", "consult", "reply", reply["id"][:8], "--position", "no-objection",
        "--rationale", "the end user has been reorganised", show=("position_ref",),
    )  # fmt: skip
    demo.wait(
        "kr", "consult", "show", reply["id"],
        until=lambda c: c["position_ref"] == stated["position_ref"], what="jp's no-objection",
    )  # fmt: skip
    close = ("consult", "close", consulting["id"][:8], "--outcome", "granted-with-consent")
    print(
        "\nGranting with consent without citing the consent is refused (exit 2, nothing written):"
    )
    demo.run("kr", *close, expect=2)
    print("\n… and so is citing jp's record at a version that states no position:")
    demo.run("kr", *close, "--consent", reply["ref"], expect=2)
    demo.run("kr", *close, "--consent", stated["position_ref"], "--note", "licence KR-2026-118")
    demo.wait(
        "jp", "consult", "list",
        until=lambda cs: any(c["outcome"] == "granted-with-consent" for c in cs),
        what="kr's licensing decision",
    )  # fmt: skip
    demo.run("jp", "consult", "list")
    demo.run("kr", "consult", "list")


def assistance(demo: Demo) -> None:
    heading(
        "3. Assistance: ph asks, the donor us offers, ph accepts, delivery is reported",
        "ph posts a request to the whole federation; us answers with an offer only ph sees.",
    )
    request = demo.do(
        "ph", "assist", "request", "--ref", "2027-cit", "--area", "enforcement",
        "--unscr1540", "OP3c", "--cell", "ENF.PROC", "--modality", "cit",
        "--description", "Commodity identification training for customs officers",
        "--start", "2027-02-01", "--end", "2027-06-30", "--language", "en", show=("ref",),
    )  # fmt: skip
    demo.wait(
        "us", "assist", "show", "ph/2027-cit",
        until=lambda r: r["status"] == "open", what="ph's request",
    )  # fmt: skip
    offer = demo.do(
        "us", "assist", "offer", "--ref", "exbs-cit", "--request", request["ref"],
        "--description", "Two-week CIT course in Manila", "--language", "en", show=("ref",),
    )  # fmt: skip
    demo.wait(
        "ph", "assist", "show", "us/exbs-cit",
        until=lambda o: o["ref"] == offer["ref"], what="us's offer",
    )  # fmt: skip
    demo.run("ph", "assist", "accept", "2027-cit", "--offer", offer["ref"])
    demo.wait(
        "us", "assist", "show", "ph/2027-cit",
        until=lambda r: r["accepted_offer"] == offer["ref"], what="ph's acceptance",
    )  # fmt: skip
    report = demo.do(
        "us", "assist", "deliver", "exbs-cit", "--summary", "24 customs officers trained",
        show=("status",),
    )  # fmt: skip
    demo.wait(
        "ph", "assist", "show", "us/exbs-cit",
        until=lambda o: o["status"] == "delivered", what="us's delivery report",
    )  # fmt: skip
    demo.run(
        "ph", "assist", "deliver", "2027-cit", "--summary", "course received",
        "--report", report["ref"],
    )  # fmt: skip
    demo.wait(
        "jp", "assist", "show", "ph/2027-cit",
        until=lambda r: r["status"] == "delivered", what="the delivered request",
    )  # fmt: skip
    for node_id in ("ph", "us", "jp"):
        demo.run(node_id, "assist", "list")


def group_denial(demo: Demo) -> None:
    heading(
        "4. A denial shared with a group: members receive it, us never does",
        "jp convenes the group wa-exchange (jp, kr, ph) and issues a denial to "
        "group:jp/wa-exchange. Every node relays what it holds, but only to the record's "
        "audience, so us gets it from nobody.",
    )
    demo.run(
        "jp", "group", "create", "wa-exchange", "--member", "kr", "--member", "ph",
        "--purpose", "WA denial exchange",
    )  # fmt: skip
    denial = demo.do(
        "jp", "denial", "issue", "JP-2026-0043", "--regime", "WA",
        "--reason", "end-user-of-concern",
        "--item", "entry=5A002.a; description=Encryption modules",
        "--party", "role=consignee; name=Eastern Star Trading; country=HK",
        "--audience", "group:jp/wa-exchange", show=("ref",),
    )  # fmt: skip
    for member in ("kr", "ph"):
        demo.wait(
            member, "denial", "list",
            until=lambda held: denial["ref"] in [d["ref"] for d in held],
            what="the group's denial",
        )  # fmt: skip
    for node_id in ("ph", "us"):
        demo.run(node_id, "denial", "list")
    demo.run("jp", "audit", "access", "--record", denial["id"][:8])


def holdings(demo: Demo) -> None:
    heading(
        "5. What each node holds",
        "Every node keeps its own signed records and the ones shared with it, verbatim as their "
        "origin signed them. Counts by origin, then one full log, then verify on every node.",
    )
    for node_id in demo.fed.nodes:
        log = demo.fed.json(node_id, "log")
        origins: dict[str, int] = {}
        for entry in log:
            origins[entry["origin"]] = origins.get(entry["origin"], 0) + 1
        counts = ", ".join(f"{n} from {o}" for o, n in sorted(origins.items()))
        print(f"  {node_id}: {len(log)} records ({counts})")
    demo.run("us", "log")
    for node_id in demo.fed.nodes:
        demo.run(node_id, "verify")


def tamper(demo: Demo, base: Path) -> Path:
    heading(
        "6. Tampering is caught",
        "A copy of ph's home; one byte of its newest stored record is flipped behind the node's "
        "back, and verify exits 1 naming the record.",
    )
    copy = base / "ph-tampered"
    shutil.copytree(demo.fed.nodes["ph"].home, copy)
    with sqlite3.connect(copy / "store.sqlite") as connection:
        rowid, state = connection.execute(
            "SELECT rowid, state FROM stored_events ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        tampered = bytearray(state)
        tampered[-3] ^= 0x01
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(tampered), rowid)
        )
    print(f"\n$ xcnet -H {copy} verify")
    done = demo.fed.xcnet("ph", "-H", str(copy), "verify", check=False)
    print(indent(done.stdout + done.stderr))
    if done.code != 1:
        sys.exit(f"demo: verify of the tampered copy exited with {done.code}, not 1")
    print("      (exit code 1)")
    return copy


def main() -> None:
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="xcnet-demo-"))
    node_ids = list(NAMES)
    federation = LocalFederation(base, node_ids, ports_for(len(node_ids)), names=NAMES)
    demo = Demo(federation)
    heading(
        "xcnet: four export-control agencies, four nodes",
        "Each node has its own signed store, its own officials (one per role) and pins the "
        "other three by key fingerprint. `xcnet serve` answers peers on loopback and pulls "
        "from each of them by long-poll, so a record reaches its audience in well under a "
        "second.",
    )
    federation.create()
    federation.start()
    for node in federation.nodes.values():
        print(f"  {node.node_id}  {NAMES[node.node_id]:54} {node.url}")
    demo.run("jp", "peer", "list")
    try:
        peer_review(demo)
        consultation(demo)
        assistance(demo)
        group_denial(demo)
        holdings(demo)
    finally:
        federation.stop_all()
    copy = tamper(demo, base)

    elapsed = time.monotonic() - started
    heading(f"Done in {elapsed:.0f} s. The servers are stopped; the homes stay.")
    print("Look around a node (each command takes --json):")
    for node in federation.nodes.values():
        print(f"  XCNET_HOME={node.home} {XCNET} log")
    jp = federation.nodes["jp"].home
    print(f"  XCNET_HOME={jp} {XCNET} assessment show 2026")
    print(f"  XCNET_HOME={jp} {XCNET} consult list")
    print(f"  XCNET_HOME={jp} {XCNET} audit access")
    print(f"  {XCNET} -H {copy} verify        # the tampered copy: exit 1")
    print("Serve these nodes again (each in its own terminal; peers are pinned to these ports):")
    for node in federation.nodes.values():
        print(f"  {XCNET} -H {node.home} serve --listen 127.0.0.1:{node.port}")
    print("Or start a fresh federation of your own (from the repository root, Ctrl-C stops it):")
    print(f"  {sys.executable} -m deployments.local.federation start --nodes jp kr us ph")


if __name__ == "__main__":
    main()
