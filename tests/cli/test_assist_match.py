"""`xcnet assist match`: the real command on a donor's node holding a requester's records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from node import postgres
from node.service import Node
from tests.cli.refusals import refused_without_a_trace
from tests.conftest import POSTGRES_URL, Xcnet
from tests.node.test_assistance_board import pin, replicate

REQUESTS = {
    "2027-cit": ("--area", "enforcement", "--modality", "cit", "--language", "en"),
    "2027-lic": ("--area", "licensing", "--modality", "licensing-training", "--language", "en"),
    "2027-law": ("--area", "laws", "--modality", "drafting", "--language", "fr"),
}
STANDING = (
    "--area", "enforcement", "--area", "licensing", "--modality", "cit",
    "--region", "southeast-asia", "--language", "en",
)  # fmt: skip


def ok(xcnet: Xcnet, home: Path, *args: str) -> Any:
    result = xcnet(*args, "--json", home=home)
    assert result.code == 0, result.stderr
    return result.json()


def exchange(source: Path, target: Path) -> None:
    """Replicate what `source` may give `target` (the sync protocol's page, ingested)."""
    with Node.open(source) as giver, Node.open(target) as taker:
        pin(giver, taker)
        pin(taker, giver)
        replicate(giver, taker)


@pytest.fixture
def homes(tmp_path: Path, db: str | None, xcnet: Xcnet) -> Iterator[tuple[Path, Path]]:
    """ph posts three requests; the donor node us holds them and has a standing offer."""
    made, schemas = {}, []
    for node_id, role in (("ph", "policy"), ("us", "donor")):
        path = tmp_path / node_id
        url = None
        if db is not None:
            schemas.append(f"xcnet_test_{uuid4().hex[:12]}")
            url = f"{POSTGRES_URL}?schema={schemas[-1]}"
        init = ("init", str(path), "--node-id", node_id, "--name", f"Agency {node_id}")
        assert xcnet(*init, *(["--db", url] if url else [])).code == 0
        assert xcnet("official", "add", f"{role} officer", "--role", role, home=path).code == 0
        made[node_id] = path
    ph, us = made["ph"], made["us"]
    for reference, facets in REQUESTS.items():
        ok(xcnet, ph, "assist", "request", "--ref", reference, "--cell", "ENF.PROC",
           "--description", f"help for {reference}", "--start", "2027-02-01",
           "--end", "2027-06-30", *facets)  # fmt: skip
    exchange(ph, us)
    ok(
        xcnet,
        us,
        "assist",
        "offer",
        "--ref",
        "std",
        "--description",
        "CIT and licensing",
        *STANDING,
    )
    yield ph, us
    for schema in schemas:
        postgres.drop_schema(POSTGRES_URL, schema)


def test_match_ranks_the_requests_that_fit_a_donors_offer_with_scores_and_reasons(
    homes: tuple[Path, Path], xcnet: Xcnet
) -> None:
    _, us = homes
    matched = ok(xcnet, us, "assist", "match", "--offer", "std")
    assert (matched["matching"], matched["donor"], matched["offer"]["reference"]) == (
        "requests", "us", "std",
    )  # fmt: skip
    assert [(r["reference"], r["score"]) for r in matched["results"]] == [
        ("2027-cit", 7.25),
        ("2027-lic", 5.25),
    ]
    assert [r["text"] for r in matched["results"][0]["reasons"]] == [
        "area enforcement", "modality cit", "serves southeast-asia (PH)", "language en",
    ]  # fmt: skip
    assert matched["taken_up"] == []
    assert matched["weights"]["area"] == 3.0

    table = xcnet("assist", "match", "--offer", "std", home=us)
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("open requests shared with us that fit offer us/std")
    assert lines[2].split()[:3] == ["7.25", "ph/2027-cit", "PH"]
    assert lines[3].split()[:3] == ["5.25", "ph/2027-lic", "PH"]


def test_repeatable_criteria_match_without_an_offer(homes: tuple[Path, Path], xcnet: Xcnet) -> None:
    _, us = homes
    matched = ok(xcnet, us, "assist", "match", "--area", "laws", "--area", "licensing",
                 "--region", "asia", "--language", "fr")  # fmt: skip
    assert matched["criteria"] == {
        "areas": ["laws", "licensing"], "modalities": None, "regions": ["asia"],
        "languages": ["fr"],
    }  # fmt: skip
    assert [(r["reference"], r["score"]) for r in matched["results"]] == [
        ("2027-law", 5.0),
        ("2027-lic", 4.0),
    ]


def test_a_request_taken_up_by_another_donor_is_marked_and_the_requester_sees_fitting_offers(
    homes: tuple[Path, Path], xcnet: Xcnet
) -> None:
    ph, us = homes
    request = ok(xcnet, ph, "assist", "show", "2027-lic")
    exchange(us, ph)
    fits = ok(xcnet, ph, "assist", "match", "--request", "2027-lic")
    assert [(r["origin"], r["reference"], r["score"]) for r in fits["results"]] == [
        ("us", "std", 5.25)
    ]
    donor = f"kr/{uuid4()}@1#{'ab' * 32}"
    ok(xcnet, ph, "assist", "accept", "2027-lic", "--offer", donor)
    exchange(ph, us)
    matched = ok(xcnet, us, "assist", "match", "--offer", "us/std")
    assert [r["reference"] for r in matched["results"]] == ["2027-cit"]
    (taken,) = matched["taken_up"]
    assert (taken["ref"].split("@")[0], taken["taken_up"]["by"], taken["taken_up"]["offer"]) == (
        request["ref"].split("@")[0], "kr", donor,
    )  # fmt: skip
    table = xcnet("assist", "match", "--offer", "std", home=us).stdout
    assert f"taken up by kr on {taken['taken_up']['on']}" in table


BAD = {
    "area": ("--area", "customs"),
    "modality": ("--modality", "lecture"),
    "region": ("--region", "atlantis"),
    "language": ("--language", "english"),
    "offer": ("--offer", "nope"),
    "request": ("--request", "2099"),
}


def test_bad_input_is_refused_with_exit_2_naming_the_field_and_writes_nothing(
    homes: tuple[Path, Path], xcnet: Xcnet
) -> None:
    _, us = homes
    errors = {field: refused(xcnet, us, *args) for field, args in BAD.items()}
    assert {field: e["field"] for field, e in errors.items()} == {f: f for f in BAD}
    assert "area 'customs' is unknown: expected one of laws" in errors["area"]["message"]
    assert "no offer 'nope' is held here" in errors["offer"]["message"]
    a_request = refused(xcnet, us, "--offer", "ph/2027-cit")
    assert (a_request["field"], "names a request" in a_request["message"]) == ("offer", True)
    mixed = refused(xcnet, us, "--offer", "std", "--area", "laws")
    assert mixed["field"] == "area"
    assert refused(xcnet, us, "--offer", "std", "--request", "ph/2027-cit")["field"] == "request"
    assert refused(xcnet, us)["field"] == "offer"
    untouched = refused_without_a_trace(xcnet, us, "assist", "match", "--region", "atlantis")
    assert untouched["field"] == "region"


def refused(xcnet: Xcnet, home: Path, *args: str) -> dict[str, Any]:
    result = xcnet("assist", "match", *args, "--json", home=home)
    assert result.code == 2, (result.stdout, result.stderr)
    document = result.json()
    assert isinstance(document, dict)
    assert result.stderr.startswith("error: ")
    error: dict[str, Any] = document["error"]
    return error
