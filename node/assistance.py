"""Assistance requests and offers on a node: post, offer, accept, deliver, report outcomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from aggregates.assistance_offer import AssistanceOffer, offer_id
from aggregates.assistance_request import AssistanceRequest, Recommendation, request_id
from aggregates.base import FEDERATION, RecordRef
from aggregates.peer_review import PeerReview
from node.errors import BadInput, NotFound
from node.service import Node

Record = AssistanceRequest | AssistanceOffer
_R = TypeVar("_R", AssistanceRequest, AssistanceOffer)
REQUESTER, DONOR = "policy", "donor"


@dataclass(frozen=True, slots=True)
class Held:
    """A request or offer this node holds, with a reference to its latest version."""

    record: Record
    ref: RecordRef
    own: bool

    @property
    def kind(self) -> str:
        return "request" if isinstance(self.record, AssistanceRequest) else "offer"


def post_request(
    node: Node,
    *,
    reference: str | None,
    area: str,
    unscr1540: tuple[str, ...],
    cells: tuple[str, ...],
    modality: str,
    description: str,
    start: str,
    end: str,
    languages: tuple[str, ...],
    source: str | None,
    recommendation: str | None,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Held:
    """Post a request for assistance, signed by a policy official."""
    origin = node.config.node_id
    reference = _new_reference(node, reference, request_id)
    drafted_from, held_review = None, None
    if source is not None or recommendation is not None:
        if source is None:
            raise BadInput(
                "source is missing: --recommendation needs --source REVIEW_REF", field="source"
            )
        if recommendation is None:
            raise BadInput(
                "recommendation is missing: --source needs --recommendation NUMBER",
                field="recommendation",
            )
        drafted_from = Recommendation(
            resolve_ref(node, source, field="source"),
            _number(recommendation, field="recommendation"),
        )
        held_review = _held_review(node, drafted_from.review)
        issued = [
            r
            for r in (held_review.recommendations if held_review else ())
            if r.number == drafted_from.number
        ]
        if issued:
            cells = cells or (issued[0].cell,)
            description = description if description.strip() else issued[0].action
    request = AssistanceRequest.post(
        origin=origin,
        reference=reference,
        area=area,
        unscr1540=unscr1540,
        cells=cells,
        modality=modality,
        description=description,
        start=_date(start, field="start"),
        end=_date(end, field="end"),
        languages=languages,
        source=drafted_from,
        audience=node.audience(audience),
        author=node.author(REQUESTER, as_official),
        at=node.clock(),
        held_review=held_review,
    )
    node.save(request)
    return _held(node, request)


def make_offer(
    node: Node,
    *,
    reference: str | None,
    request: str | None,
    areas: tuple[str, ...],
    modalities: tuple[str, ...],
    regions: tuple[str, ...],
    languages: tuple[str, ...],
    description: str,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Held:
    """Offer help against a request (by its ref) or as standing capabilities, signed by a donor."""
    reference = _new_reference(node, reference, offer_id)
    answered = None if request is None else resolve_ref(node, request, field="request")
    held_request = None
    if answered is not None:
        found = _load(node, answered.aggregate_id)
        if isinstance(found, AssistanceOffer):
            raise BadInput(f"request {answered} is an offer, not a request", field="request")
        held_request = found
    if not audience:
        audience = (answered.origin,) if answered is not None else (FEDERATION,)
    offer = AssistanceOffer.make(
        origin=node.config.node_id,
        reference=reference,
        request=answered,
        areas=areas,
        modalities=modalities,
        regions=regions,
        languages=languages,
        description=description,
        audience=node.audience(audience),
        author=node.author(DONOR, as_official),
        at=node.clock(),
        held_request=held_request,
    )
    node.save(offer)
    return _held(node, offer)


def revise(
    node: Node,
    ident: str,
    *,
    areas: tuple[str, ...] = (),
    unscr1540: tuple[str, ...] = (),
    cells: tuple[str, ...] = (),
    modalities: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    description: str | None = None,
    start: str | None = None,
    end: str | None = None,
    as_official: str | None = None,
) -> Held:
    """Revise one of this node's requests or offers; options left out stay as they are."""
    record = find_own(node, ident, field="id").record
    if isinstance(record, AssistanceRequest):
        for name, values in (("area", areas), ("modality", modalities)):
            if len(values) > 1:
                raise BadInput(f"{name}: a request has one {name}, not several", field=name)
        if regions:
            raise BadInput("region: requests have no regions (offers do)", field="region")
        author = node.author(REQUESTER, as_official)
        new_area = areas[0] if areas else None
        new_modality = modalities[0] if modalities else None
        new_start = None if start is None else _date(start, field="start")
        new_end = None if end is None else _date(end, field="end")
        return _update(
            node,
            record.id,
            AssistanceRequest,
            lambda request: request.revise(
                area=new_area,
                unscr1540=unscr1540 or None,
                cells=cells or None,
                modality=new_modality,
                description=description,
                start=new_start,
                end=new_end,
                languages=languages or None,
                author=author,
                at=node.clock(),
            ),
        )
    for name, given in (
        ("unscr1540", unscr1540),
        ("cell", cells),
        ("start", start),
        ("end", end),
    ):
        if given:
            raise BadInput(f"{name}: offers have no {name} (requests do)", field=name)
    author = node.author(DONOR, as_official)
    return _update(
        node,
        record.id,
        AssistanceOffer,
        lambda offer: offer.revise(
            areas=areas or None,
            modalities=modalities or None,
            regions=regions or None,
            languages=languages or None,
            description=description,
            author=author,
            at=node.clock(),
        ),
    )


