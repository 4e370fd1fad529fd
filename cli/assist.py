"""`xcnet assist …`: requests for assistance, donors' offers, delivery and outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from aggregates.assistance import AREAS, MODALITIES, REGIONS, UNSCR1540
from aggregates.assistance_offer import AssistanceOffer
from aggregates.assistance_request import AssistanceRequest
from cli.output import Output, as_option, audience_option, command, open_node
from node import assistance, assistance_board
from node.assistance import Held
from node.errors import BadInput

group = click.Group(
    "assist", help="Requests for assistance and donors' offers: post, offer, accept, deliver."
)

REF_HELP = "ORIGIN/UUID@VERSION#DIGEST as `assist show --json` prints it"


def _many(name: str, dest: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(f"--{name}", dest, multiple=True, help=f"{help} (repeatable)")


AREA_HELP = f"Area: {', '.join(AREAS)}"
MODALITY_HELP = f"Modality: {', '.join(MODALITIES)}"
_areas_option = _many("area", "areas", AREA_HELP)
_modalities_option = _many("modality", "modalities", MODALITY_HELP)
_language_option = _many("language", "languages", "ISO 639-1 code such as en")
_regions_option = _many(
    "region", "regions", f"Region served: {', '.join(REGIONS)} or a country code"
)


_unscr_option = _many("unscr1540", "unscr1540", f"UNSCR 1540 area: {', '.join(UNSCR1540)}")
_cell_option = _many("cell", "cells", "Template cell such as LEG.LAW or ENF.PROC")


@command(group, "request")
@click.option("--ref", "reference", help="A short reference for the request (default: generated).")
@click.option("--area", default="", help=f"{AREA_HELP}.")
@_unscr_option
@_cell_option
@click.option("--modality", default="", help=f"{MODALITY_HELP}.")
@click.option("--description", default="", help="What help is needed.")
@click.option("--start", default="", help="Start of the timeframe, YYYY-MM-DD.")
@click.option("--end", default="", help="End of the timeframe, YYYY-MM-DD.")
@_language_option
@click.option("--source", help=f"The peer review it is drafted from: {REF_HELP}.")
@click.option("--recommendation", help="The number of that review's recommendation.")
@audience_option("federation")
@as_option
def request(
    reference: str | None,
    area: str,
    unscr1540: tuple[str, ...],
    cells: tuple[str, ...],
    modality: str,
    description: str,
    start: str,
    end: str,
    languages: tuple[str, ...],
    source: str | None,
    recommendation: str | None,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Output:
    """Post a request for assistance (signed by a policy official)."""
    with open_node() as node:
        posted = assistance.post_request(
            node,
            reference=reference,
            area=area,
            unscr1540=unscr1540,
            cells=cells,
            modality=modality,
            description=description,
            start=start,
            end=end,
            languages=languages,
            source=source,
            recommendation=recommendation,
            audience=audience,
            as_official=as_official,
        )
    return Output(_data(posted), f"posted request {posted.record.reference}\n{_text(posted)}")


@command(group, "offer")
@click.option("--ref", "reference", help="A short reference for the offer (default: generated).")
@click.option("--request", help=f"The request it answers: {REF_HELP}; omit for a standing offer.")
@_areas_option
@_modalities_option
@_regions_option
@_language_option
@click.option("--description", default="", help="What help is offered.")
@click.option(
    "--audience",
    multiple=True,
    help="public, federation, group:CONVENOR/NAME or node ids "
    "(default: the requesting node, or federation for a standing offer).",
)
@as_option
def offer(
    reference: str | None,
    request: str | None,
    areas: tuple[str, ...],
    modalities: tuple[str, ...],
    regions: tuple[str, ...],
    languages: tuple[str, ...],
    description: str,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Output:
    """Offer assistance against a request, or standing capabilities (signed by a donor official)."""
    with open_node() as node:
        made = assistance.make_offer(
            node,
            reference=reference,
            request=request,
            areas=areas,
            modalities=modalities,
            regions=regions,
            languages=languages,
            description=description,
            audience=audience,
            as_official=as_official,
        )
    return Output(_data(made), f"made offer {made.record.reference}\n{_text(made)}")


@command(group, "revise")
@click.argument("ident", metavar="ID")
@_areas_option
@_unscr_option
@_cell_option
@_modalities_option
@_regions_option
@_language_option
@click.option("--description", help="New description.")
@click.option("--start", help="New start of the timeframe (requests).")
@click.option("--end", help="New end of the timeframe (requests).")
@as_option
def revise(
    ident: str,
    areas: tuple[str, ...],
    unscr1540: tuple[str, ...],
    cells: tuple[str, ...],
    modalities: tuple[str, ...],
    regions: tuple[str, ...],
    languages: tuple[str, ...],
    description: str | None,
    start: str | None,
    end: str | None,
    as_official: str | None,
) -> Output:
    """Revise one of this node's requests (while open) or offers; lists given replace the old."""
    with open_node() as node:
        revised = assistance.revise(
            node,
            ident,
            areas=areas,
            unscr1540=unscr1540,
            cells=cells,
            modalities=modalities,
            regions=regions,
            languages=languages,
            description=description,
            start=start,
            end=end,
            as_official=as_official,
        )
    return Output(
        _data(revised), f"revised {revised.kind} {revised.record.reference}\n{_text(revised)}"
    )


