from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.refusals import refused_without_a_trace
from tests.conftest import Xcnet
from tests.fixtures import load_denials

ZENIT = (
    "role=end-user; name=OOO Zenit Mikrosistemy; country=RU; "
    "alias=ООО «Зенит Микросистемы»; alias=Zenit Microsystems LLC; "  # noqa: RUF001
    "address=ul. Profsoyuznaya 84/32, Moskva; id=INN:7728456123"
)
FPGA = "entry=3A001.a.1; hs=8542.31; description=Radiation-hardened FPGAs"


@pytest.fixture
def officer_home(home: Path, xcnet: Xcnet) -> Path:
    added = xcnet("official", "add", "Sato Hana", "--role", "licensing", home=home)
    assert added.code == 0, added.stderr
    return home


def issue_args(ref: str = "JP-2026-0042", *extra: str) -> tuple[str, ...]:
    return (
        "denial", "issue", ref, "--regime", "WA", "--reason", "diversion-risk",
        "--item", FPGA, "--party", ZENIT, "--audience", "federation", *extra,
    )  # fmt: skip


def as_dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value


def test_a_denial_issued_from_options_is_shown_with_its_hs_description_and_status(
    officer_home: Path, xcnet: Xcnet
) -> None:
    issued = xcnet(*issue_args(), "--json", home=officer_home)
    assert issued.code == 0, issued.stderr
    denial = as_dict(issued.json())
    today = datetime.now(UTC).date()
    assert denial["denied_on"] == today.isoformat()
    assert denial["valid_until"] == today.replace(year=today.year + 3).isoformat()
    assert (denial["status"], denial["in_force"], denial["audience"]) == (
        "in force", True, ["federation"],
    )  # fmt: skip
    shown = as_dict(xcnet("denial", "show", "JP-2026-0042", "--json", home=officer_home).json())
    items, parties = shown["items"], shown["parties"]
    assert isinstance(items, list) and isinstance(parties, list)
    item, party = items[0], parties[0]
    assert item["hs_code"] == "854231"
    assert item["hs_description"].startswith("Electronic integrated circuits; processors")
    assert party["aliases"] == ["ООО «Зенит Микросистемы»", "Zenit Microsystems LLC"]  # noqa: RUF001
    assert party["identifiers"] == ["INN:7728456123"]
    assert str(shown["ref"]).startswith(f"jp/{shown['id']}@1#")
    text = xcnet("denial", "show", "JP-2026-0042", home=officer_home).stdout
    assert "HS 854231: Electronic integrated circuits" in text
    assert xcnet("verify", home=officer_home).code == 0


def test_every_fixture_denial_is_issued_from_one_file_and_listed_in_force(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    records = load_denials(datetime.now(UTC).date())
    path = tmp_path / "denials.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    issued = xcnet(
        "denial", "issue", "--from-file", str(path), "--audience", "federation", "--json",
        home=officer_home,
    )  # fmt: skip
    assert issued.code == 0, issued.stderr
    listed = xcnet("denial", "list", "--in-force", "--json", home=officer_home).json()
    assert isinstance(listed, list)
    assert [d["national_ref"] for d in listed] == [r["national_ref"] for r in records]
    for shown, given in zip(listed, records, strict=True):
        assert [p["name"] for p in shown["parties"]] == [p["name"] for p in given["parties"]]  # type: ignore[attr-defined]
        assert [p["aliases"] for p in shown["parties"]] == [p["aliases"] for p in given["parties"]]  # type: ignore[attr-defined]
        assert len(shown["items"]) == len(given["items"])  # type: ignore[arg-type]
    catch_all = [d for d in listed if d["basis"] == "catch-all"]
    assert catch_all and all(d["ground"] for d in catch_all)
    assert xcnet("verify", home=officer_home).code == 0


