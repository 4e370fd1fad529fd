"""`xcnet review …`: this node's peer reviews of other members' sealed assessments."""

from __future__ import annotations

import re
import textwrap
from typing import Any

import click

from aggregates.peer_review import PeerReview
from aggregates.template import CELLS
from cli.assessment import parse_date
from cli.output import Output, as_option, command, open_node
from node import review_board, reviews
from node.errors import BadInput
from node.service import Node

group = click.Group(
    "review", help="Peer reviews of sealed assessment versions: rate, recommend, sign off."
)

HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def review_data(node: Node, review: PeerReview) -> dict[str, object]:
    """Everything `review show --json` prints about a review."""
    return {
        "id": review.id,
        "origin": review.origin,
        "ref": str(node.ref(review.id)),
        "assessment": str(review.assessment),
        "sealed_version": review.sealed_version,
        "version_digest": review.version_digest,
        "audience": list(review.audience),
        "status": "signed off" if review.signed_off else "open",
        "interests": [{"statement": s, "author": a, "at": t} for s, a, t in review.interests],
        "comments": [
            {"cell": c.cell, "text": c.text, "author": c.author, "at": c.at}
            for c in review.comments
        ],
        "ratings": {
            cell: {"rating": r.rating, "rationale": r.rationale, "author": r.author, "at": r.at}
            for cell, r in sorted(review.ratings.items(), key=lambda item: CELLS.index(item[0]))
        },
        "recommendations": [
            {
                "number": r.number,
                "cell": r.cell,
                "priority": r.priority,
                "action": r.action,
                "due": r.due,
                "author": r.author,
                "at": r.at,
            }
            for r in review.recommendations
        ],
        "dissents": [
            {"cell": d.cell, "text": d.text, "by": d.by, "author": d.author, "at": d.at}
            for d in review.dissents
        ],
        "signed_off": (
            {"digest": review.digest, "by": review.signed_off_by, "at": review.signed_off_at}
            if review.signed_off
            else None
        ),
    }


def show_text(review: PeerReview) -> str:
    a = review.assessment
    lines = [
        f"review {review.id} by {review.origin} · "
        + ("signed off" if review.signed_off else "open")
        + f" · audience {', '.join(review.audience)}",
        f"of {a.origin}'s assessment {a.aggregate_id} sealed version {review.sealed_version} "
        f"(record v{a.version}, version digest {review.version_digest.hex()[:16]})",
    ]
    lines += [f"interest: {statement}" for statement, _, _ in review.interests]
    if review.ratings:
        lines.append("proposed ratings:")
        for cell in CELLS:
            rating = review.ratings.get(cell)
            if rating:
                lines.append(
                    f"  {cell:9} {rating.rating:12} {textwrap.shorten(rating.rationale, 90)}"
                )
    if review.comments:
        lines.append("comments:")
        lines += [f"  {c.cell:9} {textwrap.shorten(c.text, 100)}" for c in review.comments]
    if review.recommendations:
        lines.append("recommendations:")
        lines += [
            f"  R{r.number:<3} {r.cell:9} {r.priority:6} due {r.due.isoformat()}  "
            f"{textwrap.shorten(r.action, 80)}"
            for r in review.recommendations
        ]
    if review.dissents:
        lines.append("dissents:")
        lines += [f"  {d.cell:9} {d.by}: {textwrap.shorten(d.text, 90)}" for d in review.dissents]
    if review.signed_off:
        lines.append(f"signed off {review.signed_off_at:%Y-%m-%d} digest {review.digest.hex()}")
    return "\n".join(lines)


def _digest(value: str | None) -> bytes | None:
    if value is None:
        return None
    if not HEX64.match(value.strip()):
        raise BadInput(
            f"version_digest {value!r} is not a SHA-256 digest in hex (64 characters)",
            field="version_digest",
        )
    return bytes.fromhex(value.strip())


