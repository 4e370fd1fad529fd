"""Denial notifications: issue, amend, renew, revoke and look up, signed by a licensing official."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aggregates.base import DomainError, RecordRef
from aggregates.denial import Denial, Item, Party, denial_id, item, party
from node.errors import BadInput, NotFound
from node.service import Node

ROLE = "licensing"
_DRAFT_KEYS = {
    "national_ref",
    "regime",
    "denied_on",
    "basis",
    "ground",
    "reasons",
    "items",
    "parties",
    "valid_until",
}
_ITEM_KEYS = {"control_entry", "hs_code", "description"}
_PARTY_KEYS = {"role", "name", "aliases", "address", "country", "identifiers"}


@dataclass(frozen=True, slots=True)
class DenialDraft:
    """What a licensing officer gives to issue one denial (checked again by Denial.issue)."""

    national_ref: str
    regime: str
    denied_on: date
    basis: str
    ground: str | None
    items: tuple[Item, ...]
    parties: tuple[Party, ...]
    reasons: tuple[str, ...]
    valid_until: date | None = None

    def issue(self, *, origin: str, audience: tuple[str, ...], author: str, at: datetime) -> Denial:
        """The denial this draft describes, issued by `origin` (Denial.issue checks every field)."""
        return Denial.issue(
            origin=origin,
            national_ref=self.national_ref,
            regime=self.regime,
            denied_on=self.denied_on,
            basis=self.basis,
            ground=self.ground,
            items=self.items,
            parties=self.parties,
            reasons=self.reasons,
            valid_until=self.valid_until,
            audience=audience,
            author=author,
            at=at,
        )


@dataclass(frozen=True, slots=True)
class HeldDenial:
    """A denial held here with where it comes from and the exact version held."""

    denial: Denial
    ref: RecordRef

    @property
    def origin(self) -> str:
        return self.ref.origin


def draft_from_json(data: object, *, prefix: str = "", today: date | None = None) -> DenialDraft:
    """A draft from the JSON form (see `xcnet denial issue --help`); errors name the field."""
    record = _mapping(data, prefix.rstrip(".") or "denial", _DRAFT_KEYS, prefix)
    items = _list(record.get("items", []), f"{prefix}items")
    parties = _list(record.get("parties", []), f"{prefix}parties")
    try:
        return DenialDraft(
            national_ref=_text(record.get("national_ref"), f"{prefix}national_ref"),
            regime=_text(record.get("regime"), f"{prefix}regime"),
            denied_on=_date(record.get("denied_on"), f"{prefix}denied_on", today),
            basis=_text(record.get("basis", "listed"), f"{prefix}basis"),
            ground=_optional_text(record.get("ground"), f"{prefix}ground"),
            items=tuple(
                _item(entry, f"{prefix}items[{n}]", f"items[{n}]") for n, entry in enumerate(items)
            ),
            parties=tuple(
                _party(entry, f"{prefix}parties[{n}]", f"parties[{n}]")
                for n, entry in enumerate(parties)
            ),
            reasons=tuple(
                _text(r, f"{prefix}reasons[{n}]")
                for n, r in enumerate(_list(record.get("reasons", []), f"{prefix}reasons"))
            ),
            valid_until=_optional_date(record.get("valid_until"), f"{prefix}valid_until"),
        )
    except DomainError as error:
        raise _prefixed(error, prefix) from None


def issue_denials(
    node: Node,
    drafts: Sequence[DenialDraft],
    *,
    audience: tuple[str, ...],
    as_official: str | None = None,
) -> list[Denial]:
    """Issue one or more denials in one write: all are issued, or none."""
    author = node.author(ROLE, as_official)
    checked_audience = node.audience(audience)
    at = node.clock()
    origin = node.config.node_id
    seen: set[str] = set()
    held = {
        record
        for record, _, _ in node.sidecar.newest_versions(
            [denial_id(origin, draft.national_ref.strip()) for draft in drafts]
        )
    }
    denials = []
    for n, draft in enumerate(drafts):
        prefix = f"[{n}]." if len(drafts) > 1 else ""
        ref = draft.national_ref.strip()
        if ref in seen or denial_id(origin, ref) in held:
            raise BadInput(
                f"{prefix}national_ref {ref!r}: {origin} has already issued a denial with this "
                "reference (amend, renew or revoke it instead)",
                field=f"{prefix}national_ref",
            )
        seen.add(ref)
        try:
            denials.append(
                draft.issue(origin=origin, audience=checked_audience, author=author, at=at)
            )
        except DomainError as error:
            raise _prefixed(error, prefix, ref) from None
    if not denials:
        raise BadInput("no denial given", field="from_file")
    node.save(*denials)
    return denials


def amend_denial(
    node: Node,
    national_ref: str,
    *,
    note: str,
    regime: str | None = None,
    basis: str | None = None,
    ground: str | None = None,
    items: Sequence[Item] | None = None,
    parties: Sequence[Party] | None = None,
    reasons: Sequence[str] | None = None,
    as_official: str | None = None,
) -> Denial:
    """Amend one of this node's denials; only the fields given change."""
    author = node.author(ROLE, as_official)
    return node.update(
        get_denial(node, national_ref).id,
        Denial,
        lambda d: d.amend(
            note=note,
            regime=regime,
            basis=basis,
            ground=ground,
            items=items,
            parties=parties,
            reasons=reasons,
            author=author,
            at=node.clock(),
        ),
    )