@command(group, "accept")
@click.argument("ident", metavar="REQUEST")
@click.option("--offer", "offer_ref", default="", help=f"The donor's offer: {REF_HELP}.")
@as_option
def accept(ident: str, offer_ref: str, as_official: str | None) -> Output:
    """Accept a donor's offer for one of this node's open requests."""
    with open_node() as node:
        accepted = assistance.accept_offer(node, ident, offer=offer_ref, as_official=as_official)
    return Output(
        _data(accepted),
        f"accepted offer for request {accepted.record.reference}\n{_text(accepted)}",
    )


@command(group, "deliver")
@click.argument("ident", metavar="ID")
@click.option("--date", "delivered_on", help="When it was delivered, YYYY-MM-DD (default: today).")
@click.option("--summary", default="", help="What was delivered.")
@click.option("--request", help=f"Standing offers: the request delivered to ({REF_HELP}).")
@click.option("--report", help=f"Requests: the donor's delivery report ({REF_HELP}).")
@as_option
def deliver(
    ident: str,
    delivered_on: str | None,
    summary: str,
    request: str | None,
    report: str | None,
    as_official: str | None,
) -> Output:
    """Report delivery: on the donor's offer, or on the request once the help has arrived."""
    with open_node() as node:
        delivered = assistance.report_delivery(
            node,
            ident,
            delivered_on=delivered_on,
            summary=summary,
            request=request,
            report=report,
            as_official=as_official,
        )
    return Output(
        _data(delivered),
        f"recorded delivery on {delivered.kind} {delivered.record.reference}\n{_text(delivered)}",
    )


@command(group, "outcome")
@click.argument("ident", metavar="REQUEST")
@click.option("--cell", default="", help="A template cell the request names, such as LEG.LAW.")
@click.option("--before", default="", help="Self-rating before: C/LC/PC/NC/NA or HIGH…LOW.")
@click.option("--after", default="", help="Self-rating after, on the same scale.")
@click.option("--note", default="", help="What changed.")
@as_option
def outcome(
    ident: str, cell: str, before: str, after: str, note: str, as_official: str | None
) -> Output:
    """Report a cell's self-rating before and after delivered assistance."""
    with open_node() as node:
        reported = assistance.report_outcome(
            node, ident, cell=cell, before=before, after=after, note=note, as_official=as_official
        )
    return Output(
        _data(reported), f"reported outcome on {reported.record.reference}\n{_text(reported)}"
    )


@command(group, "withdraw")
@click.argument("ident", metavar="ID")
@click.option("--reason", default="", help="Why it is withdrawn.")
@as_option
def withdraw(ident: str, reason: str, as_official: str | None) -> Output:
    """Withdraw one of this node's requests or offers."""
    with open_node() as node:
        withdrawn = assistance.withdraw(node, ident, reason=reason, as_official=as_official)
    return Output(_data(withdrawn), f"withdrew {withdrawn.kind} {withdrawn.record.reference}")


@command(group, "list")
def list_() -> Output:
    """List the requests and offers this node holds, own and replicated, with their status."""
    with open_node() as node:
        found = assistance.held(node)
    rows = [_row(h) for h in found]
    return Output(
        [_summary(h) for h in found], "\n".join(rows) or "no assistance requests or offers held"
    )


@command(group, "show")
@click.argument("ident", metavar="ID")
def show(ident: str) -> Output:
    """Show a request or offer held here: by reference, UUID, ORIGIN/REFERENCE or full ref."""
    with open_node() as node:
        found = assistance.find(node, ident)
    return Output(_data(found), _text(found))


