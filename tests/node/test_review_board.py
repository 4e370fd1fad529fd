"""The review board and `review status`, in process on both stores."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from aggregates.base import InvalidField
from node import assessments, assistance, reviews
from node.errors import BadInput, NotFound
from node.review_board import ReviewBoard, status
from node.service import Node
from tests.conftest import FakeClock, NodeFactory
from tests.node.test_assistance_board import pin, replicate

REVIEW_DUE = date(2027, 3, 31)
RATINGS = {"LAW": "C", "INST": "LC", "PROC": "MODERATE"}


def dump(node: Node) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the board's tables, in a stable order."""
    return {
        table: sorted(node.views.query(f"SELECT * FROM {{t}}{table}"), key=repr)
        for table in ReviewBoard.tables
    }


@pytest.fixture
def trio(make_node: NodeFactory) -> tuple[Node, Node, Node]:
    """jp seals its 2026 assessment and asks kr and us to review it; kr reviews and signs off."""
    jp, kr, us = make_node("jp"), make_node("kr"), make_node("us")
    for node in (jp, kr, us):
        pin(node, *(other for other in (jp, kr, us) if other is not node))
    jp.add_official("Tanaka Yuki", ("policy",))
    kr.add_official("Lee Min-jun", ("reviewer", "policy"))
    us.add_official("Smith Jo", ("reviewer", "donor"))
    assessments.open_assessment(jp, "2026", audience=("jp",))
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column, rating in RATINGS.items():
            cell = f"{row}.{column}"
            assessments.draft_cell(jp, "2026", cell, f"{cell}.", rating=rating, rationale="r")
    assessments.seal(jp, "2026")
    assessments.request_review(jp, "2026", reviewers=("kr", "us"), due=REVIEW_DUE)
    replicate(jp, kr)
    replicate(jp, us)
    review = reviews.open_review(kr, "jp/2026").id.hex[:8]
    reviews.rate(kr, review, "ENF.PROC", "LOW", "few referrals")
    reviews.rate(kr, review, "LEG.LAW", "C", "complete")
    reviews.recommend(kr, review, "ENF.PROC", priority="high", action="Screen postal exports.",
                      due=date(2027, 1, 31))  # fmt: skip
    reviews.recommend(kr, review, "GIR.INST", priority="low", action="Publish guidance.",
                      due=date(2027, 6, 30))  # fmt: skip
    reviews.sign_off(kr, review)
    replicate(kr, jp)
    return jp, kr, us


def test_the_assessed_member_sees_its_versions_reviewers_sign_offs_and_open_recommendations(
    trio: tuple[Node, Node, Node],
) -> None:
    jp, _, _ = trio
    board = status(jp)
    assert (board["node"], len(board["assessments"])) == ("jp", 1)
    (shown,) = board["assessments"]
    assert (shown["member"], shown["cycle"], shown["status"]) == ("jp", "2026", "in review")
    (version,) = shown["versions"]
    assert version["version"] == 1
    assert version["ref"] == str(assessments.sealed_ref(jp, assessments.get(jp, "2026"), 1))
    assert [(r["reviewer"], r["status"], r["due"], r["overdue"]) for r in version["reviewers"]] == [
        ("kr", "signed off", "2027-03-31", False),
        ("us", "not opened", "2027-03-31", False),
    ]
    (review,) = shown["reviews"]
    held = reviews.held(jp)[0]
    assert (review["id"], review["reviewer"], review["version"], review["requested"]) == (
        str(held.id), "kr", 1, True,
    )  # fmt: skip
    assert review["signed_off"] == {
        "by": held.signed_off_by,
        "name": "Lee Min-jun",
        "at": held.signed_off_at.isoformat() if held.signed_off_at else None,
        "digest": held.digest.hex(),
    }
    assert (review["ratings"], review["recommendations"]) == (2, 2)
    assert [
        (r["number"], r["cell"], r["due"], r["status"], r["days_overdue"])
        for r in shown["recommendations"]
    ] == [(1, "ENF.PROC", "2027-01-31", "open", 0), (2, "GIR.INST", "2027-06-30", "open", 0)]
    assert shown["summary"] == {
        "reviews": 1, "signed_off": 1, "open_recommendations": 2,
        "overdue_recommendations": 0, "addressed_recommendations": 0,
    }  # fmt: skip


def test_the_ratings_matrix_sets_the_members_own_rating_against_each_reviewers(
    trio: tuple[Node, Node, Node],
) -> None:
    jp, kr, _ = trio
    for node in (jp, kr):
        (shown,) = status(node)["assessments"]
        matrix = {entry["cell"]: entry for entry in shown["versions"][0]["matrix"]}
        assert len(matrix) == 12
        assert matrix["ENF.PROC"] == {
            "cell": "ENF.PROC", "own": "MODERATE", "reviewers": {"kr": "LOW"}, "differs": ["kr"],
        }  # fmt: skip
        assert matrix["LEG.LAW"] == {
            "cell": "LEG.LAW", "own": "C", "reviewers": {"kr": "C"}, "differs": [],
        }  # fmt: skip
        assert matrix["GIR.INST"] == {
            "cell": "GIR.INST", "own": "LC", "reviewers": {}, "differs": [],
        }  # fmt: skip


