"""`xcnet consult …`: no-undercut consultations, signed by a `licensing` official."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from aggregates.consultation import Consultation, Outcome, Position
from aggregates.denial import choose
from cli.output import Output, as_option, command, open_node
from node import consultations, screening
from node.errors import BadInput
from node.service import Node

group = click.Group(
    "consult",
    help="No-undercut consultations, one record per side, signed by a licensing official.",
)


def consultation_data(node: Node, c: Consultation, now: datetime) -> dict[str, object]:
    position_ref = (
        str(node.ref(c.id, c.position_version)) if c.position_version is not None else None
    )
    return {
        "id": c.id,
        "ref": str(node.ref(c.id, c.version)),
        "origin": node.ref(c.id, c.version).origin,
        "side": c.side,
        "partner": c.partner,
        "denial": str(c.denial),
        "counterpart": str(c.counterpart) if c.counterpart else None,
        "application_summary": c.application_summary or None,
        "match_explanation": c.match_explanation or None,
        "due": c.due,
        "overdue": c.overdue(now),
        "status": c.status(now),
        "position": c.position,
        "position_ref": position_ref,
        "undercut_notified_at": c.undercut_notified_at,
        "outcome": c.outcome,
        "closed_at": c.closed_at,
        "audience": list(c.audience),
        "messages": [
            {
                "at": m.at,
                "author": m.author,
                "kind": m.kind,
                "text": m.text,
                "ref": str(m.ref) if m.ref else None,
            }
            for m in c.messages
        ],
    }


def _line(c: Consultation, now: datetime) -> str:
    due = f" due {c.due}" if c.due else ""
    return f"{str(c.id)[:8]}  {c.side:10} with {c.partner:6} {c.status(now):32}{due}  denial {c.denial.origin}/{str(c.denial.aggregate_id)[:8]}"


def _show_text(data: dict[str, object], c: Consultation, now: datetime) -> str:
    lines = [
        f"consultation {c.id} ({c.side} side, with {c.partner}): {c.status(now)}",
        f"  denial {c.denial}",
    ]
    if c.counterpart:
        lines.append(f"  counterpart {c.counterpart}")
    if c.due:
        lines.append(f"  due {c.due}")
    if c.match_explanation:
        lines.append(f"  match: {c.match_explanation}")
    lines.append(f"  audience: {', '.join(c.audience)}")
    for m in c.messages:
        ref = f" [{m.ref}]" if m.ref else ""
        lines.append(f"  {m.at.isoformat(timespec='seconds')} {m.kind:9} {m.author}: {m.text}{ref}")
    if data["position_ref"]:
        lines.append(f"  position ref {data['position_ref']}")
    lines.append(f"  ref {data['ref']}")
    return "\n".join(lines)


def _screening_result(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadInput(f"from_screening {path}: {error}", field="from_screening") from None


def _due(value: str | None) -> date:
    if value is None:
        raise BadInput("due is missing: give --due YYYY-MM-DD", field="due")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"due {value!r} is not a date YYYY-MM-DD", field="due") from None


def _answer(node: Node, c: Consultation, verb: str) -> Output:
    now = node.clock()
    data = consultation_data(node, c, now)
    return Output(data, f"{verb} {_line(c, now)}\n  ref {data['ref']}")


@command(group, "open")
@click.option(
    "--denial",
    help="Consulting side: the partner's denial, as a record ref "
    "(ORIGIN/UUID@VERSION#DIGEST). Denying side: your national reference.",
)
@click.option("--summary", help="Consulting side: the licence application in brief.")
@click.option("--explanation", help="Consulting side: why it matches the denial.")
@click.option("--due", help="Consulting side: answer needed by, YYYY-MM-DD.")
@click.option(
    "--reply-to",
    help="Denying side: the partner's consulting record, as a record ref; opens your reply.",
)
@click.option(
    "--from-screening",
    "from_screening",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Consulting side: a result of `xcnet screen --json`; consults on its first hit that "
    "requires a consultation (or --hit N), with the match explanation attached.",
)
@click.option("--hit", type=int, help="With --from-screening: the hit to consult on (1 = first).")
@click.option(
    "--audience", multiple=True, help="Who may see this record (default: the partner node)."
)
@as_option
def open_(
    denial: str | None,
    summary: str | None,
    explanation: str | None,
    due: str | None,
    reply_to: str | None,
    from_screening: Path | None,
    hit: int | None,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Output:
    """Open a consultation: with --denial to consult a partner, with --reply-to to answer one."""
    if from_screening is not None:
        if denial or explanation or reply_to:
            raise BadInput(
                "from_screening names the denial and the explanation: leave out --denial, "
                "--explanation and --reply-to",
                field="from_screening",
            )
        denial, explanation, found_summary = screening.consultation_from_result(
            _screening_result(from_screening), hit
        )
        summary = summary or found_summary
    elif hit is not None:
        raise BadInput("hit goes with --from-screening", field="hit")
    with open_node() as node:
        if reply_to:
            if summary or explanation or due:
                raise BadInput(
                    "reply_to opens the denying side: --summary, --explanation and --due "
                    "belong to the consulting side",
                    field="reply_to",
                )
            opened = consultations.open_reply(
                node,
                counterpart=reply_to,
                denial=denial,
                audience=audience,
                as_official=as_official,
            )
        else:
            if not denial:
                raise BadInput(
                    "denial is missing: give the partner's denial ref (or --reply-to to answer)",
                    field="denial",
                )
            opened = consultations.open_consultation(
                node,
                denial=denial,
                summary=summary or "",
                explanation=explanation or "",
                due=_due(due),
                audience=audience,
                as_official=as_official,
            )
        return _answer(node, opened, "opened")


@command(group, "reply")
@click.argument("consultation")
@click.option("--ask", help="Request information from the partner.")
@click.option("--answer", help="Provide information to the partner.")
@click.option("--responds-to", help="With --answer: the partner's record version it answers.")
@click.option("--position", help="Denying side: objection-maintained or no-objection.")
@click.option("--rationale", default="", help="With --position: why.")
@as_option
def reply(
    consultation: str,
    ask: str | None,
    answer: str | None,
    responds_to: str | None,
    position: str | None,
    rationale: str,
    as_official: str | None,
) -> Output:
    """Add to a consultation: ask (--ask), inform (--answer) or state a position (--position)."""
    chosen = [name for name, v in (("ask", ask), ("answer", answer), ("position", position)) if v]
    if len(chosen) != 1:
        raise BadInput(
            "reply takes exactly one of --ask, --answer or --position"
            + (f" (got {', '.join(chosen)})" if chosen else ""),
            field="reply",
        )
    with open_node() as node:
        if ask:
            changed = consultations.request_information(
                node, consultation, question=ask, as_official=as_official
            )
        elif answer:
            changed = consultations.provide_information(
                node, consultation, answer=answer, responds_to=responds_to, as_official=as_official
            )
        else:
            assert position is not None
            changed = consultations.state_position(
                node,
                consultation,
                position=choose(Position, position, field="position"),
                rationale=rationale,
                as_official=as_official,
            )
        return _answer(node, changed, "replied to")


@command(group, "close")
@click.argument("consultation")
@click.option("--outcome", required=True, help=f"One of {', '.join(Outcome)}.")
@click.option(
    "--consent",
    help="For granted-with-consent: the ref of the denier's record version stating no objection.",
)
@click.option(
    "--notify",
    multiple=True,
    help="For granted-over-objection when the denial is not held here: the denial's audience.",
)
@click.option("--note", default="", help="The licensing decision in brief.")
@as_option
def close(
    consultation: str,
    outcome: str,
    consent: str | None,
    notify: tuple[str, ...],
    note: str,
    as_official: str | None,
) -> Output:
    """Close the consulting side with the licensing outcome."""
    with open_node() as node:
        closed = consultations.close_consultation(
            node,
            consultation,
            outcome=choose(Outcome, outcome, field="outcome"),
            note=note,
            consent=consent,
            notify=notify,
            as_official=as_official,
        )
        return _answer(node, closed, "closed")


@command(group, "list")
def list_() -> Output:
    """List the consultations held here, both sides."""
    with open_node() as node:
        now = node.clock()
        held = consultations.list_consultations(node)
        data = [consultation_data(node, c, now) for c in held]
    return Output(data, "\n".join(_line(c, now) for c in held) or "no consultations")


@command(group, "show")
@click.argument("consultation")
def show(consultation: str) -> Output:
    """Show a consultation (its id or a unique prefix) with its messages and refs."""
    with open_node() as node:
        now = node.clock()
        found = consultations.find(node, consultation)
        data = consultation_data(node, found, now)
    return Output(data, _show_text(data, found, now))
