"""The assistance board and donor matching, in process on both stores."""

from __future__ import annotations

from typing import Any

import pytest

from aggregates.base import InvalidField
from node import assistance, assistance_board
from node.assistance_board import AssistanceBoard, criteria, match_offers, match_requests
from node.errors import BadInput, NotFound
from node.ingest import ingest
from node.peers import make_peer, save_peers
from node.replication import page_for
from node.service import Node
from protocol.crypto import fingerprint
from protocol.envelope import parse
from tests.conftest import FakeClock, NodeFactory


def pin(node: Node, *others: Node) -> None:
    peers = node.peers()
    for other in others:
        peers[other.config.node_id] = make_peer(
            other.config.node_id, fingerprint(other.node_key.public_key)
        )
    save_peers(node.config.home, peers)


def replicate(source: Node, target: Node) -> None:
    """Everything `source` may give `target`, taken in by `target` (less target's own records)."""
    page = page_for(source, target.config.node_id, 0, 10_000).records
    records = [s for _, s in page if parse(s).header.origin != target.config.node_id]
    report = ingest(target, records, source=source.config.node_id)
    assert not report.refused, report.refused


def dump(node: Node) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the board's tables, in a stable order (caught up first, as a query is)."""
    node.views.catch_up()
    return {
        table: sorted(node.views.query(f"SELECT * FROM {{t}}{table}"), key=repr)
        for table in AssistanceBoard.tables
    }


def request(node: Node, ref: str, area: str, modality: str, *languages: str) -> str:
    posted = assistance.post_request(
        node, reference=ref, area=area, unscr1540=(), cells=("ENF.PROC",), modality=modality,
        description=f"help with {area}", start="2027-02-01", end="2027-06-30",
        languages=languages, source=None, recommendation=None, audience=("federation",),
        as_official=None,
    )  # fmt: skip
    return str(posted.ref)


def offer(node: Node, ref: str, *, request: str | None = None, **facets: tuple[str, ...]) -> str:
    made = assistance.make_offer(
        node, reference=ref, request=request, areas=facets.get("areas", ()),
        modalities=facets.get("modalities", ()), regions=facets.get("regions", ()),
        languages=facets.get("languages", ()), description=f"offer {ref}",
        audience=("federation",), as_official=None,
    )  # fmt: skip
    return str(made.ref)


@pytest.fixture
def board(make_node: NodeFactory) -> tuple[Node, Node, Node]:
    """ph asks for three kinds of help; us and kr are donors who hold ph's requests."""
    ph, us, kr = make_node("ph"), make_node("us"), make_node("kr")
    for node in (ph, us, kr):
        pin(node, *(other for other in (ph, us, kr) if other is not node))
    ph.add_official("Santos Maria", ("policy",))
    us.add_official("Smith Jo", ("donor",))
    kr.add_official("Kim Ji-woo", ("donor",))
    request(ph, "2027-cit", "enforcement", "cit", "en")
    request(ph, "2027-lic", "licensing", "licensing-training", "en", "tl")
    request(ph, "2027-law", "laws", "drafting", "fr")
    for donor in (us, kr):
        replicate(ph, donor)
    offer(us, "std", areas=("enforcement", "licensing"), modalities=("cit",),
          regions=("southeast-asia",), languages=("en",))  # fmt: skip
    return ph, us, kr


def reasons(result: dict[str, Any]) -> list[tuple[str, str, float]]:
    return [(r["facet"], r["value"], r["weight"]) for r in result["reasons"]]


def test_a_donors_offer_ranks_the_open_requests_it_fits_with_the_reasons_for_each_score(
    board: tuple[Node, Node, Node],
) -> None:
    _, us, _ = board
    matched = match_requests(us, offer="std")
    assert (matched["matching"], matched["donor"], matched["offer"]["reference"]) == (
        "requests", "us", "std",
    )  # fmt: skip
    assert [(r["reference"], r["score"]) for r in matched["results"]] == [
        ("2027-cit", 7.25),
        ("2027-lic", 5.25),
    ]
    cit, lic = matched["results"]
    assert reasons(cit) == [
        ("area", "enforcement", 3.0),
        ("modality", "cit", 2.0),
        ("region", "southeast-asia", 1.25),
        ("language", "en", 1.0),
    ]
    assert reasons(lic) == [
        ("area", "licensing", 3.0),
        ("region", "southeast-asia", 1.25),
        ("language", "en", 1.0),
    ]
    assert (cit["country"], cit["status"], cit["taken_up"], cit["offers"]) == (
        "PH",
        "open",
        None,
        [],
    )
    assert matched["taken_up"] == []
    assert matched["weights"] == assistance_board.WEIGHTS


