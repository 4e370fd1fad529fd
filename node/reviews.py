"""The node's side of peer reviews: which sealed version is reviewed, finding reviews, sign-off."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from uuid import UUID

from aggregates.assessment import Assessment
from aggregates.base import RecordRef, RuleViolated
from aggregates.peer_review import PeerReview, Recommendation, review_id
from node import assessments
from node.errors import BadInput, NotFound
from node.service import Node

ROLE = "reviewer"


def review_digest(review: PeerReview) -> bytes:
    """SHA-256 over the canonical msgpack of the review's content: what sign-off seals."""
    return assessments.content_digest(review.content())


def held(node: Node) -> list[PeerReview]:
    """Every peer review this node holds, own and replicated, in log order."""
    return [node.get(i, PeerReview) for i in node.record_ids(PeerReview.Opened.TOPIC)]


def find(node: Node, spec: str) -> PeerReview:
    """A held review by its record id or a unique prefix of it."""
    text = spec.strip().lower()
    matches = [r for r in held(node) if str(r.id).startswith(text)] if text else []
    if len(matches) != 1:
        raise NotFound(
            f"review {spec!r} is not held here"
            + (" (ambiguous prefix)" if matches else "")
            + ": see `xcnet review list`",
            field="review",
        )
    return matches[0]


def _own(node: Node, spec: str) -> UUID:
    review = find(node, spec)
    if review.origin != node.config.node_id:
        raise BadInput(
            f"review {review.id} is {review.origin}'s record: only its origin writes it",
            field="review",
        )
    return review.id


def target(
    node: Node,
    spec: str,
    *,
    version: int | None = None,
    sealed_version: int | None = None,
    version_digest: bytes | None = None,
) -> tuple[RecordRef, int, bytes]:
    """The sealed assessment version named by a ref, or by `[ORIGIN/]CYCLE` and a version.

    When the assessment is held here the ref must name one of its VersionSealed records; a ref to
    an assessment not held here is taken as given, with the sealed version and its digest.
    """
    text = spec.strip()
    if "@" in text or "#" in text:
        ref = RecordRef.parse(text, field="assessment")
        try:
            assessment = node.get(ref.aggregate_id, Assessment)
        except NotFound:
            if sealed_version is None or version_digest is None:
                raise BadInput(
                    f"assessment {ref.origin}/{ref.aggregate_id} is not held here: give "
                    "--sealed-version and --version-digest as the assessor published them",
                    field="version_digest",
                ) from None
            return ref, sealed_version, version_digest
        held_ref = node.ref(ref.aggregate_id, ref.version)
        if held_ref != ref:
            raise BadInput(
                f"assessment ref {ref} does not match the record held here ({held_ref})",
                field="assessment",
            )
        sealed = [s for s in assessment.sealed.values() if s.record_version == ref.version]
        if not sealed:
            raise RuleViolated(
                f"assessment ref {ref} names version {ref.version} of the record, which is not a "
                "sealed version: only a sealed version can be reviewed",
                field="assessment",
            )
    else:
        assessment = assessments.get(node, text)
        latest = assessment.latest_sealed
        if version is None and latest is None:
            raise RuleViolated(
                f"assessment {text} has no sealed version: only a sealed version can be reviewed",
                field="assessment",
            )
        number = version if version is not None else latest.number if latest else 0
        sealed = [assessment.sealed_version(number, field="version")]
        ref = node.ref(assessment.id, sealed[0].record_version)
    if assessment.withdrawn:
        raise RuleViolated(f"assessment {assessment.cycle} was withdrawn", field="assessment")
    return ref, sealed[0].number, sealed[0].digest


def open_review(
    node: Node,
    assessment: str,
    *,
    version: int | None = None,
    sealed_version: int | None = None,
    version_digest: bytes | None = None,
    audience: Sequence[str] = (),
    interest: str | None = None,
    as_official: str | None = None,
) -> PeerReview:
    """Open this node's review of a sealed assessment version, shared with its assessor."""
    ref, number, digest = target(
        node,
        assessment,
        version=version,
        sealed_version=sealed_version,
        version_digest=version_digest,
    )
    me = node.config.node_id
    names = node.audience(list(audience)) if audience else tuple(sorted({me, ref.origin}))
    author = node.author(ROLE, as_official)
    at = node.clock()
    if node.app.process_recorder.select_events(review_id(me, ref), limit=1):
        raise BadInput(
            f"this node already reviews {ref}: see `xcnet review list`", field="assessment"
        )
    review = PeerReview.open(
        origin=me,
        assessment=ref,
        sealed_version=number,
        version_digest=digest,
        audience=names,
        author=author,
        at=at,
    )
    if interest is not None:
        review.declare_interest(statement=interest, author=author, at=at)
    node.save(review)
    return review


def _act(
    node: Node, spec: str, as_official: str | None, action: Callable[[PeerReview, str], object]
) -> PeerReview:
    target_id = _own(node, spec)
    author = node.author(ROLE, as_official)
    return node.update(target_id, PeerReview, lambda r: action(r, author))


def declare(node: Node, spec: str, statement: str, *, as_official: str | None = None) -> PeerReview:
    return _act(
        node,
        spec,
        as_official,
        lambda r, a: r.declare_interest(statement=statement, author=a, at=node.clock()),
    )


def comment(
    node: Node, spec: str, cell: str, text: str, *, as_official: str | None = None
) -> PeerReview:
    return _act(
        node,
        spec,
        as_official,
        lambda r, a: r.comment(cell=cell, text=text, author=a, at=node.clock()),
    )


def rate(
    node: Node,
    spec: str,
    cell: str,
    rating: str,
    rationale: str,
    *,
    as_official: str | None = None,
) -> PeerReview:
    return _act(
        node,
        spec,
        as_official,
        lambda r, a: r.propose_rating(
            cell=cell, rating=rating, rationale=rationale, author=a, at=node.clock()
        ),
    )


def recommend(
    node: Node,
    spec: str,
    cell: str,
    *,
    priority: str,
    action: str,
    due: date,
    as_official: str | None = None,
) -> tuple[PeerReview, Recommendation]:
    made: list[Recommendation] = []
    review = _act(
        node,
        spec,
        as_official,
        lambda r, a: made.append(
            r.recommend(
                cell=cell, priority=priority, action=action, due=due, author=a, at=node.clock()
            )
        ),
    )
    return review, made[-1]


def dissent(
    node: Node, spec: str, cell: str, text: str, by: str, *, as_official: str | None = None
) -> PeerReview:
    return _act(
        node,
        spec,
        as_official,
        lambda r, a: r.dissent(cell=cell, text=text, by=by, author=a, at=node.clock()),
    )


def sign_off(node: Node, spec: str, *, as_official: str | None = None) -> PeerReview:
    """Sign the review off with the digest of its content."""
    return _act(
        node,
        spec,
        as_official,
        lambda r, a: r.sign_off(digest=review_digest(r), author=a, at=node.clock()),
    )
