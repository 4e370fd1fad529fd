from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from aggregates.base import InvalidField, RecordRef, RuleViolated
from aggregates.peer_review import PeerReview, ReviewSignedOff, review_id

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SEALED = RecordRef("jp", UUID(int=7), 26, b"\x01" * 32)


def opened() -> PeerReview:
    review = PeerReview.open(
        origin="kr",
        assessment=SEALED,
        sealed_version=1,
        version_digest=b"\x02" * 32,
        audience=("jp", "kr"),
        author="r1",
        at=AT,
    )
    review.collect_events()
    return review


def test_a_review_opens_on_a_sealed_version_under_an_id_for_its_reviewer_and_that_version() -> None:
    review = opened()
    assert review.id == review_id("kr", SEALED)
    assert review.id != review_id("us", SEALED)
    assert (review.origin, review.assessment, review.sealed_version) == ("kr", SEALED, 1)
    assert not review.signed_off


def test_a_ref_without_a_version_digest_is_refused() -> None:
    for ref, digest, field in (
        (RecordRef("jp", UUID(int=7), 26, b"short"), b"\x02" * 32, "assessment"),
        (SEALED, b"", "version_digest"),
    ):
        with pytest.raises(InvalidField) as refused:
            PeerReview.open(
                origin="kr",
                assessment=ref,
                sealed_version=1,
                version_digest=digest,
                audience=("kr",),
                author="r1",
                at=AT,
            )
        assert refused.value.field == field


def test_proposed_ratings_follow_the_column_scales_and_a_later_one_replaces_the_earlier() -> None:
    review = opened()
    review.propose_rating(cell="enf.proc", rating="low", rationale="no cases", author="r1", at=AT)
    review.propose_rating(
        cell="ENF.PROC", rating="MODERATE", rationale="one case", author="r1", at=AT
    )
    assert review.ratings["ENF.PROC"].rating == "MODERATE"
    with pytest.raises(InvalidField) as refused:
        review.propose_rating(cell="ENF.LAW", rating="HIGH", rationale="x", author="r1", at=AT)
    assert refused.value.field == "rating"


def test_recommendations_are_numbered_in_order_and_fall_due_in_the_future() -> None:
    review = opened()
    first = review.recommend(
        cell="ENF.INST",
        priority="High",
        action="Staff regional customs offices",
        due=date(2027, 6, 30),
        author="r1",
        at=AT,
    )
    second = review.recommend(
        cell="GIR.IMPL",
        priority="low",
        action="Reach SMEs",
        due=date(2027, 12, 31),
        author="r1",
        at=AT,
    )
    assert (first.number, first.priority, second.number) == (1, "high", 2)
    for arguments, field in (
        ({"priority": "urgent", "due": date(2027, 1, 1)}, "priority"),
        ({"priority": "low", "due": date(2026, 11, 23)}, "due"),
    ):
        with pytest.raises(InvalidField) as refused:
            review.recommend(cell="ENF.INST", action="x", author="r1", at=AT, **arguments)  # type: ignore[arg-type]
        assert refused.value.field == field
    assert len(review.recommendations) == 2


def test_a_dissent_is_on_a_cell_or_general_and_names_who_dissents() -> None:
    review = opened()
    review.dissent(
        cell="general", text="Too generous overall.", by="Lee Min-jun", author="r1", at=AT
    )
    review.dissent(cell="enf.impl", text="LOW, not MODERATE.", by="Lee Min-jun", author="r1", at=AT)
    assert [d.cell for d in review.dissents] == ["general", "ENF.IMPL"]
    with pytest.raises(InvalidField) as refused:
        review.dissent(cell="general", text="x", by=" ", author="r1", at=AT)
    assert refused.value.field == "by"


def test_an_empty_review_cannot_be_signed_off() -> None:
    review = opened()
    review.declare_interest(statement="No conflict of interest.", author="r1", at=AT)
    with pytest.raises(RuleViolated) as refused:
        review.sign_off(digest=b"\x03" * 32, author="r1", at=AT)
    assert refused.value.field == "review"


def test_nothing_can_be_added_after_sign_off() -> None:
    review = opened()
    review.comment(cell="LEG.PROC", text="Bulk licences need audit.", author="r1", at=AT)
    review.sign_off(digest=b"\x03" * 32, author="r1", at=AT)
    assert review.signed_off and review.digest == b"\x03" * 32
    review.collect_events()
    attempts: list[Callable[[], object]] = [
        lambda: review.comment(cell="LEG.PROC", text="More.", author="r1", at=AT),
        lambda: review.propose_rating(
            cell="LEG.LAW", rating="C", rationale="x", author="r1", at=AT
        ),
        lambda: review.declare_interest(statement="x", author="r1", at=AT),
        lambda: review.dissent(cell="general", text="x", by="y", author="r1", at=AT),
        lambda: review.sign_off(digest=b"\x04" * 32, author="r1", at=AT),
    ]
    for attempt in attempts:
        with pytest.raises(ReviewSignedOff) as refused:
            attempt()
        assert refused.value.field == "review"
    assert review.collect_events() == []


def test_the_content_to_digest_changes_with_every_finding() -> None:
    review = opened()
    empty = review.content()
    review.comment(cell="LEG.PROC", text="Bulk licences need audit.", author="r1", at=AT)
    commented = review.content()
    assert commented != empty
    assert commented["comments"] == [{"cell": "LEG.PROC", "text": "Bulk licences need audit."}]
    assert commented["version_digest"] == b"\x02" * 32
