"""No-undercut consultations: this node's side of each, signed by a licensing official.

The partner's records arrive by replication. Until a referenced record is held here, the refs
given are checked for form and origin only; once held, their digest and content are checked too.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from aggregates.base import RecordRef, parse_audience
from aggregates.consultation import Consultation, Outcome, Position, Side, reply_id, widen
from aggregates.denial import Denial, denial_id
from node.errors import BadInput, NotFound
from node.service import Node

ROLE = "licensing"
_A = TypeVar("_A", bound=Aggregate)


def open_consultation(
    node: Node,
    *,
    denial: str,
    summary: str,
    explanation: str,
    due: date,
    audience: tuple[str, ...] = (),
    as_official: str | None = None,
) -> Consultation:
    """Open the consulting side against a partner's denial (given as a record ref)."""
    denial_ref = RecordRef.parse(denial, field="denial")
    author = node.author(ROLE, as_official)
    at = node.clock()
    held_denial = held_version(node, denial_ref, Denial, field="denial")
    if held_denial is not None and not node.get(denial_ref.aggregate_id, Denial).in_force(at):
        raise BadInput(
            f"denial {denial_ref} is no longer in force: no consultation is needed",
            field="denial",
        )
    consultation = Consultation.open(
        id=uuid4(),
        node_id=node.config.node_id,
        denial=denial_ref,
        application_summary=summary,
        match_explanation=explanation,
        due=due,
        audience=node.audience(audience or (denial_ref.origin,)),
        author=author,
        at=at,
    )
    node.save(consultation)
    return consultation


def open_reply(
    node: Node,
    *,
    counterpart: str,
    denial: str | None = None,
    audience: tuple[str, ...] = (),
    as_official: str | None = None,
) -> Consultation:
    """Open the denying side, answering a partner's consulting record (given as a record ref).

    `denial` is this node's national reference (or a record ref); it may be left out when the
    partner's record is held here, since that record names it.
    """
    counterpart_ref = RecordRef.parse(counterpart, field="counterpart")
    author = node.author(ROLE, as_official)
    own = node.config.node_id
    record = held_version(node, counterpart_ref, Consultation, field="counterpart")
    if denial:
        denial_ref = _own_denial_ref(node, denial)
    elif record is not None:
        denial_ref = record.denial
    else:
        raise BadInput(
            "denial is missing: name the national reference of the denial consulted about",
            field="denial",
        )
    if node.app.process_recorder.select_events(reply_id(own, counterpart_ref), limit=1):
        raise BadInput(
            f"counterpart {counterpart_ref} is already answered by record "
            f"{reply_id(own, counterpart_ref)}",
            field="counterpart",
        )
    reply = Consultation.open_reply(
        node_id=own,
        counterpart=counterpart_ref,
        denial=denial_ref,
        audience=node.audience(audience or (counterpart_ref.origin,)),
        author=author,
        at=node.clock(),
        counterpart_record=record,
    )
    node.save(reply)
    return reply


def request_information(
    node: Node, ident: str, *, question: str, as_official: str | None = None
) -> Consultation:
    author = node.author(ROLE, as_official)
    return node.update(
        find(node, ident).id,
        Consultation,
        lambda c: c.request_information(question=question, author=author, at=node.clock()),
    )


def provide_information(
    node: Node,
    ident: str,
    *,
    answer: str,
    responds_to: str | None = None,
    as_official: str | None = None,
) -> Consultation:
    ref = RecordRef.parse(responds_to, field="responds_to") if responds_to else None
    author = node.author(ROLE, as_official)
    if ref is not None:
        held_version(node, ref, Consultation, field="responds_to")
    return node.update(
        find(node, ident).id,
        Consultation,
        lambda c: c.provide_information(
            answer=answer, responds_to=ref, author=author, at=node.clock()
        ),
    )


