from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from node import assessments
from node.service import Node
from tests.conftest import Xcnet

FIXTURE = Path(__file__).parent.parent / "fixtures" / "assessment.json"

DESIGN_TABLE = """\
| row \\ column | Laws & Regulations (LAW) | Institutions (INST) | Processes (PROC) | Implementation (IMPL, optional) |
|---|---|---|---|---|
| Legal Bases & Licensing (LEG) | Acts; Lists | Agencies; Jurisdiction; Coordination; Training | Licensing process; Requirements | Evidence of activity |
| Enforcement (ENF) | Acts for actions | Agencies; Jurisdiction; Coordination; Training | Enforcement procedures; Penalties; Risk-analyses | Evidence of activity |
| Govt-Industry relations (GIR) | Provisions to inform; Provision to review compliance | Mechanisms for info-sharing, advice, consultation | Extent of the institutionalization of contact | Evidence of activity |
| Regime Adherence (REG) | International obligations incorporated into law? | Agencies designated to monitor compliance? | Responsiveness; Contribution to the regimes | Evidence of activity |"""


def ok(result: Any) -> Any:
    assert result.code == 0, result.stderr
    return result.json() if result.stdout.startswith(("{", "[")) else result.stdout


def refusal(result: Any) -> dict[str, Any]:
    """The `error` document of a command refused as bad input (exit code 2)."""
    assert result.code == 2, (result.stdout, result.stderr)
    document = result.json()
    assert isinstance(document, dict)
    error: dict[str, Any] = document["error"]
    return error


