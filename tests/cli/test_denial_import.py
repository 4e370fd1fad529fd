from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.refusals import refused_without_a_trace
from tests.conftest import Xcnet

FIXTURE = Path(__file__).parents[1] / "fixtures" / "denials_import.csv"
DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture
def officer_home(home: Path, xcnet: Xcnet) -> Path:
    added = xcnet("official", "add", "Sato Hana", "--role", "licensing", home=home)
    assert added.code == 0, added.stderr
    return home


def fixture_text() -> str:
    """The fixture file with its dates moved so the latest denial was made three days ago."""
    text = FIXTURE.read_text(encoding="utf-8")
    latest = max(date.fromisoformat(r["denied_on"]) for r in csv.DictReader(io.StringIO(text)))
    shift = datetime.now(UTC).date() - timedelta(days=3) - latest
    return DAY.sub(lambda m: (date.fromisoformat(m[0]) + shift).isoformat(), text)


def fixture_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(fixture_text())))


def write(tmp_path: Path, text: str, name: str = "denials.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def import_args(path: str) -> tuple[str, ...]:
    return ("denial", "import", path, "--audience", "federation")


def as_dict(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value


def as_list(value: object) -> list[dict[str, object]]:
    assert isinstance(value, list)
    return value


def listed(xcnet: Xcnet, home: Path) -> list[dict[str, object]]:
    return as_list(xcnet("denial", "list", "--json", home=home).json())


def test_every_row_of_a_csv_file_is_issued_with_its_names_in_every_script(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    rows = fixture_rows()
    imported = xcnet(*import_args(write(tmp_path, fixture_text())), "--json", home=officer_home)
    assert imported.code == 0, imported.stderr
    summary = as_dict(imported.json())
    assert (summary["count"], summary["first"], summary["last"]) == (
        12, "JP-2026-1001", "JP-2024-1012",
    )  # fmt: skip
    assert [d["national_ref"] for d in as_list(summary["denials"])] == [
        r["national_ref"] for r in rows
    ]
    shown = listed(xcnet, officer_home)
    assert [d["national_ref"] for d in shown] == [r["national_ref"] for r in rows]
    for denial, row in zip(shown, rows, strict=True):
        parties = as_list(denial["parties"])
        groups = [n for n in (1, 2) if row[f"party{n}_name"]]
        assert [p["name"] for p in parties] == [row[f"party{n}_name"] for n in groups]
        assert [p["aliases"] for p in parties] == [
            [a for a in row[f"party{n}_alias"].split(";") if a] for n in groups
        ]
        assert [p["identifiers"] for p in parties] == [
            [i for i in row[f"party{n}_identifiers"].split(";") if i] for n in groups
        ]
        assert len(as_list(denial["items"])) == len(
            [n for n in (1, 2) if row[f"item{n}_description"]]
        )
        assert denial["reasons"] == row["reasons"].split(";")
    names = {p["name"] for d in shown for p in as_list(d["parties"])}
    assert {
        "深圳华芯精密仪器有限公司",
        "الشركة العربية للصناعات الكيميائية المحدودة",
        "АО «Уральский механический завод»",  # noqa: RUF001
        "조선광명무역회사",
    } <= names
    by_ref = {str(d["national_ref"]): d for d in shown}
    levant = as_list(by_ref["JP-2025-1004"]["parties"])[1]
    assert levant["address"] == "Rue Hamra, Immeuble Saroulla, Beyrouth"
    assert by_ref["JP-2024-1012"]["valid_until"] == rows[-1]["valid_until"]
    assert (by_ref["JP-2026-1006"]["basis"], by_ref["JP-2026-1006"]["ground"]) == (
        "catch-all", "military-end-use",
    )  # fmt: skip
    assert xcnet("verify", home=officer_home).code == 0


def test_an_excel_export_with_a_bom_and_crlf_line_ends_is_read(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    excel = "\ufeff" + fixture_text().replace("\n", "\r\n")
    imported = xcnet(*import_args(write(tmp_path, excel, "export.csv")), home=officer_home)
    assert imported.code == 0, imported.stderr
    assert imported.stdout.strip() == (
        "issued 12 denials from export.csv to federation: JP-2026-1001 … JP-2024-1012"
    )
    shown = listed(xcnet, officer_home)
    assert [d["national_ref"] for d in shown][:2] == ["JP-2026-1001", "JP-2026-1002"]
    assert as_list(shown[0]["parties"])[0]["aliases"] == [
        "ООО «Зенит Микросистемы»",  # noqa: RUF001
        "Zenit Microsystems LLC",
    ]


def test_two_bad_rows_are_both_reported_by_line_and_column_and_nothing_is_written(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    text = fixture_text()
    bad = text.replace(",KP,평양시 중구역,", ",North Korea,평양시 중구역,").replace(
        "5A001.j,851762,", "5A001.j,8541.40,"
    )
    assert bad.count("North Korea") == 1 and bad.count("8541.40") == 1
    error = refused_without_a_trace(xcnet, officer_home, *import_args(write(tmp_path, bad)))
    assert error["field"] == "line 7, party1_country"
    lines = error["message"].splitlines()
    assert lines[0] == "2 of 12 rows are bad, so no denial was issued:"
    assert lines[1].startswith("line 7, party1_country 'NORTH KOREA' is not an ISO 3166-1")
    assert lines[2].startswith("line 10, item1_hs_code '8541.40': 854140 is not a subheading")
    assert len(lines) == 3
    refused = xcnet(*import_args(str(tmp_path / "denials.csv")), home=officer_home)
    assert refused.code == 2
    assert "line 7, party1_country" in refused.stderr
    assert "line 10, item1_hs_code" in refused.stderr
    assert listed(xcnet, officer_home) == []


def test_a_header_unknown_to_the_format_is_refused_naming_it(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    text = fixture_text().replace(",party2_alias,", ",party2_aliases,", 1)
    error = refused_without_a_trace(xcnet, officer_home, *import_args(write(tmp_path, text)))
    assert error["field"] == "line 1, party2_aliases"
    assert "header 'party2_aliases' is not a column" in error["message"]


def test_a_national_reference_given_twice_in_the_file_is_refused_naming_both_lines(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    text = fixture_text().replace("JP-2026-1009", "JP-2026-1001")
    error = refused_without_a_trace(xcnet, officer_home, *import_args(write(tmp_path, text)))
    assert error["field"] == "line 11, national_ref"
    assert "line 11, national_ref 'JP-2026-1001' is already on line 2" in error["message"]


def test_rows_already_issued_are_refused_naming_their_lines(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    head = "".join(fixture_text().splitlines(keepends=True)[:3])
    first = xcnet(*import_args(write(tmp_path, head, "first.csv")), home=officer_home)
    assert first.code == 0, first.stderr
    error = refused_without_a_trace(
        xcnet, officer_home, *import_args(write(tmp_path, fixture_text()))
    )
    assert error["field"] == "line 2, national_ref"
    lines = error["message"].splitlines()
    assert lines[0] == "2 of 12 rows are bad, so no denial was issued:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "line 2, national_ref 'JP-2026-1001'",
        "line 3, national_ref 'JP-2026-1002'",
    ]
    assert "jp has already issued a denial with this reference" in lines[1]
    assert len(listed(xcnet, officer_home)) == 2


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(
    officer_home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    latin = "\n".join(fixture_text().splitlines()[:2]) + "\n"
    path = tmp_path / "latin.csv"
    path.write_bytes(latin.replace("ООО «Зенит Микросистемы»;", "").encode("cp1252"))  # noqa: RUF001
    error = refused_without_a_trace(xcnet, officer_home, *import_args(str(path)))
    assert error["field"] == "line 2"
    assert "is not UTF-8" in error["message"]