def test_bad_denial_input_is_refused_naming_the_field_and_writes_nothing(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    past = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    bad_item = "entry=3X001; description=Something"
    old_hs = "entry=3A001.a.1; hs=8541.40; description=Photosensitive devices"
    records = load_denials(datetime.now(UTC).date())[:3]
    records[2]["items"] = [{"control_entry": "ML23", "description": "x"}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    cases = [
        (("denial", "issue", "JP-1", "--regime", "WA", "--reason", "diversion-risk",
          "--item", bad_item, "--party", ZENIT, "--audience", "federation"),
         "items[0].control_entry"),
        (("denial", "issue", "JP-1", "--regime", "WA", "--reason", "diversion-risk",
          "--item", old_hs, "--party", ZENIT, "--audience", "federation"),
         "items[0].hs_code"),
        (issue_args("JP-1", "--valid-until", past), "valid_until"),
        (issue_args("JP-1", "--regime", "OPCW"), "regime"),
        (issue_args("JP-1", "--basis", "catch-all"), "ground"),
        (issue_args("JP-1", "--party", "role=broker; name=Golden Crescent; country=UAE"),
         "parties[1].country"),
        (issue_args("JP-1", "--party", "role=broker; nom=Golden Crescent"), "parties[1]"),
        (issue_args("JP-1", "--audience", "group:jp/unknown"), "audience"),
        (("denial", "issue", "--from-file", str(path), "--audience", "federation"),
         "[2].items[0].control_entry"),
    ]  # fmt: skip
    for args, field in cases:
        error = refused_without_a_trace(xcnet, officer_home, *args)
        assert error["field"] == field, (args, error)


def test_a_denial_needs_an_explicit_audience(officer_home: Path, xcnet: Xcnet) -> None:
    args = issue_args()[:-2]
    refused = xcnet(*args, "--json", home=officer_home)
    assert refused.code == 2
    assert "--audience" in refused.stderr
    assert xcnet("denial", "list", "--json", home=officer_home).json() == []


def test_a_duplicate_national_reference_is_refused(officer_home: Path, xcnet: Xcnet) -> None:
    assert xcnet(*issue_args(), home=officer_home).code == 0
    error = refused_without_a_trace(xcnet, officer_home, *issue_args())
    assert error["field"] == "national_ref"


def test_a_denial_is_amended_renewed_and_revoked_and_then_takes_nothing_more(
    officer_home: Path, xcnet: Xcnet
) -> None:
    assert xcnet(*issue_args(), home=officer_home).code == 0
    broker = "role=broker; name=Golden Crescent General Trading LLC; country=AE"
    amended = xcnet(
        "denial", "amend", "JP-2026-0042", "--party", ZENIT, "--party", broker,
        "--note", "broker identified", "--json", home=officer_home,
    )  # fmt: skip
    assert amended.code == 0, amended.stderr
    assert [p["role"] for p in as_dict(amended.json())["parties"]] == ["end-user", "broker"]  # type: ignore[attr-defined]
    far = (datetime.now(UTC).date() + timedelta(days=5 * 365)).isoformat()
    renewed = xcnet(
        "denial", "renew", "JP-2026-0042", "--valid-until", far, "--json", home=officer_home
    )
    assert renewed.code == 0, renewed.stderr
    assert as_dict(renewed.json())["valid_until"] == far
    revoked = xcnet(
        "denial", "revoke", "JP-2026-0042", "--reason", "end user dissolved", "--json",
        home=officer_home,
    )  # fmt: skip
    assert revoked.code == 0, revoked.stderr
    denial = as_dict(revoked.json())
    assert (denial["status"], denial["in_force"]) == ("revoked", False)
    assert [h["action"] for h in denial["history"]] == ["issued", "amended", "renewed", "revoked"]  # type: ignore[attr-defined]
    for args in (
        ("denial", "amend", "JP-2026-0042", "--regime", "EU", "--note", "x"),
        ("denial", "renew", "JP-2026-0042"),
        ("denial", "revoke", "JP-2026-0042", "--reason", "again"),
    ):
        assert refused_without_a_trace(xcnet, officer_home, *args)["field"] == "national_ref"
    assert xcnet("denial", "list", "--in-force", "--json", home=officer_home).json() == []


def test_denials_are_signed_by_a_licensing_official(home: Path, xcnet: Xcnet) -> None:
    xcnet("official", "add", "Ito Ken", "--role", "operator", home=home)
    error = refused_without_a_trace(xcnet, home, *issue_args())
    assert error["field"] == "as"
    assert "licensing" in error["message"]
