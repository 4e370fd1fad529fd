"""The assistance board: every request and offer held, own and replicated, and donor matching.

The board is a read model with one row per request and per offer (status, area and modality,
languages, timeframe, regions, who has taken a request up) and one row per member roster (its
country, for matching regions). Matching ranks the open requests shared with this node against
a donor's offer or given criteria, or the live offers against one request, and explains each
rank as a list of reasons, each worth a fixed weight:

    answers    5.0   the offer answers this very request (offers for a request only)
    area       3.0   the request's area is one the offer covers
    modality   2.0   the request's modality is one the offer provides
    country    1.5   the offer names the requesting member's country
    subregion  1.25  the offer names the country's subregion (east-asia, south-asia, …)
    region     1.0   the offer names the country's region (asia, africa, …)
    anywhere   0.5   the offer serves anywhere (`global`, or no region named)
    language   1.0   the offer and the request share a language

Only the best region reason counts. A request is listed when it shares an area or a modality
with the offer (when the offer or criteria name neither, any reason will do). Countries are
placed in regions by the UN M49 regions that rigour's territory data records. Requests of the
donor's own member are left out; requests another donor has taken up (an accepted offer) are
ranked apart, naming that donor, so that donors can deconflict. Ties go by ref.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from rigour.territories import get_territory

from aggregates.assistance import AREAS, MODALITIES, check_choices, check_languages, check_regions
from aggregates.assistance_offer import OPEN as LIVE
from aggregates.assistance_offer import WITHDRAWN, AssistanceOffer
from aggregates.assistance_request import ACCEPTED, OPEN, AssistanceRequest
from aggregates.base import RecordRef
from aggregates.member import Member
from node.errors import BadInput, NotFound
from node.views import ReadModel, Row

if TYPE_CHECKING:
    from node.service import Node

WEIGHTS: dict[str, float] = {
    "answers": 5.0,
    "area": 3.0,
    "modality": 2.0,
    "country": 1.5,
    "subregion": 1.25,
    "region": 1.0,
    "anywhere": 0.5,
    "language": 1.0,
}
ANYWHERE = "global"
_REGIONS = {
    "Africa": "africa",
    "Americas": "americas",
    "Asia": "asia",
    "Europe": "europe",
    "Oceania": "oceania",
}
_SUBREGIONS = {
    "Central Asia": "central-asia",
    "Eastern Asia": "east-asia",
    "Southern Asia": "south-asia",
    "South-eastern Asia": "southeast-asia",
    "Western Asia": "west-asia",
}
_REQUEST_COLUMNS = (
    "record, ref, origin, reference, status, area, modality, cells, unscr1540, languages, "
    "start_on, end_on, description, posted_at, audience, source, accepted_offer, taken_up_by, "
    "taken_up_at, delivered_on, withdrawn_at"
)
_OFFER_COLUMNS = (
    "record, ref, origin, reference, status, request, request_ref, areas, modalities, regions, "
    "languages, description, made_at, audience, delivered_to, withdrawn_at"
)


class AssistanceBoard(ReadModel):
    name = "assistance"
    kinds = (AssistanceRequest, AssistanceOffer, Member)
    tables: ClassVar[dict[str, str]] = {
        "xcnet_assist_request": (
            "record TEXT PRIMARY KEY, ref TEXT NOT NULL, origin TEXT NOT NULL, "
            "reference TEXT NOT NULL, status TEXT NOT NULL, area TEXT NOT NULL, "
            "modality TEXT NOT NULL, cells TEXT NOT NULL, unscr1540 TEXT NOT NULL, "
            "languages TEXT NOT NULL, start_on TEXT NOT NULL, end_on TEXT NOT NULL, "
            "description TEXT NOT NULL, posted_at TEXT NOT NULL, audience TEXT NOT NULL, "
            "source TEXT, accepted_offer TEXT, taken_up_by TEXT, taken_up_at TEXT, "
            "delivered_on TEXT, withdrawn_at TEXT"
        ),
        "xcnet_assist_offer": (
            "record TEXT PRIMARY KEY, ref TEXT NOT NULL, origin TEXT NOT NULL, "
            "reference TEXT NOT NULL, status TEXT NOT NULL, request TEXT, request_ref TEXT, "
            "areas TEXT NOT NULL, modalities TEXT NOT NULL, regions TEXT NOT NULL, "
            "languages TEXT NOT NULL, description TEXT NOT NULL, made_at TEXT NOT NULL, "
            "audience TEXT NOT NULL, delivered_to TEXT NOT NULL, withdrawn_at TEXT"
        ),
        "xcnet_assist_member": "record TEXT PRIMARY KEY, origin TEXT NOT NULL, country TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS xcnet_assist_request_status ON {t}xcnet_assist_request (status)",
        "CREATE INDEX IF NOT EXISTS xcnet_assist_request_name ON {t}xcnet_assist_request (origin, reference)",
        "CREATE INDEX IF NOT EXISTS xcnet_assist_offer_request ON {t}xcnet_assist_offer (request)",
        "CREATE INDEX IF NOT EXISTS xcnet_assist_offer_name ON {t}xcnet_assist_offer (origin, reference)",
        "CREATE INDEX IF NOT EXISTS xcnet_assist_member_origin ON {t}xcnet_assist_member (origin)",
    )

    def rows(self, records: Sequence[tuple[Aggregate, RecordRef]]) -> dict[str, list[Row]]:
        rows: dict[str, list[Row]] = {table: [] for table in self.tables}
        for record, ref in records:
            if isinstance(record, AssistanceRequest):
                rows["xcnet_assist_request"].append(_request_row(record, ref))
            elif isinstance(record, AssistanceOffer):
                rows["xcnet_assist_offer"].append(_offer_row(record, ref))
            elif isinstance(record, Member):
                rows["xcnet_assist_member"].append((str(record.id), ref.origin, record.country))
        return rows


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _request_row(request: AssistanceRequest, ref: RecordRef) -> Row:
    accepted = request.accepted_offer
    source = request.source
    return (
        str(request.id),
        str(ref),
        ref.origin,
        request.reference,
        request.status,
        request.area,
        request.modality,
        _json(list(request.cells)),
        _json(list(request.unscr1540)),
        _json(list(request.languages)),
        request.timeframe.start.isoformat(),
        request.timeframe.end.isoformat(),
        request.description,
        request.posted_at.isoformat(),
        _json(list(request.audience)),
        None if source is None else _json({"review": str(source.review), "number": source.number}),
        None if accepted is None else str(accepted),
        None if accepted is None else accepted.origin,
        # While a request is accepted nothing else can have happened to it since the acceptance.
        _when(request.modified_on) if request.status == ACCEPTED else None,
        None if request.delivery is None else request.delivery.delivered_on.isoformat(),
        _when(request.withdrawn_at),
    )


def _offer_row(offer: AssistanceOffer, ref: RecordRef) -> Row:
    answered = offer.request
    return (
        str(offer.id),
        str(ref),
        ref.origin,
        offer.reference,
        offer.status,
        None if answered is None else str(answered.aggregate_id),
        None if answered is None else str(answered),
        _json(list(offer.areas)),
        _json(list(offer.modalities)),
        _json(list(offer.regions)),
        _json(list(offer.languages)),
        offer.description,
        offer.made_at.isoformat(),
        _json(list(offer.audience)),
        _json(sorted(str(d.request.aggregate_id) for d in offer.deliveries)),
        _when(offer.withdrawn_at),
    )


# Matching ----------------------------------------------------------------------------------------

Record = dict[str, Any]
_REQUEST_QUERY = (
    "SELECT r.record, r.ref, r.origin, r.reference, r.status, r.area, r.modality, r.cells, "
    "r.unscr1540, r.languages, r.start_on, r.end_on, r.description, r.posted_at, "
    "r.accepted_offer, r.taken_up_by, r.taken_up_at, m.country FROM {t}xcnet_assist_request r "
    "LEFT JOIN {t}xcnet_assist_member m ON m.origin = r.origin"
)
_OFFER_QUERY = (
    "SELECT record, ref, origin, reference, status, request, request_ref, areas, modalities, "
    "regions, languages, description, made_at FROM {t}xcnet_assist_offer"
)


@dataclass(frozen=True, slots=True)
class Profile:
    """What a donor offers, as matched: None leaves a facet out; no regions means anywhere."""

    areas: tuple[str, ...] | None = None
    modalities: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None

    @classmethod
    def of(cls, offer: Record) -> Profile:
        return cls(
            tuple(offer["areas"]) or None,
            tuple(offer["modalities"]) or None,
            tuple(offer["regions"]),
            tuple(offer["languages"]) or None,
        )

    @property
    def substantive(self) -> bool:
        return bool(self.areas or self.modalities)

    def as_dict(self) -> dict[str, list[str] | None]:
        return {
            name: None if value is None else list(value)
            for name, value in (
                ("areas", self.areas),
                ("modalities", self.modalities),
                ("regions", self.regions),
                ("languages", self.languages),
            )
        }


def criteria(
    *,
    areas: Sequence[str] = (),
    modalities: Sequence[str] = (),
    regions: Sequence[str] = (),
    languages: Sequence[str] = (),
) -> Profile:
    """A donor's profile from given criteria, checked against the vocabularies (errors name the field)."""
    if not (areas or modalities or regions or languages):
        raise BadInput(
            "nothing to match: give --offer, --request, or at least one --area, --modality, "
            "--region or --language",
            field="offer",
        )
    return Profile(
        check_choices(areas, AREAS, field="area", required=False) or None,
        check_choices(modalities, MODALITIES, field="modality", required=False) or None,
        check_regions(regions) if regions else None,
        check_languages(languages, required=False) or None,
    )


