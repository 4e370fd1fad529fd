"""What bounds each row of `make bench`: a paragraph per row, its figures from the run.

The profile shares are quoted from py-spy runs of the same paths on this machine
(`py-spy record -r 200 -f raw`), with the commit and sizes they were taken at.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

# The figures come from this run; the profile shares from py-spy runs of the same paths
# (`py-spy record -r 200 -f raw`) on this machine at this commit, quoted with their sizes.
PROFILED = "e7434c4"


def _authoring(f: dict[str, float]) -> str:
    views = f["views_seconds"] / f["seconds"]
    sign, plain = f["sign_per_s_one_core"], f["plain_per_s"]
    cap = sign / (sign + plain)
    return (
        f"**Authoring.** The store write is {f['store_ratio']:.2f}x the plain application; with "
        f"the read models caught up, {f['ratio']:.2f}x (they take {views:.0%} of the "
        "total: the screening index analyses every party name with rigour and writes its key "
        "rows; they take the events as written, not decoded again). A write brings them up to "
        "date before it returns, so the next command finds them current; that work is the "
        "index's, not the write's, and would only move elsewhere if deferred. Signing is not "
        "the bound: at "
        f"{sign:,.0f} libsodium signatures/s on one core against {plain:,.0f} plain saves/s it "
        f"alone would allow {cap:.2f}x. A py-spy profile of the store write (`issue_denials` "
        f"less catch-up, commit {PROFILED}, 10,000-denial batches): sealing 47% (the typed "
        "body to canonical values 20%, canonical encoding with its key sort and checks 14%, "
        "signing 9%, the header 5%), `Denial.issue` 27% (the baseline does the same), "
        "eventsourcing's own save path about 15% (a `Protocol` isinstance per aggregate 6%), "
        "the SQLite insert 4%. What is left over the baseline is the envelope itself: "
        "canonical encoding of body and header, two SHA-256 and a signature per record. "
        "Encoding bodies straight into canonical key order (no sort, no second walk) would "
        "take perhaps 0.05x more."
    )


def _ingest(f: dict[str, float]) -> str:
    per_record = 1e6 / f["replicated_per_s"]
    libsodium = f.get("libsodium_verify_per_s_one_core", float("nan"))
    return (
        f"**Ingest.** {f['replicated_per_s']:,.0f} records/s is {per_record:.0f} µs a record "
        f"on the receiving side, where one libsodium verification costs {1e6 / libsodium:.0f} "
        "µs and runs on the other core, for the next page, while this one is checked and "
        "stored. The bound is the Python work of taking a record in: parsing and checking the "
        "strict canonical header, decoding the body into its typed event (a body that does "
        "not decode must never reach a read model, so every body is decoded at ingest), the "
        "ordered chain and origin checks, and the insert; the server building the pages "
        "shares the same two cores. The read models are no longer in this path: `sync --once` "
        f"catches them up once at the end ({f['with_read_models_per_s']:,.0f} records/s "
        "with it) and a server does so in the background. Changed for this run: the next page "
        "is fetched and its signatures verified while this one is ingested; chain tips come "
        "in one query a page; Ed25519 is libsodium's; body decoding formats no field paths "
        "unless a value is wrong; canonical decoding checks a map in one walk. Reaching 2x "
        "the pyca rate would need a page's checks split across processes (decoding cannot "
        "share the interpreter) or a compiled decoder for headers and bodies."
    )


def _propagation(f: dict[str, float]) -> str:
    return (
        f"**Propagation.** A save on the origin takes {f['save_p50_ms']:.0f} ms (p50); the "
        "origin's log watcher polls its head every 50 ms and wakes the long polls of its "
        f"{f['peers_each']:.0f} peers, which then verify and store it (their read models "
        "follow in the background). "
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
        f"{figures['denials']:,} denials ({kinds}). Changed for this run: the count of "
        "parties under each name key, and the parties themselves (a compact array per key), "
        "are remembered per process while the index stands at one position and dropped when "
        "it moves; candidates are read from a covering index on (key, record, party); each "
        "name is analysed once and an explanation is built only for a party that is kept. "
        "Results are byte-identical to the previous code's on every query of the bench, and "
        "recall and false hits unchanged. The bench's evaluation queries run once at 0.70 "
        "before the timed pass at 0.75, so they find their keys remembered; its variant and "
        "fresh queries run once and are cold. A py-spy profile of the queries (commit "
        "325819a): scoring 61% (rigour's `compare_parts` 22%, the Python around it 39%: "
        "abbreviations 9%, order-free pairing 7%, part weights 5%), analysing candidate names "
        "seen for the first time 11%, SQLite 12% (keys not yet remembered, and rows). About "
        "200 comparisons a query are left; scoring only the parties that met a key, or "
        "stopping once the next candidate's key evidence cannot reach the ranked list, would "
        "cut them but could change hits, so neither is done. On PostgreSQL the tables are "
        "now vacuumed after a bulk catch-up: before that, new names over 100,000 freshly "
        "loaded denials took 1-1.3 s (p50), counting common words from the table because "
        "index-only scans need a vacuumed table. `python -m bench.screening` prints the full "
        "breakdown, `--store postgres` for PostgreSQL."
    )


def _rebuild(f: dict[str, float]) -> str:
    return (
        f"**Rebuild.** Reading the log runs at {f['read_per_s']:,.0f} events/s; only parsing "
        f"and decoding the same log into events runs at {f['decode_per_s']:,.0f} events/s, "
        f"{f['decode_per_s'] / f['read_per_s']:.2f}x the read, so decoding alone caps the "
        "ratio far below the goal before any row is built: 0.5x a raw log read (a loop in C) "
        "is not reachable in CPython for this data; a goal against the decode rate (this "
        "row's third figure) would be. The rebuild runs at "
        f"{f['rebuild_per_s'] / f['decode_per_s']:.2f}x the decode rate. A py-spy profile of "
        f"`views.rebuild()` over 20,000 events (commit {PROFILED}): SQL inserts into the "
        "indexed screening tables 25%, decoding envelopes into events 25% (building the "
        "nested party and item values 13%), screening rows 18% (name keys 16%, rigour's "
        "analysis 11%), parsing headers 6%, reading the log 4%, commits 3%. Changes in "
        "node/: build the screening rows from the body map, without a domain event and "
        "aggregate, for a record's first version (most denials); drop the screening indexes "
        "during a rebuild and create them after; build rows in a second process."
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
        "drops a copy whose header digest it holds before verifying it, so a duplicate is "
        "cheap but not free. A relay rule would make the deliveries n(n-1), and the simple "
        "one does not work: if the caller names the origins it follows directly and the relay "
        "leaves their records out, live records (the whole of this row) are relayed anyway, "
        "because the relay's long poll answers before the caller's position at the origin "
        "has moved; and a record the caller had not yet pulled from its origin is missing for "
        "as long as the origin is down. The rule that works needs each relay to keep, per "
        "record, its position in the origin's log when it took the record from the origin, "
        "and the caller to send its own position there with each pull: the relay then leaves "
        "out exactly what the caller holds. That is a protocol change (PROTOCOL.md §5) for "
        "an issue of its own."
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
