"""The assistance and review boards across real `xcnet serve` processes on loopback.

ph asks for help and is reviewed; us and kr are donors, and kr also reviews. Every step is an
`xcnet` command on the node that owns it; every hand-over is replication, waited for by polling
the receiving node's CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.node.conftest import FederationFactory

NODES = ("ph", "us", "kr")
RATINGS = {"LAW": "C", "INST": "LC", "PROC": "SUBSTANTIAL"}


def due(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def names(matched: dict[str, Any], part: str) -> list[str]:
    return [f"{r['origin']}/{r['reference']}" for r in matched[part]]


def test_a_request_reaches_a_donor_who_sees_it_ranked_and_then_taken_up_by_another_donor(
    federation: FederationFactory,
) -> None:
    fed = federation(*NODES)
    request = fed.json(
        "ph", "assist", "request", "--ref", "2027-cit", "--area", "enforcement",
        "--cell", "ENF.PROC", "--modality", "cit", "--description", "CIT for customs officers",
        "--start", "2027-02-01", "--end", "2027-06-30", "--language", "en",
    )  # fmt: skip
    fed.json(
        "us", "assist", "offer", "--ref", "std", "--area", "enforcement", "--modality", "cit",
        "--region", "southeast-asia", "--language", "en", "--description", "CIT courses",
    )  # fmt: skip
    ranked = fed.poll(
        "us", "assist", "match", "--offer", "std",
        until=lambda m: names(m, "results") == ["ph/2027-cit"],
        what="ph's request ranked on us",
    )  # fmt: skip
    (hit,) = ranked["results"]
    assert (hit["ref"], hit["score"], hit["country"], hit["taken_up"]) == (
        request["ref"], 7.25, "PH", None,
    )  # fmt: skip
    assert [r["facet"] for r in hit["reasons"]] == ["area", "modality", "region", "language"]
    assert ranked["taken_up"] == []

    fed.poll(
        "kr", "assist", "show", "ph/2027-cit",
        until=lambda r: r["status"] == "open",
        what="ph's request on kr",
    )  # fmt: skip
    answer = fed.json(
        "kr", "assist", "offer", "--ref", "kr-cit", "--request", request["ref"],
        "--description", "Two-week CIT course", "--language", "en",
    )  # fmt: skip
    fed.poll(
        "ph", "assist", "show", "kr/kr-cit",
        until=lambda o: o["ref"] == answer["ref"],
        what="kr's offer on ph",
    )  # fmt: skip
    fits = fed.poll(
        "ph", "assist", "match", "--request", "2027-cit",
        until=lambda m: len(m["results"]) == 2,
        what="us's standing offer and kr's answer on ph",
    )  # fmt: skip
    assert [(r["reference"], r["score"]) for r in fits["results"]] == [
        ("std", 7.25),
        ("kr-cit", 6.5),
    ]
    fed.json("ph", "assist", "accept", "2027-cit", "--offer", answer["ref"])

    taken = fed.poll(
        "us", "assist", "match", "--offer", "std",
        until=lambda m: names(m, "taken_up") == ["ph/2027-cit"],
        what="ph's acceptance of kr's offer on us",
    )  # fmt: skip
    assert taken["results"] == []
    (marked,) = taken["taken_up"]
    assert (marked["taken_up"]["by"], marked["taken_up"]["offer"]) == ("kr", answer["ref"])
    assert marked["score"] == 7.25
    table = fed.xcnet("us", "assist", "match", "--offer", "std").stdout
    assert f"taken up by kr on {marked['taken_up']['on']}" in table
    for node_id in NODES:
        assert fed.xcnet(node_id, "verify").code == 0


def test_the_reviewed_member_sees_the_sign_off_of_a_reviewer_on_another_node(
    federation: FederationFactory,
) -> None:
    fed = federation(*NODES)
    fed.xcnet("ph", "assessment", "open", "2026")
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column, rating in RATINGS.items():
            cell = f"{row}.{column}"
            fed.xcnet(
                "ph", "assessment", "cell", "2026", cell, "--narrative", f"How {cell} is met.",
                "--rating", rating, "--rationale", "Documented in the annual report.",
            )  # fmt: skip
    sealed = fed.json("ph", "assessment", "seal", "2026")["sealed"]
    fed.xcnet("ph", "assessment", "request-review", "2026", "--reviewer", "kr", "--due", due(90))
    before = fed.json("ph", "review", "status")["assessments"][0]
    assert [(r["reviewer"], r["status"]) for r in before["versions"][0]["reviewers"]] == [
        ("kr", "not opened")
    ]

    fed.poll(
        "kr", "assessment", "show", "ph/2026",
        until=lambda a: a["status"] == "in review",
        what="ph's assessment, in review, on kr",
    )  # fmt: skip
    review = fed.json("kr", "review", "open", sealed["ref"])
    rid = review["id"][:8]
    fed.xcnet("kr", "review", "rate", rid, "ENF.PROC", "MODERATE", "--rationale", "Few referrals.")
    fed.xcnet(
        "kr", "review", "recommend", rid, "ENF.PROC", "--priority", "high",
        "--action", "Screen postal exports.", "--due", due(180),
    )  # fmt: skip
    signed = fed.json("kr", "review", "sign-off", rid)

    status = fed.poll(
        "ph", "review", "status", "--assessment", "2026",
        until=lambda s: [r["status"] for r in s["assessments"][0]["reviews"]] == ["signed off"],
        what="kr's sign-off in ph's review status",
    )  # fmt: skip
    (shown,) = status["assessments"]
    (on_ph,) = shown["reviews"]
    assert (on_ph["ref"], on_ph["reviewer"], on_ph["requested"]) == (signed["ref"], "kr", True)
    assert on_ph["signed_off"]["name"] == "Reviewer of kr"
    assert on_ph["signed_off"]["digest"] == signed["signed_off"]["digest"]
    assert [
        (r["reviewer"], r["status"], r["overdue"]) for r in shown["versions"][0]["reviewers"]
    ] == [("kr", "signed off", False)]
    assert [(r["number"], r["status"]) for r in shown["recommendations"]] == [(1, "open")]
    matrix = {e["cell"]: e for e in shown["versions"][0]["matrix"]}
    assert (matrix["ENF.PROC"]["own"], matrix["ENF.PROC"]["differs"]) == ("SUBSTANTIAL", ["kr"])
    assert fed.json("us", "review", "status")["assessments"] == []
