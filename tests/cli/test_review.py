from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from node import assessments
from node.service import Node
from tests.cli.test_assessment import due_in, ok, refusal
from tests.conftest import Xcnet

RATINGS = {"LAW": "C", "INST": "LC", "PROC": "SUBSTANTIAL"}


def sealed_assessment(home: Path, *reviewers: str) -> str:
    """Seal a twelve-cell assessment on the node (in process) and ask `reviewers`; its ref."""
    with Node.open(home) as node:
        node.add_official("Sato Hana", ("policy", "reviewer"))
        assessments.open_assessment(node, "2026")
        for row in ("LEG", "ENF", "GIR", "REG"):
            for column, rating in RATINGS.items():
                cell = f"{row}.{column}"
                assessments.draft_cell(
                    node, "2026", cell, f"How {cell} is met.", rating=rating, rationale="Because."
                )
        assessment, version = assessments.seal(node, "2026")
        if reviewers:
            due = datetime.now(UTC).date() + timedelta(days=90)
            assessments.request_review(node, "2026", reviewers=reviewers, due=due)
        return str(assessments.sealed_ref(node, assessment, version.number))


def test_a_reviewer_reviews_a_sealed_version_and_the_assessor_concludes(
    home: Path, xcnet: Xcnet
) -> None:
    ref = sealed_assessment(home, "jp")
    opened = ok(
        xcnet("review", "open", ref, "--interest", "No conflict of interest.", "--json", home=home)
    )
    review = opened["id"]
    assert (opened["assessment"], opened["sealed_version"], opened["status"]) == (ref, 1, "open")
    assert opened["interests"][0]["statement"] == "No conflict of interest."
    assert len(opened["version_digest"]) == 64

    prefix = review[:8]
    ok(
        xcnet(
            "review",
            "comment",
            prefix,
            "ENF.PROC",
            "Risk profiles skip postal channels.",
            "--json",
            home=home,
        )
    )
    rate = ["review", "rate", prefix, "enf.proc", "moderate", "--rationale", "Few referrals."]
    ok(xcnet(*rate, "--json", home=home))
    recommend = ["review", "recommend", prefix, "ENF.PROC", "--priority", "high"]
    recommended = ok(
        xcnet(
            *recommend,
            "--action",
            "Screen postal exports.",
            "--due",
            due_in(180),
            "--json",
            home=home,
        )
    )
    assert recommended["recommendation"] == 1
    dissent = ["review", "dissent", prefix, "--text", "MODERATE is generous.", "--by", "Lee"]
    ok(xcnet(*dissent, "--json", home=home))
    signed = ok(xcnet("review", "sign-off", prefix, "--json", home=home))
    assert signed["status"] == "signed off" and len(signed["signed_off"]["digest"]) == 64
    assert signed["ratings"]["ENF.PROC"]["rating"] == "MODERATE"
    assert [d["cell"] for d in signed["dissents"]] == ["general"]

    shown = xcnet("review", "show", prefix, home=home)
    assert shown.code == 0, shown.stderr
    assert "ENF.PROC  MODERATE" in shown.stdout and "R1" in shown.stdout

    answer = ["assessment", "answer", "2026", "jp", "--cell", "ENF.PROC"]
    answered = ok(xcnet(*answer, "--text", "Postal screening starts in 2027.", "--json", home=home))
    assert answered["answers"][0]["review"] == signed["ref"]
    concluded = ok(xcnet("assessment", "conclude", "2026", "--json", home=home))
    assert concluded["status"] == "concluded"
    assert concluded["conclusions"][0]["reviews"] == [signed["ref"]]
    listed = ok(xcnet("review", "list", "--json", home=home))
    assert [(r["id"], r["status"]) for r in listed] == [(review, "signed off")]
    assert xcnet("verify", home=home).code == 0


def test_a_review_is_refused_on_an_unsealed_version_and_takes_nothing_after_sign_off(
    home: Path, xcnet: Xcnet
) -> None:
    ref = sealed_assessment(home)
    with Node.open(home) as node:
        unsealed = str(node.ref(assessments.locate(node, "2026"), 2))
    review = ok(xcnet("review", "open", ref, "--json", home=home))["id"]
    ok(xcnet("review", "comment", review, "LEG.LAW", "Clear.", home=home))
    ok(xcnet("review", "sign-off", review, home=home))

    before = ok(xcnet("log", "--json", home=home))
    refusals: list[tuple[tuple[str, ...], str, str]] = [
        (("open", unsealed), "assessment", "not a sealed version"),
        (("open", ref[:-1] + ("0" if ref[-1] != "0" else "1")), "assessment", "does not match"),
        (("open", "kr/2026"), "assessment", "kr/2026"),
        (("open", f"kr/{uuid4()}@3#{'ab' * 32}"), "version_digest", "not held here"),
        (("open", "2026", "--version", "2"), "version", "not sealed"),
        (("open", ref), "assessment", "already reviews"),
        (("comment", review, "LEG.LAW", "More."), "review", "signed off"),
        (("rate", review, "LEG.XYZ", "C", "--rationale", "x"), "review", "signed off"),
        (("show", "ffffffff"), "review", "not held here"),
    ]
    for args, field, message in refusals:
        error = refusal(xcnet("review", *args, "--json", home=home))
        assert (error["field"], message in error["message"]) == (field, True), (args, error)
    assert xcnet("log", "--json", home=home).json() == before
    assert xcnet("verify", home=home).code == 0


def test_conclusion_is_refused_until_every_requested_reviewer_has_signed_off(
    home: Path, xcnet: Xcnet
) -> None:
    ref = sealed_assessment(home, "jp", "kr")
    review = ok(xcnet("review", "open", ref, "--json", home=home))["id"]
    ok(xcnet("review", "rate", review, "LEG.LAW", "LC", "--rationale", "Gaps.", home=home))
    before = ok(xcnet("log", "--json", home=home))

    unsigned = refusal(xcnet("assessment", "conclude", "2026", "--json", home=home))
    assert unsigned["field"] == "review" and "from jp, kr" in unsigned["message"]

    ok(xcnet("review", "sign-off", review, home=home))
    waiting = refusal(xcnet("assessment", "conclude", "2026", "--json", home=home))
    assert waiting["message"].endswith("from kr")
    after = ok(xcnet("log", "--json", home=home))
    assert len(after) == len(before) + 1 and after[:-1] == before
    assert xcnet("verify", home=home).code == 0