def due_in(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_the_template_reproduces_the_table_of_the_design(xcnet: Xcnet) -> None:
    text = xcnet("assessment", "template")
    assert text.code == 0, text.stderr
    assert text.stdout.startswith(DESIGN_TABLE + "\n")
    assert "PROC and IMPL cells: HIGH, SUBSTANTIAL, MODERATE, LOW" in text.stdout
    data = ok(xcnet("assessment", "template", "--json"))
    assert [c["cell"] for c in data["cells"]][:5] == [
        "LEG.LAW",
        "LEG.INST",
        "LEG.PROC",
        "LEG.IMPL",
        "ENF.LAW",
    ]
    cells = {c["cell"]: c for c in data["cells"]}
    assert cells["ENF.PROC"]["elements"] == ["Enforcement procedures", "Penalties", "Risk-analyses"]
    assert cells["REG.INST"]["scale"] == ["C", "LC", "PC", "NC", "NA"]
    assert [c["optional"] for c in data["columns"]] == [False, False, False, True]


def test_a_complete_assessment_is_drafted_rated_sealed_and_shown_as_a_matrix(
    home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    cycle = fixture["cycle"]
    ok(xcnet("official", "add", "Sato Hana", "--role", "policy", home=home))
    opened = ok(xcnet("assessment", "open", cycle, "--json", home=home))
    assert (opened["origin"], opened["audience"], opened["status"]) == ("jp", ["jp"], "draft")

    digests: dict[str, str] = {}
    for number, cell in enumerate(fixture["cells"]):
        evidence = []
        for i, item in enumerate(cell["evidence"]):
            if "document" in item:
                path = tmp_path / f"evidence-{number}-{i}.txt"
                path.write_text(item["document"], encoding="utf-8")
                evidence += ["--evidence", f"{item['citation']}={path}"]
                digests[item["citation"]] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                evidence += ["--evidence", item["citation"]]
        args = ("assessment", "cell", cycle, cell["cell"], "--narrative", cell["narrative"])
        if number % 4 == 0:  # one cell per row is rated with `rate`, the others while drafting
            ok(xcnet(*args, *evidence, home=home))
            rated = ["assessment", "rate", cycle, cell["cell"], cell["rating"]]
            ok(xcnet(*rated, "--rationale", cell["rationale"], home=home))
        else:
            rating = ["--rating", cell["rating"], "--rationale", cell["rationale"]]
            ok(xcnet(*args, *evidence, *rating, home=home))

    sealed = ok(xcnet("assessment", "seal", cycle, "--json", home=home))
    assert sealed["sealed"]["version"] == 1
    assert len(sealed["sealed"]["digest"]) == 64
    assert sealed["sealed"]["ref"].startswith(f"jp/{sealed['id']}@")
    assert sealed["status"] == "sealed" and sealed["draft_version"] == 2
    shown = sealed["cells"]
    assert len(shown) == 16
    for cell in fixture["cells"]:
        assert shown[cell["cell"]]["rating"] == cell["rating"]
        for item in shown[cell["cell"]]["evidence"]:
            assert item["sha256"] == digests.get(item["citation"])

    matrix = xcnet("assessment", "show", cycle, home=home)
    assert matrix.code == 0, matrix.stderr
    lines = matrix.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert any(line.startswith("LEG | C · 2 evidence") for line in lines)
    assert any(
        line.startswith("ENF | C") and "| LC" in line and "| MODERATE" in line for line in lines
    )
    assert "The Foreign Exchange and" in matrix.stdout
    assert f"sealed v1 {datetime.now(UTC).date().isoformat()}" in matrix.stdout

    redraft = ["assessment", "cell", cycle, "ENF.INST", "--narrative", "Staffing doubled in 2027."]
    again = ok(xcnet(*redraft, "--json", home=home))
    assert (again["status"], again["draft_version"]) == ("draft", 2)
    first = ok(xcnet("assessment", "show", cycle, "--version", "1", "--json", home=home))
    assert first["cells"]["ENF.INST"]["narrative"] == fixture["cells"][5]["narrative"]
    assert xcnet("verify", home=home).code == 0


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    home: Path, xcnet: Xcnet, tmp_path: Path
) -> None:
    ok(xcnet("official", "add", "Sato Hana", "--role", "policy", home=home))
    ok(xcnet("assessment", "open", "2026", home=home))
    ok(xcnet("assessment", "cell", "2026", "LEG.LAW", "--narrative", "FEFTA.", home=home))
    before = xcnet("log", "--json", home=home).json()
    refusals: list[tuple[tuple[str, ...], str, str]] = [
        (("cell", "2026", "ENF.XYZ", "--narrative", "x"), "cell", "unknown cell 'ENF.XYZ'"),
        (("rate", "2026", "LEG.LAW", "HIGH", "--rationale", "x"), "rating", "C, LC, PC, NC, NA"),
        (("cell", "2026", "ENF.PROC", "--narrative", "x", "--rating", "C"), "rating", "HIGH"),
        (("rate", "2026", "LEG.INST", "C", "--rationale", "x"), "cell", "draft it first"),
        (("seal", "2026"), "cell", "LEG.LAW is not self-rated"),
        (
            ("cell", "2026", "LEG.LAW", "--narrative", "x", "--evidence", f"Act={tmp_path}/none"),
            "evidence",
            "cannot read",
        ),
        (
            ("request-review", "2026", "--reviewer", "kr", "--due", "2027-13-01"),
            "due",
            "2027-13-01",
        ),
        (("request-review", "2026", "--reviewer", "kr", "--due", due_in(30)), "version", "seal"),
        (("publish", "2026", "--audience", "federation"), "assessment", "no sealed version"),
        (("open", "2026"), "cycle", "already open"),
        (("show", "2025"), "assessment", "2025"),
        (("cell", "kr/2026", "LEG.LAW", "--narrative", "x"), "assessment", "only its origin"),
        (("withdraw", "2026", "--reason", " "), "reason", "empty"),
    ]
    for args, field, message in refusals:
        error = refusal(xcnet("assessment", *args, "--json", home=home))
        assert (error["field"], message in error["message"]) == (field, True), (args, error)
    assert xcnet("log", "--json", home=home).json() == before
    assert xcnet("verify", home=home).code == 0


def test_publishing_widens_the_audience_of_the_whole_record(home: Path, xcnet: Xcnet) -> None:
    with Node.open(home) as node:
        node.add_official("Sato Hana", ("policy",))
        assessments.open_assessment(node, "2026")
        for cell in ("LEG", "ENF", "GIR", "REG"):
            for column, rating in (("LAW", "C"), ("INST", "LC"), ("PROC", "HIGH")):
                assessments.draft_cell(node, "2026", f"{cell}.{column}", "As described.")
                assessments.rate_cell(node, "2026", f"{cell}.{column}", rating, "Because.")
        assessments.seal(node, "2026")

    narrower = xcnet("assessment", "publish", "2026", "--audience", "jp", "--json", home=home)
    assert refusal(narrower)["field"] == "audience"
    published = ok(
        xcnet("assessment", "publish", "2026", "--audience", "federation", "--json", home=home)
    )
    assert published["audience"] == ["federation"]
    assert published["publications"][0]["version"] == 1
    log = ok(xcnet("log", "--json", home=home))
    assert log[-1]["topic"] == "xcnet.assessment.Published/1"
    assert log[-1]["audience"] == ["federation"]
    listed = ok(xcnet("assessment", "list", "--json", home=home))
    assert [(a["cycle"], a["status"], a["audience"]) for a in listed] == [
        ("2026", "sealed", ["federation"])
    ]
    withdrawn = ok(
        xcnet("assessment", "withdraw", "2026", "--reason", "Superseded.", "--json", home=home)
    )
    assert withdrawn["status"] == "withdrawn"
    assert xcnet("verify", home=home).code == 0
