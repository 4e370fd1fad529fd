"""`xcnet assessment …`: the national self-assessment on the CSCAP template."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import click

from aggregates.assessment import Assessment, Cell
from aggregates.template import (
    CELLS,
    COLUMNS,
    ELEMENTS,
    OPTIONAL_COLUMNS,
    ROWS,
    SCALES,
    label,
)
from cli.output import Output, as_option, command, open_node
from node import assessments
from node.errors import BadInput
from node.service import Node

group = click.Group(
    "assessment", help="The national self-assessment on the CSCAP template: draft, seal, review."
)

CELL_WIDTH = 26
HEADINGS = {"LAW": "LAW Laws & Regulations", "INST": "INST Institutions"}
HEADINGS |= {"PROC": "PROC Processes", "IMPL": "IMPL Implementation (opt.)"}


def parse_date(value: str, field: str) -> date:
    """A YYYY-MM-DD date, or a refusal naming the field."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{field} {value!r} is not a date YYYY-MM-DD", field=field) from None


# Presenting ----------------------------------------------------------------------------------


def template_table() -> str:
    """The CSCAP template as the Markdown table of DESIGN.md §1."""
    headings = [
        f"{name} ({code}{', optional' if code in OPTIONAL_COLUMNS else ''})"
        for code, name in COLUMNS.items()
    ]
    lines = [
        "| row \\ column | " + " | ".join(headings) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for row, name in ROWS.items():
        elements = ["; ".join(ELEMENTS[f"{row}.{column}"]) for column in COLUMNS]
        lines.append(f"| {name} ({row}) | " + " | ".join(elements) + " |")
    return "\n".join(lines)


def _cell_data(cell: Cell) -> dict[str, object]:
    return {
        "narrative": cell.narrative,
        "evidence": [{"citation": e.citation, "sha256": e.sha256} for e in cell.evidence],
        "rating": cell.rating or None,
        "rationale": cell.rationale or None,
    }


def assessment_data(
    node: Node, assessment: Assessment, version: int | None = None
) -> dict[str, object]:
    """Everything `show --json` prints about an assessment."""
    cells = assessment.cells(version)
    return {
        "id": assessment.id,
        "origin": assessment.origin,
        "cycle": assessment.cycle,
        "status": assessment.status,
        "audience": list(assessment.audience),
        "version": version,
        "draft_version": assessment.draft_version,
        "draft_changed": assessment.draft_changed,
        "cells": {name: _cell_data(cells[name]) for name in CELLS if name in cells},
        "versions": [
            {
                "version": s.number,
                "digest": s.digest,
                "sealed_at": s.at,
                "ref": str(node.ref(assessment.id, s.record_version)),
            }
            for s in assessment.sealed.values()
        ],
        "requests": [
            {
                "version": r.version,
                "reviewers": list(r.reviewers),
                "scope": list(r.scope),
                "due": r.due,
                "at": r.at,
            }
            for r in assessment.requests
        ],
        "answers": [
            {"review": str(a.review), "cell": a.cell, "answer": a.answer, "at": a.at}
            for a in assessment.answers
        ],
        "conclusions": [
            {"version": c.version, "reviews": [str(r) for r in c.reviews], "at": c.at}
            for c in assessment.conclusions.values()
        ],
        "publications": [
            {"version": p.version, "audience": list(p.audience), "at": p.at}
            for p in assessment.publications
        ],
        "withdrawn": (
            {"reason": assessment.withdrawn_reason, "at": assessment.withdrawn_at}
            if assessment.withdrawn
            else None
        ),
    }


def _block(cell: Cell | None) -> list[str]:
    if cell is None:
        return ["(not drafted)"]
    head = cell.rating or "(unrated)"
    if cell.evidence:
        head += f" · {len(cell.evidence)} evidence"
    return [head, *textwrap.wrap(cell.narrative, CELL_WIDTH, max_lines=3, placeholder=" …")]


def matrix(cells: dict[str, Cell]) -> list[str]:
    """The 4 by 4 template with each cell's rating and the start of its narrative (≤120 columns)."""
    rule = "----+" + "+".join(["-" * (CELL_WIDTH + 2)] * len(COLUMNS))
    lines = ["    | " + " | ".join(f"{HEADINGS[c]:{CELL_WIDTH}}" for c in COLUMNS).rstrip(), rule]
    for row in ROWS:
        blocks = [_block(cells.get(f"{row}.{column}")) for column in COLUMNS]
        height = max(len(b) for b in blocks)
        for i in range(height):
            parts = [f"{b[i] if i < len(b) else '':{CELL_WIDTH}}" for b in blocks]
            lines.append(f"{row if i == 0 else '':3} | " + " | ".join(parts).rstrip())
        lines.append(rule)
    lines.append("rows: " + " · ".join(f"{code} {name}" for code, name in ROWS.items()))
    return lines


def show_text(node: Node, assessment: Assessment, version: int | None = None) -> str:
    what = f"version {version}" if version else f"draft of version {assessment.draft_version}"
    if version is None and assessment.sealed and not assessment.draft_changed:
        what = f"version {len(assessment.sealed)}"
    lines = [
        f"assessment {assessment.origin}/{assessment.cycle} · {what} · {assessment.status} · "
        f"audience {', '.join(assessment.audience)}",
        "",
        *matrix(assessment.cells(version)),
    ]
    for s in assessment.sealed.values():
        ref = node.ref(assessment.id, s.record_version)
        lines.append(f"sealed v{s.number} {s.at.date().isoformat()} digest {s.digest.hex()}")
        lines.append(f"    ref {ref}")
    for r in assessment.requests:
        lines.append(
            f"review of v{r.version} requested from {', '.join(r.reviewers)}, "
            f"{len(r.scope)} cells, due {r.due.isoformat()}"
        )
    for a in assessment.answers:
        lines.append(f"answered {a.review.origin} on {a.cell}: {textwrap.shorten(a.answer, 80)}")
    for c in assessment.conclusions.values():
        lines.append(f"review of v{c.version} concluded with {len(c.reviews)} reviews")
    for p in assessment.publications:
        lines.append(f"v{p.version} published to {', '.join(p.audience)}")
    if assessment.withdrawn:
        lines.append(f"WITHDRAWN: {assessment.withdrawn_reason}")
    return "\n".join(lines)


# Commands ------------------------------------------------------------------------------------


@command(group, "template")
def template() -> Output:
    """Print the blank CSCAP template (Manila 2008, appendix 1) and its rating scales."""
    data = {
        "rows": [{"code": code, "name": name} for code, name in ROWS.items()],
        "columns": [
            {
                "code": code,
                "name": name,
                "optional": code in OPTIONAL_COLUMNS,
                "scale": list(SCALES[code]),
            }
            for code, name in COLUMNS.items()
        ],
        "cells": [
            {
                "cell": cell,
                "row": cell.partition(".")[0],
                "column": cell.partition(".")[2],
                "label": label(cell),
                "elements": list(ELEMENTS[cell]),
                "scale": list(SCALES[cell.partition(".")[2]]),
            }
            for cell in CELLS
        ],
        "scales": {code: dict(scale) for code, scale in SCALES.items()},
    }
    scales = [
        f"{' and '.join(c for c in COLUMNS if SCALES[c] is scale)} cells: "
        + ", ".join(k if v == k.lower() else f"{k} ({v})" for k, v in scale.items())
        for scale in {id(s): s for s in SCALES.values()}.values()
    ]
    return Output(data, template_table() + "\n\nratings:\n" + "\n".join(scales))


@command(group, "open")
@click.argument("cycle")
@click.option(
    "--audience",
    multiple=True,
    help="Who may receive it: public, federation, group:CONVENOR/NAME or node ids "
    "(repeatable; default: this node only, until review or publication).",
)
@as_option
def open_(cycle: str, audience: tuple[str, ...], as_official: str | None) -> Output:
    """Open this node's self-assessment for a cycle, e.g. 2026."""
    with open_node() as node:
        opened = assessments.open_assessment(
            node, cycle, audience=audience, as_official=as_official
        )
        data = assessment_data(node, opened)
    return Output(
        data, f"opened assessment {opened.origin}/{opened.cycle} for {', '.join(opened.audience)}"
    )


@command(group, "cell")
@click.argument("cycle")
@click.argument("cell")
@click.option("--narrative", help="How the cell's elements are met.")
@click.option("--narrative-file", help="Read the narrative from a UTF-8 text file.")
@click.option(
    "--evidence",
    multiple=True,
    metavar="CITATION[=PATH]",
    help="A cited document; with =PATH the node records the file's SHA-256 "
    "(or =sha256:HEX). Repeatable.",
)
@click.option("--rating", help="Self-rate the cell in the same step (see `assessment rate`).")
@click.option("--rationale", default="", help="Why the cell deserves the rating.")
@as_option
def cell(
    cycle: str,
    cell: str,
    narrative: str | None,
    narrative_file: str | None,
    evidence: tuple[str, ...],
    rating: str | None,
    rationale: str,
    as_official: str | None,
) -> Output:
    """Draft a cell's narrative and evidence (after a seal, this starts the next version)."""
    if narrative_file is not None:
        try:
            narrative = Path(narrative_file).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise BadInput(
                f"narrative_file: cannot read {narrative_file} ({error})", field="narrative_file"
            ) from None
    if narrative is None:
        raise BadInput(
            "narrative is missing: give --narrative or --narrative-file", field="narrative"
        )
    with open_node() as node:
        drafted = assessments.draft_cell(
            node,
            cycle,
            cell,
            narrative,
            evidence,
            rating=rating,
            rationale=rationale,
            as_official=as_official,
        )
        data = assessment_data(node, drafted)
    name = cell.strip().upper()
    return Output(data, f"drafted {name} of {drafted.cycle} (version {drafted.draft_version})")


@command(group, "rate")
@click.argument("cycle")
@click.argument("cell")
@click.argument("rating")
@click.option("--rationale", required=True, help="Why the cell deserves this rating.")
@as_option
def rate(cycle: str, cell: str, rating: str, rationale: str, as_official: str | None) -> Output:
    """Self-rate a cell: C, LC, PC, NC, NA for LAW/INST; HIGH … LOW for PROC/IMPL."""
    with open_node() as node:
        rated = assessments.rate_cell(node, cycle, cell, rating, rationale, as_official=as_official)
        data = assessment_data(node, rated)
    name = cell.strip().upper()
    return Output(data, f"rated {name} of {rated.cycle} {rated.draft.cells[name].rating}")


@command(group, "seal")
@click.argument("cycle")
@as_option
def seal(cycle: str, as_official: str | None) -> Output:
    """Seal the draft as the next version, with a digest over all its cells."""
    with open_node() as node:
        sealed, version = assessments.seal(node, cycle, as_official=as_official)
        ref = assessments.sealed_ref(node, sealed, version.number)
        data = assessment_data(node, sealed) | {
            "sealed": {"version": version.number, "digest": version.digest, "ref": str(ref)}
        }
    return Output(
        data,
        f"sealed version {version.number} of {sealed.cycle}: digest {version.digest.hex()}\n"
        f"reviewers open it with: xcnet review open {ref}",
    )


@command(group, "request-review")
@click.argument("cycle")
@click.option("--reviewer", "reviewers", multiple=True, help="A reviewing node id (repeatable).")
@click.option("--due", required=True, help="When the review is due, YYYY-MM-DD.")
@click.option(
    "--cell", "scope", multiple=True, help="A cell in scope (repeatable; default: every cell)."
)
@click.option("--version", type=int, help="The sealed version (default: the latest).")
@as_option
def request_review(
    cycle: str,
    reviewers: tuple[str, ...],
    due: str,
    scope: tuple[str, ...],
    version: int | None,
    as_official: str | None,
) -> Output:
    """Ask reviewer nodes to review a sealed version; they join the audience."""
    when = parse_date(due, "due")
    with open_node() as node:
        assessment, request = assessments.request_review(
            node,
            cycle,
            reviewers=reviewers,
            due=when,
            scope=scope,
            version=version,
            as_official=as_official,
        )
        ref = assessments.sealed_ref(node, assessment, request.version)
        data = assessment_data(node, assessment) | {"ref": str(ref)}
    return Output(
        data,
        f"asked {', '.join(request.reviewers)} to review version {request.version} of "
        f"{assessment.cycle} by {request.due.isoformat()}: {ref}",
    )


@command(group, "answer")
@click.argument("cycle")
@click.argument("review")
@click.option("--cell", required=True, help="The cell the finding is on.")
@click.option("--text", required=True, help="The answer.")
@as_option
def answer(cycle: str, review: str, cell: str, text: str, as_official: str | None) -> Output:
    """Answer a reviewer's finding (REVIEW: reviewer node id, review id or review ref)."""
    with open_node() as node:
        answered, ref = assessments.answer(node, cycle, review, cell, text, as_official=as_official)
        data = assessment_data(node, answered)
    return Output(data, f"answered {ref.origin}'s finding on {cell.strip().upper()}")


@command(group, "conclude")
@click.argument("cycle")
@click.option("--version", type=int, help="The sealed version (default: the latest).")
@as_option
def conclude(cycle: str, version: int | None, as_official: str | None) -> Output:
    """Conclude a version's review once every requested reviewer has signed off on it."""
    with open_node() as node:
        concluded, conclusion = assessments.conclude(
            node, cycle, version=version, as_official=as_official
        )
        data = assessment_data(node, concluded)
    return Output(
        data,
        f"concluded the review of version {conclusion.version} of {concluded.cycle} with "
        f"{len(conclusion.reviews)} signed-off review{'s' if len(conclusion.reviews) != 1 else ''}",
    )


@command(group, "publish")
@click.argument("cycle")
@click.option(
    "--audience",
    multiple=True,
    required=True,
    help="The wider audience: public, federation, group:CONVENOR/NAME or node ids (repeatable).",
)
@as_option
def publish(cycle: str, audience: tuple[str, ...], as_official: str | None) -> Output:
    """Publish the latest sealed version to a wider audience."""
    with open_node() as node:
        published, publication = assessments.publish(node, cycle, audience, as_official=as_official)
        data = assessment_data(node, published)
    return Output(
        data,
        f"published version {publication.version} of {published.cycle} to "
        f"{', '.join(publication.audience)}",
    )


@command(group, "withdraw")
@click.argument("cycle")
@click.option("--reason", required=True, help="Why the assessment is withdrawn.")
@as_option
def withdraw(cycle: str, reason: str, as_official: str | None) -> Output:
    """Withdraw the assessment; it takes nothing more."""
    with open_node() as node:
        withdrawn = assessments.withdraw(node, cycle, reason, as_official=as_official)
        data = assessment_data(node, withdrawn)
    return Output(data, f"withdrew assessment {withdrawn.cycle}")


@command(group, "show")
@click.argument("assessment")
@click.option("--version", type=int, help="A sealed version (default: the current draft).")
def show(assessment: str, version: int | None) -> Output:
    """Show an assessment ([ORIGIN/]CYCLE) as the 4 by 4 template matrix."""
    with open_node() as node:
        found = assessments.get(node, assessment)
        if version is not None:
            found.sealed_version(version)
        data = assessment_data(node, found, version)
        text = show_text(node, found, version)
    return Output(data, text)


@command(group, "list")
def list_() -> Output:
    """List the assessments this node holds, own and replicated."""
    with open_node() as node:
        found = assessments.held(node)
    rows = [
        {
            "id": a.id,
            "origin": a.origin,
            "cycle": a.cycle,
            "status": a.status,
            "sealed_versions": len(a.sealed),
            "draft_version": a.draft_version,
            "cells_drafted": len(a.draft.cells),
            "audience": list(a.audience),
        }
        for a in found
    ]
    lines = [
        f"{a.origin}/{a.cycle:12} {a.status:10} v{len(a.sealed)} sealed, "
        f"{len(a.draft.cells):2}/16 cells drafted  audience {', '.join(a.audience)}"
        for a in found
    ]
    return Output(rows, "\n".join(lines) or "no assessments yet")
