"""`xcnet denial …`: denial notifications, signed by a `licensing` official."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from aggregates.controls import describe_control_entry, hs_description
from aggregates.denial import Ground, PartyRole, Reason
from cli.output import Output, as_option, audience_option, command, open_node
from node import denials
from node.denial_csv import read_denials_csv
from node.denials import HeldDenial
from node.errors import BadInput, NotFound
from node.service import Node

group = click.Group(
    "denial", help="Denial notifications (no-undercut), signed by a licensing official."
)

_PARTY_KEYS = {
    "role": "role",
    "name": "name",
    "country": "country",
    "address": "address",
    "alias": "aliases",
    "id": "identifiers",
    "identifier": "identifiers",
}
_ITEM_KEYS = {
    "entry": "control_entry",
    "control_entry": "control_entry",
    "hs": "hs_code",
    "hs_code": "hs_code",
    "description": "description",
}
PARTY_HELP = (
    "A party as 'role=end-user; name=…; country=CN; alias=…; address=…; id=SCHEME:VALUE' "
    f"(alias and id repeat; roles: {', '.join(PartyRole)}). Repeatable."
)
ITEM_HELP = (
    "An item as 'entry=3A001.a.1; hs=8542.31; description=…' (entry: Annex I, ML1-ML22 or "
    "catch-all; hs optional). Repeatable."
)
FILE_HELP = (
    "A JSON file holding one denial object or a list of them (all issued or none): national_ref, "
    "regime, denied_on, basis, ground, reasons, valid_until, items [{control_entry, hs_code, "
    "description}], parties [{role, name, aliases, address, country, identifiers}]."
)


def denial_data(entry: HeldDenial, now: datetime) -> dict[str, object]:
    d = entry.denial
    return {
        "ref": str(entry.ref),
        "origin": entry.origin,
        "id": d.id,
        "version": d.version,
        "national_ref": d.national_ref,
        "regime": d.regime,
        "denied_on": d.denied_on,
        "basis": d.basis,
        "ground": d.ground,
        "reasons": list(d.reasons),
        "valid_until": d.valid_until,
        "status": d.status(now),
        "in_force": d.in_force(now),
        "items": [
            {
                "control_entry": i.control_entry,
                "control_entry_reading": describe_control_entry(i.control_entry),
                "hs_code": i.hs_code,
                "hs_description": hs_description(i.hs_code) if i.hs_code else None,
                "description": i.description,
            }
            for i in d.items
        ],
        "parties": [
            {
                "role": p.role,
                "name": p.name,
                "aliases": list(p.aliases),
                "address": p.address,
                "country": p.country,
                "identifiers": [str(i) for i in p.identifiers],
            }
            for p in d.parties
        ],
        "audience": list(d.audience),
        "issued_by": d.issued_by,
        "issued_at": d.issued_at,
        "revoked_at": d.revoked_at,
        "revoked_reason": d.revoked_reason or None,
        "history": [
            {"at": at, "author": author, "action": action, "note": note}
            for at, author, action, note in d.history
        ],
    }


def _line(entry: HeldDenial, now: datetime) -> str:
    d = entry.denial
    names = "; ".join(f"{p.name} ({p.role}, {p.country})" for p in d.parties)
    entries = ", ".join(i.control_entry for i in d.items)
    return (
        f"{entry.origin:6} {d.national_ref:18} {d.regime:8} {d.denied_on} "
        f"until {d.valid_until}  {d.status(now):9} [{entries}] {names}"
    )


def _show_text(entry: HeldDenial, now: datetime) -> str:
    d = entry.denial
    lines = [
        f"denial {d.national_ref} of {entry.origin}: {d.status(now)}",
        f"  regime {d.regime}, denied on {d.denied_on}, valid until {d.valid_until}",
        f"  basis {d.basis}" + (f" (ground: {d.ground})" if d.ground else ""),
        f"  reasons: {', '.join(d.reasons)}",
        f"  audience: {', '.join(d.audience)}",
        "  items:",
    ]
    for i in d.items:
        lines.append(f"    {i.control_entry:16} {i.description}")
        if i.hs_code:
            lines.append(f"    {'':16} HS {i.hs_code}: {hs_description(i.hs_code)}")
    lines.append("  parties:")
    for p in d.parties:
        lines.append(f"    {p.role:22} {p.name} ({p.country})")
        if p.aliases:
            lines.append(f"    {'':22} aka {'; '.join(p.aliases)}")
        if p.address:
            lines.append(f"    {'':22} {p.address}")
        if p.identifiers:
            lines.append(f"    {'':22} {', '.join(map(str, p.identifiers))}")
    lines.append("  history:")
    for at, author, action, note in d.history:
        lines.append(
            f"    {at.isoformat(timespec='seconds')} {action} by {author}"
            + (f": {note}" if note else "")
        )
    lines.append(f"  ref {entry.ref}")
    return "\n".join(lines)


def _pairs(text: str, keys: dict[str, str], field: str) -> dict[str, object]:
    """'key=value; key=value' to the JSON form; repeated keys become lists where plural."""
    data: dict[str, object] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, equals, value = part.partition("=")
        name = keys.get(key.strip().lower())
        if not equals or name is None:
            raise BadInput(
                f"{field}: {part.strip()!r} is not KEY=VALUE with KEY one of "
                f"{', '.join(sorted(keys))}",
                field=field,
            )
        if name in ("aliases", "identifiers"):
            listed = data.setdefault(name, [])
            assert isinstance(listed, list)
            listed.append(value.strip())
        elif name in data:
            raise BadInput(f"{field}: {key.strip()} is given twice", field=field)
        else:
            data[name] = value.strip()
    return data


def _items(values: tuple[str, ...]) -> list[object]:
    return [_pairs(v, _ITEM_KEYS, f"items[{n}]") for n, v in enumerate(values)]


def _parties(values: tuple[str, ...]) -> list[object]:
    return [_pairs(v, _PARTY_KEYS, f"parties[{n}]") for n, v in enumerate(values)]


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{field} {value!r} is not a date YYYY-MM-DD", field=field) from None


def _read_file(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInput(f"from_file {path}: {error.strerror}", field="from_file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(f"from_file {path} is not JSON: {error}", field="from_file") from None


@command(group, "issue")
@click.argument("national_ref", required=False)
@click.option("--regime", help="WA, NSG, AG, MTCR, EU or national.")
@click.option("--denied-on", help="Date of denial, YYYY-MM-DD (default: today).")
@click.option("--basis", default="listed", show_default=True, help="listed or catch-all.")
@click.option("--ground", help=f"Catch-all ground: {', '.join(Ground)}.")
@click.option(
    "--reason", "reasons", multiple=True, help=f"Reason code (repeatable): {', '.join(Reason)}."
)
@click.option("--item", "items", multiple=True, help=ITEM_HELP)
@click.option("--party", "parties", multiple=True, help=PARTY_HELP)
@click.option("--valid-until", help="YYYY-MM-DD (default: three years after the date of denial).")
@click.option("--from-file", type=click.Path(path_type=Path, dir_okay=False), help=FILE_HELP)
@audience_option(None)
@as_option
def issue(
    national_ref: str | None,
    regime: str | None,
    denied_on: str | None,
    basis: str,
    ground: str | None,
    reasons: tuple[str, ...],
    items: tuple[str, ...],
    parties: tuple[str, ...],
    valid_until: str | None,
    from_file: Path | None,
    audience: tuple[str, ...],
    as_official: str | None,
) -> Output:
    """Issue a denial (or a file of them) to the audience given; valid three years by default."""
    many = False
    with open_node() as node:
        today = node.clock().date()
        if from_file is not None:
            given = [national_ref, regime, denied_on, ground, valid_until]
            if any(v is not None for v in given) or reasons or items or parties:
                raise BadInput(
                    "from_file holds the whole denial: give no other denial options with it",
                    field="from_file",
                )
            data = _read_file(from_file)
            many = isinstance(data, list)
            records = data if isinstance(data, list) else [data]
            drafts = [
                denials.draft_from_json(r, prefix=f"[{n}]." if many else "", today=today)
                for n, r in enumerate(records)
            ]
        else:
            form: dict[str, object] = {
                "national_ref": national_ref,
                "regime": regime,
                "denied_on": denied_on,
                "basis": basis,
                "ground": ground,
                "reasons": list(reasons),
                "items": _items(items),
                "parties": _parties(parties),
                "valid_until": valid_until,
            }
            drafts = [denials.draft_from_json(form, today=today)]
        issued = denials.issue_denials(node, drafts, audience=audience, as_official=as_official)
        now = node.clock()
        shown = [denials.held(node, d) for d in issued]
    data_out = [denial_data(e, now) for e in shown]
    text = "\n".join(f"issued {_line(e, now)}" for e in shown)
    return Output(data_out if many else data_out[0], text)


@command(group, "import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@audience_option(None)
@as_option
def import_(file: Path, audience: tuple[str, ...], as_official: str | None) -> Output:
    """Issue a denial for each row of a CSV file: all of them, or none and every bad row named.

    The file is UTF-8 (with or without BOM) with a header row. Columns: national_ref, regime,
    denied_on, reasons, basis, ground, valid_until; for parties N = 1, 2, …: partyN_role,
    partyN_name, partyN_alias, partyN_country, partyN_address, partyN_identifiers (SCHEME:VALUE);
    for items: itemN_control_entry, itemN_hs_code, itemN_description. Cells of reasons, alias
    and identifiers hold several values separated by ';'. See README.md, "Importing denials
    from CSV".
    """
    data = _read_bytes(file)
    with open_node() as node:
        node.author(denials.ROLE, as_official)
        node.audience(audience)
        drafts = read_denials_csv(
            data,
            now=node.clock(),
            origin=node.config.node_id,
            issued=lambda national_ref: _issued(node, national_ref),
        )
        issued = denials.issue_denials(node, drafts, audience=audience, as_official=as_official)
        now = node.clock()
        shown = [denials.held(node, d) for d in issued]
    refs = [e.denial.national_ref for e in shown]
    data_out = {
        "file": str(file),
        "count": len(shown),
        "first": refs[0],
        "last": refs[-1],
        "denials": [denial_data(e, now) for e in shown],
    }
    text = (
        f"issued {len(shown)} denial{'s' if len(shown) > 1 else ''} from {file.name} "
        f"to {', '.join(audience)}: {refs[0]}" + (f" … {refs[-1]}" if len(refs) > 1 else "")
    )
    return Output(data_out, text)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise BadInput(f"file {path}: {error.strerror}", field="file") from None


def _issued(node: Node, national_ref: str) -> bool:
    try:
        denials.get_denial(node, national_ref)
    except NotFound:
        return False
    return True


@command(group, "amend")
@click.argument("national_ref")
@click.option("--note", required=True, help="What the amendment corrects or adds.")
@click.option("--regime", help="WA, NSG, AG, MTCR, EU or national.")
@click.option("--basis", help="listed or catch-all.")
@click.option("--ground", help=f"Catch-all ground: {', '.join(Ground)}.")
@click.option("--reason", "reasons", multiple=True, help="Replaces all reason codes.")
@click.option("--item", "items", multiple=True, help="Replaces all items. " + ITEM_HELP)
@click.option("--party", "parties", multiple=True, help="Replaces all parties. " + PARTY_HELP)
@as_option
def amend(
    national_ref: str,
    note: str,
    regime: str | None,
    basis: str | None,
    ground: str | None,
    reasons: tuple[str, ...],
    items: tuple[str, ...],
    parties: tuple[str, ...],
    as_official: str | None,
) -> Output:
    """Amend one of this node's denials; each option given replaces that field."""
    with open_node() as node:
        amended = denials.amend_denial(
            node,
            national_ref,
            note=note,
            regime=regime,
            basis=basis,
            ground=ground,
            reasons=reasons or None,
            items=denials.items_from_json(_items(items)) if items else None,
            parties=denials.parties_from_json(_parties(parties)) if parties else None,
            as_official=as_official,
        )
        now = node.clock()
        entry = denials.held(node, amended)
    return Output(denial_data(entry, now), f"amended {_line(entry, now)}")


