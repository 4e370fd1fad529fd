"""A donor's offer of assistance, against a request or as standing capabilities; the donor's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.assistance import (
    AREAS,
    MODALITIES,
    check_choices,
    check_languages,
    check_reference,
    check_regions,
    check_text,
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

if TYPE_CHECKING:
    from aggregates.assistance_request import AssistanceRequest

KIND = "assistance-offer"
OPEN, DELIVERED, WITHDRAWN = "open", "delivered", "withdrawn"


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """The donor's report that assistance was delivered to a request."""

    request: RecordRef
    delivered_on: date
    summary: str
    reported_at: datetime


def offer_id(origin: str, reference: str) -> UUID:
    """The id of the offer that `origin` calls `reference`."""
    return record_id(origin, KIND, reference)


class AssistanceOffer(Aggregate):
    """What a donor offers, to one request or to whoever fits its capabilities, and what it delivered."""

    TOPIC = "xcnet.assistance-offer/1"

    class Event(Aggregate.Event):
        author: str

    class Made(Aggregate.Created, Event):
        TOPIC = "xcnet.assistance-offer.Made/1"
        reference: str
        request: RecordRef | None
        areas: tuple[str, ...]
        modalities: tuple[str, ...]
        regions: tuple[str, ...]
        languages: tuple[str, ...]
        description: str
        audience: tuple[str, ...]

        def apply(self, aggregate: AssistanceOffer) -> None:
            aggregate.reference = self.reference
            aggregate.request = self.request
            aggregate.areas = self.areas
            aggregate.modalities = self.modalities
            aggregate.regions = self.regions
            aggregate.languages = self.languages
            aggregate.description = self.description
            aggregate.audience = self.audience
            aggregate.made_at = self.timestamp

    Created = Made

    class Revised(Event):
        TOPIC = "xcnet.assistance-offer.Revised/1"
        areas: tuple[str, ...] | None
        modalities: tuple[str, ...] | None
        regions: tuple[str, ...] | None
        languages: tuple[str, ...] | None
        description: str | None

        def apply(self, aggregate: AssistanceOffer) -> None:
            for name in ("areas", "modalities", "regions", "languages", "description"):
                value = getattr(self, name)
                if value is not None:
                    setattr(aggregate, name, value)

    class Withdrawn(Event):
        TOPIC = "xcnet.assistance-offer.Withdrawn/1"
        reason: str

        def apply(self, aggregate: AssistanceOffer) -> None:
            aggregate.withdrawn_reason = self.reason
            aggregate.withdrawn_at = self.timestamp

    class DeliveryReported(Event):
        TOPIC = "xcnet.assistance-offer.DeliveryReported/1"
        request: RecordRef
        delivered_on: date
        summary: str

        def apply(self, aggregate: AssistanceOffer) -> None:
            aggregate.deliveries.append(
                DeliveryReport(self.request, self.delivered_on, self.summary, self.timestamp)
            )

    def __init__(self) -> None:
        self.reference = ""
        self.request: RecordRef | None = None
        self.areas: tuple[str, ...] = ()
        self.modalities: tuple[str, ...] = ()
        self.regions: tuple[str, ...] = ()
        self.languages: tuple[str, ...] = ()
        self.description = ""
        self.audience: tuple[str, ...] = ()
        self.made_at = datetime.min
        self.deliveries: list[DeliveryReport] = []
        self.withdrawn_reason = ""
        self.withdrawn_at: datetime | None = None

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return WITHDRAWN
        if self.request is not None and self.deliveries:
            return DELIVERED
        return OPEN

    @property
    def standing(self) -> bool:
        """Whether the offer is standing capabilities rather than an answer to one request."""
        return self.request is None

    @classmethod
    def make(
        cls,
        *,
        origin: str,
        reference: str,
        request: RecordRef | None,
        areas: tuple[str, ...],
        modalities: tuple[str, ...],
        regions: tuple[str, ...],
        languages: tuple[str, ...],
        description: str,
        audience: tuple[str, ...],
        author: str,
        at: datetime,
        held_request: AssistanceRequest | None = None,
    ) -> AssistanceOffer:
        """Offer help against another member's request or as standing capabilities (`held_request`: our copy)."""
        check_reference(reference)
        audience = parse_audience(audience)
        if request is not None:
            if request.origin == origin:
                raise RuleViolated(
                    f"request {request} is this node's own: offers answer another member",
                    field="request",
                )
            if held_request is not None and held_request.status != "open":
                raise RuleViolated(
                    f"request {held_request.reference} is {held_request.status}: "
                    "offer only against an open request",
                    field="request",
                )
            if not _reaches(audience, request.origin):
                raise InvalidField(
                    f"audience {', '.join(audience)} leaves out {request.origin}, "
                    "whose request this offer answers",
                    field="audience",
                )
        standing = request is None
        return cls._create(
            cls.Made,
            id=offer_id(origin, reference),
            reference=reference,
            request=request,
            areas=check_choices(areas, AREAS, field="area", required=standing),
            modalities=check_choices(modalities, MODALITIES, field="modality", required=standing),
            regions=check_regions(regions),
            languages=check_languages(languages, required=False),
            description=check_text(
                description, field="description", what="say what help is offered"
            ),
            audience=audience,
            author=author,
            timestamp=at,
        )

    def revise(
        self,
        *,
        areas: tuple[str, ...] | None = None,
        modalities: tuple[str, ...] | None = None,
        regions: tuple[str, ...] | None = None,
        languages: tuple[str, ...] | None = None,
        description: str | None = None,
        author: str,
        at: datetime,
    ) -> None:
        """Change what is offered, until it is delivered or withdrawn."""
        self._check_live("revise")
        changes = {
            "areas": None
            if areas is None
            else check_choices(areas, AREAS, field="area", required=self.standing),
            "modalities": None
            if modalities is None
            else check_choices(modalities, MODALITIES, field="modality", required=self.standing),
            "regions": None if regions is None else check_regions(regions),
            "languages": None if languages is None else check_languages(languages, required=False),
            "description": None
            if description is None
            else check_text(description, field="description", what="say what help is offered"),
        }
        changed = {k: v for k, v in changes.items() if v is not None and v != getattr(self, k)}
        if not changed:
            raise RuleViolated(
                "the revision changes nothing: give a new area, modality, region, language "
                "or description",
                field="revision",
            )
        self.trigger_event(
            self.Revised, **{k: changed.get(k) for k in changes}, author=author, timestamp=at
        )

    def withdraw(self, *, reason: str, author: str, at: datetime) -> None:
        """Withdraw the offer; nothing changes it afterwards."""
        self._check_live("withdraw")
        self.trigger_event(
            self.Withdrawn,
            reason=check_text(reason, field="reason", what="say why it is withdrawn"),
            author=author,
            timestamp=at,
        )

    def report_delivery(
        self,
        *,
        request: RecordRef | None,
        delivered_on: date,
        summary: str,
        author: str,
        at: datetime,
        held_request: AssistanceRequest | None = None,
    ) -> None:
        """Report help delivered to the offer's request, or the one named (`held_request`: our copy)."""
        self._check_live("report a delivery for")
        if self.request is not None:
            if request is not None and request.aggregate_id != self.request.aggregate_id:
                raise InvalidField(
                    f"request {request} is not the one this offer answers ({self.request})",
                    field="request",
                )
            request = request or self.request
        elif request is None:
            raise InvalidField(
                "request is missing: a standing offer names the request it delivered to",
                field="request",
            )
        if any(d.request.aggregate_id == request.aggregate_id for d in self.deliveries):
            raise RuleViolated(
                f"delivery to {request.origin}/{request.aggregate_id} is already reported",
                field="request",
            )
        if held_request is not None and (
            held_request.accepted_offer is None
            or held_request.accepted_offer.aggregate_id != self.id
        ):
            raise RuleViolated(
                f"request {held_request.reference} has not accepted this offer", field="request"
            )
        if delivered_on > at.date():
            raise RuleViolated(
                f"date {delivered_on.isoformat()} is in the future: report a delivery once done",
                field="date",
            )
        self.trigger_event(
            self.DeliveryReported,
            request=request,
            delivered_on=delivered_on,
            summary=check_text(summary, field="summary", what="say what was delivered"),
            author=author,
            timestamp=at,
        )

    def _check_live(self, action: str) -> None:
        if self.withdrawn_at is not None:
            raise RuleViolated(
                f"offer {self.reference} is withdrawn: cannot {action} it", field="offer"
            )
        if self.status == DELIVERED:
            raise RuleViolated(
                f"offer {self.reference} is delivered: cannot {action} it", field="offer"
            )


def _reaches(audience: tuple[str, ...], node_id: str) -> bool:
    """Whether an audience may include `node_id` (group membership is the node's to check)."""
    return any(
        name in (PUBLIC, FEDERATION, node_id) or name.startswith("group:") for name in audience
    )
