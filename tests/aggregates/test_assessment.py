from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aggregates.assessment import Assessment, Evidence, assessment_id
from aggregates.base import FEDERATION, PUBLIC, InvalidField, RecordRef, RuleViolated
from aggregates.peer_review import PeerReview
from aggregates.template import CELLS, ELEMENTS, REQUIRED_CELLS, check_cell, check_rating

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DUE = date(2027, 3, 31)
DIGEST = bytes(range(32))


def opened(audience: tuple[str, ...] = ("jp",)) -> Assessment:
    assessment = Assessment.open(origin="jp", cycle="2026", audience=audience, author="k1", at=AT)
    assessment.collect_events()
    return assessment


def rating_for(cell: str) -> str:
    return "LC" if cell.endswith(("LAW", "INST")) else "SUBSTANTIAL"


def drafted(cells: tuple[str, ...] = REQUIRED_CELLS) -> Assessment:
    assessment = opened()
    for cell in cells:
        assessment.draft_cell(
            cell=cell,
            narrative=f"How {cell} is met.",
            evidence=[Evidence("Act No. 228 of 1949", bytes(32))],
            author="k1",
            at=AT,
        )
        assessment.rate_cell(
            cell=cell, rating=rating_for(cell), rationale="as described", author="k1", at=AT
        )
    return assessment


def sealed(reviewers: tuple[str, ...] = ()) -> Assessment:
    assessment = drafted()
    assessment.seal(digest=DIGEST, author="k1", at=AT)
    if reviewers:
        assessment.request_review(
            version=1, reviewers=reviewers, scope=(), due=DUE, author="k1", at=AT
        )
    assessment.collect_events()
    return assessment


def signed_off_review(origin: str, assessment: Assessment, *, sign: bool = True) -> PeerReview:
    record = assessment.sealed[1].record_version
    ref = RecordRef("jp", assessment.id, record, b"\x07" * 32)
    review = PeerReview.open(
        origin=origin,
        assessment=ref,
        sealed_version=1,
        version_digest=assessment.sealed[1].digest,
        audience=(origin, "jp"),
        author="r1",
        at=AT,
    )
    review.propose_rating(
        cell="ENF.PROC", rating="MODERATE", rationale="few cases", author="r1", at=AT
    )
    if sign:
        review.sign_off(digest=b"\x09" * 32, author="r1", at=AT)
    return review


def ref_of(review: PeerReview) -> RecordRef:
    return RecordRef(review.origin, review.id, review.version, b"\x05" * 32)


def test_the_template_has_the_sixteen_cells_of_the_manila_table_with_their_elements() -> None:
    assert len(CELLS) == 16
    assert CELLS[0] == "LEG.LAW" and CELLS[-1] == "REG.IMPL"
    assert ELEMENTS["ENF.PROC"] == ("Enforcement procedures", "Penalties", "Risk-analyses")
    assert ELEMENTS["GIR.INST"] == ("Mechanisms for info-sharing, advice, consultation",)
    assert len(REQUIRED_CELLS) == 12 and not any(c.endswith("IMPL") for c in REQUIRED_CELLS)


def test_an_unknown_cell_is_refused_with_a_message_naming_it_and_the_cells_expected() -> None:
    with pytest.raises(InvalidField) as refused:
        check_cell("ENF.XYZ")
    assert refused.value.field == "cell"
    assert str(refused.value).startswith(
        "unknown cell 'ENF.XYZ': expected one of LEG.LAW … REG.IMPL"
    )


def test_ratings_follow_the_scale_of_the_cell_column() -> None:
    assert check_rating("LEG.LAW", "lc") == "LC"
    assert check_rating("REG.IMPL", "High") == "HIGH"
    for cell, rating in (("LEG.LAW", "HIGH"), ("ENF.PROC", "C"), ("GIR.INST", "LOW")):
        with pytest.raises(InvalidField) as refused:
            check_rating(cell, rating)
        assert refused.value.field == "rating"
        assert cell in str(refused.value)


def test_an_assessment_is_opened_under_an_id_derived_from_its_origin_and_cycle() -> None:
    assessment = opened()
    assert assessment.id == assessment_id("jp", "2026")
    assert (assessment.origin, assessment.cycle, assessment.audience) == ("jp", "2026", ("jp",))
    assert assessment.status == "draft" and assessment.draft_version == 1


def test_a_malformed_cycle_is_refused() -> None:
    with pytest.raises(InvalidField) as refused:
        Assessment.open(origin="jp", cycle="2026/27", audience=("jp",), author="k1", at=AT)
    assert refused.value.field == "cycle"


