"""Screen licence applications on a node holding many denials: latency, quality and rebuild.

.venv/bin/python -m bench.screening [--denials 100000] [--queries 300] [--store sqlite|postgres|both]

One node per store with the evaluation set's listed denials and N synthetic ones
(bench/names.py); screening latency over the evaluation names and synthetic queries; recall
and false hits of the evaluation set against that background at several thresholds (and,
for comparison, against the evaluation denials alone); and a rebuild of the read models,
checked to give the same rows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

from bench.common import catch_up_timer, timed
from bench.names import SyntheticDenial, expired, issue_day, party_names, synthetic_denials, variant
from deployments.local.federation import XCNET
from node import names, postgres
from node.denials import DenialDraft, draft_from_json, issue_denials
from node.screening import Application, item_query, party_query, screen
from node.service import Node, init_home
from tests.fixtures import eval_denials, screening_eval

POSTGRES_URL = os.environ.get(
    "XCNET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
THRESHOLDS = tuple(sorted({0.7, 0.75, 0.8, 0.85, names.THRESHOLD}))
TABLES = ("xcnet_screen_denial", "xcnet_screen_key", "xcnet_screen_code")
LISTED = frozenset(p["id"] for p in screening_eval()["listed"])


class Clock:
    """Stands at a set time, a microsecond later at each reading."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def set(self, when: datetime) -> None:
        assert when >= self.now, "the clock only moves forward"
        self.now = when


@dataclass(frozen=True, slots=True)
class Query:
    kind: str  # positive | negative | variant | fresh
    name: str
    country: str | None
    expect: str | None  # the national_ref a hit must name
    variation: str = ""  # the kind of variant; for a fresh name, "held" when held as written


@contextmanager
def bench_node(store: str, base: Path, clock: Clock) -> Iterator[Node]:
    """A node with one licensing official on SQLite or in a fresh PostgreSQL schema."""
    schema = f"xcnet_bench_{uuid4().hex[:12]}" if store == "postgres" else None
    db = f"{POSTGRES_URL}?schema={schema}" if schema else None
    try:
        init_home(base / "jp", node_id="jp", name="Agency jp", country="JP", db=db, clock=clock)
        node = Node.open(base / "jp", clock=clock)
        try:
            node.add_official("Officer of jp", ("licensing",))
            yield node
        finally:
            node.close()
    finally:
        if schema:
            postgres.drop_schema(POSTGRES_URL, schema)


def eval_drafts(today: date) -> list[DenialDraft]:
    return [draft_from_json(record) for record in eval_denials(today)]


def eval_queries() -> list[Query]:
    data = screening_eval()
    return [
        Query("positive", p["query"], p["country"], p["expect"], p["variation"])
        for p in data["positives"]
    ] + [Query("negative", n["query"], n["country"], None) for n in data["negatives"]]