@command(group, "match")
@click.option(
    "--offer", help="A donor's offer held here: ref, UUID, ORIGIN/REFERENCE or REFERENCE."
)
@click.option("--request", help="The inverse: the offers held here that fit this request.")
@_areas_option
@_modalities_option
@_regions_option
@_language_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def match(
    offer: str | None,
    request: str | None,
    areas: tuple[str, ...],
    modalities: tuple[str, ...],
    regions: tuple[str, ...],
    languages: tuple[str, ...],
    limit: int,
) -> Output:
    """Rank the open requests shared with this node against an offer or criteria, with reasons.

    Requests another donor has taken up are listed apart. With --request: the offers that fit it.
    """
    given = [
        name
        for name, values in (
            ("area", areas),
            ("modality", modalities),
            ("region", regions),
            ("language", languages),
        )
        if values
    ]
    if offer is not None and request is not None:
        raise BadInput("request: give --offer or --request, not both", field="request")
    if (offer is not None or request is not None) and given:
        whose = "the offer's" if offer is not None else "the request's"
        raise BadInput(
            f"{given[0]}: --{given[0]} cannot be combined with --offer or --request, "
            f"which match on {whose} own areas, modalities, regions and languages",
            field=given[0],
        )
    with open_node() as node:
        if request is not None:
            found = assistance_board.match_offers(node, request=request, limit=limit)
            return Output(found, _offers_table(found))
        profile = None
        if offer is None:
            profile = assistance_board.criteria(
                areas=areas, modalities=modalities, regions=regions, languages=languages
            )
        found = assistance_board.match_requests(node, offer=offer, profile=profile, limit=limit)
    return Output(found, _requests_table(found))


def _facets(profile: dict[str, Any]) -> str:
    parts = [
        f"{name} {', '.join(values) or 'anywhere'}"
        for name, values in profile.items()
        if values is not None and (values or name == "regions")
    ]
    return "; ".join(parts)


def _why(match: dict[str, Any]) -> str:
    return ", ".join(f"{r['facet']} {r['value']} +{r['weight']:g}" for r in match["reasons"])


def _requests_table(found: dict[str, Any]) -> str:
    offer = found["offer"]
    what = f"offer {offer['origin']}/{offer['reference']}" if offer else "the criteria"
    lines = [
        f"open requests shared with {found['donor']} that fit {what} ({_facets(found['criteria'])})"
    ]
    header = f"{'score':>6}  {'request':24} {'country':7} {'area / modality':34} reasons"
    if found["results"]:
        lines.append(header)
    for m in found["results"]:
        others = sorted({o["by"] for o in m["offers"] if o["by"] != found["donor"]})
        note = f"  · also offered by {', '.join(others)}" if others else ""
        lines.append(_request_line(m) + note)
    if not found["results"]:
        lines.append("  none")
    if found["taken_up"]:
        lines.append("taken up by a donor already (listed for deconfliction):")
        for m in found["taken_up"]:
            taken = m["taken_up"]
            by = "this donor" if taken["by"] == found["donor"] else taken["by"]
            lines.append(f"{_request_line(m)}  · taken up by {by} on {taken['on'] or '?'}")
    return "\n".join(lines)


def _request_line(m: dict[str, Any]) -> str:
    name = f"{m['origin']}/{m['reference']}"
    kind = f"{m['area']} / {m['modality']}"
    return f"{m['score']:>6.2f}  {name:24} {m['country'] or '-':7} {kind:34} {_why(m)}"


def _offers_table(found: dict[str, Any]) -> str:
    request = found["request"]
    lines = [
        f"offers held here that fit request {request['origin']}/{request['reference']} "
        f"({request['area']} / {request['modality']}; {request['country'] or '-'}; "
        f"languages {', '.join(request['languages'])}; {request['status']})"
    ]
    if found["results"]:
        lines.append(f"{'score':>6}  {'offer':24} {'status':10} reasons")
    for m in found["results"]:
        name = f"{m['origin']}/{m['reference']}"
        mark = "  · ACCEPTED" if m["accepted"] else ""
        lines.append(f"{m['score']:>6.2f}  {name:24} {m['status']:10} {_why(m)}{mark}")
    if not found["results"]:
        lines.append("  none")
    return "\n".join(lines)


def _summary(held: Held) -> dict[str, object]:
    record = held.record
    data: dict[str, object] = {
        "kind": held.kind,
        "id": record.id,
        "reference": record.reference,
        "origin": held.ref.origin,
        "own": held.own,
        "status": record.status,
        "ref": str(held.ref),
        "description": record.description,
    }
    if isinstance(record, AssistanceRequest):
        data |= {"area": record.area, "modality": record.modality, "cells": list(record.cells)}
    else:
        data |= {
            "request": None if record.request is None else str(record.request),
            "areas": list(record.areas),
            "modalities": list(record.modalities),
        }
    return data


