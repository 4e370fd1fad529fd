"""A peer review of one sealed assessment version, owned by the reviewer's node."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.base import InvalidField, RecordRef, RuleViolated, check_node_id, record_id
from aggregates.template import check_cell, check_rating

PRIORITIES = ("high", "medium", "low")
GENERAL = "general"


class ReviewSignedOff(RuleViolated):
    """A signed-off review takes nothing more."""


@dataclass(frozen=True, slots=True)
class Comment:
    cell: str
    text: str
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ProposedRating:
    cell: str
    rating: str
    rationale: str
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Recommendation:
    number: int
    cell: str
    priority: str
    action: str
    due: date
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Dissent:
    cell: str
    text: str
    by: str
    author: str
    at: datetime


def review_id(origin: str, assessment: RecordRef) -> UUID:
    """The id of `origin`'s review of one assessment version: one review per reviewer and version."""
    return record_id(
        origin, "review", f"{assessment.origin}/{assessment.aggregate_id}@{assessment.version}"
    )


def _text(value: str, field: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidField(f"{field} is empty: {what}", field=field)
    return text


class PeerReview(Aggregate):
    """A reviewer node's comments, proposed ratings and recommendations on a sealed assessment."""

    TOPIC = "xcnet.peer_review/1"

    class Event(Aggregate.Event):
        author: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "xcnet.peer_review.Opened/1"
        origin: str
        assessment: RecordRef
        sealed_version: int
        version_digest: bytes
        audience: tuple[str, ...]

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.origin = self.origin
            aggregate.assessment = self.assessment
            aggregate.sealed_version = self.sealed_version
            aggregate.version_digest = self.version_digest
            aggregate.audience = self.audience
            aggregate.opened_at = self.timestamp

    Created = Opened

    class ConflictOfInterestDeclared(Event):
        TOPIC = "xcnet.peer_review.ConflictOfInterestDeclared/1"
        statement: str

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.interests.append((self.statement, self.author, self.timestamp))

    class CommentAdded(Event):
        TOPIC = "xcnet.peer_review.CommentAdded/1"
        cell: str
        text: str

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.comments.append(Comment(self.cell, self.text, self.author, self.timestamp))

    class RatingProposed(Event):
        TOPIC = "xcnet.peer_review.RatingProposed/1"
        cell: str
        rating: str
        rationale: str

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.ratings[self.cell] = ProposedRating(
                self.cell, self.rating, self.rationale, self.author, self.timestamp
            )

    class RecommendationIssued(Event):
        TOPIC = "xcnet.peer_review.RecommendationIssued/1"
        number: int
        cell: str
        priority: str
        action: str
        due: date

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.recommendations.append(
                Recommendation(
                    self.number,
                    self.cell,
                    self.priority,
                    self.action,
                    self.due,
                    self.author,
                    self.timestamp,
                )
            )

    class DissentRecorded(Event):
        TOPIC = "xcnet.peer_review.DissentRecorded/1"
        cell: str
        text: str
        by: str

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.dissents.append(
                Dissent(self.cell, self.text, self.by, self.author, self.timestamp)
            )

    class SignedOff(Event):
        TOPIC = "xcnet.peer_review.SignedOff/1"
        assessment: RecordRef
        digest: bytes

        def apply(self, aggregate: PeerReview) -> None:
            aggregate.digest = self.digest
            aggregate.signed_off_at = self.timestamp
            aggregate.signed_off_by = self.author

    def __init__(self) -> None:
        self.origin = ""
        self.assessment = RecordRef("", UUID(int=0), 0, b"")
        self.sealed_version = 0
        self.version_digest = b""
        self.audience: tuple[str, ...] = ()
        self.opened_at: datetime | None = None
        self.interests: list[tuple[str, str, datetime]] = []
        self.comments: list[Comment] = []
        self.ratings: dict[str, ProposedRating] = {}
        self.recommendations: list[Recommendation] = []
        self.dissents: list[Dissent] = []
        self.digest = b""
        self.signed_off_at: datetime | None = None
        self.signed_off_by = ""

    @classmethod
    def open(
        cls,
        *,
        origin: str,
        assessment: RecordRef,
        sealed_version: int,
        version_digest: bytes,
        audience: tuple[str, ...],
        author: str,
        at: datetime,
    ) -> PeerReview:
        """Open a review of a sealed assessment version; the ref names the VersionSealed record."""
        check_node_id(origin, field="origin")
        check_node_id(assessment.origin, field="assessment")
        if assessment.version < 1 or len(assessment.digest) != 32:
            raise InvalidField(
                f"assessment ref {assessment} does not name a stored version with its digest",
                field="assessment",
            )
        if sealed_version < 1:
            raise InvalidField(
                f"sealed_version {sealed_version} is not a version number", field="sealed_version"
            )
        if len(version_digest) != 32:
            raise InvalidField(
                "version_digest is not a SHA-256 digest (32 bytes)", field="version_digest"
            )
        if not audience:
            raise InvalidField("audience is empty", field="audience")
        return cls._create(
            cls.Opened,
            id=review_id(origin, assessment),
            origin=origin,
            assessment=assessment,
            sealed_version=sealed_version,
            version_digest=version_digest,
            audience=audience,
            author=author,
            timestamp=at,
        )

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None

    def _check_open(self) -> None:
        if self.signed_off:
            raise ReviewSignedOff(
                f"review {self.id} was signed off: it takes nothing more", field="review"
            )

    def declare_interest(self, *, statement: str, author: str, at: datetime) -> None:
        """Declare a conflict of interest (or that there is none)."""
        self._check_open()
        text = _text(statement, "statement", "declare the interest, or that there is none")
        self.trigger_event(
            self.ConflictOfInterestDeclared, statement=text, author=author, timestamp=at
        )

    def comment(self, *, cell: str, text: str, author: str, at: datetime) -> None:
        """Comment on one cell of the reviewed version."""
        self._check_open()
        name = check_cell(cell)
        body = _text(text, "text", "write the comment")
        self.trigger_event(self.CommentAdded, cell=name, text=body, author=author, timestamp=at)

    def propose_rating(
        self, *, cell: str, rating: str, rationale: str, author: str, at: datetime
    ) -> None:
        """Propose a rating for a cell on its column's scale (a later proposal replaces it)."""
        self._check_open()
        name = check_cell(cell)
        value = check_rating(name, rating)
        reason = _text(rationale, "rationale", "say why the cell deserves this rating")
        self.trigger_event(
            self.RatingProposed,
            cell=name,
            rating=value,
            rationale=reason,
            author=author,
            timestamp=at,
        )

    def recommend(
        self,
        *,
        cell: str,
        priority: str,
        action: str,
        due: date,
        author: str,
        at: datetime,
    ) -> Recommendation:
        """Issue a numbered recommendation: what to do for a cell, how urgently, by when."""
        self._check_open()
        name = check_cell(cell)
        level = priority.strip().lower()
        if level not in PRIORITIES:
            raise InvalidField(
                f"priority {priority!r} is unknown: expected one of {', '.join(PRIORITIES)}",
                field="priority",
            )
        what = _text(action, "action", "say what the assessed member should do")
        if due <= at.date():
            raise InvalidField(
                f"due {due.isoformat()} is not after today ({at.date().isoformat()})", field="due"
            )
        self.trigger_event(
            self.RecommendationIssued,
            number=len(self.recommendations) + 1,
            cell=name,
            priority=level,
            action=what,
            due=due,
            author=author,
            timestamp=at,
        )
        return self.recommendations[-1]

    def dissent(self, *, cell: str, text: str, by: str, author: str, at: datetime) -> None:
        """Record a reviewer's dissent on a cell, or on the review in general."""
        self._check_open()
        name = GENERAL if cell.strip().lower() == GENERAL else check_cell(cell)
        body = _text(text, "text", "state the dissent")
        who = _text(by, "by", "name the reviewer who dissents")
        self.trigger_event(
            self.DissentRecorded, cell=name, text=body, by=who, author=author, timestamp=at
        )

    def content(self) -> dict[str, object]:
        """The review's content as plain values, for the node to digest at sign-off."""
        return {
            "assessment": {
                "origin": self.assessment.origin,
                "aggregate": self.assessment.aggregate_id.bytes,
                "version": self.assessment.version,
                "digest": self.assessment.digest,
            },
            "sealed_version": self.sealed_version,
            "version_digest": self.version_digest,
            "interests": [statement for statement, _, _ in self.interests],
            "comments": [{"cell": c.cell, "text": c.text} for c in self.comments],
            "ratings": {
                cell: {"rating": r.rating, "rationale": r.rationale}
                for cell, r in self.ratings.items()
            },
            "recommendations": [
                {
                    "number": r.number,
                    "cell": r.cell,
                    "priority": r.priority,
                    "action": r.action,
                    "due": r.due.isoformat(),
                }
                for r in self.recommendations
            ],
            "dissents": [{"cell": d.cell, "text": d.text, "by": d.by} for d in self.dissents],
        }

    def sign_off(self, *, digest: bytes, author: str, at: datetime) -> None:
        """Sign the review off with the digest of its content; it takes nothing more."""
        self._check_open()
        if not (self.comments or self.ratings or self.recommendations or self.dissents):
            raise RuleViolated(
                f"review {self.id} has no comments, ratings or recommendations to sign off",
                field="review",
            )
        if len(digest) != 32:
            raise InvalidField("digest is not a SHA-256 digest (32 bytes)", field="digest")
        self.trigger_event(
            self.SignedOff, assessment=self.assessment, digest=digest, author=author, timestamp=at
        )
