"""What bounds each row of `make bench`: a paragraph per row, its figures from the run.

The profile shares are quoted from py-spy runs of the same paths on this machine
(`py-spy record -r 200 -f raw`), with the commit and sizes they were taken at.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

# The figures come from this run; the profile shares from py-spy runs of the same paths
# (`py-spy record -r 200 -f raw`) on this machine at commit 119eb74, quoted with their sizes.
PROFILED = "119eb74"


def _authoring(f: dict[str, float]) -> str:
    views = f["views_seconds"] / f["seconds"]
    sign, plain = f["sign_per_s_one_core"], f["plain_per_s"]
    cap = sign / (sign + plain)
    verdict = "at the limit of" if cap >= 0.8 else "beyond"
    return (
        f"**Authoring.** The read models take {views:.0%} of the write: after each save "
        "`Views.catch_up` reads the batch back from the log, decodes it and builds the "
        "screening rows, with rigour analysing every party name. The store write alone is "
        f"{f['store_ratio']:.2f}x the plain application. Its physical limit is signing: at "
        f"{sign:,.0f} Ed25519 signatures/s on one core against {plain:,.0f} plain saves/s, "
        f"signing alone caps the ratio at {cap:.2f}x, and the envelope's header encoding "
        f"and SHA-256 take it a little lower: the 0.8x goal is {verdict} pyca signing on "
        f"this machine. A py-spy profile of `issue_denials` (commit {PROFILED}, "
        "10,000-denial batches): read-model catch-up 50% (decoding the batch again 14%, since "
        "the decoded-event cache holds 4,096 entries and a batch is 10,000; screening rows "
        "15%, of which rigour 7%; SQL inserts 9%); sealing 17% (body encoding 7%, signing "
        "5%); one `select_events` per draft to refuse a reused reference 10%; `Denial.issue` "
        "6%. Changes in node/: check a batch's references with one "
        "`SELECT … WHERE originator_id IN (…)` per few hundred in `issue_denials` (a fifth "
        "of the store write's time by the profile); have `Node.save` pass the saved events "
        "to `Views` (or size the event cache to the batch) so a write is not decoded again; "
        "and PyNaCl signing (twice pyca's rate) to lift the cap above 0.9x. The read models' "
        "own work, about a third of the total, stays while the screening index is built "
        "inline with the write."
    )


def _ingest(f: dict[str, float]) -> str:
    share = f["replicated_per_s"] / f["verify_per_s_one_core"]
    return (
        f"**Ingest.** At {f['replicated_per_s']:,.0f} records/s, verification needs {share:.0%} "
        "of one core, so the bound is elsewhere. A py-spy profile of `xcnet sync --once` "
        f"pulling 20,000 records (commit {PROFILED}, busy samples): read-model catch-up 46% "
        "(screening rows 15%, their SQL writes 12%), Ed25519 verification 24% (ahead of the "
        "checks on a thread pool), the ordered checks of `_Batch.take` 10%, chain-tip lookups "
        "5%. The receiving process used 0.8 of a core (7.6 s of CPU in 9.5 s): it waits while "
        "the server builds each page and the server waits while it ingests. Changes in node/: "
        "fetch page n+1 while page n is ingested (`PeerClient.pull_page`); take the read-model "
        "catch-up out of the ingest path into its own process that follows the log (the "
        "other core; queries still catch up first, so reads stay current); look up a page's "
        "chain tips in one query; and verify with libsodium (PyNaCl, about twice pyca per "
        "core). Two cores of libsodium verification put the physical bound near 4x the "
        "baseline; the 2x goal needs everything but verification off the critical path."
    )


def _propagation(f: dict[str, float]) -> str:
    return (
        f"**Propagation.** A save on the origin takes {f['save_p50_ms']:.0f} ms (p50); the "
        "origin's log watcher polls its head every 50 ms and wakes the long polls of its "
        f"{f['peers_each']:.0f} peers, which then verify, store and catch up their read models. "
        f"The first node has the record after {f['one_node_p50_ms']:.0f} ms (p50), the last "
        f"after {f['p50_ms']:.0f} ms: the difference is {f['nodes']:.0f} processes sharing "
        "2 cores while each also relays the record to the others: each receiving node was "
        f"served {f.get('served_per_receiver', float('nan')):.1f} copies of every record, "
        "each built into a page, sent, parsed and dropped, competing for the cores with the "
        f"first copies. The tail (p99 {f['p99_ms']:.0f} ms) is records waiting for a core. "
        "Changes in node/: the relay rule of the scale row; and a "
        "notification from the writer (the CLI or the API) instead of the 50 ms poll of the "
        "log head, which would take about 25 ms off the mean."
    )


def _screening(figures: dict[str, Any]) -> str:
    latency = figures["sqlite"]["latency"]
    kinds = ", ".join(
        f"{kind} p95 {value['p95_ms']:.0f} ms" for kind, value in latency.items() if kind != "all"
    )
    return (
        f"**Screening.** p95 {latency['all']['p95_ms']:.0f} ms over "
        f"{figures['denials']:,} denials ({kinds}). A py-spy profile of the 669 queries over "
        f"100,000 denials (commit {PROFILED}; p50 35 ms, p95 72 ms while profiled): SQLite "
        "reads 54% of `screen()`, nearly all of it fetching rows (`fetchall` 38%): candidate "
        "rows by name key 32%, and the document frequency of each of the query's keys 21%; "
        "scoring candidates with rigour 29% (`compare` 17%); analysing the query's own names "
        "3%. (An earlier profile, before ad35d01, found 56% in idle read-model catch-ups "
        "scanning the whole log before every query; that is gone.) Changes in node/: keep the "
        "key counts in memory, refreshed when the index's position moves (they change only on "
        "catch-up); fetch candidate ids first and the rows of the best few only; and stop "
        "scoring once the ranked list is full and the next candidate's key evidence cannot "
        "beat it. bench/screening.py prints the full breakdown (`python -m bench.screening`)."
    )


def _rebuild(f: dict[str, float]) -> str:
    return (
        f"**Rebuild.** Reading the log runs at {f['read_per_s']:,.0f} events/s; only parsing "
        f"and decoding the same log into events runs at {f['decode_per_s']:,.0f} events/s, "
        f"{f['decode_per_s'] / f['read_per_s']:.2f}x the read, so decoding alone caps the "
        "ratio below the goal before any row is built. A py-spy profile of `views.rebuild()` "
        f"over 20,000 events (commit {PROFILED}): decoding envelopes into events 32% (body "
        "decoding 23%, strict canonical msgpack 9%), screening rows 26% (name keys 14% with "
        "rigour's analysis 8.5%, the JSON text of a row 6.5%), SQL inserts into the indexed "
        "screening tables 21%, reading the log 7%. Changes in node/: build the screening rows "
        "from the body map, without a domain event and aggregate, for a record's first "
        "version (most denials); cache name analysis per distinct name; drop the screening "
        "indexes during a rebuild and create them after; decode and build rows in a second "
        f"process. Together perhaps 3-4x, about {3.5 * f['ratio']:.2f}x the read: per-event "
        "Python decoding remains the bound, and 0.5x a raw log read (a loop in C) is not "
        "reachable in CPython for this data. A goal against the decode rate (this row's third "
        "figure) would be."
    )


def _footprint(f: dict[str, float]) -> str:
    return (
        f"**Footprint.** The server starts at {f['idle_mb']:.0f} MB and peaks at "
        f"{f['peak_mb']:.0f} MB while serving {f['log']:,.0f} records in pages of 2,000 at "
        f"{f['served_per_s']:,.0f} records/s: pages are read, filtered and sent one at a time "
        "(with a per-page audience cache)"
        + (
            ", so memory does not grow with the log: the resident set is mostly the "
            "interpreter and its imports (eventsourcing, aiohttp, cryptography)."
            if f["peak_mb"] < 300 and f["peak_mb"] - f["idle_mb"] < 100
            else f"; it grew by {f['peak_mb'] - f['idle_mb']:.0f} MB while serving, which "
            "needs a heap profile of `page_for` to place."
        )
    )


def _scale(figures: dict[str, dict[str, float]]) -> str:
    runs = list(figures.values())
    steps = ", ".join(
        f"{b['converged_s'] / a['converged_s']:.1f}x from {a['nodes']:.0f} to {b['nodes']:.0f} nodes"
        for a, b in pairwise(runs)
    )
    served = ", ".join(f"{r['served_per_needed']:.1f} at {r['nodes']:.0f}" for r in runs)
    return (
        f"**Scale.** Convergence time grows {steps}. The records to deliver grow as n(n-1), "
        "but every node also relays what it holds, so a receiving node is served each record "
        f"by nearly every peer (copies per record and receiver: {served} nodes), n(n-1)^2 "
        "deliveries in all, each one a page row built, sent, parsed and compared. Ingest "
        "drops a copy whose header digest it holds before verifying it (since 09d7731), so a "
        "duplicate is cheap but not free. Change in node/: let a server leave out of a page "
        "the records whose origin the caller follows directly and reached recently (relay "
        "what a peer cannot get from the origin), which makes the deliveries n(n-1)."
    )


WRITERS: dict[str, Callable[[Any], str]] = {
    "authoring": _authoring,
    "ingest": _ingest,
    "propagation": _propagation,
    "screening": _screening,
    "rebuild": _rebuild,
    "footprint": _footprint,
    "scale": _scale,
}