def renew_denial(
    node: Node, national_ref: str, *, valid_until: date | None, as_official: str | None = None
) -> Denial:
    """Extend one of this node's denials (by default to three years from today)."""
    author = node.author(ROLE, as_official)
    return node.update(
        get_denial(node, national_ref).id,
        Denial,
        lambda d: d.renew(valid_until=valid_until, author=author, at=node.clock()),
    )


def revoke_denial(
    node: Node, national_ref: str, *, reason: str, as_official: str | None = None
) -> Denial:
    """Revoke one of this node's denials."""
    author = node.author(ROLE, as_official)
    return node.update(
        get_denial(node, national_ref).id,
        Denial,
        lambda d: d.revoke(reason=reason, author=author, at=node.clock()),
    )


def get_denial(node: Node, national_ref: str, origin: str | None = None) -> Denial:
    """A held denial by its national reference (this node's unless `origin` names another)."""
    origin = origin or node.config.node_id
    try:
        return node.get(denial_id(origin, national_ref.strip()), Denial)
    except NotFound:
        raise NotFound(
            f"national_ref {national_ref!r}: no denial of {origin} with this reference is held here",
            field="national_ref",
        ) from None


def held(node: Node, denial: Denial) -> HeldDenial:
    return HeldDenial(denial, node.ref(denial.id, denial.version))


def list_denials(
    node: Node, *, origin: str | None = None, in_force_at: datetime | None = None
) -> list[HeldDenial]:
    """Denials held (own and partners'), in log order; optionally one origin's, or in force."""
    found = []
    for aggregate_id in node.record_ids(Denial.Issued.TOPIC):
        entry = held(node, node.get(aggregate_id, Denial))
        if origin is not None and entry.origin != origin:
            continue
        if in_force_at is not None and not entry.denial.in_force(in_force_at):
            continue
        found.append(entry)
    return found


# The JSON form ------------------------------------------------------------------------------


def items_from_json(values: list[object], *, field: str = "items") -> tuple[Item, ...]:
    """Items from their JSON form (objects with control_entry, hs_code, description)."""
    return tuple(_item(v, f"{field}[{n}]", f"{field}[{n}]") for n, v in enumerate(values))


def parties_from_json(values: list[object], *, field: str = "parties") -> tuple[Party, ...]:
    """Parties from their JSON form (role, name, aliases, address, country, identifiers)."""
    return tuple(_party(v, f"{field}[{n}]", f"{field}[{n}]") for n, v in enumerate(values))


def _prefixed(error: DomainError, prefix: str, ref: str = "") -> DomainError:
    if not prefix:
        return error
    where = f"denial {prefix[:-1]}" + (f" ({ref})" if ref else "")
    field = f"{prefix}{error.field}" if error.field else prefix[:-1]
    return type(error)(f"{where}: {error}", field=field)


def _mapping(value: object, field: str, keys: set[str], prefix: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise BadInput(f"{field} is not a JSON object", field=field)
    unknown = sorted(set(value) - keys)
    if unknown:
        raise BadInput(
            f"{prefix}{unknown[0]} is not a field of a denial's JSON form: "
            f"expected {', '.join(sorted(keys))}",
            field=f"{prefix}{unknown[0]}",
        )
    return value


def _list(value: object, field: str) -> list[object]:
    if not isinstance(value, list):
        raise BadInput(f"{field} is not a list", field=field)
    return value


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise BadInput(f"{field} is missing or not text", field=field)
    return value


def _optional_text(value: object, field: str) -> str | None:
    return None if value is None else _text(value, field)


def _date(value: object, field: str, default: date | None) -> date:
    if value is None and default is not None:
        return default
    try:
        return date.fromisoformat(_text(value, field))
    except ValueError:
        raise BadInput(f"{field} {value!r} is not a date YYYY-MM-DD", field=field) from None


def _optional_date(value: object, field: str) -> date | None:
    return None if value is None else _date(value, field, None)


def _item(value: object, field: str, local: str) -> Item:
    entry = _mapping(value, field, _ITEM_KEYS, f"{field}.")
    return item(
        control_entry=_text(entry.get("control_entry"), f"{field}.control_entry"),
        hs_code=_optional_text(entry.get("hs_code"), f"{field}.hs_code"),
        description=_text(entry.get("description"), f"{field}.description"),
        field=local,
    )


def _party(value: object, field: str, local: str) -> Party:
    entry = _mapping(value, field, _PARTY_KEYS, f"{field}.")
    return party(
        role=_text(entry.get("role"), f"{field}.role"),
        name=_text(entry.get("name"), f"{field}.name"),
        country=_text(entry.get("country"), f"{field}.country"),
        aliases=[
            _text(a, f"{field}.aliases[{n}]")
            for n, a in enumerate(_list(entry.get("aliases", []), f"{field}.aliases"))
        ],
        address=_text(entry.get("address", ""), f"{field}.address"),
        identifiers=[
            _text(i, f"{field}.identifiers[{n}]")
            for n, i in enumerate(_list(entry.get("identifiers", []), f"{field}.identifiers"))
        ],
        field=local,
    )