def placement(country: str) -> tuple[str | None, str | None]:
    """The region and subregion slugs (as in REGIONS) a country lies in, where known."""
    territory = get_territory(country.lower())
    if territory is None:
        return None, None
    return _REGIONS.get(territory.region or ""), _SUBREGIONS.get(territory.subregion or "")


def _reason(facet: str, value: str, weight: str, text: str) -> Record:
    return {"facet": facet, "value": value, "weight": WEIGHTS[weight], "text": text}


def _region_reason(regions: tuple[str, ...], country: str | None) -> Record | None:
    if country:
        region, subregion = placement(country)
        if country in regions:
            return _reason("region", country, "country", f"serves {country}")
        if subregion is not None and subregion in regions:
            return _reason("region", subregion, "subregion", f"serves {subregion} ({country})")
        if region is not None and region in regions:
            return _reason("region", region, "region", f"serves {region} ({country})")
    if not regions or ANYWHERE in regions:
        return _reason("region", ANYWHERE, "anywhere", "serves anywhere")
    return None


def reasons(profile: Profile, request: Record) -> tuple[list[Record], bool]:
    """Why an offer's profile fits a request, and whether it fits (on area or modality if named)."""
    found = []
    if profile.areas and request["area"] in profile.areas:
        found.append(_reason("area", request["area"], "area", f"area {request['area']}"))
    if profile.modalities and request["modality"] in profile.modalities:
        modality = request["modality"]
        found.append(_reason("modality", modality, "modality", f"modality {modality}"))
    on_substance = bool(found)
    if profile.regions is not None:
        region = _region_reason(profile.regions, request["country"])
        if region is not None:
            found.append(region)
    shared = sorted(set(profile.languages or ()) & set(request["languages"]))
    if shared:
        found.append(
            _reason("language", ",".join(shared), "language", f"language {', '.join(shared)}")
        )
    return found, on_substance if profile.substantive else bool(found)


