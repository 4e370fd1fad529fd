"""The node's side of assessments: ids, evidence digests, version digests, review checks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from uuid import UUID

from aggregates.assessment import (
    Assessment,
    Conclusion,
    Evidence,
    Publication,
    ReviewRequest,
    Sealed,
    assessment_id,
)
from aggregates.base import NODE_ID, RecordRef
from aggregates.peer_review import PeerReview
from node.errors import BadInput, NotFound
from node.service import Node
from protocol import canonical

ROLE = "policy"
HEX_DIGEST = re.compile(r"^sha256:([0-9a-fA-F]{64})$")


def content_digest(content: dict[str, object]) -> bytes:
    """SHA-256 of the strict canonical msgpack of a record's content."""
    return hashlib.sha256(canonical.encode(content)).digest()


def version_digest(assessment: Assessment) -> bytes:
    """The digest of the draft's cells, which sealing stores as the version digest."""
    return content_digest(assessment.draft_content())


def file_digest(path: Path, *, field: str = "evidence") -> bytes:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as error:
        raise BadInput(
            f"{field}: cannot read {path} ({error.strerror or error})", field=field
        ) from None
    return digest.digest()


def parse_evidence(spec: str) -> Evidence:
    """`CITATION`, `CITATION=PATH` (the node digests the file) or `CITATION=sha256:HEX`."""
    citation, sep, target = spec.rpartition("=")
    if not sep:
        return Evidence(spec.strip())
    if not citation.strip():
        raise BadInput(f"evidence {spec!r} has no citation before '='", field="evidence")
    known = HEX_DIGEST.match(target.strip())
    if known:
        return Evidence(citation.strip(), bytes.fromhex(known.group(1)))
    return Evidence(citation.strip(), file_digest(Path(target.strip()).expanduser()))


def locate(node: Node, spec: str) -> UUID:
    """The id of an assessment named `CYCLE` (this node's) or `ORIGIN/CYCLE`."""
    origin, sep, cycle = spec.strip().rpartition("/")
    if not sep:
        origin = node.config.node_id
    elif not NODE_ID.match(origin):
        raise BadInput(
            f"assessment {spec!r}: expected CYCLE or ORIGIN/CYCLE such as kr/2026",
            field="assessment",
        )
    return assessment_id(origin, cycle)


def get(node: Node, spec: str) -> Assessment:
    """An assessment held by this node, by `CYCLE` or `ORIGIN/CYCLE`."""
    try:
        return node.get(locate(node, spec), Assessment)
    except NotFound:
        raise NotFound(
            f"no assessment {spec!r} is held here: open it with `xcnet assessment open CYCLE`",
            field="assessment",
        ) from None


def held(node: Node) -> list[Assessment]:
    """Every assessment this node holds, own and replicated, in log order."""
    return [node.get(i, Assessment) for i in node.record_ids(Assessment.Opened.TOPIC)]


def sealed_ref(node: Node, assessment: Assessment, version: int) -> RecordRef:
    """The ref of the record that sealed a version: what reviewers name."""
    return node.ref(assessment.id, assessment.sealed_version(version).record_version)


def reviews_of(node: Node, assessment: Assessment) -> list[PeerReview]:
    """The peer reviews of any version of this assessment that this node holds."""
    reviews = (node.get(i, PeerReview) for i in node.record_ids(PeerReview.Opened.TOPIC))
    return [r for r in reviews if r.assessment.aggregate_id == assessment.id]


def _own(node: Node, cycle: str) -> UUID:
    if "/" in cycle and not cycle.startswith(f"{node.config.node_id}/"):
        raise BadInput(
            f"assessment {cycle!r} is another node's record: only its origin writes it",
            field="assessment",
        )
    target = locate(node, cycle)
    get(node, cycle)
    return target


def open_assessment(
    node: Node, cycle: str, *, audience: Sequence[str] = (), as_official: str | None = None
) -> Assessment:
    """Open this node's assessment for a cycle; it is seen only here until shared."""
    names = node.audience(list(audience)) if audience else (node.config.node_id,)
    created = Assessment.open(
        origin=node.config.node_id,
        cycle=cycle,
        audience=names,
        author=node.author(ROLE, as_official),
        at=node.clock(),
    )
    if node.app.process_recorder.select_events(created.id, limit=1):
        raise BadInput(f"assessment {created.cycle} is already open", field="cycle")
    node.save(created)
    return created


def draft_cell(
    node: Node,
    cycle: str,
    cell: str,
    narrative: str,
    evidence: Sequence[str] = (),
    *,
    rating: str | None = None,
    rationale: str = "",
    as_official: str | None = None,
) -> Assessment:
    """Draft a cell, and self-rate it in the same write when a rating is given."""
    target = _own(node, cycle)
    if rating is None and rationale.strip():
        raise BadInput("rationale is given without a rating: add --rating", field="rating")
    items = [parse_evidence(spec) for spec in evidence]
    author = node.author(ROLE, as_official)

    def act(assessment: Assessment) -> None:
        assessment.draft_cell(
            cell=cell, narrative=narrative, evidence=items, author=author, at=node.clock()
        )
        if rating is not None:
            assessment.rate_cell(
                cell=cell, rating=rating, rationale=rationale, author=author, at=node.clock()
            )

    return node.update(target, Assessment, act)


