from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from aggregates.assistance_offer import AssistanceOffer, offer_id
from aggregates.assistance_request import AssistanceRequest, Recommendation, request_id
from aggregates.base import DomainError, InvalidField, RecordRef, RuleViolated
from aggregates.peer_review import PeerReview

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


def ref_to(origin: str, aggregate_id: UUID, version: int = 1) -> RecordRef:
    return RecordRef(origin, aggregate_id, version, bytes([version]) * 32)


def post(**changes: Any) -> AssistanceRequest:
    fields: dict[str, Any] = {
        "origin": "ph",
        "reference": "2027-cit",
        "area": "Enforcement",
        "unscr1540": ("op3d", "OP3c"),
        "cells": ("enf.proc", "ENF.INST"),
        "modality": "CIT",
        "description": "  Commodity identification training for customs  ",
        "start": date(2027, 2, 1),
        "end": date(2027, 6, 30),
        "languages": ("TL", "en", "en"),
        "source": None,
        "audience": ("federation",),
        "author": "policy-key",
        "at": NOW,
    }
    return AssistanceRequest.post(**(fields | changes))


def make(**changes: Any) -> AssistanceOffer:
    fields: dict[str, Any] = {
        "origin": "us",
        "reference": "exbs-cit",
        "request": None,
        "areas": ("enforcement", "licensing"),
        "modalities": ("cit",),
        "regions": ("southeast-asia", "ph"),
        "languages": ("en",),
        "description": "CIT courses in the region",
        "audience": ("federation",),
        "author": "donor-key",
        "at": NOW,
    }
    return AssistanceOffer.make(**(fields | changes))


def answer(request: AssistanceRequest, **changes: Any) -> AssistanceOffer:
    return make(request=ref_to("ph", request.id), audience=("ph",), areas=(), **changes)


def accepted(request: AssistanceRequest | None = None) -> AssistanceRequest:
    request = request or post()
    request.accept(offer=ref_to("us", offer_id("us", "exbs-cit")), author="policy-key", at=NOW)
    return request


def delivered() -> AssistanceRequest:
    request = accepted()
    request.record_delivery(
        delivered_on=NOW.date(), summary="course held", report=None, author="p", at=NOW
    )
    return request


def refusal(error: pytest.ExceptionInfo[DomainError]) -> str | None:
    return error.value.field


# Requests ----------------------------------------------------------------------------------


def test_a_posted_request_is_open_with_its_vocabulary_normalised() -> None:
    request = post()
    assert request.id == request_id("ph", "2027-cit")
    assert request.status == "open"
    assert request.area == "enforcement"
    assert request.unscr1540 == ("OP3c", "OP3d")
    assert request.cells == ("ENF.INST", "ENF.PROC")
    assert request.modality == "cit"
    assert request.description == "Commodity identification training for customs"
    assert request.languages == ("en", "tl")
    assert request.timeframe.start == date(2027, 2, 1)
    assert request.audience == ("federation",)
    assert request.posted_at == NOW


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"area": "diplomacy"}, "area"),
        ({"area": ""}, "area"),
        ({"unscr1540": ("OP4",)}, "unscr1540"),
        ({"cells": ("ENF.XYZ",)}, "cell"),
        ({"cells": ()}, "cell"),
        ({"modality": "airlift"}, "modality"),
        ({"description": "  "}, "description"),
        ({"end": date(2027, 2, 1)}, "end"),
        ({"languages": ("english",)}, "language"),
        ({"languages": ()}, "language"),
        ({"audience": ("federation", "kr")}, "audience"),
        ({"reference": "no spaces please"}, "ref"),
    ],
)
def test_a_request_with_a_bad_field_is_refused_naming_that_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidField) as error:
        post(**changes)
    assert refusal(error) == field


def test_an_unknown_cell_is_refused_with_the_cells_it_could_be() -> None:
    with pytest.raises(InvalidField, match=r"unknown cell 'ENF.XYZ': expected one of LEG.LAW"):
        post(cells=("ENF.XYZ",))


def test_a_request_drafted_from_a_recommendation_keeps_the_reference() -> None:
    review = ref_to("kr", UUID(int=7), version=4)
    request = post(source=Recommendation(review, 2))
    assert request.source == Recommendation(review, 2)


