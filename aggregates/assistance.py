"""What assistance requests and offers are made of: areas, modalities, cells, languages, dates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from aggregates.base import InvalidField
from aggregates.template import CELLS, check_cell

AREAS = {
    "laws": "Laws and Regulations",
    "licensing": "Licensing",
    "enforcement": "Enforcement",
    "industry": "Government-Industry Cooperation",
    "cooperation": "Interagency and International Cooperation",
}
UNSCR1540 = {
    "OP2": "prohibitions on non-State actors",
    "OP3a": "accounting for and securing items",
    "OP3b": "physical protection",
    "OP3c": "border controls and law enforcement",
    "OP3d": "export and trans-shipment controls",
}
MODALITIES = {
    "drafting": "legislative drafting",
    "control-list": "control-list adoption",
    "licensing-training": "licensing training",
    "cit": "commodity identification training",
    "detection": "detection equipment",
    "outreach": "industry outreach / ICP",
    "it-systems": "IT systems",
    "study-visit": "study visit",
    "tabletop": "table-top exercise",
}
REGIONS = {
    "global": "anywhere",
    "africa": "Africa",
    "americas": "the Americas",
    "asia": "Asia",
    "central-asia": "Central Asia",
    "east-asia": "East Asia",
    "south-asia": "South Asia",
    "southeast-asia": "South-East Asia",
    "west-asia": "West Asia and the Middle East",
    "europe": "Europe",
    "oceania": "Oceania and the Pacific",
}
COUNTRY = re.compile(r"^[A-Z]{2}$")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_ISO_639_1_CODES = """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())


@dataclass(frozen=True, slots=True)
class Timeframe:
    """When the assistance should happen: from `start` to `end`, both inclusive."""

    start: date
    end: date


def check_timeframe(start: date, end: date) -> Timeframe:
    """A timeframe whose end comes after its start."""
    if end <= start:
        raise InvalidField(
            f"end {end.isoformat()} is not after start {start.isoformat()}", field="end"
        )
    return Timeframe(start, end)


def check_choice(value: str, choices: Mapping[str, str], *, field: str) -> str:
    """One slug of a vocabulary (case-insensitive), in its canonical spelling."""
    if not value.strip():
        raise InvalidField(f"{field} is missing: give one of {', '.join(choices)}", field=field)
    canonical = {slug.casefold(): slug for slug in choices}
    found = canonical.get(value.strip().casefold())
    if found is None:
        raise InvalidField(
            f"{field} {value!r} is unknown: expected one of {', '.join(choices)}", field=field
        )
    return found


def check_choices(
    values: Iterable[str], choices: Mapping[str, str], *, field: str, required: bool
) -> tuple[str, ...]:
    """Several slugs of a vocabulary, without repeats, in the vocabulary's order."""
    found = {check_choice(value, choices, field=field) for value in values}
    if required and not found:
        raise InvalidField(
            f"{field} is missing: give at least one of {', '.join(choices)}", field=field
        )
    return tuple(slug for slug in choices if slug in found)


def check_cells(values: Iterable[str], *, field: str = "cell") -> tuple[str, ...]:
    """One or more template cells, without repeats, in template order."""
    found = {check_cell(value, field=field) for value in values}
    if not found:
        raise InvalidField(
            f"{field} is missing: name at least one template cell such as LEG.LAW", field=field
        )
    return tuple(cell for cell in CELLS if cell in found)


def check_languages(
    values: Iterable[str], *, field: str = "language", required: bool = True
) -> tuple[str, ...]:
    """ISO 639-1 language codes, lower-case, sorted, without repeats."""
    found = set()
    for value in values:
        code = value.strip().lower()
        if code not in ISO_639_1:
            raise InvalidField(
                f"{field} {value!r} is not an ISO 639-1 code such as en, fr or ja", field=field
            )
        found.add(code)
    if required and not found:
        raise InvalidField(f"{field} is missing: give an ISO 639-1 code such as en", field=field)
    return tuple(sorted(found))


def check_regions(values: Iterable[str], *, field: str = "region") -> tuple[str, ...]:
    """Regions (slugs) or countries (ISO 3166-1 alpha-2), without repeats; none means anywhere."""
    found = set()
    for value in values:
        text = value.strip()
        if COUNTRY.match(text.upper()) and len(text) == 2:
            found.add(text.upper())
        else:
            found.add(check_choice(text, REGIONS, field=field))
    return tuple(sorted(found))


def check_text(value: str, *, field: str, what: str) -> str:
    """Text that is not blank, stripped."""
    if not value.strip():
        raise InvalidField(f"{field} is empty: {what}", field=field)
    return value.strip()


def check_reference(value: str, *, field: str = "ref") -> str:
    """A record's short local reference such as `2026-07` or `exbs-cit`."""
    if not REFERENCE.match(value):
        raise InvalidField(
            f"{field} {value!r} is not a reference: 1-64 characters of letters, digits, "
            "'.', '_' and '-', starting with a letter or digit",
            field=field,
        )
    return value