def state_position(
    node: Node,
    ident: str,
    *,
    position: Position,
    rationale: str,
    as_official: str | None = None,
) -> Consultation:
    author = node.author(ROLE, as_official)
    return node.update(
        find(node, ident).id,
        Consultation,
        lambda c: c.state_position(
            position=position, rationale=rationale, author=author, at=node.clock()
        ),
    )


def close_consultation(
    node: Node,
    ident: str,
    *,
    outcome: Outcome,
    note: str = "",
    consent: str | None = None,
    notify: tuple[str, ...] = (),
    as_official: str | None = None,
) -> Consultation:
    """Close the consulting side. Granting over an objection first notifies the undercut to the
    denial's audience (taken from the denial when held here, else from `notify`)."""
    consent_ref = RecordRef.parse(consent, field="consent") if consent else None
    author = node.author(ROLE, as_official)
    current = find(node, ident)
    consent_record = (
        held_version(node, consent_ref, Consultation, field="consent") if consent_ref else None
    )
    undercut: tuple[str, ...] = ()
    if outcome is Outcome.GRANTED_OVER_OBJECTION and current.undercut_notified_at is None:
        undercut = _undercut_audience(node, current, notify)

    def act(c: Consultation) -> None:
        at = node.clock()
        if undercut:
            c.notify_undercut(
                denial_audience=undercut,
                note=note or "licence granted over the denial",
                author=author,
                at=at,
            )
        c.close(
            outcome=outcome,
            note=note,
            consent=consent_ref,
            consent_record=consent_record,
            author=author,
            at=at,
        )

    return node.update(current.id, Consultation, act)


def find(node: Node, ident: str) -> Consultation:
    """A held consultation by its id or a unique prefix of it."""
    text = ident.strip().lower()
    matches = [i for i in node.record_ids(Consultation.Opened.TOPIC) if str(i).startswith(text)]
    if len(matches) != 1 or not text:
        raise NotFound(
            f"consultation {ident!r} "
            + ("is ambiguous: give more of its id" if len(matches) > 1 else "is not held here"),
            field="consultation",
        )
    return node.get(matches[0], Consultation)


def list_consultations(node: Node) -> list[Consultation]:
    """Every consultation record held (both sides, own and partners'), in log order."""
    return [node.get(i, Consultation) for i in node.record_ids(Consultation.Opened.TOPIC)]


def held_version(node: Node, ref: RecordRef, kind: type[_A], *, field: str) -> _A | None:
    """The record `ref` names as of its version when held here (None when not yet held);
    refused when the held record's digest or origin differs from the ref's."""
    try:
        held_ref = node.ref(ref.aggregate_id, ref.version)
    except NotFound:
        return None
    if held_ref != ref:
        raise BadInput(
            f"{field} {ref} does not match the record held here ({held_ref})", field=field
        )
    aggregate: Aggregate = node.app.repository.get(ref.aggregate_id, version=ref.version)
    if not isinstance(aggregate, kind):
        raise BadInput(f"{field} {ref} is not a {kind.__name__.lower()} record", field=field)
    return aggregate


def _own_denial_ref(node: Node, denial: str) -> RecordRef:
    if "@" in denial:
        return RecordRef.parse(denial, field="denial")
    aggregate_id: UUID = denial_id(node.config.node_id, denial.strip())
    try:
        node.get(aggregate_id, Denial)
    except NotFound:
        raise NotFound(
            f"denial {denial!r}: this node has issued no denial with that national reference",
            field="denial",
        ) from None
    return node.ref(aggregate_id)


def _undercut_audience(
    node: Node, consultation: Consultation, notify: tuple[str, ...]
) -> tuple[str, ...]:
    if consultation.side is not Side.CONSULTING:
        return ()
    extra = parse_audience(notify, field="notify") if notify else ()
    try:
        audience = node.get(consultation.denial.aggregate_id, Denial).audience
    except NotFound:
        audience = ()
    if not audience and not extra:
        raise BadInput(
            f"the denial {consultation.denial} is not held here, so its audience is unknown: "
            "give it with --notify (as the denial's record shows it)",
            field="notify",
        )
    return widen(audience, extra) if audience else extra
