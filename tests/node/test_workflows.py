"""Cross-node workflows end to end: real `xcnet serve` processes on loopback, the real CLI.

Four nodes in a full mesh: jp and kr review and consult, ph asks for assistance and the donor us
answers. Every step is an `xcnet` command on the node that owns it; every hand-over between
nodes is replication, waited for by polling the receiving node's CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from deployments.local.federation import LocalFederation
from tests.node.conftest import FederationFactory

NODES = ("jp", "kr", "us", "ph")
RATINGS = {"LAW": "C", "INST": "LC", "PROC": "SUBSTANTIAL"}


def due(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def refused(fed: LocalFederation, node_id: str, *args: str) -> dict[str, Any]:
    """Run a command that must be refused as bad input and write nothing; its JSON error."""
    before = fed.digests(node_id)
    result = fed.xcnet(node_id, *args, "--json", check=False)
    assert result.code == 2, result.stdout + result.stderr
    document = result.json()
    assert isinstance(document, dict)
    assert fed.digests(node_id) == before
    error: dict[str, Any] = document["error"]
    return error


def never_served(fed: LocalFederation, record: str, peer: str, *, by: tuple[str, ...]) -> None:
    """No node in `by` has served any version of `record` to `peer` (their access logs)."""
    for node_id in by:
        served = fed.json(node_id, "audit", "access")
        assert [e for e in served if e["peer"] == peer and e["record"] == record] == [], node_id


# a. Peer review -------------------------------------------------------------------------------


def review_jps_assessment_on_kr(
    fed: LocalFederation, *, shared_from_opening: bool, timeout: float = 30.0
) -> None:
    """jp seals an assessment and asks kr; kr reviews and signs off; jp answers and concludes."""
    shared = ("--audience", "jp", "--audience", "kr") if shared_from_opening else ()
    fed.xcnet("jp", "assessment", "open", "2026", *shared)
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column, rating in RATINGS.items():
            cell = f"{row}.{column}"
            fed.xcnet(
                "jp", "assessment", "cell", "2026", cell, "--narrative", f"How {cell} is met.",
                "--rating", rating, "--rationale", "Documented in the 2025 annual report.",
            )  # fmt: skip
    sealed = fed.json("jp", "assessment", "seal", "2026")["sealed"]
    requested = fed.json(
        "jp", "assessment", "request-review", "2026", "--reviewer", "kr", "--due", due(90)
    )
    assert requested["audience"] == ["jp", "kr"]
    assert requested["ref"] == sealed["ref"]

    on_kr = fed.poll(
        "kr", "assessment", "show", "jp/2026",
        until=lambda a: a["status"] == "in review",
        timeout=timeout,
        what="jp's assessment, in review, on kr",
    )  # fmt: skip
    assert [v["ref"] for v in on_kr["versions"]] == [sealed["ref"]]
    assert on_kr["requests"][0]["reviewers"] == ["kr"]

    review = fed.json(
        "kr", "review", "open", sealed["ref"], "--interest", "No conflict of interest."
    )
    assert (review["assessment"], review["audience"]) == (sealed["ref"], ["jp", "kr"])
    rid = review["id"][:8]
    fed.xcnet("kr", "review", "comment", rid, "ENF.PROC", "Risk profiles skip postal channels.")
    fed.xcnet("kr", "review", "rate", rid, "ENF.PROC", "MODERATE", "--rationale", "Few referrals.")
    fed.xcnet(
        "kr", "review", "recommend", rid, "ENF.PROC", "--priority", "high",
        "--action", "Screen postal exports.", "--due", due(180),
    )  # fmt: skip
    signed = fed.json("kr", "review", "sign-off", rid)
    assert signed["status"] == "signed off"

    fed.poll(
        "jp", "review", "show", rid,
        until=lambda r: r["ref"] == signed["ref"],
        what="kr's signed-off review on jp",
    )  # fmt: skip
    answered = fed.json(
        "jp", "assessment", "answer", "2026", "kr", "--cell", "ENF.PROC",
        "--text", "Postal screening starts in 2027.",
    )  # fmt: skip
    assert answered["answers"][0]["review"] == signed["ref"]
    fed.xcnet("jp", "assessment", "conclude", "2026")

    shown = fed.json("jp", "assessment", "show", "2026")
    assert shown["status"] == "concluded"
    assert shown["conclusions"] == [
        {"version": 1, "reviews": [signed["ref"]], "at": shown["conclusions"][0]["at"]}
    ]
    on_kr = fed.poll(
        "kr", "assessment", "show", "jp/2026",
        until=lambda a: a["status"] == "concluded",
        what="jp's conclusion on kr",
    )  # fmt: skip
    assert on_kr["answers"] == shown["answers"]
    for node_id in ("jp", "kr"):
        assert fed.xcnet(node_id, "verify").code == 0
    assert fed.json("us", "assessment", "list") == []
    assert fed.json("us", "review", "list") == []
    never_served(fed, shown["id"], "us", by=("jp", "kr"))


def test_a_peer_review_opened_on_kr_is_signed_off_there_and_concludes_jps_assessment(
    federation: FederationFactory,
) -> None:
    review_jps_assessment_on_kr(federation(*NODES), shared_from_opening=True)


def test_requesting_a_review_widens_the_assessment_to_the_reviewer_with_its_whole_history(
    federation: FederationFactory,
) -> None:
    review_jps_assessment_on_kr(federation(*NODES), shared_from_opening=False)


# b. No-undercut consultation ------------------------------------------------------------------


def test_a_consultation_on_kr_about_jps_denial_closes_granted_with_jps_signed_no_objection(
    federation: FederationFactory,
) -> None:
    fed = federation(*NODES)
    denial = fed.json(
        "jp", "denial", "issue", "JP-2026-0042", "--regime", "WA", "--reason", "diversion-risk",
        "--item", "entry=3A001.a.1; hs=854231; description=Radiation-hardened FPGAs",
        "--party", "role=end-user; name=OOO Zenit Mikrosistemy; country=RU",
        "--audience", "kr",
    )  # fmt: skip
    fed.poll(
        "kr", "denial", "show", "JP-2026-0042", "--origin", "jp",
        until=lambda d: d["ref"] == denial["ref"] and d["in_force"],
        what="jp's denial on kr",
    )  # fmt: skip

    consulting = fed.json(
        "kr", "consult", "open", "--denial", denial["ref"],
        "--summary", "40 rad-hard FPGAs for Zenit Microsystems, Moscow",
        "--explanation", "same end user, same entry 3A001.a.1", "--due", due(30),
    )  # fmt: skip
    assert (consulting["side"], consulting["partner"], consulting["audience"]) == (
        "consulting", "jp", ["jp"],
    )  # fmt: skip
    fed.poll(
        "jp", "consult", "show", consulting["id"],
        until=lambda c: c["ref"] == consulting["ref"],
        what="kr's consultation on jp",
    )  # fmt: skip
    reply = fed.json(
        "jp", "consult", "open", "--reply-to", consulting["ref"], "--denial", "JP-2026-0042"
    )
    assert (reply["side"], reply["counterpart"], reply["denial"]) == (
        "denying", consulting["ref"], denial["ref"],
    )  # fmt: skip
    stated = fed.json(
        "jp", "consult", "reply", reply["id"], "--position", "no-objection",
        "--rationale", "the end user has been reorganised",
    )  # fmt: skip
    consent = stated["position_ref"]
    fed.poll(
        "kr", "consult", "show", reply["id"],
        until=lambda c: c["position_ref"] == consent,
        what="jp's no-objection on kr",
    )  # fmt: skip

    close = ("consult", "close", consulting["id"], "--outcome", "granted-with-consent")
    missing = refused(fed, "kr", *close)
    assert (missing["field"], "consent is missing" in missing["message"]) == ("consent", True)
    not_a_position = refused(fed, "kr", *close, "--consent", reply["ref"])
    assert not_a_position["field"] == "consent"
    assert "does not state no objection" in not_a_position["message"]
    forged = consent[:-1] + ("0" if consent[-1] != "0" else "1")
    mismatch = refused(fed, "kr", *close, "--consent", forged)
    assert (mismatch["field"], "does not match" in mismatch["message"]) == ("consent", True)
    own = refused(fed, "kr", *close, "--consent", consulting["ref"])
    assert (own["field"], "not a record of the denying partner" in own["message"]) == (
        "consent", True,
    )  # fmt: skip

    closed = fed.json("kr", *close, "--consent", consent, "--note", "licence KR-2026-118")
    assert (closed["status"], closed["outcome"]) == (
        "closed: granted-with-consent", "granted-with-consent",
    )  # fmt: skip
    on_jp = fed.poll(
        "jp", "consult", "list",
        until=lambda cs: any(c["outcome"] == "granted-with-consent" for c in cs),
        what="kr's closing on jp",
    )  # fmt: skip
    assert sorted((c["origin"], c["side"], c["status"]) for c in on_jp) == [
        ("jp", "denying", "position: no-objection"),
        ("kr", "consulting", "closed: granted-with-consent"),
    ]
    for node_id in ("jp", "kr"):
        assert fed.xcnet(node_id, "verify").code == 0
    assert fed.json("us", "consult", "list") == []
    assert fed.json("us", "denial", "list") == []


# c. Assistance ---------------------------------------------------------------------------------


def test_an_assistance_request_on_ph_is_answered_by_uss_offer_accepted_and_delivered(
    federation: FederationFactory,
) -> None:
    fed = federation(*NODES)
    request = fed.json(
        "ph", "assist", "request", "--ref", "2027-cit", "--area", "enforcement",
        "--unscr1540", "OP3c", "--cell", "ENF.PROC", "--modality", "cit",
        "--description", "Commodity identification training for customs officers",
        "--start", "2027-02-01", "--end", "2027-06-30", "--language", "en",
    )  # fmt: skip
    assert request["audience"] == ["federation"]
    fed.poll(
        "us", "assist", "show", "ph/2027-cit",
        until=lambda r: r["status"] == "open",
        what="ph's request on us",
    )  # fmt: skip

    offer = fed.json(
        "us", "assist", "offer", "--ref", "exbs-cit", "--request", request["ref"],
        "--description", "Two-week CIT course in Manila", "--language", "en",
    )  # fmt: skip
    assert (offer["request"], offer["audience"]) == (request["ref"], ["ph"])
    fed.poll(
        "ph", "assist", "show", "us/exbs-cit",
        until=lambda o: o["ref"] == offer["ref"],
        what="us's offer on ph",
    )  # fmt: skip
    accepted = fed.json("ph", "assist", "accept", "2027-cit", "--offer", offer["ref"])
    assert (accepted["status"], accepted["accepted_offer"]) == ("accepted", offer["ref"])

    fed.poll(
        "us", "assist", "show", "ph/2027-cit",
        until=lambda r: r["accepted_offer"] == offer["ref"],
        what="ph's acceptance on us",
    )  # fmt: skip
    report = fed.json(
        "us", "assist", "deliver", "exbs-cit", "--summary", "24 customs officers trained",
    )  # fmt: skip
    assert [d["request"] for d in report["deliveries"]] == [request["ref"]]
    fed.poll(
        "ph", "assist", "show", "us/exbs-cit",
        until=lambda o: o["status"] == "delivered",
        what="us's delivery report on ph",
    )  # fmt: skip
    delivered = fed.json(
        "ph", "assist", "deliver", "2027-cit", "--summary", "course received",
        "--report", report["ref"],
    )  # fmt: skip
    assert (delivered["status"], delivered["delivery"]["report"]) == ("delivered", report["ref"])

    on_us = fed.poll(
        "us", "assist", "list",
        until=lambda held: {(h["kind"], h["status"]) for h in held}
        == {("request", "delivered"), ("offer", "delivered")},
        what="the delivered request on us",
    )  # fmt: skip
    assert {h["origin"] for h in on_us} == {"ph", "us"}
    on_jp = fed.poll(
        "jp", "assist", "list",
        until=lambda held: [h["status"] for h in held] == ["delivered"],
        what="the delivered request on jp",
    )  # fmt: skip
    assert [(h["kind"], h["origin"]) for h in on_jp] == [("request", "ph")]
    for node_id in ("ph", "us"):
        assert fed.xcnet(node_id, "verify").code == 0


# Groups ----------------------------------------------------------------------------------------


def test_a_denial_shared_with_a_group_reaches_its_members_and_never_the_node_outside(
    federation: FederationFactory,
) -> None:
    fed = federation(*NODES)
    formed = fed.json(
        "jp", "group", "create", "wa-exchange", "--member", "kr", "--member", "ph",
        "--purpose", "WA denial exchange",
    )  # fmt: skip
    assert formed["audience_token"] == "group:jp/wa-exchange"
    denial = fed.json(
        "jp", "denial", "issue", "JP-2026-0043", "--regime", "WA", "--reason", "end-user-of-concern",
        "--item", "entry=5A002.a; description=Encryption modules",
        "--party", "role=consignee; name=Eastern Star Trading; country=HK",
        "--audience", "group:jp/wa-exchange",
    )  # fmt: skip
    for member in ("kr", "ph"):
        fed.poll(
            member, "denial", "list",
            until=lambda held: [d["ref"] for d in held] == [denial["ref"]],
            what=f"the group's denial on {member}",
        )  # fmt: skip
    assert [g["members"] for g in fed.json("us", "group", "list")] == [["jp", "kr", "ph"]]
    assert fed.json("us", "denial", "list") == []
    never_served(fed, denial["id"], "us", by=("jp", "kr", "ph"))
    assert {e["peer"] for e in fed.json("jp", "audit", "access", "--record", denial["id"])} == {
        "kr", "ph",
    }  # fmt: skip