def synthetic_queries(
    held: Sequence[SyntheticDenial], count: int, seed: int, today: date
) -> list[Query]:
    """Half variants of held parties (of denials in force), half new synthetic names: some of
    these are held as written already, for common names recur (a family name, "Golden Star")."""
    rng = random.Random(seed)
    live = [s for s in held if not expired(s.draft, today)]
    queries = []
    for _ in range(count // 2):
        chosen = rng.choice(live)
        party = rng.choice(chosen.parties)
        text, kind = variant(party, rng)
        country = party.country if rng.random() < 0.7 else None
        queries.append(Query("variant", text, country, chosen.draft.national_ref, kind))
    held_names = {_words(n) for s in held for p in s.draft.parties for n in (p.name, *p.aliases)}
    fresh = random.Random(seed + 7919)
    for _ in range(count - count // 2):
        party = party_names(fresh)
        same = "held" if _words(party.name) in held_names else ""
        queries.append(Query("fresh", party.name, party.country, None, same))
    return queries


def _words(name: str) -> tuple[str, ...]:
    """A name's words in order, for telling whether a fresh name is already held as written."""
    return tuple(sorted(re.sub(r"[^\w]+", " ", name.casefold()).split()))


def application(query: Query) -> Application:
    return Application(
        (party_query(query.name, country=query.country),),
        (item_query("3A001.a.1", None),),
        reference=f"bench-{query.kind}",
    )


def screened(
    node: Node, query: Query, threshold: float
) -> tuple[float, float, list[dict[str, Any]]]:
    """Seconds taken (wall clock and this process's CPU) and the hits of one screening."""
    cpu, start = time.process_time(), time.perf_counter()
    result = screen(node, application(query), threshold=threshold)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, cast(list[dict[str, Any]], result["hits"])


def quality(results: Sequence[tuple[Query, list[dict[str, Any]]]]) -> dict[str, float]:
    """Recall on positives and variants; false hits of negatives on the evaluation's listed
    parties (the measure), and any hit at all, which counts background parties that happen
    to bear the same or a like name (the generator repeats common names)."""

    def share(kind: str, test: Callable[[Query, list[dict[str, Any]]], bool]) -> float:
        chosen = [(q, h) for q, h in results if q.kind == kind]
        return sum(test(q, h) for q, h in chosen) / len(chosen) if chosen else float("nan")

    def found(q: Query, hits: list[dict[str, Any]]) -> bool:
        return any(h["national_ref"] == q.expect for h in hits)

    def listed(hits: list[dict[str, Any]]) -> bool:
        return any(str(h["national_ref"]) in LISTED for h in hits)

    return {
        "recall": share("positive", found),
        "false_hit_rate": share("negative", lambda q, h: bool(h)),
        "false_hit_listed": share("negative", lambda q, h: listed(h)),
        "positive_extra_hits": share(
            "positive", lambda q, h: any(x["national_ref"] != q.expect for x in h)
        ),
        "variant_recall": share("variant", found),
        "fresh_hit_rate": share("fresh", lambda q, h: bool(h)),
        "fresh_unheld_hit_rate": share("fresh", lambda q, h: not q.variation and bool(h)),
        "fresh_held": share("fresh", lambda q, h: bool(q.variation)),
    }


def by_variation(results: Sequence[tuple[Query, list[dict[str, Any]]]]) -> dict[str, str]:
    totals: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for query, hits in results:
        if query.kind == "positive":
            totals[query.variation] += 1
            found[query.variation] += any(h["national_ref"] == query.expect for h in hits)
    return {v: f"{found[v]}/{totals[v]}" for v in sorted(totals)}


def snapshot(node: Node) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the sorted rows of each screening table."""
    figures = {}
    for table in TABLES:
        rows = node.views.query(f"SELECT * FROM {{t}}{table}")
        digest = hashlib.sha256()
        for row in sorted(rows, key=repr):
            digest.update(repr(row).encode())
        figures[table] = (len(rows), digest.hexdigest())
    return figures


def author(
    node: Node,
    clock: Clock,
    now: datetime,
    synthetic: Sequence[SyntheticDenial],
    batch: int,
) -> dict[str, float]:
    """Issue the synthetic denials in batches (the expired ones first, on their day)."""
    today = now.date()
    old = [s.draft for s in synthetic if expired(s.draft, today)]
    live = [s.draft for s in synthetic if not expired(s.draft, today)]
    cpu = time.process_time()
    with timed() as elapsed, catch_up_timer(node) as index:
        for start in range(0, len(old), batch):
            issue_denials(node, old[start : start + batch], audience=("federation",))
        clock.set(now)
        for start in range(0, len(live), batch):
            issue_denials(node, live[start : start + batch], audience=("federation",))
        seconds = elapsed()
    cpu = time.process_time() - cpu
    count = len(synthetic)
    names_count = sum(1 + len(p.aliases) for s in synthetic for p in s.draft.parties)
    return {
        "denials": count,
        "names": names_count,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "denials_per_s": count / seconds,
        "index_seconds": index[0],
    }


def cold_first_query(node: Node, query: Query) -> float:
    """Seconds for `xcnet screen` in a new process (start-up, imports, name tables, query)."""
    with timed() as elapsed:
        subprocess.run(
            [XCNET, "-H", str(node.config.home), "screen", "--party", query.name, "--json"],
            check=True,
            capture_output=True,
        )
        return elapsed()


def baseline(queries: Sequence[Query], now: datetime) -> dict[str, dict[str, float]]:
    """Quality of the evaluation set against its own listed denials only (SQLite)."""
    clock = Clock(now)
    with (
        tempfile.TemporaryDirectory(prefix="xcnet-bench-screening-") as base,
        bench_node("sqlite", Path(base), clock) as node,
    ):
        issue_denials(node, eval_drafts(now.date()), audience=("federation",))
        return {
            f"{t:.2f}": quality([(q, screened(node, q, t)[2]) for q in queries]) for t in THRESHOLDS
        }


def run_store(
    store: str,
    synthetic: Sequence[SyntheticDenial],
    queries: Sequence[Query],
    *,
    now: datetime,
    batch: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    today = now.date()
    old = [s.draft for s in synthetic if expired(s.draft, today)]
    start = datetime.combine(issue_day(old), day_time(9), tzinfo=UTC) if old else now
    clock = Clock(start)
    figures: dict[str, Any] = {"store": store, "threshold": names.THRESHOLD}
    with (
        tempfile.TemporaryDirectory(prefix="xcnet-bench-screening-") as base,
        bench_node(store, Path(base), clock) as node,
    ):
        progress(f"{store}: authoring {len(synthetic):,} denials")
        figures["authoring"] = author(node, clock, now, synthetic, batch)
        issue_denials(node, eval_drafts(today), audience=("federation",))
        warm_up = Query("fresh", "Qorvexa Lintrabond Holdings Ltd", "AE", None)
        progress(f"{store}: screening {len(queries)} queries")
        figures["first_query_s"], _, _ = screened(node, warm_up, names.THRESHOLD)
        figures["first_query_new_process_s"] = cold_first_query(node, warm_up)
        timings: dict[str, list[tuple[float, float]]] = {}
        catch_up: list[float] = []
        results: dict[str, list[tuple[Query, list[dict[str, Any]]]]] = {}
        for threshold in THRESHOLDS:
            key = f"{threshold:.2f}"
            chosen = (
                queries
                if threshold == names.THRESHOLD
                else [q for q in queries if q.kind in ("positive", "negative")]
            )
            results[key] = []
            for query in chosen:
                seconds, cpu, hits = screened(node, query, threshold)
                results[key].append((query, hits))
                if threshold == names.THRESHOLD:
                    timings.setdefault(query.kind, []).append((seconds, cpu))
                    timings.setdefault("all", []).append((seconds, cpu))
                    with timed() as elapsed:
                        node.views.catch_up()  # as screen() does first, with nothing new
                        catch_up.append(elapsed())
        figures["latency"] = {kind: _latency(values) for kind, values in timings.items()}
        figures["catch_up_idle"] = _latency([(s, 0.0) for s in catch_up])
        figures["read_models"] = list(node.views.models)
        figures["quality"] = {key: quality(found) for key, found in results.items()}
        default = results[f"{names.THRESHOLD:.2f}"]
        figures["recall_by_variation"] = by_variation(default)
        figures["misses"] = [
            (q.name, q.expect, q.variation)
            for q, hits in default
            if q.kind == "positive" and not any(h["national_ref"] == q.expect for h in hits)
        ]
        figures["false_hits"] = [
            (q.name, h["national_ref"], h["score"], h["party"]["name"])
            for q, hits in default
            if q.kind == "negative"
            for h in hits
            if h["national_ref"] in LISTED
        ]
        progress(f"{store}: rebuilding the read models")
        before = snapshot(node)
        cpu = time.process_time()
        with timed() as elapsed:
            counts = node.views.rebuild()
            seconds = elapsed()
        cpu = time.process_time() - cpu
        after = snapshot(node)
        assert before == after, f"rebuild changed the screening tables: {before} != {after}"
        events = sum(counts.values())
        figures["rebuild"] = {
            "events": events,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "events_per_s": events / seconds,
            "rows": {table: before[table][0] for table in TABLES},
            "identical": True,
        }
    return figures


def _latency(values: Sequence[tuple[float, float]]) -> dict[str, float]:
    ordered = sorted(seconds for seconds, _ in values)
    cpu = sorted(cpu for _, cpu in values)
    return {
        "n": len(ordered),
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "mean_ms": 1000 * statistics.fmean(ordered),
        "max_ms": 1000 * ordered[-1],
        "cpu_p50_ms": 1000 * cpu[len(cpu) // 2],
    }


def run(
    denials: int = 100_000,
    queries: int = 300,
    stores: Sequence[str] = ("sqlite",),
    *,
    seed: int = 1,
    batch: int = 2000,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """The figures, by store, with the evaluation set alone for comparison."""
    now = datetime.now(UTC).replace(microsecond=0)
    with timed() as elapsed:
        synthetic = list(synthetic_denials(denials, seed, today=now.date()))
        generated = elapsed()
    mix = eval_queries() + synthetic_queries(synthetic, queries, seed, now.date())
    figures: dict[str, Any] = {
        "denials": denials,
        "generation_s": generated,
        "queries": Counter(q.kind for q in mix),
        "threshold": names.THRESHOLD,
        "algorithm": names.ALGORITHM,
        "sources": {
            path: hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
            for path in (
                "node/names.py",
                "node/screening.py",
                "node/views.py",
                "node/readmodels.py",
            )
            if Path(path).exists()
        },
    }
    progress("quality against the evaluation denials alone")
    figures["eval_alone"] = baseline(eval_queries(), now)
    for store in stores:
        figures[store] = run_store(store, synthetic, mix, now=now, batch=batch, progress=progress)
    return figures


def report(figures: dict[str, Any]) -> None:
    print(
        f"screening: {figures['denials']:,} synthetic denials + {len(LISTED)} evaluation denials; "
        f"{figures['algorithm']}, threshold {figures['threshold']}; "
        + ", ".join(f"{p} {d}" for p, d in figures["sources"].items())
    )
    print(f"  generated in {figures['generation_s']:.1f} s; queries {dict(figures['queries'])}")
    for store in ("sqlite", "postgres"):
        if store in figures:
            _report_store(figures[store], figures["eval_alone"])


def _report_store(f: dict[str, Any], alone: dict[str, dict[str, float]]) -> None:
    a, r = f["authoring"], f["rebuild"]
    print(f"\n[{f['store']}]")
    print(
        f"  authored     {a['denials']:>9,} denials ({a['names']:,} names) in {a['seconds']:.1f} s"
        f" = {a['denials_per_s']:,.0f} denials/s, of which index catch-up {a['index_seconds']:.1f} s"
        f" (CPU of this process {a['cpu_seconds']:.1f} s)"
    )
    print(
        f"  first query  {1000 * f['first_query_s']:>9.1f} ms in this process; "
        f"{1000 * f['first_query_new_process_s']:.0f} ms as `xcnet screen` in a new process"
    )
    print(
        f"  rebuild      {r['events']:>9,} events in {r['seconds']:.1f} s = "
        f"{r['events_per_s']:,.0f} events/s (CPU of this process {r['cpu_seconds']:.1f} s); "
        f"rows identical before and after: {r['identical']}"
    )
    print("  rows         " + ", ".join(f"{t} {n:,}" for t, n in r["rows"].items()))
    print(
        f"\n  {'latency':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8}"
        f" {'CPU p50 ms':>11}"
    )
    for kind in ("all", "positive", "negative", "variant", "fresh", "catch-up"):
        lat = f["catch_up_idle"] if kind == "catch-up" else f["latency"].get(kind)
        if lat:
            print(
                f"  {kind:<10} {lat['n']:>5} {lat['p50_ms']:>8.1f} {lat['p95_ms']:>8.1f}"
                f" {lat['mean_ms']:>8.1f} {lat['max_ms']:>8.1f} {lat['cpu_p50_ms']:>11.1f}"
            )
    print(
        "  (catch-up: `node.views.catch_up()` alone with nothing new to apply, as each query"
        f" begins; read models {', '.join(f['read_models'])})"
    )
    print(
        f"\n  {'':<9} {'with the background':^38}  {'evaluation denials alone':^24}"
        f"\n  {'threshold':<9} {'recall':>8} {'false hit':>9} {'any hit':>9} {'extra':>9}"
        f"  {'recall':>11} {'false hit':>11}   {'variants':>8} {'fresh':>6}"
    )
    for key, q in f["quality"].items():
        base = alone[key]
        print(
            f"  {key:<9} {q['recall']:>8.1%} {q['false_hit_listed']:>9.1%}"
            f" {q['false_hit_rate']:>9.1%} {q['positive_extra_hits']:>9.1%}"
            f"  {base['recall']:>11.1%} {base['false_hit_listed']:>11.1%}"
            f"   {_pct(q['variant_recall']):>8} {_pct(q['fresh_hit_rate']):>6}"
        )
    print(
        "  (false hit: a negative hits a listed evaluation party; any hit: a negative hits any"
        " denial, background included;\n   extra: a positive also hits another denial;"
        " variants: recall on variants of held synthetic parties; fresh: new synthetic names"
        " with a hit)"
    )
    q = f["quality"][f"{f['threshold']:.2f}"]
    print(
        f"  fresh names already held as written: {q['fresh_held']:.1%}; hit rate of the others:"
        f" {q['fresh_unheld_hit_rate'] / max(1e-9, 1 - q['fresh_held']):.1%}"
    )
    print(
        "  recall by variation at the default threshold: "
        + ", ".join(f"{k} {v}" for k, v in f["recall_by_variation"].items())
    )
    for name, ref, score, party in f["false_hits"]:
        print(f"  false hit: {name!r} -> {ref} {party!r} ({score})")


def _pct(value: float) -> str:
    return "" if value != value else f"{value:.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--denials", type=int, default=100_000)
    parser.add_argument(
        "--queries", type=int, default=300, help="synthetic queries (variants and fresh names)"
    )
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--batch", type=int, default=2000, help="denials per issue_denials call")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    stores = ("sqlite", "postgres") if args.store == "both" else (args.store,)
    figures = run(
        args.denials,
        args.queries,
        stores,
        seed=args.seed,
        batch=args.batch,
        progress=lambda text: print(f"... {text}", flush=True),
    )
    report(figures)


if __name__ == "__main__":
    main()
