from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from node import postgres
from tests.conftest import POSTGRES_URL, Xcnet

REQUEST = (
    "--ref",
    "2027-cit",
    "--area",
    "enforcement",
    "--unscr1540",
    "OP3c",
    "--cell",
    "ENF.PROC",
    "--cell",
    "ENF.INST",
    "--modality",
    "cit",
    "--description",
    "Commodity identification training for customs officers",
    "--start",
    "2027-02-01",
    "--end",
    "2027-06-30",
    "--language",
    "en",
)


def ok(result: Any) -> dict[str, Any]:
    assert result.code == 0, result.stderr
    document = result.json()
    assert isinstance(document, dict)
    return document


def enrol(xcnet: Xcnet, home: Path, role: str) -> None:
    assert xcnet("official", "add", f"A {role} officer", "--role", role, home=home).code == 0


def refused(xcnet: Xcnet, home: Path, *args: str) -> dict[str, Any]:
    """Run a command that must be refused as bad input; return its JSON error."""
    result = xcnet(*args, "--json", home=home)
    assert result.code == 2, (result.stdout, result.stderr)
    document = result.json()
    assert isinstance(document, dict)
    error = document["error"]
    assert isinstance(error, dict)
    return error


def fake_ref(origin: str) -> str:
    return f"{origin}/{uuid4()}@1#{'ab' * 32}"


@pytest.fixture
def requester(home: Path, xcnet: Xcnet) -> Path:
    """Node jp with a policy official."""
    enrol(xcnet, home, "policy")
    return home


@pytest.fixture
def donor(tmp_path: Path, db: str | None, xcnet: Xcnet) -> Iterator[Path]:
    """A second node, us, with a donor official, on its own store of the kind under test."""
    path, schema = tmp_path / "us", f"xcnet_test_{uuid4().hex[:12]}"
    url = None if db is None else f"{POSTGRES_URL}?schema={schema}"
    done = xcnet(
        "init", str(path), "--node-id", "us", "--name", "US EXBS", *(["--db", url] if url else [])
    )
    assert done.code == 0, done.stderr
    enrol(xcnet, path, "donor")
    yield path
    if url is not None:
        postgres.drop_schema(POSTGRES_URL, schema)


def test_a_request_goes_from_post_to_offer_acceptance_delivery_and_outcome_across_two_nodes(
    requester: Path, donor: Path, xcnet: Xcnet
) -> None:
    posted = ok(xcnet("assist", "request", *REQUEST, "--json", home=requester))
    assert (posted["kind"], posted["status"], posted["audience"]) == (
        "request",
        "open",
        ["federation"],
    )
    assert posted["cells"] == ["ENF.INST", "ENF.PROC"]

    offer = ok(
        xcnet(
            "assist",
            "offer",
            "--ref",
            "exbs-cit",
            "--request",
            posted["ref"],
            "--description",
            "Two-week CIT course in Manila",
            "--language",
            "en",
            "--json",
            home=donor,
        )
    )
    assert (offer["request"], offer["audience"], offer["origin"]) == (posted["ref"], ["jp"], "us")

    accepted = ok(
        xcnet("assist", "accept", "2027-cit", "--offer", offer["ref"], "--json", home=requester)
    )
    assert (accepted["status"], accepted["accepted_offer"]) == ("accepted", offer["ref"])

    report = ok(
        xcnet(
            "assist",
            "deliver",
            "exbs-cit",
            "--date",
            "2026-11-20",
            "--summary",
            "24 officers trained",
            "--json",
            home=donor,
        )
    )
    assert report["status"] == "delivered"
    assert [(d["request"], d["date"]) for d in report["deliveries"]] == [
        (posted["ref"], "2026-11-20")
    ]

    delivered = ok(
        xcnet(
            "assist",
            "deliver",
            "2027-cit",
            "--summary",
            "course received",
            "--report",
            report["ref"],
            "--json",
            home=requester,
        )
    )
    assert delivered["status"] == "delivered"
    assert delivered["delivery"]["report"] == report["ref"]

    outcome = ok(
        xcnet(
            "assist",
            "outcome",
            "2027-cit",
            "--cell",
            "enf.proc",
            "--before",
            "LOW",
            "--after",
            "moderate",
            "--json",
            home=requester,
        )
    )
    assert [(o["cell"], o["before"], o["after"]) for o in outcome["outcomes"]] == [
        ("ENF.PROC", "LOW", "MODERATE")
    ]

    listed = xcnet("assist", "list", "--json", home=requester).json()
    assert isinstance(listed, list)
    assert [(r["kind"], r["reference"], r["status"]) for r in listed] == [
        ("request", "2027-cit", "delivered")
    ]
    for node in (requester, donor):
        assert xcnet("verify", home=node).code == 0