def test_what_is_late_on_the_node_clock_is_overdue_and_delivered_follow_up_addresses_it(
    trio: tuple[Node, Node, Node], clock: FakeClock
) -> None:
    jp, _, _ = trio
    clock.advance(days=75)  # 2027-02-06: R1 is six days late; the reviews are not due yet
    (shown,) = status(jp)["assessments"]
    assert [(r["number"], r["status"], r["days_overdue"]) for r in shown["recommendations"]] == [
        (1, "overdue", 6),
        (2, "open", 0),
    ]
    review = reviews.held(jp)[0]
    assessments.answer(jp, "2026", "kr", "ENF.PROC", "Postal screening starts in March.")
    assistance.post_request(
        jp, reference="postal", area="enforcement", unscr1540=(), cells=(), modality="cit",
        description="", start="2027-03-01", end="2027-04-30", languages=("en",),
        source=str(jp.ref(review.id)), recommendation="1", audience=("federation",),
        as_official=None,
    )  # fmt: skip
    (shown,) = status(jp)["assessments"]
    first = shown["recommendations"][0]
    assert first["answers"] == [
        {"answer": "Postal screening starts in March.", "at": first["answers"][0]["at"]}
    ]
    assert [(a["reference"], a["status"]) for a in first["assistance"]] == [("postal", "open")]
    assert first["status"] == "overdue"

    donor_offer = f"us/{uuid4()}@1#{'ab' * 32}"
    assistance.accept_offer(jp, "postal", offer=donor_offer, as_official=None)
    assistance.report_delivery(
        jp, "postal", delivered_on=None, summary="course held", as_official=None
    )
    clock.advance(days=60)  # 2027-04-07: past the reviews' due date
    (shown,) = status(jp)["assessments"]
    assert [(r["number"], r["status"]) for r in shown["recommendations"]] == [
        (1, "addressed"),
        (2, "open"),
    ]
    assert [(r["reviewer"], r["overdue"]) for r in shown["versions"][0]["reviewers"]] == [
        ("kr", False),
        ("us", True),
    ]
    assert shown["summary"]["addressed_recommendations"] == 1


def test_status_narrows_to_an_assessment_or_a_member_and_bad_names_say_which_field(
    trio: tuple[Node, Node, Node],
) -> None:
    jp, kr, _ = trio
    assessments.open_assessment(kr, "2026")
    assert [a["member"] for a in status(kr)["assessments"]] == ["jp", "kr"]
    assert [a["member"] for a in status(kr, member="jp")["assessments"]] == ["jp"]
    assert [a["member"] for a in status(kr, assessment="2026")["assessments"]] == ["kr"]
    assert [a["member"] for a in status(kr, assessment="jp/2026")["assessments"]] == ["jp"]
    by_ref = str(jp.ref(assessments.get(jp, "2026").id))
    replicate(jp, kr)
    assert [a["ref"] for a in status(kr, assessment=by_ref)["assessments"]] == [by_ref]
    assert status(kr, member="de")["assessments"] == []
    with pytest.raises(NotFound) as unknown:
        status(kr, assessment="2031")
    assert unknown.value.field == "assessment"
    with pytest.raises(InvalidField) as bad_member:
        status(kr, member="Korea!")
    assert bad_member.value.field == "member"
    with pytest.raises(BadInput) as mismatch:
        status(kr, assessment="jp/2026", member="kr")
    assert mismatch.value.field == "member"
    with pytest.raises(BadInput) as forged:
        status(kr, assessment=by_ref[:-1] + ("0" if by_ref[-1] != "0" else "1"))
    assert forged.value.field == "assessment"


def test_a_rebuild_of_the_review_board_gives_the_same_rows(
    trio: tuple[Node, Node, Node],
) -> None:
    jp, _, _ = trio
    assessments.answer(jp, "2026", "kr", "ENF.PROC", "Postal screening starts in March.")
    before = dump(jp)
    assert {table: len(rows) for table, rows in before.items()} == {
        "xcnet_review_assessment": 1, "xcnet_review_version": 1, "xcnet_review_asked": 2,
        "xcnet_review_answer": 1, "xcnet_review_review": 1, "xcnet_review_recommendation": 2,
        "xcnet_review_followup": 0, "xcnet_review_rating": 14,
    }  # fmt: skip
    jp.views.rebuild([ReviewBoard.name])
    assert dump(jp) == before
