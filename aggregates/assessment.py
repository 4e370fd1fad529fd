"""A member's national self-assessment on the CSCAP template, sealed in versions for peer review."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.base import (
    FEDERATION,
    PUBLIC,
    InvalidField,
    RecordRef,
    RuleViolated,
    check_node_id,
    record_id,
)
from aggregates.peer_review import PeerReview
from aggregates.template import REQUIRED_CELLS, check_cell, check_rating

CYCLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


class AssessmentWithdrawn(RuleViolated):
    """A withdrawn assessment takes nothing more."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A document cited for a cell: its citation and, when the document was at hand, its SHA-256."""

    citation: str
    sha256: bytes | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a version: the narrative, its evidence and the self-rating."""

    narrative: str = ""
    evidence: tuple[Evidence, ...] = ()
    rating: str = ""
    rationale: str = ""


@dataclass(frozen=True, slots=True)
class Sealed:
    """A sealed version: its number, content digest, the record version that sealed it, its cells."""

    number: int
    digest: bytes
    record_version: int
    at: datetime
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    version: int
    reviewers: tuple[str, ...]
    scope: tuple[str, ...]
    due: date
    at: datetime


@dataclass(frozen=True, slots=True)
class Answer:
    review: RecordRef
    cell: str
    answer: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Conclusion:
    version: int
    reviews: tuple[RecordRef, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Publication:
    version: int
    audience: tuple[str, ...]
    at: datetime


@dataclass(slots=True)
class _Draft:
    cells: dict[str, Cell] = field(default_factory=dict)
    changed: bool = False


def assessment_id(origin: str, cycle: str) -> UUID:
    """The id of `origin`'s assessment for a cycle."""
    return record_id(origin, "assessment", cycle)