def test_bad_request_fields_are_refused_naming_each_field_and_write_nothing(
    requester: Path, xcnet: Xcnet
) -> None:
    before = xcnet("log", "--json", home=requester).json()
    cases = {
        "cell": ("--cell", "ENF.XYZ"),
        "area": ("--area", "diplomacy"),
        "language": ("--language", "english"),
        "end": ("--end", "2027-01-01"),
        "start": ("--start", "1 Feb 2027"),
        "audience": ("--audience", "group:jp/nobody"),
        "source": ("--recommendation", "2"),
    }
    errors = {
        field: refused(xcnet, requester, "assist", "request", *REQUEST, *change)
        for field, change in cases.items()
    }
    assert {field: error["field"] for field, error in errors.items()} == {f: f for f in cases}
    assert "unknown cell 'ENF.XYZ'" in errors["cell"]["message"]
    assert xcnet("log", "--json", home=requester).json() == before
    assert xcnet("verify", home=requester).code == 0


def test_an_outcome_before_delivery_and_a_second_acceptance_are_refused(
    requester: Path, xcnet: Xcnet
) -> None:
    ok(xcnet("assist", "request", *REQUEST, "--json", home=requester))
    ok(xcnet("assist", "accept", "2027-cit", "--offer", fake_ref("us"), "--json", home=requester))
    before = xcnet("log", "--json", home=requester).json()
    outcome = ("assist", "outcome", "2027-cit", "--cell", "ENF.PROC", "--before", "LOW")
    assert refused(xcnet, requester, *outcome, "--after", "HIGH")["field"] == "request"
    again = ("assist", "accept", "2027-cit", "--offer", fake_ref("kr"))
    assert refused(xcnet, requester, *again)["field"] == "request"
    assert refused(xcnet, requester, "assist", "deliver", "2027-cit")["field"] == "summary"
    assert xcnet("log", "--json", home=requester).json() == before
    assert xcnet("verify", home=requester).code == 0


def test_a_withdrawn_request_takes_no_further_changes(requester: Path, xcnet: Xcnet) -> None:
    ok(xcnet("assist", "request", *REQUEST, "--json", home=requester))
    revised = ok(
        xcnet("assist", "revise", "2027-cit", "--end", "2027-09-30", "--json", home=requester)
    )
    assert revised["timeframe"] == {"start": "2027-02-01", "end": "2027-09-30"}
    withdrawn = ok(
        xcnet(
            "assist",
            "withdraw",
            "2027-cit",
            "--reason",
            "funded nationally",
            "--json",
            home=requester,
        )
    )
    assert withdrawn["status"] == "withdrawn"
    before = xcnet("log", "--json", home=requester).json()
    revise = ("assist", "revise", "2027-cit", "--description", "something else")
    assert refused(xcnet, requester, *revise)["field"] == "request"
    accept = ("assist", "accept", "2027-cit", "--offer", fake_ref("us"))
    assert refused(xcnet, requester, *accept)["field"] == "request"
    assert xcnet("log", "--json", home=requester).json() == before
    assert xcnet("verify", home=requester).code == 0


def test_offers_default_to_the_requesting_node_or_to_the_federation_when_standing(
    home: Path, xcnet: Xcnet
) -> None:
    enrol(xcnet, home, "donor")
    wanted = fake_ref("ph")
    answer = ok(
        xcnet(
            "assist",
            "offer",
            "--request",
            wanted,
            "--description",
            "CIT course",
            "--json",
            home=home,
        )
    )
    assert (answer["audience"], answer["request"], answer["standing"]) == (["ph"], wanted, False)
    standing = ok(
        xcnet(
            "assist",
            "offer",
            "--ref",
            "licensing-2027",
            "--area",
            "licensing",
            "--modality",
            "licensing-training",
            "--region",
            "southeast-asia",
            "--description",
            "Licensing officer training",
            "--json",
            home=home,
        )
    )
    assert (standing["audience"], standing["standing"], standing["regions"]) == (
        ["federation"],
        True,
        ["southeast-asia"],
    )
    shown = ok(xcnet("assist", "show", "jp/licensing-2027", "--json", home=home))
    assert shown["id"] == standing["id"]


def test_refused_offers_name_their_field_and_write_nothing(home: Path, xcnet: Xcnet) -> None:
    enrol(xcnet, home, "donor")
    before = xcnet("log", "--json", home=home).json()
    offer = ("assist", "offer", "--description", "CIT course")
    assert refused(xcnet, home, *offer)["field"] == "area"
    assert refused(xcnet, home, *offer, "--request", "ph/not-a-ref@1#00")["field"] == "request"
    assert refused(xcnet, home, *offer, "--request", fake_ref("jp"))["field"] == "request"
    elsewhere = ("--request", fake_ref("ph"), "--audience", "kr")
    assert refused(xcnet, home, *offer, *elsewhere)["field"] == "audience"
    assert refused(xcnet, home, "assist", "request", *REQUEST)["field"] == "as"
    assert xcnet("log", "--json", home=home).json() == before
    assert xcnet("verify", home=home).code == 0