def accept_offer(node: Node, ident: str, *, offer: str, as_official: str | None) -> Held:
    """Accept a donor's offer (by its ref) for one of this node's requests."""
    request = find_own(node, ident, field="request", kind=AssistanceRequest).record
    accepted = resolve_ref(node, offer, field="offer")
    held_offer = _load(node, accepted.aggregate_id)
    if held_offer is not None and not isinstance(held_offer, AssistanceOffer):
        raise BadInput(f"offer {accepted} is a request, not an offer", field="offer")
    author = node.author(REQUESTER, as_official)
    return _update(
        node,
        request.id,
        AssistanceRequest,
        lambda r: r.accept(offer=accepted, author=author, at=node.clock(), held_offer=held_offer),
    )


def report_delivery(
    node: Node,
    ident: str,
    *,
    delivered_on: str | None,
    summary: str,
    request: str | None = None,
    report: str | None = None,
    as_official: str | None = None,
) -> Held:
    """Report delivery: the donor on its offer, or the requester on its request."""
    record = find_own(node, ident, field="id").record
    at = node.clock()
    when = at.date() if delivered_on is None else _date(delivered_on, field="date")
    if isinstance(record, AssistanceRequest):
        if request is not None:
            raise BadInput("request: --request is for a donor's offer", field="request")
        cited = None if report is None else resolve_ref(node, report, field="report")
        author = node.author(REQUESTER, as_official)
        return _update(
            node,
            record.id,
            AssistanceRequest,
            lambda r: r.record_delivery(
                delivered_on=when, summary=summary, report=cited, author=author, at=at
            ),
        )
    if report is not None:
        raise BadInput("report: --report is for the requester's side", field="report")
    delivered_to = None if request is None else resolve_ref(node, request, field="request")
    target = delivered_to or record.request
    held_request = None if target is None else _load(node, target.aggregate_id)
    author = node.author(DONOR, as_official)
    return _update(
        node,
        record.id,
        AssistanceOffer,
        lambda o: o.report_delivery(
            request=delivered_to,
            delivered_on=when,
            summary=summary,
            author=author,
            at=at,
            held_request=held_request if isinstance(held_request, AssistanceRequest) else None,
        ),
    )


def report_outcome(
    node: Node,
    ident: str,
    *,
    cell: str,
    before: str,
    after: str,
    note: str,
    as_official: str | None,
) -> Held:
    """Report a cell's self-rating before and after delivered assistance."""
    request = find_own(node, ident, field="request", kind=AssistanceRequest).record
    author = node.author(REQUESTER, as_official)
    return _update(
        node,
        request.id,
        AssistanceRequest,
        lambda r: r.report_outcome(
            cell=cell, before=before, after=after, note=note, author=author, at=node.clock()
        ),
    )


def withdraw(node: Node, ident: str, *, reason: str, as_official: str | None) -> Held:
    """Withdraw one of this node's requests or offers."""
    record = find_own(node, ident, field="id").record
    at = node.clock()
    if isinstance(record, AssistanceRequest):
        author = node.author(REQUESTER, as_official)
        return _update(
            node,
            record.id,
            AssistanceRequest,
            lambda r: r.withdraw(reason=reason, author=author, at=at),
        )
    author = node.author(DONOR, as_official)
    return _update(
        node, record.id, AssistanceOffer, lambda o: o.withdraw(reason=reason, author=author, at=at)
    )