@command(group, "open")
@click.argument("assessment")
@click.option(
    "--version", type=int, help="With [ORIGIN/]CYCLE: the sealed version (default: latest)."
)
@click.option(
    "--sealed-version", type=int, help="For an assessment not held here: its version number."
)
@click.option("--version-digest", help="For an assessment not held here: its version digest (hex).")
@click.option(
    "--audience",
    multiple=True,
    help="Who may receive the review (repeatable; default: this node and the assessed member).",
)
@click.option("--interest", help="A conflict-of-interest declaration (or that there is none).")
@as_option
def open_(
    assessment: str,
    version: int | None,
    sealed_version: int | None,
    version_digest: str | None,
    audience: tuple[str, ...],
    interest: str | None,
    as_official: str | None,
) -> Output:
    """Open a review of a sealed version: ASSESSMENT is its ref, or [ORIGIN/]CYCLE when held here."""
    with open_node() as node:
        opened = reviews.open_review(
            node,
            assessment,
            version=version,
            sealed_version=sealed_version,
            version_digest=_digest(version_digest),
            audience=audience,
            interest=interest,
            as_official=as_official,
        )
        data = review_data(node, opened)
    return Output(
        data,
        f"opened review {opened.id} of {opened.assessment.origin}'s sealed version "
        f"{opened.sealed_version}",
    )


@command(group, "declare")
@click.argument("review")
@click.argument("statement")
@as_option
def declare(review: str, statement: str, as_official: str | None) -> Output:
    """Declare a conflict of interest (or that there is none)."""
    with open_node() as node:
        done = reviews.declare(node, review, statement, as_official=as_official)
        data = review_data(node, done)
    return Output(data, f"declared on review {done.id}")


@command(group, "comment")
@click.argument("review")
@click.argument("cell")
@click.argument("text")
@as_option
def comment(review: str, cell: str, text: str, as_official: str | None) -> Output:
    """Comment on a cell of the reviewed version (REVIEW: its id or a unique prefix)."""
    with open_node() as node:
        done = reviews.comment(node, review, cell, text, as_official=as_official)
        data = review_data(node, done)
    return Output(data, f"commented on {done.comments[-1].cell}")


@command(group, "rate")
@click.argument("review")
@click.argument("cell")
@click.argument("rating")
@click.option("--rationale", required=True, help="Why the cell deserves this rating.")
@as_option
def rate(review: str, cell: str, rating: str, rationale: str, as_official: str | None) -> Output:
    """Propose a rating: C, LC, PC, NC, NA for LAW/INST; HIGH … LOW for PROC/IMPL."""
    with open_node() as node:
        done = reviews.rate(node, review, cell, rating, rationale, as_official=as_official)
        data = review_data(node, done)
    name = cell.strip().upper()
    return Output(data, f"proposed {done.ratings[name].rating} for {name}")


@command(group, "recommend")
@click.argument("review")
@click.argument("cell")
@click.option("--priority", required=True, help="high, medium or low.")
@click.option("--action", required=True, help="What the assessed member should do.")
@click.option("--due", required=True, help="By when, YYYY-MM-DD.")
@as_option
def recommend(
    review: str, cell: str, priority: str, action: str, due: str, as_official: str | None
) -> Output:
    """Issue a numbered recommendation on a cell."""
    when = parse_date(due, "due")
    with open_node() as node:
        done, made = reviews.recommend(
            node, review, cell, priority=priority, action=action, due=when, as_official=as_official
        )
        data = review_data(node, done) | {"recommendation": made.number}
    return Output(data, f"issued recommendation R{made.number} on {made.cell} ({made.priority})")


@command(group, "dissent")
@click.argument("review")
@click.option("--cell", default="general", show_default=True, help="A cell, or general.")
@click.option("--text", required=True, help="The dissenting view.")
@click.option("--by", required=True, help="The reviewer who dissents.")
@as_option
def dissent(review: str, cell: str, text: str, by: str, as_official: str | None) -> Output:
    """Record a reviewer's dissent on a cell or on the review in general."""
    with open_node() as node:
        done = reviews.dissent(node, review, cell, text, by, as_official=as_official)
        data = review_data(node, done)
    return Output(data, f"recorded {done.dissents[-1].by}'s dissent on {done.dissents[-1].cell}")


@command(group, "sign-off")
@click.argument("review")
@as_option
def sign_off(review: str, as_official: str | None) -> Output:
    """Sign the review off with the digest of its content; it takes nothing more."""
    with open_node() as node:
        done = reviews.sign_off(node, review, as_official=as_official)
        data = review_data(node, done)
    return Output(data, f"signed off review {done.id}: digest {done.digest.hex()}")


@command(group, "show")
@click.argument("review")
def show(review: str) -> Output:
    """Show a review (its id or a unique prefix)."""
    with open_node() as node:
        found = reviews.find(node, review)
        data = review_data(node, found)
    return Output(data, show_text(found))