def _scored(record: Record, found: list[Record]) -> Record:
    return {"score": round(sum(r["weight"] for r in found), 2)} | record | {"reasons": found}


def _ranked(matches: list[Record], limit: int) -> list[Record]:
    return sorted(matches, key=lambda m: (-m["score"], m["ref"]))[:limit]


def match_requests(
    node: Node, *, offer: str | None = None, profile: Profile | None = None, limit: int = 50
) -> Record:
    """Rank the open requests shared with this node against an offer held here or a profile."""
    node.views.catch_up()
    held = None if offer is None else find_offer(node, offer)
    if held is not None:
        profile = Profile.of(held)
        if not (profile.substantive or profile.languages or held["regions"]):
            raise BadInput(
                f"offer {held['origin']}/{held['reference']} names no area, modality, region or "
                "language to match on",
                field="offer",
            )
    if profile is None:
        raise BadInput("nothing to match: give --offer or criteria", field="offer")
    donor = node.config.node_id if held is None else held["origin"]
    offered = _offers_by_request(node)
    results: list[Record] = []
    taken: list[Record] = []
    for request in _requests(node, "r.status IN (?, ?) AND r.origin <> ?", (OPEN, ACCEPTED, donor)):
        found, fits = reasons(profile, request)
        if fits:
            match = _scored(request, found) | {"offers": offered.get(request["id"], [])}
            (taken if request["status"] == ACCEPTED else results).append(match)
    return {
        "matching": "requests",
        "donor": donor,
        "offer": held,
        "criteria": profile.as_dict(),
        **_stamp(node),
        "results": _ranked(results, limit),
        "taken_up": _ranked(taken, limit),
    }


