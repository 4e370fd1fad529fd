from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from node import postgres
from tests.cli.refusals import refused_without_a_trace
from tests.conftest import POSTGRES_URL, Xcnet


@dataclass(frozen=True)
class Pair:
    """The denying node (jp, the `home` fixture) and the consulting node (kr)."""

    denier: Path
    consulter: Path
    denial_ref: str


def as_dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value


@pytest.fixture
def kr_home(tmp_path: Path, db: str | None, xcnet: Xcnet) -> Iterator[Path]:
    schema = f"xcnet_test_{uuid4().hex[:12]}"
    url = f"{POSTGRES_URL}?schema={schema}" if db else None
    path = tmp_path / "kr"
    made = xcnet(
        "init", str(path), "--node-id", "kr", "--name", "Korea Strategic Trade Institute",
        *(["--db", url] if url else []),
    )  # fmt: skip
    assert made.code == 0, made.stderr
    yield path
    if url:
        postgres.drop_schema(POSTGRES_URL, schema)


@pytest.fixture
def pair(home: Path, kr_home: Path, xcnet: Xcnet) -> Pair:
    for node in (home, kr_home):
        assert xcnet("official", "add", "Officer", "--role", "licensing", home=node).code == 0
    issued = xcnet(
        "denial", "issue", "JP-2026-0042", "--regime", "WA", "--reason", "diversion-risk",
        "--item", "entry=3A001.a.1; hs=854231; description=Rad-hard FPGAs",
        "--party", "role=end-user; name=OOO Zenit Mikrosistemy; country=RU",
        "--audience", "federation", "--json", home=home,
    )  # fmt: skip
    assert issued.code == 0, issued.stderr
    return Pair(home, kr_home, str(as_dict(issued.json())["ref"]))


def due() -> str:
    return (datetime.now(UTC).date() + timedelta(days=30)).isoformat()


def open_consultation(xcnet: Xcnet, pair: Pair) -> dict[str, object]:
    opened = xcnet(
        "consult", "open", "--denial", pair.denial_ref,
        "--summary", "40 rad-hard FPGAs for Zenit Microsystems, Moscow",
        "--explanation", "same end user, same entry 3A001.a.1", "--due", due(), "--json",
        home=pair.consulter,
    )  # fmt: skip
    assert opened.code == 0, opened.stderr
    return as_dict(opened.json())


def open_reply(xcnet: Xcnet, pair: Pair, consulting: dict[str, object]) -> dict[str, object]:
    replied = xcnet(
        "consult", "open", "--reply-to", str(consulting["ref"]), "--denial", "JP-2026-0042",
        "--json", home=pair.denier,
    )  # fmt: skip
    assert replied.code == 0, replied.stderr
    return as_dict(replied.json())


def test_a_consultation_runs_from_opening_to_a_licence_granted_with_the_deniers_consent(
    pair: Pair, xcnet: Xcnet
) -> None:
    consulting = open_consultation(xcnet, pair)
    assert (consulting["side"], consulting["partner"], consulting["denial"]) == (
        "consulting", "jp", pair.denial_ref,
    )  # fmt: skip
    assert consulting["audience"] == ["jp"]
    denying = open_reply(xcnet, pair, consulting)
    assert (denying["side"], denying["partner"], denying["counterpart"]) == (
        "denying", "kr", consulting["ref"],
    )  # fmt: skip
    short = str(denying["id"])[:8]
    asked = xcnet(
        "consult", "reply", short, "--ask", "Who finances the purchase?", home=pair.denier
    )
    assert asked.code == 0, asked.stderr
    answered = xcnet(
        "consult", "reply", str(consulting["id"]), "--answer", "Letter of credit, VTB",
        "--responds-to", str(as_dict(xcnet("consult", "show", short, "--json",
                                           home=pair.denier).json())["ref"]),
        "--json", home=pair.consulter,
    )  # fmt: skip
    assert answered.code == 0, answered.stderr
    stated = xcnet(
        "consult", "reply", short, "--position", "no-objection", "--rationale",
        "end user has been reorganised", "--json", home=pair.denier,
    )  # fmt: skip
    assert stated.code == 0, stated.stderr
    position_ref = str(as_dict(stated.json())["position_ref"])
    closed = xcnet(
        "consult", "close", str(consulting["id"])[:8], "--outcome", "granted-with-consent",
        "--consent", position_ref, "--json", home=pair.consulter,
    )  # fmt: skip
    assert closed.code == 0, closed.stderr
    result = as_dict(closed.json())
    assert (result["status"], result["outcome"]) == (
        "closed: granted-with-consent",
        "granted-with-consent",
    )
    assert [m["kind"] for m in result["messages"]] == ["opened", "answer", "closed"]  # type: ignore[attr-defined]
    listed = xcnet("consult", "list", "--json", home=pair.denier).json()
    assert isinstance(listed, list)
    assert [(c["side"], c["position"]) for c in listed] == [("denying", "no-objection")]
    for node in (pair.denier, pair.consulter):
        assert xcnet("verify", home=node).code == 0