def test_a_recommendation_number_below_one_is_refused() -> None:
    with pytest.raises(InvalidField) as error:
        post(source=Recommendation(ref_to("kr", UUID(int=7)), 0))
    assert refusal(error) == "recommendation"


def reviewed(recommendations: int) -> PeerReview:
    review = PeerReview.open(
        origin="kr",
        assessment=ref_to("ph", UUID(int=1), version=9),
        sealed_version=1,
        version_digest=b"\x01" * 32,
        audience=("federation",),
        author="reviewer-key",
        at=NOW,
    )
    for _ in range(recommendations):
        review.recommend(
            cell="ENF.PROC",
            priority="high",
            action="train customs officers in commodity identification",
            due=date(2027, 12, 31),
            author="reviewer-key",
            at=NOW,
        )
    return review


def test_a_held_source_review_must_have_issued_the_recommendation() -> None:
    review = reviewed(recommendations=1)
    source = Recommendation(ref_to("kr", review.id), 1)
    assert post(source=source, held_review=review).source == source
    with pytest.raises(RuleViolated) as error:
        post(source=Recommendation(ref_to("kr", review.id), 2), held_review=review)
    assert refusal(error) == "recommendation"


def test_a_held_source_review_must_review_this_members_assessment() -> None:
    review = reviewed(recommendations=1)
    with pytest.raises(RuleViolated) as error:
        post(origin="vn", source=Recommendation(ref_to("kr", review.id), 1), held_review=review)
    assert refusal(error) == "source"


def test_a_revision_changes_only_what_it_names() -> None:
    request = post()
    request.revise(
        description="CIT for customs and police", end=date(2027, 9, 30), author="p", at=LATER
    )
    assert request.description == "CIT for customs and police"
    assert request.timeframe.end == date(2027, 9, 30)
    assert request.timeframe.start == date(2027, 2, 1)
    assert request.cells == ("ENF.INST", "ENF.PROC")
    assert request.version == 2


def test_a_revision_that_changes_nothing_is_refused() -> None:
    request = post()
    with pytest.raises(RuleViolated) as error:
        request.revise(area="enforcement", author="p", at=LATER)
    assert refusal(error) == "revision"
    assert request.version == 1


def test_a_revision_whose_start_falls_after_the_end_is_refused() -> None:
    request = post()
    with pytest.raises(InvalidField) as error:
        request.revise(start=date(2027, 7, 1), author="p", at=LATER)
    assert refusal(error) == "end"


def test_accepting_an_offer_closes_the_request_to_other_offers_and_revisions() -> None:
    request = accepted()
    assert request.status == "accepted"
    assert request.accepted_offer == ref_to("us", offer_id("us", "exbs-cit"))
    with pytest.raises(RuleViolated) as error:
        request.accept(offer=ref_to("jp", UUID(int=3)), author="p", at=LATER)
    assert refusal(error) == "request"
    with pytest.raises(RuleViolated):
        request.revise(description="something else", author="p", at=LATER)
    assert request.version == 2


def test_accepting_an_offer_widens_a_request_shared_with_named_nodes_to_the_donor() -> None:
    request = accepted(post(audience=("jp", "kr")))
    assert request.audience == ("jp", "kr", "us")
    assert accepted(post(audience=("federation",))).audience == ("federation",)


def test_an_offer_held_here_must_answer_this_request_and_still_stand() -> None:
    request, other = post(), post(reference="2027-drafting")
    elsewhere = answer(other)
    with pytest.raises(RuleViolated) as error:
        request.accept(offer=ref_to("us", elsewhere.id), author="p", at=NOW, held_offer=elsewhere)
    assert refusal(error) == "offer"
    withdrawn = answer(request, reference="exbs-2")
    withdrawn.withdraw(reason="budget cut", author="d", at=NOW)
    with pytest.raises(RuleViolated) as error:
        request.accept(offer=ref_to("us", withdrawn.id), author="p", at=NOW, held_offer=withdrawn)
    assert refusal(error) == "offer"
    standing = make(reference="standing")
    request.accept(offer=ref_to("us", standing.id), author="p", at=NOW, held_offer=standing)
    assert request.status == "accepted"