def test_a_refused_draft_writes_nothing() -> None:
    assessment = opened()
    with pytest.raises(InvalidField) as refused:
        assessment.draft_cell(cell="ENF.XYZ", narrative="x", evidence=[], author="k1", at=AT)
    assert refused.value.field == "cell"
    with pytest.raises(InvalidField) as empty:
        assessment.draft_cell(cell="ENF.LAW", narrative="  ", evidence=[], author="k1", at=AT)
    assert empty.value.field == "narrative"
    assert assessment.collect_events() == []
    assert assessment.draft.cells == {}


def test_a_cell_must_be_drafted_before_it_is_rated() -> None:
    assessment = opened()
    with pytest.raises(RuleViolated) as refused:
        assessment.rate_cell(cell="LEG.LAW", rating="C", rationale="r", author="k1", at=AT)
    assert refused.value.field == "cell"
    assert assessment.collect_events() == []


def test_sealing_needs_every_required_cell_drafted_and_rated_but_not_the_implementation_column() -> (
    None
):
    partial = drafted(REQUIRED_CELLS[:-1])
    with pytest.raises(RuleViolated) as refused:
        partial.seal(digest=DIGEST, author="k1", at=AT)
    assert refused.value.field == "cell"
    assert REQUIRED_CELLS[-1] in str(refused.value)

    complete = drafted()
    version = complete.seal(digest=DIGEST, author="k1", at=AT)
    assert (version.number, version.digest) == (1, DIGEST)
    assert version.record_version == complete.version
    assert complete.status == "sealed"


def test_a_drafted_but_unrated_implementation_cell_blocks_the_seal() -> None:
    assessment = drafted()
    assessment.draft_cell(
        cell="LEG.IMPL", narrative="11,400 licences", evidence=[], author="k1", at=AT
    )
    with pytest.raises(RuleViolated, match=r"LEG\.IMPL"):
        assessment.seal(digest=DIGEST, author="k1", at=AT)


def test_drafting_after_a_seal_starts_the_next_version_and_leaves_the_sealed_one_as_it_was() -> (
    None
):
    assessment = sealed()
    assert assessment.draft_version == 2
    with pytest.raises(RuleViolated, match="nothing changed since version 1"):
        assessment.seal(digest=DIGEST, author="k1", at=AT)
    assessment.draft_cell(
        cell="ENF.LAW", narrative="Amended in 2027.", evidence=[], author="k1", at=AT
    )
    assert assessment.status == "draft"
    assert assessment.cells(1)["ENF.LAW"].narrative == "How ENF.LAW is met."
    assert assessment.cells()["ENF.LAW"].narrative == "Amended in 2027."
    assert assessment.cells()["ENF.LAW"].rating == "LC"
    second = assessment.seal(digest=b"\x01" * 32, author="k1", at=AT)
    assert second.number == 2 and sorted(assessment.sealed) == [1, 2]


def test_the_digest_content_holds_every_drafted_cell() -> None:
    assessment = drafted()
    content = assessment.draft_content()
    assert sorted(content) == sorted(REQUIRED_CELLS)
    assert content["LEG.LAW"] == {
        "narrative": "How LEG.LAW is met.",
        "evidence": [{"citation": "Act No. 228 of 1949", "sha256": bytes(32)}],
        "rating": "LC",
        "rationale": "as described",
    }


def test_only_a_sealed_version_can_be_reviewed() -> None:
    assessment = drafted()
    with pytest.raises(RuleViolated) as refused:
        assessment.request_review(
            version=1, reviewers=("kr",), scope=(), due=DUE, author="k1", at=AT
        )
    assert refused.value.field == "version"
    assert assessment.requests == []


def test_requesting_a_review_shares_a_narrow_assessment_with_the_reviewers() -> None:
    assessment = sealed()
    request = assessment.request_review(
        version=1, reviewers=("us", "kr"), scope=("enf.proc",), due=DUE, author="k1", at=AT
    )
    assert request.reviewers == ("kr", "us") and request.scope == ("ENF.PROC",)
    assert assessment.audience == ("jp", "kr", "us")
    assert assessment.status == "in review"