def _text(value: str, name: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidField(f"{name} is empty: {what}", field=name)
    return text


def _widens(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    if PUBLIC in new:
        return PUBLIC not in old
    if FEDERATION in new:
        return PUBLIC not in old and FEDERATION not in old
    return PUBLIC not in old and FEDERATION not in old and set(new) > set(old)


class Assessment(Aggregate):
    """A self-assessment: 16 cells drafted and self-rated, sealed in numbered versions."""

    TOPIC = "xcnet.assessment/1"

    class Event(Aggregate.Event):
        author: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "xcnet.assessment.Opened/1"
        origin: str
        cycle: str
        audience: tuple[str, ...]

        def apply(self, aggregate: Assessment) -> None:
            aggregate.origin = self.origin
            aggregate.cycle = self.cycle
            aggregate.audience = self.audience
            aggregate.opened_at = self.timestamp

    Created = Opened

    class CellDrafted(Event):
        TOPIC = "xcnet.assessment.CellDrafted/1"
        cell: str
        narrative: str
        evidence: tuple[Evidence, ...]

        def apply(self, aggregate: Assessment) -> None:
            old = aggregate.draft.cells.get(self.cell, Cell())
            aggregate.draft.cells[self.cell] = replace(
                old, narrative=self.narrative, evidence=self.evidence
            )
            aggregate.draft.changed = True

    class CellSelfRated(Event):
        TOPIC = "xcnet.assessment.CellSelfRated/1"
        cell: str
        rating: str
        rationale: str

        def apply(self, aggregate: Assessment) -> None:
            old = aggregate.draft.cells[self.cell]
            aggregate.draft.cells[self.cell] = replace(
                old, rating=self.rating, rationale=self.rationale
            )
            aggregate.draft.changed = True

    class VersionSealed(Event):
        TOPIC = "xcnet.assessment.VersionSealed/1"
        version: int
        digest: bytes

        def apply(self, aggregate: Assessment) -> None:
            aggregate.sealed[self.version] = Sealed(
                self.version,
                self.digest,
                self.originator_version,
                self.timestamp,
                dict(aggregate.draft.cells),
            )
            aggregate.draft.changed = False

    class ReviewRequested(Event):
        TOPIC = "xcnet.assessment.ReviewRequested/1"
        version: int
        reviewers: tuple[str, ...]
        scope: tuple[str, ...]
        due: date
        audience: tuple[str, ...]

        def apply(self, aggregate: Assessment) -> None:
            aggregate.requests.append(
                ReviewRequest(self.version, self.reviewers, self.scope, self.due, self.timestamp)
            )
            aggregate.audience = self.audience

    class FindingAnswered(Event):
        TOPIC = "xcnet.assessment.FindingAnswered/1"
        review: RecordRef
        cell: str
        answer: str

        def apply(self, aggregate: Assessment) -> None:
            aggregate.answers.append(Answer(self.review, self.cell, self.answer, self.timestamp))

    class ReviewConcluded(Event):
        TOPIC = "xcnet.assessment.ReviewConcluded/1"
        version: int
        reviews: tuple[RecordRef, ...]

        def apply(self, aggregate: Assessment) -> None:
            aggregate.conclusions[self.version] = Conclusion(
                self.version, self.reviews, self.timestamp
            )

    class Published(Event):
        TOPIC = "xcnet.assessment.Published/1"
        version: int
        audience: tuple[str, ...]

        def apply(self, aggregate: Assessment) -> None:
            aggregate.publications.append(Publication(self.version, self.audience, self.timestamp))
            aggregate.audience = self.audience

    class Withdrawn(Event):
        TOPIC = "xcnet.assessment.Withdrawn/1"
        reason: str

        def apply(self, aggregate: Assessment) -> None:
            aggregate.withdrawn_reason = self.reason
            aggregate.withdrawn_at = self.timestamp

    def __init__(self) -> None:
        self.origin = ""
        self.cycle = ""
        self.audience: tuple[str, ...] = ()
        self.opened_at: datetime | None = None
        self.draft = _Draft()
        self.sealed: dict[int, Sealed] = {}
        self.requests: list[ReviewRequest] = []
        self.answers: list[Answer] = []
        self.conclusions: dict[int, Conclusion] = {}
        self.publications: list[Publication] = []
        self.withdrawn_reason = ""
        self.withdrawn_at: datetime | None = None

    @classmethod
    def open(
        cls, *, origin: str, cycle: str, audience: tuple[str, ...], author: str, at: datetime
    ) -> Assessment:
        """Open the self-assessment for a cycle (e.g. `2026`), shared with `audience`."""
        check_node_id(origin, field="origin")
        name = cycle.strip()
        if not CYCLE.match(name):
            raise InvalidField(
                f"cycle {cycle!r} is not a cycle name: 1-32 letters, digits, '.', '_' or '-', "
                "such as 2026",
                field="cycle",
            )
        if not audience:
            raise InvalidField("audience is empty", field="audience")
        return cls._create(
            cls.Opened,
            id=assessment_id(origin, name),
            origin=origin,
            cycle=name,
            audience=audience,
            author=author,
            timestamp=at,
        )

    # Reading ---------------------------------------------------------------------------------

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def draft_version(self) -> int:
        """The number the draft will have when sealed."""
        return len(self.sealed) + 1

    @property
    def latest_sealed(self) -> Sealed | None:
        return self.sealed[len(self.sealed)] if self.sealed else None

    @property
    def draft_changed(self) -> bool:
        """Whether the draft differs from the last sealed version (or nothing is sealed yet)."""
        return self.draft.changed

    def reviewers(self, version: int) -> tuple[str, ...]:
        """Every reviewer asked to review a sealed version."""
        return tuple(
            sorted(
                {
                    r
                    for request in self.requests
                    if request.version == version
                    for r in request.reviewers
                }
            )
        )

    @property
    def status(self) -> str:
        if self.withdrawn:
            return "withdrawn"
        latest = self.latest_sealed
        if latest is None or self.draft.changed:
            return "draft"
        if latest.number in self.conclusions:
            return "concluded"
        if self.reviewers(latest.number):
            return "in review"
        return "sealed"

    def cells(self, version: int | None = None) -> dict[str, Cell]:
        """The cells of a sealed version, or of the draft."""
        if version is None:
            return dict(self.draft.cells)
        return dict(self.sealed_version(version).cells)

    def sealed_version(self, version: int, *, field: str = "version") -> Sealed:
        if version not in self.sealed:
            raise RuleViolated(
                f"version {version} of assessment {self.cycle} is not sealed"
                + (
                    f" (sealed: {', '.join(map(str, self.sealed))})"
                    if self.sealed
                    else " (nothing is sealed yet)"
                ),
                field=field,
            )
        return self.sealed[version]

    def draft_content(self) -> dict[str, object]:
        """The draft's cells as plain values, for the node to digest when sealing."""
        return {
            name: {
                "narrative": cell.narrative,
                "evidence": [{"citation": e.citation, "sha256": e.sha256} for e in cell.evidence],
                "rating": cell.rating,
                "rationale": cell.rationale,
            }
            for name, cell in sorted(self.draft.cells.items())
        }

    # Commands --------------------------------------------------------------------------------

    def _check_live(self) -> None:
        if self.withdrawn:
            raise AssessmentWithdrawn(
                f"assessment {self.cycle} was withdrawn: it takes nothing more", field="assessment"
            )

    def draft_cell(
        self,
        *,
        cell: str,
        narrative: str,
        evidence: Sequence[Evidence],
        author: str,
        at: datetime,
    ) -> None:
        """Draft a cell's narrative and evidence; after a seal this starts the next version."""
        self._check_live()
        name = check_cell(cell)
        text = _text(narrative, "narrative", f"describe how {name} is met")
        for item in evidence:
            if not item.citation.strip():
                raise InvalidField("evidence has an empty citation", field="evidence")
            if item.sha256 is not None and len(item.sha256) != 32:
                raise InvalidField(
                    f"evidence {item.citation!r}: sha256 is not 32 bytes", field="evidence"
                )
        self.trigger_event(
            self.CellDrafted,
            cell=name,
            narrative=text,
            evidence=tuple(Evidence(e.citation.strip(), e.sha256) for e in evidence),
            author=author,
            timestamp=at,
        )

    def rate_cell(
        self, *, cell: str, rating: str, rationale: str, author: str, at: datetime
    ) -> None:
        """Self-rate a drafted cell on its column's scale."""
        self._check_live()
        name = check_cell(cell)
        value = check_rating(name, rating)
        if name not in self.draft.cells:
            raise RuleViolated(f"cell {name} has no narrative yet: draft it first", field="cell")
        reason = _text(rationale, "rationale", "say why the cell deserves this rating")
        self.trigger_event(
            self.CellSelfRated,
            cell=name,
            rating=value,
            rationale=reason,
            author=author,
            timestamp=at,
        )

    def seal(self, *, digest: bytes, author: str, at: datetime) -> Sealed:
        """Seal the draft as the next version; `digest` is the node's digest of `draft_content()`."""
        self._check_live()
        if not self.draft.changed:
            raise RuleViolated(
                f"nothing changed since version {len(self.sealed)} was sealed", field="assessment"
            )
        for name in REQUIRED_CELLS:
            cell = self.draft.cells.get(name)
            if cell is None:
                raise RuleViolated(f"cell {name} is not drafted yet", field="cell")
            if not cell.rating:
                raise RuleViolated(f"cell {name} is not self-rated yet", field="cell")
        for name, cell in self.draft.cells.items():
            if not cell.rating:
                raise RuleViolated(f"cell {name} is drafted but not self-rated", field="cell")
        if len(digest) != 32:
            raise InvalidField("digest is not a SHA-256 digest (32 bytes)", field="digest")
        self.trigger_event(
            self.VersionSealed,
            version=self.draft_version,
            digest=digest,
            author=author,
            timestamp=at,
        )
        return self.sealed[len(self.sealed)]

    def request_review(
        self,
        *,
        version: int,
        reviewers: Sequence[str],
        scope: Sequence[str],
        due: date,
        author: str,
        at: datetime,
    ) -> ReviewRequest:
        """Ask reviewer nodes to review a sealed version; they join the audience."""
        self._check_live()
        sealed = self.sealed_version(version)
        if version in self.conclusions:
            raise RuleViolated(f"the review of version {version} is concluded", field="version")
        if not reviewers:
            raise InvalidField("reviewer is missing: name the reviewing node ids", field="reviewer")
        names = tuple(sorted({check_node_id(r, field="reviewer") for r in reviewers}))
        already = set(names) & set(self.reviewers(version))
        if already:
            raise RuleViolated(
                f"reviewer {', '.join(sorted(already))} was already asked to review "
                f"version {version}",
                field="reviewer",
            )
        cells = tuple(sorted({check_cell(c, field="scope") for c in scope} or sealed.cells))
        for name in cells:
            if name not in sealed.cells:
                raise InvalidField(
                    f"scope names cell {name}, which version {version} does not draft",
                    field="scope",
                )
        if due <= at.date():
            raise InvalidField(
                f"due {due.isoformat()} is not after today ({at.date().isoformat()})", field="due"
            )
        if PUBLIC in self.audience or FEDERATION in self.audience:
            audience = self.audience
        else:
            audience = tuple(sorted(set(self.audience) | set(names)))
        self.trigger_event(
            self.ReviewRequested,
            version=version,
            reviewers=names,
            scope=cells,
            due=due,
            audience=audience,
            author=author,
            timestamp=at,
        )
        return self.requests[-1]

    def answer_finding(
        self, *, review: RecordRef, cell: str, answer: str, author: str, at: datetime
    ) -> None:
        """Answer a reviewer's finding on a cell."""
        self._check_live()
        asked = {r for request in self.requests for r in request.reviewers}
        if review.origin not in asked:
            raise RuleViolated(
                f"review {review} is by {review.origin}, who was not asked to review "
                f"assessment {self.cycle}",
                field="review",
            )
        name = check_cell(cell)
        text = _text(answer, "answer", "write the answer to the finding")
        self.trigger_event(
            self.FindingAnswered, review=review, cell=name, answer=text, author=author, timestamp=at
        )

    def conclude(
        self,
        *,
        version: int,
        reviews: Sequence[tuple[RecordRef, PeerReview]],
        author: str,
        at: datetime,
    ) -> Conclusion:
        """Conclude the review of a sealed version: every requested reviewer has signed off on it."""
        self._check_live()
        sealed = self.sealed_version(version)
        if version in self.conclusions:
            raise RuleViolated(
                f"the review of version {version} is already concluded", field="version"
            )
        asked = self.reviewers(version)
        if not asked:
            raise RuleViolated(f"no review of version {version} was requested", field="version")
        covered: set[str] = set()
        for ref, review in reviews:
            if (
                ref.aggregate_id != review.id
                or ref.version != review.version
                or ref.origin != review.origin
            ):
                raise InvalidField(
                    f"review ref {ref} does not name the latest version of review {review.id}",
                    field="review",
                )
            if review.origin not in asked:
                raise RuleViolated(
                    f"review {ref} is by {review.origin}, who was not asked to review "
                    f"version {version}",
                    field="review",
                )
            target = review.assessment
            if (target.aggregate_id, target.version) != (self.id, sealed.record_version):
                raise RuleViolated(
                    f"review {ref} reviews {target}, not version {version} of "
                    f"assessment {self.cycle}",
                    field="review",
                )
            if review.version_digest != sealed.digest:
                raise RuleViolated(
                    f"review {ref} names a version digest that is not version {version}'s",
                    field="review",
                )
            if not review.signed_off:
                raise RuleViolated(f"review {ref} is not signed off", field="review")
            covered.add(review.origin)
        missing = [r for r in asked if r not in covered]
        if missing:
            raise RuleViolated(
                f"no signed-off review of version {version} from {', '.join(missing)}",
                field="review",
            )
        refs = tuple(sorted((ref for ref, _ in reviews), key=str))
        self.trigger_event(
            self.ReviewConcluded, version=version, reviews=refs, author=author, timestamp=at
        )
        return self.conclusions[version]

    def publish(self, *, audience: tuple[str, ...], author: str, at: datetime) -> Publication:
        """Publish the latest sealed version to a wider audience (the whole record goes to it)."""
        self._check_live()
        latest = self.latest_sealed
        if latest is None:
            raise RuleViolated(
                f"assessment {self.cycle} has no sealed version to publish", field="assessment"
            )
        if not _widens(self.audience, audience):
            raise RuleViolated(
                f"audience {', '.join(audience)} does not widen the current audience "
                f"{', '.join(self.audience)}",
                field="audience",
            )
        self.trigger_event(
            self.Published, version=latest.number, audience=audience, author=author, timestamp=at
        )
        return self.publications[-1]

    def withdraw(self, *, reason: str, author: str, at: datetime) -> None:
        """Withdraw the assessment; it takes nothing more."""
        self._check_live()
        text = _text(reason, "reason", "say why the assessment is withdrawn")
        self.trigger_event(self.Withdrawn, reason=text, author=author, timestamp=at)
