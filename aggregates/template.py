"""The CSCAP template (Manila 2008, appendix 1): rows, columns, cells, their elements, rating scales."""

from __future__ import annotations

from aggregates.base import InvalidField

ROWS: dict[str, str] = {
    "LEG": "Legal Bases & Licensing",
    "ENF": "Enforcement",
    "GIR": "Govt-Industry relations",
    "REG": "Regime Adherence",
}
COLUMNS: dict[str, str] = {
    "LAW": "Laws & Regulations",
    "INST": "Institutions",
    "PROC": "Processes",
    "IMPL": "Implementation",
}
OPTIONAL_COLUMNS = frozenset({"IMPL"})
CELLS: tuple[str, ...] = tuple(f"{row}.{column}" for row in ROWS for column in COLUMNS)
REQUIRED_CELLS: tuple[str, ...] = tuple(
    cell for cell in CELLS if cell.partition(".")[2] not in OPTIONAL_COLUMNS
)

ELEMENTS: dict[str, tuple[str, ...]] = {
    "LEG.LAW": ("Acts", "Lists"),
    "LEG.INST": ("Agencies", "Jurisdiction", "Coordination", "Training"),
    "LEG.PROC": ("Licensing process", "Requirements"),
    "LEG.IMPL": ("Evidence of activity",),
    "ENF.LAW": ("Acts for actions",),
    "ENF.INST": ("Agencies", "Jurisdiction", "Coordination", "Training"),
    "ENF.PROC": ("Enforcement procedures", "Penalties", "Risk-analyses"),
    "ENF.IMPL": ("Evidence of activity",),
    "GIR.LAW": ("Provisions to inform", "Provision to review compliance"),
    "GIR.INST": ("Mechanisms for info-sharing, advice, consultation",),
    "GIR.PROC": ("Extent of the institutionalization of contact",),
    "GIR.IMPL": ("Evidence of activity",),
    "REG.LAW": ("International obligations incorporated into law?",),
    "REG.INST": ("Agencies designated to monitor compliance?",),
    "REG.PROC": ("Responsiveness", "Contribution to the regimes"),
    "REG.IMPL": ("Evidence of activity",),
}

COMPLIANCE: dict[str, str] = {
    "C": "compliant",
    "LC": "largely compliant",
    "PC": "partially compliant",
    "NC": "non-compliant",
    "NA": "not applicable",
}
EFFECTIVENESS: dict[str, str] = {
    "HIGH": "high",
    "SUBSTANTIAL": "substantial",
    "MODERATE": "moderate",
    "LOW": "low",
}
SCALES: dict[str, dict[str, str]] = {
    "LAW": COMPLIANCE,
    "INST": COMPLIANCE,
    "PROC": EFFECTIVENESS,
    "IMPL": EFFECTIVENESS,
}


def check_cell(value: str, *, field: str = "cell") -> str:
    """A template cell such as `LEG.LAW` (case is normalised)."""
    cell = value.strip().upper()
    if cell not in ELEMENTS:
        raise InvalidField(
            f"unknown cell {value!r}: expected one of {CELLS[0]} … {CELLS[-1]} "
            f"(rows {', '.join(ROWS)}; columns {', '.join(COLUMNS)})",
            field=field,
        )
    return cell


def scale(cell: str) -> tuple[str, ...]:
    """The ratings a cell may take: compliance for LAW/INST, effectiveness for PROC/IMPL."""
    return tuple(SCALES[check_cell(cell).partition(".")[2]])


def check_rating(cell: str, rating: str, *, field: str = "rating") -> str:
    """A rating on the scale of `cell`'s column (case is normalised)."""
    allowed = scale(cell)
    normal = rating.strip().upper()
    if normal not in allowed:
        raise InvalidField(
            f"rating {rating!r} is not on the scale of {check_cell(cell)}: "
            f"expected one of {', '.join(allowed)}",
            field=field,
        )
    return normal


def label(cell: str) -> str:
    """A cell's row and column names, e.g. `Enforcement / Processes`."""
    row, _, column = check_cell(cell).partition(".")
    return f"{ROWS[row]} / {COLUMNS[column]}"