@command(group, "list")
def list_() -> Output:
    """List the reviews this node holds, own and replicated."""
    with open_node() as node:
        found = reviews.held(node)
        rows = [
            {
                "id": r.id,
                "origin": r.origin,
                "assessment": str(r.assessment),
                "sealed_version": r.sealed_version,
                "status": "signed off" if r.signed_off else "open",
                "ratings": len(r.ratings),
                "recommendations": len(r.recommendations),
            }
            for r in found
        ]
    lines = [
        f"{r.id}  {r.origin:6} of {r.assessment.origin} v{r.sealed_version}  "
        f"{'signed off' if r.signed_off else 'open':10} {len(r.ratings):2} ratings "
        f"{len(r.recommendations):2} recommendations"
        for r in found
    ]
    return Output(rows, "\n".join(lines) or "no reviews yet")


@command(group, "status")
@click.option("--assessment", help="One assessment held here: ref, UUID, ORIGIN/CYCLE or CYCLE.")
@click.option("--member", help="Only this member's assessments (its node id).")
def status(assessment: str | None, member: str | None) -> Output:
    """Where each assessment held stands in peer review: versions, reviewers, sign-offs,
    open and overdue recommendations (on this node's clock), and the ratings matrix."""
    with open_node() as node:
        board = review_board.status(node, assessment=assessment, member=member)
    blocks = [_status_text(a) for a in board["assessments"]]
    return Output(board, "\n\n".join(blocks) or "no assessments held here")


def _status_text(a: dict[str, Any]) -> str:
    lines = [f"{a['member']}/{a['cycle']} · {a['status']} · audience {', '.join(a['audience'])}"]
    for v in a["versions"]:
        concluded = f" · concluded {v['concluded_at'][:10]}" if v["concluded_at"] else ""
        lines.append(
            f"  v{v['version']} sealed {v['sealed_at'][:10]} · digest {v['digest'][:12]}…{concluded}"
        )
        for r in v["reviewers"]:
            review = next((x for x in a["reviews"] if x["id"] == r["review"]), None)
            lines.append(f"    {r['reviewer']:8} {_progress(review, r['status'])}"
                         f"  due {r['due']}{'  OVERDUE' if r['overdue'] else ''}")  # fmt: skip
        for review in a["reviews"]:
            if review["version"] == v["version"] and not review["requested"]:
                lines.append(f"    {review['reviewer']:8} {_progress(review, review['status'])}"
                             "  (not asked)")  # fmt: skip
    summary = a["summary"]
    lines.append(
        f"  recommendations: {summary['open_recommendations']} open "
        f"({summary['overdue_recommendations']} overdue), "
        f"{summary['addressed_recommendations']} addressed"
    )
    for r in a["recommendations"]:
        if r["status"] == "addressed":
            continue
        late = f"OVERDUE {r['days_overdue']}d" if r["status"] == "overdue" else "open"
        lines.append(
            f"    {late:12} {r['reviewer']} R{r['number']:<3} {r['cell']:9} {r['priority']:6} "
            f"due {r['due']}  {textwrap.shorten(r['action'], 60)}"
        )
    for v in a["versions"]:
        if v["matrix"]:
            lines += _matrix_text(v)
    return "\n".join(lines)


def _progress(review: dict[str, Any] | None, state: str) -> str:
    if review is None:
        return f"{state:42}"
    signed = review["signed_off"]
    if signed is None:
        return f"{state + ' (review ' + review['id'][:8] + ')':42}"
    who = signed["name"] or signed["by"]
    return f"{'signed off ' + signed['at'][:10] + ' by ' + who:42}"


def _matrix_text(v: dict[str, Any]) -> list[str]:
    raters = sorted({r for entry in v["matrix"] for r in entry["reviewers"]})
    header = f"  ratings v{v['version']}  {'own':12}" + "".join(f"{r:13}" for r in raters)
    lines = [header.rstrip()]
    for entry in v["matrix"]:
        cells = "".join(
            f"{(entry['reviewers'].get(r) or '-') + (' *' if r in entry['differs'] else ''):13}"
            for r in raters
        )
        lines.append(f"    {entry['cell']:9} {entry['own'] or '-':12}{cells}".rstrip())
    if any(entry["differs"] for entry in v["matrix"]):
        lines.append("    (* differs from the member's own rating)")
    return lines
