"""`xcnet review status`: the real command on the assessed member's and the reviewer's nodes.

The records are made in process with a clock set in 2020 and then read by the real command,
whose clock is the real one: what was due in 2020 is overdue now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from node import assessments, reviews
from node.service import Node
from tests.conftest import FakeClock, NodeFactory, Xcnet
from tests.node.test_assistance_board import pin, replicate

RATINGS = {"LAW": "C", "INST": "LC", "PROC": "MODERATE"}


def ok(xcnet: Xcnet, node: Node, *args: str) -> Any:
    result = xcnet("review", "status", *args, "--json", home=node.config.home)
    assert result.code == 0, result.stderr
    return result.json()


@pytest.fixture
def pair(make_node: NodeFactory, clock: FakeClock) -> tuple[Node, Node]:
    """jp asked kr and us to review its sealed 2026 assessment by mid-2020; only kr signed off."""
    clock.now = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
    jp, kr = make_node("jp"), make_node("kr")
    pin(jp, kr)
    pin(kr, jp)
    jp.add_official("Tanaka Yuki", ("policy",))
    kr.add_official("Lee Min-jun", ("reviewer",))
    assessments.open_assessment(jp, "2026", audience=("jp",))
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column, rating in RATINGS.items():
            cell = f"{row}.{column}"
            assessments.draft_cell(jp, "2026", cell, f"{cell}.", rating=rating, rationale="r")
    assessments.seal(jp, "2026")
    assessments.request_review(jp, "2026", reviewers=("kr", "us"), due=date(2020, 6, 30))
    replicate(jp, kr)
    review = reviews.open_review(kr, "jp/2026").id.hex[:8]
    reviews.rate(kr, review, "ENF.PROC", "LOW", "few referrals")
    reviews.recommend(kr, review, "ENF.PROC", priority="high", action="Screen postal exports.",
                      due=date(2020, 3, 31))  # fmt: skip
    reviews.sign_off(kr, review)
    replicate(kr, jp)
    return jp, kr


def test_status_shows_the_reviewers_sign_off_what_is_overdue_and_the_ratings_matrix(
    pair: tuple[Node, Node], xcnet: Xcnet
) -> None:
    jp, _ = pair
    board = ok(xcnet, jp)
    assert board["node"] == "jp"
    (shown,) = board["assessments"]
    assert (shown["member"], shown["cycle"], shown["status"]) == ("jp", "2026", "in review")
    (version,) = shown["versions"]
    assert [(r["reviewer"], r["status"], r["overdue"]) for r in version["reviewers"]] == [
        ("kr", "signed off", False),
        ("us", "not opened", True),
    ]
    (review,) = shown["reviews"]
    assert (review["reviewer"], review["signed_off"]["name"]) == ("kr", "Lee Min-jun")
    assert review["signed_off"]["at"].startswith("2020-01-06")
    (recommendation,) = shown["recommendations"]
    assert (recommendation["cell"], recommendation["due"], recommendation["status"]) == (
        "ENF.PROC", "2020-03-31", "overdue",
    )  # fmt: skip
    assert recommendation["days_overdue"] > 0
    matrix = {entry["cell"]: entry for entry in version["matrix"]}
    enf = matrix["ENF.PROC"]
    assert (enf["own"], enf["reviewers"], enf["differs"]) == ("MODERATE", {"kr": "LOW"}, ["kr"])
    assert shown["summary"]["overdue_recommendations"] == 1

    text = xcnet("review", "status", home=jp.config.home)
    assert text.code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "jp/2026 · in review · audience jp, kr, us"
    assert lines[2].split()[:6] == ["kr", "signed", "off", "2020-01-06", "by", "Lee"]
    assert lines[3].split() == ["us", "not", "opened", "due", "2020-06-30", "OVERDUE"]
    assert "recommendations: 1 open (1 overdue), 0 addressed" in lines[4]
    late = f"{recommendation['days_overdue']}d"
    assert lines[5].split()[:5] == ["OVERDUE", late, "kr", "R1", "ENF.PROC"]
    assert "    ENF.PROC  MODERATE    LOW *" in lines


def test_the_reviewer_sees_the_same_status_and_the_filters_narrow_it(
    pair: tuple[Node, Node], xcnet: Xcnet
) -> None:
    jp, kr = pair
    on_jp, on_kr = ok(xcnet, jp), ok(xcnet, kr)
    assert on_kr["assessments"][0]["reviews"] == on_jp["assessments"][0]["reviews"]
    assert [a["member"] for a in ok(xcnet, kr, "--member", "jp")["assessments"]] == ["jp"]
    assert ok(xcnet, kr, "--member", "de")["assessments"] == []
    by_ref = on_jp["assessments"][0]["ref"]
    assert [a["ref"] for a in ok(xcnet, kr, "--assessment", by_ref)["assessments"]] == [by_ref]
    assert [a["ref"] for a in ok(xcnet, kr, "--assessment", "jp/2026")["assessments"]] == [by_ref]
    none = xcnet("review", "status", "--member", "de", home=kr.config.home)
    assert (none.code, none.stdout.strip()) == (0, "no assessments held here")


def test_bad_names_are_refused_with_exit_2_naming_the_field(
    pair: tuple[Node, Node], xcnet: Xcnet
) -> None:
    _, kr = pair
    for args, field in (
        (("--assessment", "2031"), "assessment"),
        (("--assessment", "jp/2026", "--member", "kr"), "member"),
        (("--member", "Korea!"), "member"),
    ):
        result = xcnet("review", "status", *args, "--json", home=kr.config.home)
        assert result.code == 2, (result.stdout, result.stderr)
        error = result.json()
        assert isinstance(error, dict)
        assert error["error"]["field"] == field
    missing = xcnet("review", "status", "--assessment", "2031", home=kr.config.home)
    assert "no assessment '2031' is held here" in missing.stderr