def test_a_review_request_is_refused_for_a_past_due_date_a_repeated_reviewer_or_an_undrafted_cell() -> (
    None
):
    assessment = sealed(reviewers=("kr",))
    cases = [
        ({"reviewers": ("us",), "due": AT.date() - timedelta(days=1)}, "due"),
        ({"reviewers": ("kr",), "due": DUE}, "reviewer"),
        ({"reviewers": ("US!",), "due": DUE}, "reviewer"),
        ({"reviewers": ("us",), "due": DUE, "scope": ("REG.IMPL",)}, "scope"),
    ]
    for arguments, field in cases:
        with pytest.raises((InvalidField, RuleViolated)) as refused:
            assessment.request_review(
                version=1,
                reviewers=arguments["reviewers"],  # type: ignore[arg-type]
                scope=arguments.get("scope", ()),  # type: ignore[arg-type]
                due=arguments["due"],  # type: ignore[arg-type]
                author="k1",
                at=AT,
            )
        assert refused.value.field == field, arguments
    assert assessment.collect_events() == []


def test_a_finding_is_answered_only_for_a_requested_reviewer() -> None:
    assessment = sealed(reviewers=("kr",))
    review = ref_of(signed_off_review("kr", assessment))
    assessment.answer_finding(review=review, cell="ENF.PROC", answer="Noted.", author="k1", at=AT)
    assert assessment.answers[0].review == review
    stranger = RecordRef("cn", review.aggregate_id, 3, bytes(32))
    with pytest.raises(RuleViolated) as refused:
        assessment.answer_finding(review=stranger, cell="ENF.PROC", answer="?", author="k1", at=AT)
    assert refused.value.field == "review"


def test_a_review_is_concluded_only_when_every_requested_reviewer_has_signed_off() -> None:
    assessment = sealed(reviewers=("kr", "us"))
    korea = signed_off_review("kr", assessment)
    usa = signed_off_review("us", assessment, sign=False)

    with pytest.raises(RuleViolated, match="no signed-off review of version 1 from us"):
        assessment.conclude(version=1, reviews=[(ref_of(korea), korea)], author="k1", at=AT)
    with pytest.raises(RuleViolated, match="is not signed off"):
        assessment.conclude(
            version=1,
            reviews=[(ref_of(korea), korea), (ref_of(usa), usa)],
            author="k1",
            at=AT,
        )
    assert assessment.collect_events() == []

    usa.sign_off(digest=b"\x02" * 32, author="r2", at=AT)
    conclusion = assessment.conclude(
        version=1, reviews=[(ref_of(korea), korea), (ref_of(usa), usa)], author="k1", at=AT
    )
    assert {r.origin for r in conclusion.reviews} == {"kr", "us"}
    assert assessment.status == "concluded"
    with pytest.raises(RuleViolated, match="already concluded"):
        assessment.conclude(version=1, reviews=[], author="k1", at=AT)


def test_a_review_of_another_version_does_not_count_towards_a_conclusion() -> None:
    assessment = sealed(reviewers=("kr",))
    review = signed_off_review("kr", assessment)
    assessment.draft_cell(cell="LEG.LAW", narrative="v2", evidence=[], author="k1", at=AT)
    assessment.seal(digest=b"\x03" * 32, author="k1", at=AT)
    assessment.request_review(version=2, reviewers=("kr",), scope=(), due=DUE, author="k1", at=AT)
    with pytest.raises(RuleViolated, match="not version 2") as refused:
        assessment.conclude(version=2, reviews=[(ref_of(review), review)], author="k1", at=AT)
    assert refused.value.field == "review"


def test_publishing_must_widen_the_audience() -> None:
    assessment = sealed(reviewers=("kr",))
    with pytest.raises(RuleViolated) as narrower:
        assessment.publish(audience=("jp",), author="k1", at=AT)
    assert narrower.value.field == "audience"
    publication = assessment.publish(audience=(FEDERATION,), author="k1", at=AT)
    assert (publication.version, assessment.audience) == (1, (FEDERATION,))
    with pytest.raises(RuleViolated):
        assessment.publish(audience=("jp", "kr", "us"), author="k1", at=AT)
    assessment.publish(audience=(PUBLIC,), author="k1", at=AT)
    assert assessment.audience == (PUBLIC,)


def test_an_unsealed_assessment_cannot_be_published() -> None:
    with pytest.raises(RuleViolated) as refused:
        drafted().publish(audience=(PUBLIC,), author="k1", at=AT)
    assert refused.value.field == "assessment"


def test_a_withdrawn_assessment_takes_nothing_more() -> None:
    assessment = sealed()
    assessment.withdraw(reason="superseded by the 2027 cycle", author="k1", at=AT)
    assert assessment.status == "withdrawn"
    with pytest.raises(RuleViolated) as refused:
        assessment.draft_cell(cell="LEG.LAW", narrative="x", evidence=[], author="k1", at=AT)
    assert refused.value.field == "assessment"