def match_offers(node: Node, *, request: str, limit: int = 50) -> Record:
    """Rank the live offers held here that fit one request: standing offers and its answers."""
    node.views.catch_up()
    held = find_request(node, request)
    taken = held["taken_up"]
    accepted = None if taken is None else str(RecordRef.parse(taken["offer"]).aggregate_id)
    where = "(status = ? OR record = ?) AND origin <> ? AND (request IS NULL OR request = ?)"
    results = []
    for offer in _offers(node, where, (LIVE, accepted, held["origin"], held["id"])):
        offer["accepted"] = offer["id"] == accepted
        found, fits = reasons(Profile.of(offer), held)
        if offer["request"] == held["id"]:
            found.insert(
                0, _reason("answers", held["reference"], "answers", "answers this request")
            )
            fits = True
        if fits:
            results.append(_scored(offer, found))
    return {
        "matching": "offers",
        "request": held,
        **_stamp(node),
        "results": _ranked(results, limit),
    }


def _stamp(node: Node) -> Record:
    return {
        "weights": WEIGHTS,
        "as_of": node.clock().isoformat(),
        "log_position": node.views.position(AssistanceBoard.name),
    }


def _requests(node: Node, where: str, params: Sequence[object]) -> list[Record]:
    rows = node.views.query(f"{_REQUEST_QUERY} WHERE {where} ORDER BY r.ref", params)
    found = []
    for row in rows:
        (rid, ref, origin, reference, status, area, modality, cells, unscr1540, languages,
         start, end, description, posted_at, accepted, by, at, country) = row  # fmt: skip
        found.append({
            "kind": "request", "id": str(rid), "ref": ref, "origin": origin,
            "reference": reference, "country": country, "status": status, "area": area,
            "modality": modality, "cells": json.loads(cells), "unscr1540": json.loads(unscr1540),
            "languages": json.loads(languages), "timeframe": {"start": start, "end": end},
            "description": description, "posted_at": posted_at,
            "taken_up": None if accepted is None else {
                "by": by, "offer": accepted, "on": at[:10] if at else None
            },
        })  # fmt: skip
    return found


def _offers(node: Node, where: str, params: Sequence[object]) -> list[Record]:
    rows = node.views.query(f"{_OFFER_QUERY} WHERE {where} ORDER BY ref", params)
    found = []
    for row in rows:
        (oid, ref, origin, reference, status, request, request_ref, areas, modalities, regions,
         languages, description, made_at) = row  # fmt: skip
        found.append({
            "kind": "offer", "id": str(oid), "ref": ref, "origin": origin,
            "reference": reference, "status": status, "standing": request is None,
            "request": request, "request_ref": request_ref, "areas": json.loads(areas),
            "modalities": json.loads(modalities), "regions": json.loads(regions),
            "languages": json.loads(languages), "description": description, "made_at": made_at,
        })  # fmt: skip
    return found