def held(node: Node) -> list[Held]:
    """Every request, then every offer, this node holds (own and replicated), in log order."""
    requests = node.record_ids(AssistanceRequest.Posted.TOPIC)
    offers = node.record_ids(AssistanceOffer.Made.TOPIC)
    return [_held(node, node.get(i, AssistanceRequest)) for i in requests] + [
        _held(node, node.get(i, AssistanceOffer)) for i in offers
    ]


def find(node: Node, ident: str, *, field: str = "id", kind: type[Record] | None = None) -> Held:
    """The held request or offer named by a ref, a UUID, `origin/reference` or own reference."""
    matches = {}
    for aggregate_id in _candidates(node, ident, field):
        record = _load(node, aggregate_id)
        if record is not None and (kind is None or isinstance(record, kind)):
            matches[record.id] = record
    what = "request" if kind is AssistanceRequest else "offer" if kind else "request or offer"
    if not matches:
        raise NotFound(f"{field}: no {what} {ident!r} is held here", field=field)
    if len(matches) > 1:
        raise BadInput(
            f"{field}: {ident!r} names both a request and an offer: give its UUID", field=field
        )
    (record,) = matches.values()
    return _held(node, record)


def find_own(
    node: Node, ident: str, *, field: str = "id", kind: type[Record] | None = None
) -> Held:
    """Like `find`, for a record this node wrote (only its origin may change a record)."""
    found = find(node, ident, field=field, kind=kind)
    if not found.own:
        raise BadInput(
            f"{field}: {found.kind} {found.record.reference} was written by {found.ref.origin}; "
            "only its origin can change it",
            field=field,
        )
    return found


def resolve_ref(node: Node, text: str, *, field: str) -> RecordRef:
    """A reference given as text: a full ref (checked against our copy if held) or a held record."""
    if "#" in text:
        ref = RecordRef.parse(text, field=field)
        try:
            ours = node.ref(ref.aggregate_id, ref.version)
        except NotFound:
            return ref
        if ours != ref:
            raise BadInput(
                f"{field} {text} does not match the record held here ({ours})", field=field
            )
        return ref
    ids = [i for i in _candidates(node, text, field) if _stored(node, i)]
    if len(ids) != 1:
        raise NotFound(
            f"{field}: {text!r} names {'no' if not ids else 'more than one'} record held here; "
            "give the full ref ORIGIN/UUID@VERSION#DIGEST",
            field=field,
        )
    return node.ref(ids[0])


def _candidates(node: Node, ident: str, field: str) -> list[UUID]:
    text = ident.strip()
    if "#" in text:
        return [RecordRef.parse(text, field=field).aggregate_id]
    origin, _, rest = text.rpartition("/")
    try:
        return [UUID(rest)]
    except ValueError:
        pass
    origin = origin or node.config.node_id
    return [request_id(origin, rest), offer_id(origin, rest)]


def _held_review(node: Node, ref: RecordRef) -> PeerReview | None:
    try:
        review: object = node.app.repository.get(ref.aggregate_id)
    except AggregateNotFoundError:
        return None
    if not isinstance(review, PeerReview):
        raise BadInput(f"source {ref} is not a peer review", field="source")
    return review


def _stored(node: Node, aggregate_id: UUID) -> bool:
    return bool(node.app.process_recorder.select_events(aggregate_id, limit=1))


def _load(node: Node, aggregate_id: UUID) -> Record | None:
    try:
        record: object = node.app.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
    return record if isinstance(record, AssistanceRequest | AssistanceOffer) else None


def _held(node: Node, record: Record) -> Held:
    ref = node.ref(record.id)
    return Held(record, ref, ref.origin == node.config.node_id)


def _update(node: Node, aggregate_id: UUID, kind: type[_R], action: Callable[[_R], object]) -> Held:
    return _held(node, node.update(aggregate_id, kind, action))


def _new_reference(node: Node, given: str | None, make_id: Callable[[str, str], UUID]) -> str:
    if given is None:
        return uuid4().hex[:10]
    if _stored(node, make_id(node.config.node_id, given)):
        raise BadInput(f"ref {given!r} is already used on this node: choose another", field="ref")
    return given


def _date(text: str, *, field: str) -> date:
    if not text.strip():
        raise BadInput(f"{field} is missing: give a date as YYYY-MM-DD", field=field)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            f"{field} {text!r} is not a date: expected YYYY-MM-DD", field=field
        ) from None


def _number(text: str, *, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise BadInput(f"{field} {text!r} is not a whole number", field=field) from None