def test_criteria_rank_requests_without_an_offer_and_facets_left_out_do_not_count(
    board: tuple[Node, Node, Node],
) -> None:
    _, us, _ = board
    by_language = match_requests(us, profile=criteria(languages=("fr", "tl")))
    tied = by_language["results"]
    assert sorted((r["reference"], r["score"]) for r in tied) == [
        ("2027-law", 1.0),
        ("2027-lic", 1.0),
    ]
    assert [r["ref"] for r in tied] == sorted(r["ref"] for r in tied)
    assert by_language["criteria"] == {
        "areas": None, "modalities": None, "regions": None, "languages": ["fr", "tl"],
    }  # fmt: skip
    by_area = match_requests(us, profile=criteria(areas=("Laws",), regions=("PH",)))
    assert [(r["reference"], reasons(r)) for r in by_area["results"]] == [
        ("2027-law", [("area", "laws", 3.0), ("region", "PH", 1.5)])
    ]
    anywhere = match_requests(us, profile=criteria(modalities=("drafting",), regions=("global",)))
    assert reasons(anywhere["results"][0]) == [
        ("modality", "drafting", 2.0),
        ("region", "global", 0.5),
    ]
    elsewhere = match_requests(us, profile=criteria(areas=("laws",), regions=("africa",)))
    assert reasons(elsewhere["results"][0]) == [("area", "laws", 3.0)]


def test_a_request_another_donor_has_taken_up_is_ranked_apart_naming_that_donor(
    board: tuple[Node, Node, Node], clock: FakeClock
) -> None:
    ph, us, kr = board
    answer = offer(kr, "kr-cit", request="ph/2027-cit", languages=("en",))
    replicate(kr, ph)
    replicate(kr, us)
    offered = match_requests(us, offer="std")
    assert [o["by"] for o in offered["results"][0]["offers"]] == ["kr"]
    assert offered["results"][0]["offers"][0]["ref"] == answer

    clock.advance(days=2)
    assistance.accept_offer(ph, "2027-cit", offer=answer, as_official=None)
    replicate(ph, us)
    matched = match_requests(us, offer="std")
    assert [r["reference"] for r in matched["results"]] == ["2027-lic"]
    assert [(r["reference"], r["score"]) for r in matched["taken_up"]] == [("2027-cit", 7.25)]
    assert matched["taken_up"][0]["taken_up"] == {"by": "kr", "offer": answer, "on": "2026-11-25"}
    assert matched["taken_up"][0]["status"] == "accepted"


def test_the_offers_that_fit_a_request_are_ranked_with_its_direct_answers_first(
    board: tuple[Node, Node, Node],
) -> None:
    ph, us, kr = board
    answer = offer(kr, "kr-cit", request="ph/2027-cit", languages=("en",))
    offer(kr, "kr-std", areas=("industry",), modalities=("outreach",))
    for donor in (us, kr):
        replicate(donor, ph)
    found = match_offers(ph, request="2027-cit")
    assert found["request"]["reference"] == "2027-cit"
    ranked = [(r["reference"], r["score"], r["accepted"]) for r in found["results"]]
    assert ranked == [("std", 7.25, False), ("kr-cit", 6.5, False)]
    assert reasons(found["results"][1]) == [
        ("answers", "2027-cit", 5.0),
        ("region", "global", 0.5),
        ("language", "en", 1.0),
    ]
    assistance.accept_offer(ph, "2027-cit", offer=answer, as_official=None)
    accepted = match_offers(ph, request="ph/2027-cit")
    assert [(r["reference"], r["accepted"]) for r in accepted["results"]] == [
        ("std", False),
        ("kr-cit", True),
    ]
    assert accepted["request"]["taken_up"]["by"] == "kr"


def test_bad_input_names_the_field_at_fault(board: tuple[Node, Node, Node]) -> None:
    ph, us, _ = board
    with pytest.raises(InvalidField) as unknown_area:
        criteria(areas=("customs",))
    assert unknown_area.value.field == "area"
    with pytest.raises(InvalidField) as unknown_language:
        criteria(languages=("english",))
    assert unknown_language.value.field == "language"
    with pytest.raises(BadInput) as nothing:
        criteria()
    assert nothing.value.field == "offer"
    with pytest.raises(NotFound) as no_offer:
        match_requests(us, offer="nope")
    assert no_offer.value.field == "offer"
    with pytest.raises(BadInput) as a_request:
        match_requests(us, offer="ph/2027-cit")
    assert (a_request.value.field, "names a request" in str(a_request.value)) == ("offer", True)
    with pytest.raises(NotFound) as no_request:
        match_offers(ph, request="2099")
    assert no_request.value.field == "request"


def test_the_board_holds_one_row_per_record_and_a_rebuild_gives_the_same_rows(
    board: tuple[Node, Node, Node],
) -> None:
    ph, us, kr = board
    answer = offer(kr, "kr-cit", request="ph/2027-cit")
    replicate(kr, ph)
    assistance.accept_offer(ph, "2027-cit", offer=answer, as_official=None)
    assistance.withdraw(ph, "2027-law", reason="drafted in house", as_official=None)
    replicate(ph, us)
    before = dump(us)
    assert [(r[3], r[4]) for r in sorted(before["xcnet_assist_request"], key=lambda r: r[3])] == [
        ("2027-cit", "accepted"),
        ("2027-law", "withdrawn"),
        ("2027-lic", "open"),
    ]
    assert sorted((r[2], r[3], r[4]) for r in before["xcnet_assist_offer"]) == [
        ("kr", "kr-cit", "open"),
        ("us", "std", "open"),
    ]
    assert sorted(r[1:] for r in before["xcnet_assist_member"]) == [
        ("kr", "KR"), ("ph", "PH"), ("us", "US"),
    ]  # fmt: skip
    applied = us.views.rebuild([AssistanceBoard.name])[AssistanceBoard.name]
    assert applied == sum(1 for _ in us.log())
    assert dump(us) == before