def rate_cell(
    node: Node,
    cycle: str,
    cell: str,
    rating: str,
    rationale: str,
    *,
    as_official: str | None = None,
) -> Assessment:
    target = _own(node, cycle)
    author = node.author(ROLE, as_official)
    return node.update(
        target,
        Assessment,
        lambda a: a.rate_cell(
            cell=cell, rating=rating, rationale=rationale, author=author, at=node.clock()
        ),
    )


def seal(node: Node, cycle: str, *, as_official: str | None = None) -> tuple[Assessment, Sealed]:
    """Seal the draft; the version digest is SHA-256 over the canonical msgpack of its cells."""
    target = _own(node, cycle)
    author = node.author(ROLE, as_official)
    sealed: list[Sealed] = []
    assessment = node.update(
        target,
        Assessment,
        lambda a: sealed.append(a.seal(digest=version_digest(a), author=author, at=node.clock())),
    )
    return assessment, sealed[-1]


def _version(assessment: Assessment, version: int | None) -> int:
    if version is not None:
        return version
    latest = assessment.latest_sealed
    if latest is None:
        raise BadInput(
            f"assessment {assessment.cycle} has no sealed version: seal it first", field="version"
        )
    return latest.number


def request_review(
    node: Node,
    cycle: str,
    *,
    reviewers: Sequence[str],
    due: date,
    scope: Sequence[str] = (),
    version: int | None = None,
    as_official: str | None = None,
) -> tuple[Assessment, ReviewRequest]:
    target = _own(node, cycle)
    number = _version(node.get(target, Assessment), version)
    author = node.author(ROLE, as_official)
    made: list[ReviewRequest] = []
    assessment = node.update(
        target,
        Assessment,
        lambda a: made.append(
            a.request_review(
                version=number,
                reviewers=reviewers,
                scope=scope,
                due=due,
                author=author,
                at=node.clock(),
            )
        ),
    )
    return assessment, made[-1]


def review_ref(node: Node, assessment: Assessment, spec: str) -> RecordRef:
    """A review named by its ref text, its record id, or its reviewer's node id."""
    text = spec.strip()
    if "@" in text or "#" in text:
        return RecordRef.parse(text, field="review")
    try:
        return node.ref(UUID(text))
    except ValueError:
        pass
    except NotFound:
        raise NotFound(f"no review record {text} is held here", field="review") from None
    if not NODE_ID.match(text):
        raise BadInput(
            f"review {spec!r}: give the reviewer's node id, the review's record id or its ref "
            "ORIGIN/UUID@VERSION#DIGEST",
            field="review",
        )
    found = [r for r in reviews_of(node, assessment) if r.origin == text]
    if not found:
        raise NotFound(
            f"no review by {text} of assessment {assessment.cycle} is held here: "
            "give its ref ORIGIN/UUID@VERSION#DIGEST",
            field="review",
        )
    latest = max(found, key=lambda r: r.sealed_version)
    return node.ref(latest.id)


def answer(
    node: Node,
    cycle: str,
    review: str,
    cell: str,
    text: str,
    *,
    as_official: str | None = None,
) -> tuple[Assessment, RecordRef]:
    target = _own(node, cycle)
    ref = review_ref(node, node.get(target, Assessment), review)
    author = node.author(ROLE, as_official)
    assessment = node.update(
        target,
        Assessment,
        lambda a: a.answer_finding(
            review=ref, cell=cell, answer=text, author=author, at=node.clock()
        ),
    )
    return assessment, ref


def conclude(
    node: Node, cycle: str, *, version: int | None = None, as_official: str | None = None
) -> tuple[Assessment, Conclusion]:
    """Conclude a version's review from the signed-off reviews of it that this node holds."""
    target = _own(node, cycle)
    current = node.get(target, Assessment)
    number = _version(current, version)
    sealed = current.sealed_version(number)
    reviews = [
        (node.ref(r.id), r)
        for r in reviews_of(node, current)
        if r.assessment.version == sealed.record_version and r.signed_off
    ]
    author = node.author(ROLE, as_official)
    made: list[Conclusion] = []
    assessment = node.update(
        target,
        Assessment,
        lambda a: made.append(
            a.conclude(version=number, reviews=reviews, author=author, at=node.clock())
        ),
    )
    return assessment, made[-1]


def publish(
    node: Node, cycle: str, audience: Sequence[str], *, as_official: str | None = None
) -> tuple[Assessment, Publication]:
    target = _own(node, cycle)
    names = node.audience(list(audience))
    author = node.author(ROLE, as_official)
    made: list[Publication] = []
    assessment = node.update(
        target,
        Assessment,
        lambda a: made.append(a.publish(audience=names, author=author, at=node.clock())),
    )
    return assessment, made[-1]


def withdraw(node: Node, cycle: str, reason: str, *, as_official: str | None = None) -> Assessment:
    target = _own(node, cycle)
    author = node.author(ROLE, as_official)
    return node.update(
        target,
        Assessment,
        lambda a: a.withdraw(reason=reason, author=author, at=node.clock()),
    )