def _data(held: Held) -> dict[str, object]:
    record = held.record
    data = _summary(held) | {
        "version": held.ref.version,
        "languages": list(record.languages),
        "audience": list(record.audience),
        "withdrawn": None
        if record.withdrawn_at is None
        else {"reason": record.withdrawn_reason, "at": record.withdrawn_at},
    }
    if isinstance(record, AssistanceRequest):
        return data | _request_data(record)
    return data | _offer_data(record)


def _request_data(record: AssistanceRequest) -> dict[str, object]:
    return {
        "posted_at": record.posted_at,
        "unscr1540": list(record.unscr1540),
        "timeframe": {"start": record.timeframe.start, "end": record.timeframe.end},
        "source": None
        if record.source is None
        else {"review": str(record.source.review), "recommendation": record.source.number},
        "accepted_offer": None if record.accepted_offer is None else str(record.accepted_offer),
        "delivery": None
        if record.delivery is None
        else {
            "date": record.delivery.delivered_on,
            "summary": record.delivery.summary,
            "report": None if record.delivery.report is None else str(record.delivery.report),
            "recorded_at": record.delivery.recorded_at,
        },
        "outcomes": [
            {
                "cell": o.cell,
                "before": o.before,
                "after": o.after,
                "note": o.note,
                "reported_at": o.reported_at,
            }
            for o in record.outcomes.values()
        ],
    }


def _offer_data(record: AssistanceOffer) -> dict[str, object]:
    return {
        "made_at": record.made_at,
        "standing": record.standing,
        "regions": list(record.regions),
        "deliveries": [
            {
                "request": str(d.request),
                "date": d.delivered_on,
                "summary": d.summary,
                "reported_at": d.reported_at,
            }
            for d in record.deliveries
        ],
    }


def _row(held: Held) -> str:
    record = held.record
    name = f"{held.ref.origin}/{record.reference}"
    if isinstance(record, AssistanceRequest):
        what = f"{record.area}; {record.modality}; {','.join(record.cells)}"
    elif record.request is not None:
        what = f"answers {record.request.origin}/{str(record.request.aggregate_id)[:8]}"
    else:
        what = f"standing: {','.join(record.areas)}; {','.join(record.modalities)}"
    return f"{held.kind:8} {name:28} {record.status:10} {what}  {record.description[:40]}"


def _text(held: Held) -> str:
    record = held.record
    lines = [
        f"{held.kind} {held.ref.origin}/{record.reference}: {record.status}",
        f"  ref          {held.ref}",
        f"  description  {record.description}",
    ]
    if isinstance(record, AssistanceRequest):
        lines += [
            f"  area         {AREAS[record.area]}",
            f"  modality     {MODALITIES[record.modality]}",
            f"  cells        {', '.join(record.cells)}",
            f"  unscr1540    {', '.join(record.unscr1540) or '-'}",
            f"  timeframe    {record.timeframe.start} to {record.timeframe.end}",
        ]
        if record.source is not None:
            lines.append(
                f"  drafted from recommendation {record.source.number} of {record.source.review}"
            )
        if record.accepted_offer is not None:
            lines.append(f"  accepted     {record.accepted_offer}")
        if record.delivery is not None:
            lines.append(
                f"  delivered    {record.delivery.delivered_on}: {record.delivery.summary}"
            )
        lines += [
            f"  outcome      {o.cell}: {o.before} -> {o.after}" for o in record.outcomes.values()
        ]
    else:
        if record.request is not None:
            lines.append(f"  answers      {record.request}")
        lines += [
            f"  areas        {', '.join(AREAS[a] for a in record.areas) or '-'}",
            f"  modalities   {', '.join(MODALITIES[m] for m in record.modalities) or '-'}",
            f"  regions      {', '.join(record.regions) or 'anywhere'}",
        ]
        lines += [
            f"  delivered    {d.delivered_on} to {d.request.origin}: {d.summary}"
            for d in record.deliveries
        ]
    lines += [
        f"  languages    {', '.join(record.languages) or '-'}",
        f"  audience     {', '.join(record.audience)}",
    ]
    if record.withdrawn_at is not None:
        lines.append(f"  withdrawn    {record.withdrawn_reason}")
    return "\n".join(lines)