def test_delivery_is_recorded_only_for_an_accepted_offer() -> None:
    request = post()
    with pytest.raises(RuleViolated) as error:
        request.record_delivery(
            delivered_on=NOW.date(), summary="held", report=None, author="p", at=NOW
        )
    assert refusal(error) == "request"
    request = accepted()
    with pytest.raises(RuleViolated) as error:
        request.record_delivery(
            delivered_on=NOW.date(),
            summary="held",
            report=ref_to("us", UUID(int=99), 2),
            author="p",
            at=NOW,
        )
    assert refusal(error) == "report"
    with pytest.raises(RuleViolated) as error:
        request.record_delivery(
            delivered_on=LATER.date(), summary="held", report=None, author="p", at=NOW
        )
    assert refusal(error) == "date"
    report = ref_to("us", offer_id("us", "exbs-cit"), 2)
    request.record_delivery(
        delivered_on=NOW.date(), summary="held", report=report, author="p", at=NOW
    )
    assert request.status == "delivered"
    assert request.delivery is not None and request.delivery.report == report


def test_an_outcome_is_reported_only_after_delivery() -> None:
    request = accepted()
    with pytest.raises(RuleViolated) as error:
        request.report_outcome(
            cell="ENF.PROC", before="LOW", after="MODERATE", note="", author="p", at=NOW
        )
    assert refusal(error) == "request"
    assert request.outcomes == {}


def test_an_outcome_is_rated_on_the_scale_of_its_cells_column() -> None:
    request = delivered()
    request.report_outcome(
        cell="enf.proc",
        before="low",
        after="Moderate",
        note="CIT in curriculum",
        author="p",
        at=NOW,
    )
    request.report_outcome(cell="ENF.INST", before="NC", after="LC", note="", author="p", at=NOW)
    assert [(o.cell, o.before, o.after) for o in request.outcomes.values()] == [
        ("ENF.PROC", "LOW", "MODERATE"),
        ("ENF.INST", "NC", "LC"),
    ]
    with pytest.raises(InvalidField) as error:
        request.report_outcome(
            cell="ENF.INST", before="LOW", after="LC", note="", author="p", at=NOW
        )
    assert refusal(error) == "before"
    with pytest.raises(InvalidField) as error:
        request.report_outcome(
            cell="ENF.PROC", before="LOW", after="C", note="", author="p", at=NOW
        )
    assert refusal(error) == "after"


def test_an_outcome_for_a_cell_the_request_does_not_name_is_refused() -> None:
    request = delivered()
    with pytest.raises(RuleViolated) as error:
        request.report_outcome(cell="LEG.LAW", before="NC", after="PC", note="", author="p", at=NOW)
    assert refusal(error) == "cell"


def test_a_withdrawn_request_takes_no_further_changes() -> None:
    request = post()
    request.withdraw(reason="funded nationally", author="p", at=NOW)
    assert request.status == "withdrawn"
    attempts: list[Callable[[], None]] = [
        lambda: request.revise(description="x", author="p", at=LATER),
        lambda: request.accept(offer=ref_to("us", UUID(int=3)), author="p", at=LATER),
        lambda: request.withdraw(reason="again", author="p", at=LATER),
        lambda: request.record_delivery(
            delivered_on=NOW.date(), summary="x", report=None, author="p", at=LATER
        ),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolated, match="withdrawn"):
            attempt()
    assert request.version == 2


def test_a_delivered_request_cannot_be_withdrawn_and_a_withdrawal_needs_a_reason() -> None:
    with pytest.raises(RuleViolated) as error:
        delivered().withdraw(reason="changed our minds", author="p", at=NOW)
    assert refusal(error) == "request"
    with pytest.raises(InvalidField) as invalid:
        post().withdraw(reason=" ", author="p", at=NOW)
    assert refusal(invalid) == "reason"


# Offers ------------------------------------------------------------------------------------


def test_a_standing_offer_lists_its_capabilities() -> None:
    offer = make()
    assert offer.id == offer_id("us", "exbs-cit")
    assert offer.standing and offer.status == "open"
    assert offer.areas == ("licensing", "enforcement")
    assert offer.modalities == ("cit",)
    assert offer.regions == ("PH", "southeast-asia")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"areas": ()}, "area"),
        ({"modalities": ()}, "modality"),
        ({"modalities": ("cit", "airlift")}, "modality"),
        ({"regions": ("atlantis",)}, "region"),
        ({"languages": ("xx",)}, "language"),
        ({"description": ""}, "description"),
    ],
)
def test_a_standing_offer_with_a_bad_field_is_refused_naming_that_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidField) as error:
        make(**changes)
    assert refusal(error) == field


