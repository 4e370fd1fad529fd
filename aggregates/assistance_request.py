"""A member's request for assistance, posted to find donors; written by the requesting node."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.assistance import (
    AREAS,
    MODALITIES,
    UNSCR1540,
    Timeframe,
    check_cells,
    check_choice,
    check_choices,
    check_languages,
    check_reference,
    check_text,
    check_timeframe,
)
from aggregates.base import (
    FEDERATION,
    PUBLIC,
    InvalidField,
    RecordRef,
    RuleViolated,
    parse_audience,
    record_id,
)
from aggregates.template import check_cell, check_rating

if TYPE_CHECKING:
    from aggregates.assistance_offer import AssistanceOffer
    from aggregates.peer_review import PeerReview

KIND = "assistance-request"
OPEN, ACCEPTED, DELIVERED, WITHDRAWN = "open", "accepted", "delivered", "withdrawn"


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The peer-review recommendation a request was drafted from."""

    review: RecordRef
    number: int


@dataclass(frozen=True, slots=True)
class Delivery:
    """The requesting member's record that the accepted assistance was delivered."""

    delivered_on: date
    summary: str
    report: RecordRef | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """A cell's self-rating before and after the assistance."""

    cell: str
    before: str
    after: str
    note: str
    reported_at: datetime


def request_id(origin: str, reference: str) -> UUID:
    """The id of the request that `origin` calls `reference`."""
    return record_id(origin, KIND, reference)


