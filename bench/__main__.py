"""Every benchmark of issue 6 in one run: one table of figures and ratios, and docs/PERFORMANCE.md.

.venv/bin/python -m bench [--quick] [--only ROW ...] [--no-write]      (`make bench`)

Each ratio is against a baseline measured in the same run, because absolute times on these
machines drift. Each row runs in a new Python process of its own. The large logs (ingest,
rebuild, footprint) are one `jp` home filled once, in stages: each row takes a copy at its size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import tempfile
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench import authoring, bounds, footprint, propagation, rebuild, replication, scale
from bench.common import Line, fill_store, machine, make_nodes, progress, timed
from node.service import Node

_T = TypeVar("_T")
ROWS = ("authoring", "ingest", "propagation", "screening", "rebuild", "footprint", "scale")
DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"


@dataclass(frozen=True, slots=True)
class Sizes:
    authoring_saves: int
    authoring_batch: int
    ingest: int
    propagation_nodes: int
    propagation_records: int
    screening_denials: int
    screening_queries: int
    rebuild: int
    footprint: int
    scale_nodes: tuple[int, ...]
    scale_records: int


FULL = Sizes(
    authoring_saves=3,
    authoring_batch=10_000,
    ingest=100_000,
    propagation_nodes=10,
    propagation_records=200,
    screening_denials=100_000,
    screening_queries=300,
    rebuild=200_000,
    footprint=1_000_000,
    scale_nodes=(5, 10, 20),
    scale_records=50,
)
QUICK = Sizes(
    authoring_saves=2,
    authoring_batch=1_000,
    ingest=2_000,
    propagation_nodes=5,
    propagation_records=20,
    screening_denials=2_000,
    screening_queries=20,
    rebuild=4_000,
    footprint=10_000,
    scale_nodes=(3, 5),
    scale_records=10,
)
ISSUE_SIZES = {
    "authoring": "batches of 10,000 (`denial import`)",
    "ingest": "100,000 records",
    "propagation": "10 nodes",
    "screening": "100,000 denials",
    "rebuild": "1,000,000 events",
    "footprint": "1,000,000 records",
    "scale": "5, 10, 20 nodes",
}


def used_sizes(sizes: Sizes) -> dict[str, str]:
    return {
        "authoring": f"{sizes.authoring_saves} saves x {sizes.authoring_batch:,} denials",
        "ingest": f"{sizes.ingest:,} denials",
        "propagation": f"{sizes.propagation_nodes} nodes, {sizes.propagation_records} saves",
        "screening": f"{sizes.screening_denials:,} denials, "
        f"{sizes.screening_queries} synthetic queries + the evaluation set",
        "rebuild": f"{sizes.rebuild:,} events",
        "footprint": f"{sizes.footprint:,} records",
        "scale": f"{', '.join(map(str, sizes.scale_nodes))} nodes x "
        f"{sizes.scale_records} denials each",
    }


@dataclass
class Outcome:
    row: str
    lines: list[Line]
    figures: Any
    seconds: float
    error: str = ""
    #: the 1-minute load average when the row started and when it ended (other work on the machine)
    load: tuple[float, float] = (0.0, 0.0)


def attempt(row: str, work: Callable[[], Any], to_lines: Callable[[Any], list[Line]]) -> Outcome:
    """Run one row; a row that fails is reported as failed and the others still run."""
    progress(f"{row}: running")
    load = os.getloadavg()[0]
    with timed() as elapsed:
        try:
            figures = work()
        except Exception as error:
            traceback.print_exc()
            message = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            failed = [Line(row, f"FAILED ({message})")]
            return Outcome(row, failed, None, elapsed(), message, (load, os.getloadavg()[0]))
        seconds = elapsed()
    progress(f"{row}: done in {seconds:.0f} s")
    return Outcome(row, to_lines(figures), figures, seconds, load=(load, os.getloadavg()[0]))


def in_child(work: Callable[[], _T]) -> _T:
    """Run `work` in a new Python process, so that each row starts from a clean heap (a long
    run's garbage slowed the plain log read fourfold) and imports the code as it is now."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work).result()


# Screening comes from bench/screening.py (its own module and author) ----------------------------


def screening_run(sizes: Sizes) -> dict[str, Any]:
    from bench import screening

    figures: dict[str, Any] = in_child(
        partial(
            screening.run,
            sizes.screening_denials,
            sizes.screening_queries,
            ("sqlite",),
            progress=partial(progress, prefix="screening: "),
        )
    )
    return figures


def screening_lines(figures: dict[str, Any]) -> list[Line]:
    store = figures["sqlite"]
    latency = store["latency"]["all"]
    threshold = f"{figures['threshold']:.2f}"
    quality = store.get("quality", {}).get(threshold, {})
    recall = quality.get("recall")
    baseline = (
        f"p50 {latency['p50_ms']:.0f} ms"
        + (f" (CPU p50 {latency['cpu_p50_ms']:.0f} ms)" if "cpu_p50_ms" in latency else "")
        + f", {latency['n']} queries"
        + (f", recall {recall:.2f} at {threshold}" if recall is not None else "")
    )
    return [
        Line(
            f"screening p95 ({figures['denials']:,} denials, SQLite)",
            f"{latency['p95_ms']:.0f} ms",
            baseline,
            None,
            "< 50 ms",
            latency["p95_ms"] < 50,
        )
    ]


# The large log, filled once in stages -----------------------------------------------------------


class BigLog:
    """One `jp` home filled with signed denials, grown to each size a row asks for."""

    def __init__(self, base: Path) -> None:
        base.mkdir(parents=True, exist_ok=True)
        (node,) = make_nodes(base, "jp")
        node.close()
        self.home = base / "jp"
        self.held = 0
        self.fill_rates: list[tuple[int, float]] = []

    def grow_to(self, records: int) -> Path:
        if records > self.held:
            progress(f"large log: filling {self.held:,} -> {records:,} signed denials")
            with Node.open(self.home) as node:
                rate = fill_store(node, records - self.held, seed=len(self.fill_rates) + 1)
            self.fill_rates.append((records - self.held, rate))
            self.held = records
        return self.home


def large_row(
    row: str, size: int, log: BigLog, *, last: bool
) -> tuple[Callable[[], Any], Callable[[Any], list[Line]]]:
    """The work and the table lines of a row on the large log."""
    if row == "ingest":
        return (
            lambda: in_child(partial(replication.run, size, origin=log.grow_to(size))),
            replication.lines,
        )
    if row == "rebuild":
        return lambda: in_child(partial(rebuild.run, size, home=log.grow_to(size))), rebuild.lines
    return (
        lambda: in_child(partial(footprint.run, size, home=log.grow_to(size), copy=not last)),
        footprint.lines,
    )


def run_rows(rows: Sequence[str], sizes: Sizes, base: Path) -> list[Outcome]:
    outcomes: dict[str, Outcome] = {}
    if "authoring" in rows:
        outcomes["authoring"] = attempt(
            "authoring",
            lambda: in_child(partial(authoring.run, sizes.authoring_saves, sizes.authoring_batch)),
            authoring.lines,
        )
    if "propagation" in rows:
        outcomes["propagation"] = attempt(
            "propagation",
            lambda: in_child(
                partial(propagation.run, sizes.propagation_nodes, sizes.propagation_records)
            ),
            propagation.lines,
        )
    if "screening" in rows:
        outcomes["screening"] = attempt("screening", lambda: screening_run(sizes), screening_lines)
    big = [row for row in ("ingest", "rebuild", "footprint") if row in rows]
    if big:
        log = BigLog(base / "large")
        largest = max(getattr(sizes, row) for row in big)
        for row in sorted(big, key=lambda r: int(getattr(sizes, r))):
            size = int(getattr(sizes, row))
            outcomes[row] = attempt(row, *large_row(row, size, log, last=size == largest))
        if log.fill_rates:
            count = sum(n for n, _ in log.fill_rates)
            seconds = sum(n / rate for n, rate in log.fill_rates)
            progress(f"large log: {count:,} denials filled at {count / seconds:,.0f} records/s")
    # last: twenty servers leave the load average high for a minute after them
    if "scale" in rows:
        outcomes["scale"] = attempt(
            "scale",
            lambda: in_child(partial(scale.run, sizes.scale_nodes, sizes.scale_records)),
            scale.lines,
        )
    return [outcomes[row] for row in ROWS if row in outcomes]


# What bounds each row (bench/bounds.py) ----------------------------------------------------


def explain(outcomes: Sequence[Outcome]) -> str:
    paragraphs = []
    for outcome in outcomes:
        if outcome.figures is None:
            paragraphs.append(f"**{outcome.row.title()}** failed: {outcome.error}")
            continue
        try:
            paragraphs.append(bounds.WRITERS[outcome.row](outcome.figures))
        except (KeyError, TypeError, ZeroDivisionError) as error:
            paragraphs.append(f"**{outcome.row.title()}**: no note ({error!r}).")
    return "\n\n".join(paragraphs)


# The table and the document ---------------------------------------------------------------------


def table(outcomes: Sequence[Outcome]) -> list[str]:
    header = ("path", "figure", "baseline in the same run", "ratio", "goal", "met?")
    body = [
        (
            line.path,
            line.figure,
            line.baseline,
            "—" if line.ratio is None else f"{line.ratio:.2f}x",
            line.goal,
            "—" if line.met is None else ("yes" if line.met else "**no**"),
        )
        for outcome in outcomes
        for line in outcome.lines
    ]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(cells) + " |" for cells in body),
    ]


