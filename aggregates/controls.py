"""Control-list vocabularies: regimes, control entries (EU Annex I grammar, ML1-ML22) and HS 2022."""

from __future__ import annotations

import csv
import functools
import io
import re
from enum import StrEnum
from importlib import resources

from aggregates.base import InvalidField

CATCH_ALL = "catch-all"
_ANNEX_I = re.compile(r"^([0-9])([A-E])([0-9])([0-9]{2})((?:\.[a-z0-9]+)*)$")
_MILITARY = re.compile(r"^ML([1-9][0-9]?)((?:\.[a-z0-9]+)*)$")
_SUB_LETTER = re.compile(r"^[a-z]$")
_SUB_NUMBER = re.compile(r"^[1-9][0-9]?$")
_HS_DIGITS = re.compile(r"^[0-9]+$")
HS_LENGTHS = (6, 8, 9, 10)

REGIME_DIGITS = {"0": "WA", "1": "MTCR", "2": "NSG", "3": "AG", "4": "CWC"}
CATEGORIES = {
    "0": "Nuclear materials, facilities and equipment",
    "1": "Special materials and related equipment",
    "2": "Materials processing",
    "3": "Electronics",
    "4": "Computers",
    "5": "Telecommunications and information security",
    "6": "Sensors and lasers",
    "7": "Navigation and avionics",
    "8": "Marine",
    "9": "Aerospace and propulsion",
}
GROUPS = {
    "A": "Systems, equipment and components",
    "B": "Test, inspection and production equipment",
    "C": "Materials",
    "D": "Software",
    "E": "Technology",
}


class Regime(StrEnum):
    """The regime (or national basis) under which a denial is notified."""

    WA = "WA"
    NSG = "NSG"
    AG = "AG"
    MTCR = "MTCR"
    EU = "EU"
    NATIONAL = "national"


def check_control_entry(value: str, *, field: str = "control_entry") -> str:
    """A control entry in canonical form: `3A001.a.1`, `ML10.b` or `catch-all`; else InvalidField."""
    text = value.strip()
    if text.lower() == CATCH_ALL:
        return CATCH_ALL
    head, dot, rest = text.partition(".")
    candidate = head.upper() + (dot + rest.lower() if dot else "")
    annex = _ANNEX_I.match(candidate)
    military = _MILITARY.match(candidate)
    if annex:
        subitems = annex.group(5)
    elif military and 1 <= int(military.group(1)) <= 22:
        subitems = military.group(2)
    else:
        raise InvalidField(
            f"{field} {value!r} is not a control entry: expected an EU Annex I entry "
            "(category 0-9, group A-E, regime digit and two digits, sub-items: 3A001.a.1), "
            "ML1 to ML22 (ML10.b), or catch-all",
            field=field,
        )
    for depth, part in enumerate(subitems.split(".")[1:]):
        expected = _SUB_LETTER if depth % 2 == 0 else _SUB_NUMBER
        if not expected.match(part):
            kind = "a letter a-z" if depth % 2 == 0 else "a number 1-99"
            raise InvalidField(
                f"{field} {value!r}: sub-item {depth + 1} is {part!r}, expected {kind} "
                "(sub-items alternate letters and numbers: 3A001.a.1.b)",
                field=field,
            )
    return candidate


def describe_control_entry(entry: str) -> str:
    """A short reading of a canonical control entry, for people."""
    if entry == CATCH_ALL:
        return "not listed (catch-all)"
    if entry.startswith("ML"):
        return "Military List " + entry.partition(".")[0]
    category, group, digit = entry[0], entry[1], entry[2]
    regime = REGIME_DIGITS.get(digit, "other")
    return f"{CATEGORIES[category]}; {GROUPS[group]}; regime digit {digit} ({regime})"


@functools.cache
def hs_table() -> dict[str, str]:
    """The level-6 codes of HS 2022 with their descriptions, read once from the packaged table.

    UN Comtrade's reporting code 999999 ("not specified according to kind", section TOTAL) is
    not part of the nomenclature and is left out.
    """
    text = resources.files("aggregates").joinpath("data/hs2022.csv").read_text(encoding="utf-8")
    return {
        row["hscode"]: row["description"]
        for row in csv.DictReader(io.StringIO(text))
        if row["level"] == "6" and row["section"] != "TOTAL"
    }


def check_hs_code(value: str, *, field: str = "hs_code") -> str:
    """An HS code as digits (dots and spaces dropped) whose 6-digit stem is an HS 2022 subheading."""
    digits = value.replace(".", "").replace(" ", "").strip()
    if not _HS_DIGITS.match(digits) or len(digits) not in HS_LENGTHS:
        raise InvalidField(
            f"{field} {value!r} is not an HS code: give the 6-digit HS 2022 subheading "
            "(8471.30) or a national 8-10 digit extension of it",
            field=field,
        )
    if digits[:6] not in hs_table():
        raise InvalidField(
            f"{field} {value!r}: {digits[:6]} is not a subheading of HS 2022", field=field
        )
    return digits


def hs_description(code: str) -> str:
    """The HS 2022 description of a code's 6-digit stem ('' when it has none)."""
    return hs_table().get(code[:6], "")