class AssistanceRequest(Aggregate):
    """What a member asks for help with, tied to template cells, and what became of it."""

    TOPIC = "xcnet.assistance-request/1"

    class Event(Aggregate.Event):
        author: str

    class Posted(Aggregate.Created, Event):
        TOPIC = "xcnet.assistance-request.Posted/1"
        reference: str
        area: str
        unscr1540: tuple[str, ...]
        cells: tuple[str, ...]
        modality: str
        description: str
        timeframe: Timeframe
        languages: tuple[str, ...]
        source: Recommendation | None
        audience: tuple[str, ...]

        def apply(self, aggregate: AssistanceRequest) -> None:
            aggregate.reference = self.reference
            aggregate.area = self.area
            aggregate.unscr1540 = self.unscr1540
            aggregate.cells = self.cells
            aggregate.modality = self.modality
            aggregate.description = self.description
            aggregate.timeframe = self.timeframe
            aggregate.languages = self.languages
            aggregate.source = self.source
            aggregate.audience = self.audience
            aggregate.posted_at = self.timestamp

    Created = Posted

    class Revised(Event):
        TOPIC = "xcnet.assistance-request.Revised/1"
        area: str | None
        unscr1540: tuple[str, ...] | None
        cells: tuple[str, ...] | None
        modality: str | None
        description: str | None
        timeframe: Timeframe | None
        languages: tuple[str, ...] | None

        def apply(self, aggregate: AssistanceRequest) -> None:
            aggregate.area = self.area or aggregate.area
            aggregate.unscr1540 = aggregate.unscr1540 if self.unscr1540 is None else self.unscr1540
            aggregate.cells = self.cells or aggregate.cells
            aggregate.modality = self.modality or aggregate.modality
            aggregate.description = self.description or aggregate.description
            aggregate.timeframe = self.timeframe or aggregate.timeframe
            aggregate.languages = self.languages or aggregate.languages

    class OfferAccepted(Event):
        TOPIC = "xcnet.assistance-request.OfferAccepted/1"
        offer: RecordRef
        audience: tuple[str, ...]

        def apply(self, aggregate: AssistanceRequest) -> None:
            aggregate.accepted_offer = self.offer
            aggregate.audience = self.audience

    class Delivered(Event):
        TOPIC = "xcnet.assistance-request.Delivered/1"
        delivered_on: date
        summary: str
        report: RecordRef | None

        def apply(self, aggregate: AssistanceRequest) -> None:
            aggregate.delivery = Delivery(
                self.delivered_on, self.summary, self.report, self.timestamp
            )

    class OutcomeReported(Event):
        TOPIC = "xcnet.assistance-request.OutcomeReported/1"
        cell: str
        before: str
        after: str
        note: str

        def apply(self, aggregate: AssistanceRequest) -> None:
            aggregate.outcomes[self.cell] = Outcome(
                self.cell, self.before, self.after, self.note, self.timestamp
            )

    class Withdrawn(Event):
        TOPIC = "xcnet.assistance-request.Withdrawn/1"
        reason: str

        def apply(self, aggregate: AssistanceRequest) -> None:
            aggregate.withdrawn_reason = self.reason
            aggregate.withdrawn_at = self.timestamp

    def __init__(self) -> None:
        self.reference = ""
        self.area = ""
        self.unscr1540: tuple[str, ...] = ()
        self.cells: tuple[str, ...] = ()
        self.modality = ""
        self.description = ""
        self.timeframe = Timeframe(date.min, date.max)
        self.languages: tuple[str, ...] = ()
        self.source: Recommendation | None = None
        self.audience: tuple[str, ...] = ()
        self.posted_at = datetime.min
        self.accepted_offer: RecordRef | None = None
        self.delivery: Delivery | None = None
        self.outcomes: dict[str, Outcome] = {}
        self.withdrawn_reason = ""
        self.withdrawn_at: datetime | None = None

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return WITHDRAWN
        if self.delivery is not None:
            return DELIVERED
        if self.accepted_offer is not None:
            return ACCEPTED
        return OPEN

    @classmethod
    def post(
        cls,
        *,
        origin: str,
        reference: str,
        area: str,
        unscr1540: tuple[str, ...],
        cells: tuple[str, ...],
        modality: str,
        description: str,
        start: date,
        end: date,
        languages: tuple[str, ...],
        source: Recommendation | None,
        audience: tuple[str, ...],
        author: str,
        at: datetime,
        held_review: PeerReview | None = None,
    ) -> AssistanceRequest:
        """Post a request for assistance so that donors can offer help (`held_review`: our copy)."""
        check_reference(reference)
        if source is not None:
            _check_source(source, origin, held_review)
        return cls._create(
            cls.Posted,
            id=request_id(origin, reference),
            reference=reference,
            area=check_choice(area, AREAS, field="area"),
            unscr1540=check_choices(unscr1540, UNSCR1540, field="unscr1540", required=False),
            cells=check_cells(cells),
            modality=check_choice(modality, MODALITIES, field="modality"),
            description=check_text(
                description, field="description", what="say what help is needed"
            ),
            timeframe=check_timeframe(start, end),
            languages=check_languages(languages),
            source=source,
            audience=parse_audience(audience),
            author=author,
            timestamp=at,
        )

    def revise(
        self,
        *,
        area: str | None = None,
        unscr1540: tuple[str, ...] | None = None,
        cells: tuple[str, ...] | None = None,
        modality: str | None = None,
        description: str | None = None,
        start: date | None = None,
        end: date | None = None,
        languages: tuple[str, ...] | None = None,
        author: str,
        at: datetime,
    ) -> None:
        """Change what is asked for, while no offer has been accepted."""
        self._check_open("revise")
        changes = {
            "area": None if area is None else check_choice(area, AREAS, field="area"),
            "unscr1540": None
            if unscr1540 is None
            else check_choices(unscr1540, UNSCR1540, field="unscr1540", required=False),
            "cells": None if cells is None else check_cells(cells),
            "modality": None
            if modality is None
            else check_choice(modality, MODALITIES, field="modality"),
            "description": None
            if description is None
            else check_text(description, field="description", what="say what help is needed"),
            "timeframe": None
            if start is None and end is None
            else check_timeframe(start or self.timeframe.start, end or self.timeframe.end),
            "languages": None if languages is None else check_languages(languages),
        }
        changed = {k: v for k, v in changes.items() if v is not None and v != getattr(self, k)}
        if not changed:
            raise RuleViolated(
                "the revision changes nothing: give a new area, unscr1540, cell, modality, "
                "description, start, end or language",
                field="revision",
            )
        self.trigger_event(
            self.Revised, **{k: changed.get(k) for k in changes}, author=author, timestamp=at
        )

    def accept(
        self,
        *,
        offer: RecordRef,
        author: str,
        at: datetime,
        held_offer: AssistanceOffer | None = None,
    ) -> None:
        """Accept a donor's offer; `held_offer` is that offer when this node holds a copy."""
        self._check_open("accept an offer for")
        if offer.aggregate_id == self.id:
            raise RuleViolated("offer refers to this request, not to an offer", field="offer")
        if held_offer is not None:
            if held_offer.id != offer.aggregate_id:
                raise RuleViolated(f"offer {offer} is not the offer held", field="offer")
            if held_offer.status == "withdrawn":
                raise RuleViolated(
                    f"offer {held_offer.reference} was withdrawn by {offer.origin}", field="offer"
                )
            if held_offer.request is not None and held_offer.request.aggregate_id != self.id:
                raise RuleViolated(
                    f"offer {held_offer.reference} answers another request "
                    f"({held_offer.request.aggregate_id})",
                    field="offer",
                )
        audience = self.audience
        if not any(name in (PUBLIC, FEDERATION) or name.startswith("group:") for name in audience):
            audience = tuple(sorted({*audience, offer.origin}))
        self.trigger_event(
            self.OfferAccepted, offer=offer, audience=audience, author=author, timestamp=at
        )

    def record_delivery(
        self,
        *,
        delivered_on: date,
        summary: str,
        report: RecordRef | None,
        author: str,
        at: datetime,
    ) -> None:
        """Record that the accepted assistance was delivered (optionally citing the donor's report)."""
        self._check_not_withdrawn("record a delivery for")
        if self.delivery is not None:
            raise RuleViolated(
                f"request {self.reference} is already delivered "
                f"({self.delivery.delivered_on.isoformat()})",
                field="request",
            )
        if self.accepted_offer is None:
            raise RuleViolated(
                f"request {self.reference} has accepted no offer: accept one before delivery",
                field="request",
            )
        if delivered_on > at.date():
            raise RuleViolated(
                f"date {delivered_on.isoformat()} is in the future: record a delivery once done",
                field="date",
            )
        if report is not None and report.aggregate_id != self.accepted_offer.aggregate_id:
            raise RuleViolated(
                f"report {report} is not a version of the accepted offer {self.accepted_offer}",
                field="report",
            )
        self.trigger_event(
            self.Delivered,
            delivered_on=delivered_on,
            summary=check_text(summary, field="summary", what="say what was delivered"),
            report=report,
            author=author,
            timestamp=at,
        )

    def report_outcome(
        self, *, cell: str, before: str, after: str, note: str, author: str, at: datetime
    ) -> None:
        """Report a cell's self-rating before and after the delivered assistance."""
        self._check_not_withdrawn("report an outcome for")
        if self.delivery is None:
            raise RuleViolated(
                f"request {self.reference} is {self.status}: report outcomes after delivery",
                field="request",
            )
        cell = check_cell(cell)
        if cell not in self.cells:
            raise RuleViolated(
                f"cell {cell} is not one the request names ({', '.join(self.cells)})",
                field="cell",
            )
        self.trigger_event(
            self.OutcomeReported,
            cell=cell,
            before=check_rating(cell, before, field="before"),
            after=check_rating(cell, after, field="after"),
            note=note.strip(),
            author=author,
            timestamp=at,
        )

    def withdraw(self, *, reason: str, author: str, at: datetime) -> None:
        """Withdraw the request before delivery; nothing changes it afterwards."""
        self._check_not_withdrawn("withdraw")
        if self.delivery is not None:
            raise RuleViolated(
                f"request {self.reference} is delivered: there is nothing to withdraw",
                field="request",
            )
        self.trigger_event(
            self.Withdrawn,
            reason=check_text(reason, field="reason", what="say why it is withdrawn"),
            author=author,
            timestamp=at,
        )

    def _check_not_withdrawn(self, action: str) -> None:
        if self.withdrawn_at is not None:
            raise RuleViolated(
                f"request {self.reference} is withdrawn: cannot {action} it", field="request"
            )

    def _check_open(self, action: str) -> None:
        self._check_not_withdrawn(action)
        if self.status != OPEN:
            raise RuleViolated(
                f"request {self.reference} is {self.status}: can only {action} an open request",
                field="request",
            )


def _check_source(source: Recommendation, origin: str, review: PeerReview | None) -> None:
    if source.number < 1:
        raise InvalidField(
            f"recommendation {source.number} is not a recommendation number (1, 2, …)",
            field="recommendation",
        )
    if review is None:
        return
    if review.id != source.review.aggregate_id:
        raise RuleViolated(f"source {source.review} is not the review held", field="source")
    if review.assessment.origin != origin:
        raise RuleViolated(
            f"source review {source.review} reviews {review.assessment.origin}'s assessment, "
            f"not {origin}'s",
            field="source",
        )
    if not any(r.number == source.number for r in review.recommendations):
        raise RuleViolated(
            f"review {source.review} has no recommendation {source.number} "
            f"(it has {len(review.recommendations)})",
            field="recommendation",
        )