def test_granting_over_an_objection_notifies_the_undercut_to_the_denials_audience(
    pair: Pair, xcnet: Xcnet
) -> None:
    consulting = open_consultation(xcnet, pair)
    closed = xcnet(
        "consult", "close", str(consulting["id"]), "--outcome", "granted-over-objection",
        "--notify", "federation", "--note", "overriding national security interest", "--json",
        home=pair.consulter,
    )  # fmt: skip
    assert closed.code == 0, closed.stderr
    result = as_dict(closed.json())
    assert result["audience"] == ["federation"]
    assert result["undercut_notified_at"] is not None
    log = xcnet("log", "--origin", "kr", "--json", home=pair.consulter).json()
    assert isinstance(log, list)
    assert [(e["topic"], e["audience"]) for e in log[-3:]] == [
        ("xcnet.consultation.Opened/1", ["jp"]),
        ("xcnet.consultation.UndercutNotified/1", ["federation"]),
        ("xcnet.consultation.Closed/1", ["federation"]),
    ]


def test_bad_consultation_input_is_refused_naming_the_field_and_writes_nothing(
    pair: Pair, xcnet: Xcnet
) -> None:
    consulting = open_consultation(xcnet, pair)
    cid = str(consulting["id"])
    past = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    consulter_cases = [
        (("consult", "open", "--denial", "jp/not-a-ref", "--summary", "s", "--explanation", "e",
          "--due", due()), "denial"),
        (("consult", "open", "--denial", pair.denial_ref, "--summary", "s", "--explanation", "e",
          "--due", past), "due"),
        (("consult", "open", "--denial", pair.denial_ref, "--summary", "", "--explanation", "e",
          "--due", due()), "application_summary"),
        (("consult", "close", cid, "--outcome", "granted-with-consent"), "consent"),
        (("consult", "close", cid, "--outcome", "granted-with-consent", "--consent",
          str(consulting["ref"])), "consent"),
        (("consult", "close", cid, "--outcome", "granted-over-objection"), "notify"),
        (("consult", "close", cid, "--outcome", "approved"), "outcome"),
        (("consult", "reply", cid, "--position", "no-objection"), "position"),
        (("consult", "reply", "ffffffff", "--ask", "?"), "consultation"),
    ]  # fmt: skip
    for args, field in consulter_cases:
        error = refused_without_a_trace(xcnet, pair.consulter, *args)
        assert error["field"] == field, (args, error)
    denier_cases = [
        (("consult", "open", "--reply-to", str(consulting["ref"])), "denial"),
        (("consult", "open", "--reply-to", str(consulting["ref"]), "--denial", "JP-9"), "denial"),
        (("consult", "open", "--denial", pair.denial_ref, "--summary", "s", "--explanation", "e",
          "--due", due()), "denial"),
    ]  # fmt: skip
    for args, field in denier_cases:
        error = refused_without_a_trace(xcnet, pair.denier, *args)
        assert error["field"] == field, (args, error)


def test_a_consultation_is_answered_once_and_closed_once(pair: Pair, xcnet: Xcnet) -> None:
    consulting = open_consultation(xcnet, pair)
    open_reply(xcnet, pair, consulting)
    again = ("consult", "open", "--reply-to", str(consulting["ref"]), "--denial", "JP-2026-0042")
    assert refused_without_a_trace(xcnet, pair.denier, *again)["field"] == "counterpart"
    cid = str(consulting["id"])
    assert xcnet("consult", "close", cid, "--outcome", "withdrawn", home=pair.consulter).code == 0
    twice = ("consult", "close", cid, "--outcome", "licence-refused")
    assert refused_without_a_trace(xcnet, pair.consulter, *twice)["field"] == "consultation"