def test_an_offer_against_a_request_reaches_the_requesting_node() -> None:
    offer = answer(post())
    assert not offer.standing
    assert offer.request == ref_to("ph", request_id("ph", "2027-cit"))
    with pytest.raises(InvalidField) as error:
        make(request=ref_to("ph", UUID(int=5)), audience=("jp", "kr"))
    assert refusal(error) == "audience"


def test_a_member_cannot_offer_against_its_own_request() -> None:
    with pytest.raises(RuleViolated) as error:
        make(origin="ph", request=ref_to("ph", UUID(int=5)))
    assert refusal(error) == "request"


def test_an_offer_against_a_held_request_needs_it_open() -> None:
    request = accepted()
    with pytest.raises(RuleViolated) as error:
        answer(request, reference="late", held_request=request)
    assert refusal(error) == "request"


def test_the_donor_reports_delivery_to_the_request_its_offer_answers() -> None:
    request = post()
    offer = answer(request)
    offer.report_delivery(
        request=None, delivered_on=NOW.date(), summary="24 officers trained", author="d", at=NOW
    )
    assert offer.status == "delivered"
    assert [d.request.aggregate_id for d in offer.deliveries] == [request.id]
    with pytest.raises(RuleViolated) as error:
        offer.revise(description="more", author="d", at=LATER)
    assert refusal(error) == "offer"


def test_a_delivery_to_another_request_than_the_one_answered_is_refused() -> None:
    offer = answer(post())
    with pytest.raises(InvalidField) as error:
        offer.report_delivery(
            request=ref_to("vn", UUID(int=8)),
            delivered_on=NOW.date(),
            summary="x",
            author="d",
            at=NOW,
        )
    assert refusal(error) == "request"


def test_a_standing_offer_names_each_request_it_delivers_to_once() -> None:
    offer = make()
    with pytest.raises(InvalidField) as error:
        offer.report_delivery(
            request=None, delivered_on=NOW.date(), summary="x", author="d", at=NOW
        )
    assert refusal(error) == "request"
    to_ph = ref_to("ph", request_id("ph", "2027-cit"))
    offer.report_delivery(request=to_ph, delivered_on=NOW.date(), summary="x", author="d", at=NOW)
    with pytest.raises(RuleViolated) as again:
        offer.report_delivery(
            request=to_ph, delivered_on=NOW.date(), summary="y", author="d", at=NOW
        )
    assert refusal(again) == "request"
    assert offer.status == "open"


def test_a_delivery_to_a_held_request_that_accepted_another_offer_is_refused() -> None:
    request = accepted()
    offer = answer(post(), reference="other")
    with pytest.raises(RuleViolated) as error:
        offer.report_delivery(
            request=None,
            delivered_on=NOW.date(),
            summary="x",
            author="d",
            at=NOW,
            held_request=request,
        )
    assert refusal(error) == "request"


def test_an_offer_revision_replaces_the_lists_it_names() -> None:
    offer = make()
    offer.revise(regions=("africa",), languages=("fr", "en"), author="d", at=LATER)
    assert offer.regions == ("africa",)
    assert offer.languages == ("en", "fr")
    assert offer.areas == ("licensing", "enforcement")
    with pytest.raises(RuleViolated) as error:
        offer.revise(regions=("africa",), author="d", at=LATER)
    assert refusal(error) == "revision"


def test_a_withdrawn_offer_takes_no_further_changes() -> None:
    offer = make()
    offer.withdraw(reason="programme closed", author="d", at=NOW)
    assert offer.status == "withdrawn"
    with pytest.raises(RuleViolated, match="withdrawn"):
        offer.revise(description="x", author="d", at=LATER)
    with pytest.raises(RuleViolated, match="withdrawn"):
        offer.report_delivery(
            request=ref_to("ph", UUID(int=1)),
            delivered_on=NOW.date(),
            summary="x",
            author="d",
            at=LATER,
        )
    with pytest.raises(RuleViolated, match="withdrawn"):
        offer.withdraw(reason="again", author="d", at=LATER)
    assert offer.version == 2
