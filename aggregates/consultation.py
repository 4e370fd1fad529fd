"""One side of a no-undercut consultation; the other side is a record on the partner's node."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.base import (
    FEDERATION,
    PUBLIC,
    InvalidField,
    RecordRef,
    RuleViolated,
    parse_audience,
    record_id,
)


class Side(StrEnum):
    CONSULTING = "consulting"
    DENYING = "denying"


class Position(StrEnum):
    OBJECTION_MAINTAINED = "objection-maintained"
    NO_OBJECTION = "no-objection"


class Outcome(StrEnum):
    LICENCE_REFUSED = "licence-refused"
    GRANTED_WITH_CONSENT = "granted-with-consent"
    GRANTED_OVER_OBJECTION = "granted-over-objection"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Message:
    """One step of the conversation as this side recorded it."""

    at: datetime
    author: str
    kind: str
    text: str
    ref: RecordRef | None = None


def reply_id(node_id: str, counterpart: RecordRef) -> UUID:
    """The id of the denying side's record answering the consulting record `counterpart`."""
    return record_id(
        node_id, "consultation", f"reply/{counterpart.origin}/{counterpart.aggregate_id}"
    )


def widen(audience: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """The smallest audience holding both."""
    names = {*audience, *extra}
    for wide in (PUBLIC, FEDERATION):
        if wide in names:
            return (wide,)
    return tuple(sorted(names))


class Consultation(Aggregate):
    """This node's side of a consultation about a denial: consulting (licensing) or denying."""

    TOPIC = "xcnet.consultation/1"

    class Event(Aggregate.Event):
        author: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "xcnet.consultation.Opened/1"
        side: Side
        partner: str
        denial: RecordRef
        counterpart: RecordRef | None
        application_summary: str
        match_explanation: str
        due: date | None
        audience: tuple[str, ...]

        def apply(self, aggregate: Consultation) -> None:
            aggregate.side = self.side
            aggregate.partner = self.partner
            aggregate.denial = self.denial
            aggregate.counterpart = self.counterpart
            aggregate.application_summary = self.application_summary
            aggregate.match_explanation = self.match_explanation
            aggregate.due = self.due
            aggregate.audience = self.audience
            aggregate.opened_at = self.timestamp
            text = self.application_summary if self.side is Side.CONSULTING else "reply opened"
            aggregate.messages.append(
                Message(self.timestamp, self.author, "opened", text, self.counterpart)
            )

    Created = Opened

    class InformationRequested(Event):
        TOPIC = "xcnet.consultation.InformationRequested/1"
        question: str

        def apply(self, aggregate: Consultation) -> None:
            aggregate.messages.append(
                Message(self.timestamp, self.author, "question", self.question)
            )

    class InformationProvided(Event):
        TOPIC = "xcnet.consultation.InformationProvided/1"
        answer: str
        responds_to: RecordRef | None

        def apply(self, aggregate: Consultation) -> None:
            if self.responds_to is not None and aggregate.counterpart is None:
                aggregate.counterpart = self.responds_to
            aggregate.messages.append(
                Message(self.timestamp, self.author, "answer", self.answer, self.responds_to)
            )

    class PositionStated(Event):
        TOPIC = "xcnet.consultation.PositionStated/1"
        position: Position
        rationale: str

        def apply(self, aggregate: Consultation) -> None:
            aggregate.position = self.position
            aggregate.position_version = self.originator_version
            aggregate.messages.append(
                Message(
                    self.timestamp, self.author, "position", f"{self.position}: {self.rationale}"
                )
            )

    class UndercutNotified(Event):
        TOPIC = "xcnet.consultation.UndercutNotified/1"
        denial: RecordRef
        note: str
        audience: tuple[str, ...]

        def apply(self, aggregate: Consultation) -> None:
            aggregate.audience = self.audience
            aggregate.undercut_notified_at = self.timestamp
            aggregate.messages.append(
                Message(self.timestamp, self.author, "undercut", self.note, self.denial)
            )

    class Closed(Event):
        TOPIC = "xcnet.consultation.Closed/1"
        outcome: Outcome
        consent: RecordRef | None
        note: str

        def apply(self, aggregate: Consultation) -> None:
            aggregate.outcome = self.outcome
            aggregate.closed_at = self.timestamp
            if self.consent is not None and aggregate.counterpart is None:
                aggregate.counterpart = self.consent
            aggregate.messages.append(
                Message(self.timestamp, self.author, "closed", f"{self.outcome}", self.consent)
            )

    def __init__(self) -> None:
        self.side = Side.CONSULTING
        self.partner = ""
        self.denial = RecordRef("", UUID(int=0), 0, b"")
        self.counterpart: RecordRef | None = None
        self.application_summary = ""
        self.match_explanation = ""
        self.due: date | None = None
        self.audience: tuple[str, ...] = ()
        self.opened_at = datetime.min
        self.position: Position | None = None
        self.position_version: int | None = None
        self.undercut_notified_at: datetime | None = None
        self.outcome: Outcome | None = None
        self.closed_at: datetime | None = None
        self.messages: list[Message] = []

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        node_id: str,
        denial: RecordRef,
        application_summary: str,
        match_explanation: str,
        due: date,
        audience: tuple[str, ...],
        author: str,
        at: datetime,
    ) -> Consultation:
        """Open the consulting side: ask the denying partner about an essentially identical case."""
        if denial.origin == node_id:
            raise InvalidField(
                f"denial {denial} is this node's own: consult the partner that denied",
                field="denial",
            )
        summary = application_summary.strip()
        if not summary:
            raise InvalidField(
                "application_summary is empty: describe the licence application",
                field="application_summary",
            )
        explanation = match_explanation.strip()
        if not explanation:
            raise InvalidField(
                "match_explanation is empty: say why the application matches the denial",
                field="match_explanation",
            )
        if due <= at.date():
            raise InvalidField(f"due {due} is not after today ({at.date()})", field="due")
        return cls._create(
            cls.Opened,
            id=id,
            side=Side.CONSULTING,
            partner=denial.origin,
            denial=denial,
            counterpart=None,
            application_summary=summary,
            match_explanation=explanation,
            due=due,
            audience=_audience(audience),
            author=author,
            timestamp=at,
        )

    @classmethod
    def open_reply(
        cls,
        *,
        node_id: str,
        counterpart: RecordRef,
        denial: RecordRef,
        audience: tuple[str, ...],
        author: str,
        at: datetime,
        counterpart_record: Consultation | None = None,
    ) -> Consultation:
        """Open the denying side, answering the consulting record `counterpart` (held or not)."""
        if counterpart.origin == node_id:
            raise InvalidField(
                f"counterpart {counterpart} is this node's own record: "
                "reply to the consulting partner's record",
                field="counterpart",
            )
        if denial.origin != node_id:
            raise InvalidField(
                f"denial {denial} is not this node's: only the denying node replies",
                field="denial",
            )
        if counterpart_record is not None:
            if counterpart_record.side is not Side.CONSULTING:
                raise RuleViolated(
                    f"counterpart {counterpart} is not a consulting side", field="counterpart"
                )
            if counterpart_record.denial.aggregate_id != denial.aggregate_id:
                raise RuleViolated(
                    f"counterpart {counterpart} consults about another denial "
                    f"({counterpart_record.denial})",
                    field="denial",
                )
            if counterpart_record.partner != node_id:
                raise RuleViolated(
                    f"counterpart {counterpart} consults {counterpart_record.partner}, not us",
                    field="counterpart",
                )
        return cls._create(
            cls.Opened,
            id=reply_id(node_id, counterpart),
            side=Side.DENYING,
            partner=counterpart.origin,
            denial=denial,
            counterpart=counterpart,
            application_summary="",
            match_explanation="",
            due=None,
            audience=_audience(audience),
            author=author,
            timestamp=at,
        )

    def request_information(self, *, question: str, author: str, at: datetime) -> None:
        """Ask the partner for information (either side)."""
        self._refuse_if_closed()
        if not question.strip():
            raise InvalidField("question is empty: say what you need to know", field="question")
        self.trigger_event(
            self.InformationRequested, question=question.strip(), author=author, timestamp=at
        )

    def provide_information(
        self, *, answer: str, author: str, at: datetime, responds_to: RecordRef | None = None
    ) -> None:
        """Give the partner information, optionally answering a version of their record."""
        self._refuse_if_closed()
        if not answer.strip():
            raise InvalidField("answer is empty: give the information", field="answer")
        if responds_to is not None and responds_to.origin != self.partner:
            raise InvalidField(
                f"responds_to {responds_to} is not a record of the partner {self.partner}",
                field="responds_to",
            )
        self.trigger_event(
            self.InformationProvided,
            answer=answer.strip(),
            responds_to=responds_to,
            author=author,
            timestamp=at,
        )

    def state_position(
        self, *, position: Position, rationale: str, author: str, at: datetime
    ) -> None:
        """The denying side's position: objection maintained, or no objection."""
        if self.side is not Side.DENYING:
            raise RuleViolated(
                "position: only the denying side states a position; "
                "this record is the consulting side",
                field="position",
            )
        if position is Position.OBJECTION_MAINTAINED and not rationale.strip():
            raise InvalidField(
                "rationale is empty: say why the objection is maintained", field="rationale"
            )
        self.trigger_event(
            self.PositionStated,
            position=position,
            rationale=rationale.strip(),
            author=author,
            timestamp=at,
        )

    def notify_undercut(
        self, *, denial_audience: tuple[str, ...], note: str, author: str, at: datetime
    ) -> None:
        """Tell everyone the denial was shared with that this node grants over the denial."""
        self._refuse_if_closed()
        if self.side is not Side.CONSULTING:
            raise RuleViolated(
                "only the consulting side notifies an undercut", field="consultation"
            )
        if self.undercut_notified_at is not None:
            raise RuleViolated("the undercut is already notified", field="consultation")
        self.trigger_event(
            self.UndercutNotified,
            denial=self.denial,
            note=note.strip(),
            audience=widen(self.audience, _audience(denial_audience)),
            author=author,
            timestamp=at,
        )

    def close(
        self,
        *,
        outcome: Outcome,
        note: str,
        author: str,
        at: datetime,
        consent: RecordRef | None = None,
        consent_record: Consultation | None = None,
    ) -> None:
        """Close the consulting side with the licensing decision.

        Granted with consent needs `consent`: a ref to the version of the denier's record that
        states no objection (checked against `consent_record` when that record is held here).
        Granted over objection needs the undercut notified first.
        """
        self._refuse_if_closed()
        if self.side is not Side.CONSULTING:
            raise RuleViolated(
                "only the consulting side closes with a licensing outcome", field="consultation"
            )
        if outcome is Outcome.GRANTED_WITH_CONSENT:
            self._check_consent(consent, consent_record)
        elif consent is not None:
            raise InvalidField(
                f"consent is only for {Outcome.GRANTED_WITH_CONSENT}, not {outcome}",
                field="consent",
            )
        if outcome is Outcome.GRANTED_OVER_OBJECTION and self.undercut_notified_at is None:
            raise RuleViolated(
                "outcome granted-over-objection needs the undercut notified to the "
                "denial's audience first",
                field="outcome",
            )
        self.trigger_event(
            self.Closed,
            outcome=outcome,
            consent=consent,
            note=note.strip(),
            author=author,
            timestamp=at,
        )

    def overdue(self, now: datetime) -> bool:
        """Whether the due date has passed with the consultation still open."""
        return self.due is not None and self.outcome is None and now.date() > self.due

    def status(self, now: datetime) -> str:
        if self.outcome is not None:
            return f"closed: {self.outcome}"
        if self.side is Side.DENYING:
            return f"position: {self.position}" if self.position else "awaiting position"
        return "overdue" if self.overdue(now) else "open"

    def _check_consent(self, consent: RecordRef | None, record: Consultation | None) -> None:
        if consent is None:
            raise InvalidField(
                "consent is missing: granted-with-consent references the version of the "
                f"denier's record ({self.partner}) that states no objection",
                field="consent",
            )
        if consent.origin != self.partner:
            raise InvalidField(
                f"consent {consent} is not a record of the denying partner {self.partner}",
                field="consent",
            )
        if record is None:
            return
        problems = []
        if record.id != consent.aggregate_id or record.version != consent.version:
            problems.append("the record held is not that version")
        if record.side is not Side.DENYING or record.partner == self.partner:
            problems.append("it is not the denier's side")
        if record.counterpart is None or record.counterpart.aggregate_id != self.id:
            problems.append("it does not answer this consultation")
        if (
            record.position is not Position.NO_OBJECTION
            or record.position_version != consent.version
        ):
            problems.append("that version does not state no objection")
        if problems:
            raise RuleViolated(f"consent {consent}: {'; '.join(problems)}", field="consent")

    def _refuse_if_closed(self) -> None:
        if self.outcome is not None:
            raise RuleViolated(f"the consultation is closed ({self.outcome})", field="consultation")


def _audience(audience: tuple[str, ...]) -> tuple[str, ...]:
    return parse_audience(audience)
