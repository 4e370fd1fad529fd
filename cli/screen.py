"""`xcnet screen`: a licence application against every denial shared with this node."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.output import EXIT_CHECK_FAILED, Output, command, open_node
from node import names, screening
from node.errors import BadInput
from node.screening import REQUIRED


@command(None, "screen")
@click.option("--party", "parties", multiple=True, help="A party's name (repeatable).")
@click.option("--country", help="The parties' country, ISO 3166 alpha-2.")
@click.option("--id", "identifiers", multiple=True, help="An identifier SCHEME:VALUE (repeatable).")
@click.option(
    "--item", "items", multiple=True, help="A control entry: 3A001.a.1, ML10.b (repeatable)."
)
@click.option("--hs", "hs_codes", multiple=True, help="An HS code: 8542.31 (repeatable).")
@click.option(
    "--file",
    "application_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A licence application as JSON: {reference, parties [{name, aliases, country, "
    "identifiers}], items [{control_entry, hs_code}]}.",
)
@click.option(
    "--include-inactive", is_flag=True, help="Show revoked and expired denials too, marked."
)
@click.option(
    "--threshold",
    type=float,
    default=names.THRESHOLD,
    show_default=True,
    help="Lowest name score counted as a match (0-1).",
)
@click.option("--limit", type=int, default=50, show_default=True, help="Most hits shown.")
@click.option("--explain", is_flag=True, help="Print why each hit scored as it did.")
@click.option("--fail-on-hit", is_flag=True, help="Exit 1 when any consultation is required.")
def screen(
    parties: tuple[str, ...],
    country: str | None,
    identifiers: tuple[str, ...],
    items: tuple[str, ...],
    hs_codes: tuple[str, ...],
    application_file: Path | None,
    include_inactive: bool,
    threshold: float,
    limit: int,
    explain: bool,
    fail_on_hit: bool,
) -> Output:
    """Screen parties and items against every denial in force shared with this node, ranked.

    A partner's listed denial of the same party for the same or a parent/child control entry
    requires a consultation before a licence is granted; a catch-all denial or similar items
    recommend one. The result names the algorithm and a digest of the denials screened.
    """
    if not 0 < threshold <= 1:
        raise BadInput(f"threshold {threshold} is not between 0 and 1", field="threshold")
    application = _application(parties, country, identifiers, items, hs_codes, application_file)
    with open_node() as node:
        result = screening.screen(
            node, application, include_inactive=include_inactive, threshold=threshold, limit=limit
        )
    code = EXIT_CHECK_FAILED if fail_on_hit and result["required"] else 0
    return Output(result, _text(result, explain), code)


def _application(
    parties: tuple[str, ...],
    country: str | None,
    identifiers: tuple[str, ...],
    items: tuple[str, ...],
    hs_codes: tuple[str, ...],
    application_file: Path | None,
) -> screening.Application:
    if application_file is not None:
        if parties or items or hs_codes or identifiers or country:
            raise BadInput(
                "file holds the whole application: give --file alone, or --party/--item",
                field="file",
            )
        try:
            data = json.loads(application_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise BadInput(f"file {application_file}: {error}", field="file") from None
        return screening.application_from_json(data)
    queries = tuple(
        screening.party_query(name, country=country, identifiers=identifiers, field=f"party[{n}]")
        for n, name in enumerate(parties)
    )
    if not queries and identifiers:
        queries = (screening.party_query("-", country=country, identifiers=identifiers),)
    item_queries = tuple(
        screening.item_query(entry, None, field=f"item[{n}]") for n, entry in enumerate(items)
    ) + tuple(screening.item_query(None, hs, field=f"hs[{n}]") for n, hs in enumerate(hs_codes))
    return screening.Application(queries, item_queries)


def _text(result: dict[str, object], explain: bool) -> str:
    hits = result["hits"]
    assert isinstance(hits, list)
    screened = result["screened"]
    assert isinstance(screened, dict)
    lines = [
        f"{_count(len(hits), 'hit')} ({result['required']} requiring consultation, "
        f"{result['recommended']} recommending it) among {_count(int(screened['denials']), 'denial')} "
        f"(set {str(screened['digest'])[:16]}…, {result['algorithm']})"
    ]
    for n, hit in enumerate(hits, 1):
        party = hit["party"] or {}
        lines.append(
            f"{n:>2}. {hit['consequence'].upper() if hit['consequence'] == REQUIRED else hit['consequence']}: "
            f"{hit['origin']} {hit['national_ref']} ({hit['regime']}, {hit['basis']}, denied "
            f"{hit['denied_on']}, {hit['status']}) score {hit['score']:.2f} "
            f"party {party.get('name', '-')!s} [{', '.join(hit['features'])}]"
        )
        lines.append(f"    ref {hit['ref']}")
        if explain:
            lines.extend(f"    - {why}" for why in hit["explanation"])
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