def detail(outcome: Outcome) -> list[str]:
    """The row's raw figures, as a compact list."""
    if outcome.figures is None:
        return [f"- **{outcome.row}** failed after {outcome.seconds:.0f} s: {outcome.error}"]
    flat = _flatten(outcome.figures)
    shown = ", ".join(f"{key} {_number(value)}" for key, value in flat.items())
    return [f"- **{outcome.row}** ({_when(outcome)}): {shown}"]


def _when(outcome: Outcome) -> str:
    start, end = outcome.load
    return f"{outcome.seconds:.0f} s, load average {start:.1f} at the start, {end:.1f} at the end"


def _flatten(value: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    if isinstance(value, dict) and depth < 4:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found |= _flatten(item, f"{prefix}{key}." if depth < 3 else prefix, depth + 1)
        return found
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {prefix.rstrip("."): value}
    return {}


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def screening_detail(outcome: Outcome) -> list[str]:
    store = outcome.figures["sqlite"]
    latency = store["latency"]["all"]
    made = store.get("authoring", {})
    rebuilt = store.get("rebuild", {})
    return [
        f"- **screening** ({_when(outcome)}): {latency['n']} queries, p50 {latency['p50_ms']:.1f} ms, "
        f"p95 {latency['p95_ms']:.1f} ms, max {latency['max_ms']:.0f} ms; authored "
        f"{made.get('denials', 0):,} denials at {made.get('denials_per_s', 0):,.0f}/s; "
        f"rebuild {rebuilt.get('events', 0):,} events at {rebuilt.get('events_per_s', 0):,.0f}/s"
    ]


def code_state() -> str:
    """The commit measured, and whether the measured packages had uncommitted changes."""
    root = DOCUMENT.parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.rstrip()

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = git("status", "--porcelain", "--", "node", "protocol", "aggregates")
    return f"commit {commit}" + (
        " with uncommitted changes in "
        + ", ".join(sorted({entry[3:] for entry in changed.splitlines()}))
        if changed
        else ""
    )


def document(
    outcomes: Sequence[Outcome],
    sizes: Sizes,
    mode: str,
    seconds: float,
    bounds: str,
    code: tuple[str, str],
) -> str:
    host = machine()
    used = used_sizes(sizes)
    rows = [o.row for o in outcomes]
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench`); the latest run replaces it. Each ratio is "
        "against its baseline measured in the same run: absolute figures on these shared "
        "machines drift, ratios less so (other work shares the machine: each row's load "
        "average is in the raw figures at the end). Each row runs in a new Python process. "
        "Nothing here is asserted by the tests.",
        "",
        f"Run: {host['date']}, {mode}, {seconds / 60:.1f} minutes in all; code at {code[0]}"
        + (
            "."
            if code[0] == code[1]
            else f" when it started and {code[1]} when it ended (rows in this process ran "
            "the code of the start; `xcnet` processes started later may have run newer code)."
        ),
        "",
        f"Machine: {host['cpu']}, {host['cores']} cores, {host['ram']} RAM; {host['os']}; "
        f"Python {host['python']}; SQLite {host['sqlite']}; PostgreSQL {host['postgresql']}. "
        "Every row runs on SQLite.",
        "",
        *table(outcomes),
        "",
        "## Sizes",
        "",
        "| row | this run | the issue's |",
        "|---|---|---|",
        *(f"| {row} | {used[row]} | {ISSUE_SIZES[row]} |" for row in rows),
        "",
        "## What bounds each row",
        "",
        bounds,
        "",
        "## Raw figures",
        "",
    ]
    for outcome in outcomes:
        if outcome.row == "screening" and outcome.figures is not None:
            lines += screening_detail(outcome)
        else:
            lines += detail(outcome)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None, prog="python -m bench"
    )
    parser.add_argument("--quick", action="store_true", help="Small sizes: a smoke run.")
    parser.add_argument(
        "--only", action="append", choices=ROWS, metavar="ROW", help=f"One of {', '.join(ROWS)}."
    )
    parser.add_argument("--no-write", action="store_true", help="Do not write PERFORMANCE.md.")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    rows = tuple(row for row in ROWS if not args.only or row in args.only)
    mode = ("quick sizes" if args.quick else "default sizes") + (
        f", rows {', '.join(rows)} only" if args.only else ", every row"
    )
    progress(f"bench: {mode}: {', '.join(f'{k}={v}' for k, v in asdict(sizes).items())}")
    code_at_start = code_state()
    with tempfile.TemporaryDirectory(prefix="xcnet-bench-") as tmp, timed() as elapsed:
        outcomes = run_rows(rows, sizes, Path(tmp))
        seconds = elapsed()
    print()
    print("\n".join(table(outcomes)))
    print(f"\n{mode}; {seconds / 60:.1f} minutes")
    if not args.no_write:
        code = (code_at_start, code_state())
        DOCUMENT.write_text(document(outcomes, sizes, mode, seconds, explain(outcomes), code))
        print(f"written to {DOCUMENT}")


if __name__ == "__main__":
    main()