def _offers_by_request(node: Node) -> dict[str, list[Record]]:
    """The offers held here that answer a request, by request id (withdrawn ones left out)."""
    found: dict[str, list[Record]] = defaultdict(list)
    for offer in _offers(node, "request IS NOT NULL AND status <> ?", (WITHDRAWN,)):
        found[offer["request"]].append(
            {"by": offer["origin"], "ref": offer["ref"], "status": offer["status"],
             "made_at": offer["made_at"]}
        )  # fmt: skip
    return found


# Finding a request or offer on the board -------------------------------------------------------


def find_request(node: Node, text: str, *, field: str = "request") -> Record:
    """A request on the board by ref, UUID, ORIGIN/REFERENCE or REFERENCE (own first)."""
    rid = _find(node, "xcnet_assist_request", text, field, "request")
    return _requests(node, "r.record = ?", (rid,))[0]


def find_offer(node: Node, text: str, *, field: str = "offer") -> Record:
    """An offer on the board by ref, UUID, ORIGIN/REFERENCE or REFERENCE (own first)."""
    oid = _find(node, "xcnet_assist_offer", text, field, "offer")
    return _offers(node, "record = ?", (oid,))[0]


def _find(node: Node, table: str, text: str, field: str, what: str) -> str:
    spec = text.strip()
    if not spec:
        raise BadInput(
            f"{field} is empty: give a ref, a UUID, ORIGIN/REFERENCE or a reference", field=field
        )
    ids = _ids(node, table, spec, field)
    other = "xcnet_assist_offer" if table == "xcnet_assist_request" else "xcnet_assist_request"
    if not ids and _ids(node, other, spec, field):
        raise BadInput(
            f"{field} {spec!r} names {'an offer' if what == 'request' else 'a request'}, "
            f"not {'a request' if what == 'request' else 'an offer'}",
            field=field,
        )
    if not ids:
        raise NotFound(f"{field}: no {what} {spec!r} is held here", field=field)
    if len(ids) > 1:
        raise BadInput(
            f"{field}: {len(ids)} {what}s are called {spec!r} ({', '.join(o for o, _ in ids)}): "
            "give ORIGIN/REFERENCE",
            field=field,
        )
    return ids[0][1]


def _ids(node: Node, table: str, spec: str, field: str) -> list[tuple[str, str]]:
    """(origin, record id) of the rows of `table` that `spec` names."""
    views = node.views
    select = f"SELECT origin, record FROM {{t}}{table} WHERE "
    if "#" in spec or "@" in spec:
        ref = RecordRef.parse(spec, field=field)
        rows = views.query(select + "record = ?", (str(ref.aggregate_id),))
        if rows:
            try:
                held = node.ref(ref.aggregate_id, ref.version)
            except NotFound:
                raise NotFound(
                    f"{field}: version {ref.version} of {spec} is not held here", field=field
                ) from None
            if held != ref:
                raise BadInput(
                    f"{field} {spec} does not match the record held here ({held})", field=field
                )
        return _pairs(rows)
    origin, sep, rest = spec.rpartition("/")
    try:
        record = UUID(rest)
    except ValueError:
        pass
    else:
        return _pairs(views.query(select + "record = ?", (str(record),)))
    if sep:
        return _pairs(views.query(select + "origin = ? AND reference = ?", (origin, rest)))
    own = views.query(select + "origin = ? AND reference = ?", (node.config.node_id, rest))
    return _pairs(own or views.query(select + "reference = ? ORDER BY origin", (rest,)))


def _pairs(rows: list[Row]) -> list[tuple[str, str]]:
    return [(str(origin), str(record)) for origin, record in rows]