@command(group, "renew")
@click.argument("national_ref")
@click.option("--valid-until", help="YYYY-MM-DD (default: three years from today).")
@as_option
def renew(national_ref: str, valid_until: str | None, as_official: str | None) -> Output:
    """Extend one of this node's denials."""
    with open_node() as node:
        renewed = denials.renew_denial(
            node,
            national_ref,
            valid_until=_date(valid_until, "valid_until"),
            as_official=as_official,
        )
        now = node.clock()
        entry = denials.held(node, renewed)
    return Output(denial_data(entry, now), f"renewed {_line(entry, now)}")


@command(group, "revoke")
@click.argument("national_ref")
@click.option("--reason", required=True, help="Why the denial is revoked.")
@as_option
def revoke(national_ref: str, reason: str, as_official: str | None) -> Output:
    """Revoke one of this node's denials (the revocation reaches everyone it was shared with)."""
    with open_node() as node:
        revoked = denials.revoke_denial(node, national_ref, reason=reason, as_official=as_official)
        now = node.clock()
        entry = denials.held(node, revoked)
    return Output(denial_data(entry, now), f"revoked {_line(entry, now)}")


@command(group, "show")
@click.argument("national_ref")
@click.option("--origin", help="The denying node (default: this node).")
def show(national_ref: str, origin: str | None) -> Output:
    """Show a denial with its items' HS descriptions, status and record ref."""
    with open_node() as node:
        entry = denials.held(node, denials.get_denial(node, national_ref, origin))
        now = node.clock()
    return Output(denial_data(entry, now), _show_text(entry, now))


@command(group, "list")
@click.option("--origin", help="Only this node's denials.")
@click.option("--in-force", is_flag=True, help="Only denials in force now.")
def list_(origin: str | None, in_force: bool) -> Output:
    """List the denials held here, own and partners', with their status now."""
    with open_node() as node:
        now = node.clock()
        entries = denials.list_denials(node, origin=origin, in_force_at=now if in_force else None)
    return Output(
        [denial_data(e, now) for e in entries],
        "\n".join(_line(e, now) for e in entries) or "no denials held",
    )
