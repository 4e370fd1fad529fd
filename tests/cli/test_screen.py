"""`xcnet screen` and `xcnet admin rebuild` through the command line, on both stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.refusals import refused_without_a_trace
from tests.conftest import Xcnet


@pytest.fixture
def denier(home: Path, xcnet: Xcnet) -> Path:
    """jp with two denials: a listed one of Zenit Mikrosistemy and a revoked one."""
    assert xcnet("official", "add", "Sato Ken", "--role", "licensing", home=home).code == 0
    for ref, name in (
        ("JP-2026-0042", "OOO Zenit Mikrosistemy"),
        ("JP-2026-0043", "Golden Star Trading FZE"),
    ):
        issued = xcnet(
            "denial", "issue", ref, "--regime", "WA", "--reason", "diversion-risk",
            "--item", "entry=3A001.a.1; hs=854231; description=Rad-hard FPGAs",
            "--party", f"role=end-user; name={name}; country=RU; alias=ООО Зенит Микросистемы",  # noqa: RUF001
            "--audience", "federation", home=home,
        )  # fmt: skip
        assert issued.code == 0, issued.stderr
    revoked = xcnet("denial", "revoke", "JP-2026-0043", "--reason", "withdrawn", home=home)
    assert revoked.code == 0, revoked.stderr
    return home


def screen(xcnet: Xcnet, home: Path, *args: str) -> dict[str, Any]:
    result = xcnet("screen", *args, "--json", home=home)
    assert result.code == 0, result.stderr
    document = result.json()
    assert isinstance(document, dict)
    return document


def test_screen_names_each_hit_its_features_and_the_set_screened(
    denier: Path, xcnet: Xcnet
) -> None:
    result = screen(
        xcnet, denier, "--party", "Zenit Microsystems LLC", "--country", "RU", "--item", "3A001.a"
    )
    [hit] = result["hits"]
    assert hit["national_ref"] == "JP-2026-0042"
    assert hit["consequence"] == "own denial"
    assert {"name", "country", "control entry"} <= set(hit["features"])
    assert result["algorithm"].startswith("xcnet-names/1 (rigour ")
    assert result["screened"]["denials"] == 2
    assert len(result["screened"]["digest"]) == 64


def test_explain_prints_why_each_hit_scored(denier: Path, xcnet: Xcnet) -> None:
    plain = xcnet("screen", "--party", "Зенит Микросистемы", home=denier)
    explained = xcnet("screen", "--party", "Зенит Микросистемы", "--explain", home=denier)
    assert plain.code == explained.code == 0, explained.stderr
    assert "JP-2026-0042" in plain.stdout
    assert "zenit~zenit" not in plain.stdout
    assert "zenit~zenit" in explained.stdout
    assert "own denial" in explained.stdout


def test_revoked_denials_come_back_only_when_asked_and_marked(denier: Path, xcnet: Xcnet) -> None:
    assert screen(xcnet, denier, "--party", "Golden Star Trading")["hits"] == []
    [hit] = screen(xcnet, denier, "--party", "Golden Star Trading", "--include-inactive")["hits"]
    assert (hit["status"], hit["consequence"]) == ("revoked", "not in force")


def test_a_whole_application_is_screened_from_a_file(
    denier: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    application = tmp_path / "application.json"
    application.write_text(
        json.dumps(
            {
                "reference": "KR-LIC-2026-7781",
                "parties": [
                    {"name": "Zenit Mikrosistemi", "country": "RU"},
                    {"name": "Pacific Freight Forwarders", "country": "SG"},
                ],
                "items": [{"control_entry": "3A001.a.1", "hs_code": "8542.31"}],
            }
        ),
        encoding="utf-8",
    )
    result = screen(xcnet, denier, "--file", str(application))
    assert [h["national_ref"] for h in result["hits"]] == ["JP-2026-0042"]
    assert result["application"]["reference"] == "KR-LIC-2026-7781"


def test_fail_on_hit_does_not_fail_on_the_nodes_own_denial(denier: Path, xcnet: Xcnet) -> None:
    result = xcnet("screen", "--party", "Zenit Mikrosistemy", "--fail-on-hit", home=denier)
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--party", "Zenit", "--country", "Russia"), "party[0].country"),
        (("--item", "3Z001"), "item[0].control_entry"),
        (("--hs", "12"), "hs[0].hs_code"),
        (("--party", "Zenit", "--id", "7728456123"), "party[0].identifiers"),
        ((), "party"),
        (("--party", "Zenit", "--threshold", "1.5"), "threshold"),
        (("--file", "missing.json"), "file"),
    ],
)
def test_bad_screening_input_is_refused_by_field(
    denier: Path, xcnet: Xcnet, args: tuple[str, ...], field: str
) -> None:
    error = refused_without_a_trace(xcnet, denier, "screen", *args)
    assert error["field"] == field, error


def test_admin_rebuild_gives_identical_results(denier: Path, xcnet: Xcnet) -> None:
    query = ("--party", "Zenit Microsystems", "--item", "3A001.a.1", "--include-inactive")
    before = screen(xcnet, denier, *query)
    rebuilt = xcnet("admin", "rebuild", "--json", home=denier)
    assert rebuilt.code == 0, rebuilt.stderr
    document = rebuilt.json()
    assert isinstance(document, dict)
    assert document["rebuilt"]["screening"] == 3
    after = screen(xcnet, denier, *query)
    assert after["hits"] == before["hits"]
    assert after["screened"] == before["screened"]
    error = refused_without_a_trace(xcnet, denier, "admin", "rebuild", "--view", "nothing")
    assert error["field"] == "view"
