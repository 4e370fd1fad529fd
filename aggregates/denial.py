"""A denial notification: a licence refused by the origin, shared so partners do not undercut it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.base import InvalidField, RuleViolated, parse_audience, record_id
from aggregates.controls import CATCH_ALL, Regime, check_control_entry, check_hs_code

VALIDITY_YEARS = 3
NATIONAL_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
IDENTIFIER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")


class Basis(StrEnum):
    """Whether the items are on a control list or caught by a catch-all clause."""

    LISTED = "listed"
    CATCH_ALL = "catch-all"


class Ground(StrEnum):
    """The ground of a catch-all denial."""

    WMD = "wmd"
    MISSILE = "missile"
    MILITARY_END_USE = "military-end-use"
    DIVERTED_MILITARY = "diverted-military"
    HUMAN_RIGHTS = "human-rights"
    NATIONAL = "national"


class PartyRole(StrEnum):
    END_USER = "end-user"
    CONSIGNEE = "consignee"
    INTERMEDIATE_CONSIGNEE = "intermediate-consignee"
    PURCHASER = "purchaser"
    BROKER = "broker"


class Reason(StrEnum):
    """Why the licence was refused."""

    WMD_PROGRAMME = "wmd-programme"
    MISSILE_PROGRAMME = "missile-programme"
    MILITARY_END_USE = "military-end-use"
    DIVERSION_RISK = "diversion-risk"
    END_USER_OF_CONCERN = "end-user-of-concern"
    EMBARGO = "embargo"
    REGIONAL_STABILITY = "regional-stability"
    HUMAN_RIGHTS = "human-rights"
    TERRORISM = "terrorism"
    INSUFFICIENT_ASSURANCES = "insufficient-assurances"


@dataclass(frozen=True, slots=True)
class Identifier:
    """A registration number of a party: scheme (INN, OGRN, USCC, LEI, IMO…) and value."""

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


@dataclass(frozen=True, slots=True)
class Party:
    """A party to the denied transaction, in its role."""

    role: PartyRole
    name: str
    aliases: tuple[str, ...]
    address: str
    country: str
    identifiers: tuple[Identifier, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """A denied item: its control entry, HS code (None when it has none, e.g. technology) and text."""

    control_entry: str
    hs_code: str | None
    description: str


class DenialRevoked(RuleViolated):
    """The denial is revoked: it takes no further amendment or renewal."""


_E = TypeVar("_E", bound=StrEnum)


def choose(kind: type[_E], value: str | _E, *, field: str) -> _E:
    """The member of a vocabulary named by `value` (case and spaces forgiven); else InvalidField."""
    if isinstance(value, kind):
        return value
    text = str(value).strip()
    for member in kind:
        if text.lower().replace(" ", "-").replace("_", "-") == member.value.lower():
            return member
    raise InvalidField(
        f"{field} {value!r} is unknown: expected one of {', '.join(m.value for m in kind)}",
        field=field,
    )


def identifier(text: str, *, field: str = "identifiers") -> Identifier:
    """Read `SCHEME:VALUE` (INN:7701234567)."""
    scheme, colon, value = text.partition(":")
    if not colon or not IDENTIFIER_SCHEME.match(scheme.strip()) or not value.strip():
        raise InvalidField(
            f"{field} {text!r} is not SCHEME:VALUE (such as INN:7701234567 or LEI:…)", field=field
        )
    return Identifier(scheme.strip().upper(), value.strip())


def party(
    *,
    role: str | PartyRole,
    name: str,
    country: str,
    aliases: Sequence[str] = (),
    address: str = "",
    identifiers: Sequence[str | Identifier] = (),
    field: str = "parties[0]",
) -> Party:
    """A checked party; errors name `field` and the attribute (`parties[0].country`)."""
    name = " ".join(name.split())
    if not name:
        raise InvalidField(f"{field}.name is empty: give the party's name", field=f"{field}.name")
    country = country.strip().upper()
    if not COUNTRY.match(country):
        raise InvalidField(
            f"{field}.country {country!r} is not an ISO 3166-1 alpha-2 code such as CN",
            field=f"{field}.country",
        )
    kept: list[str] = []
    for alias in aliases:
        alias = " ".join(alias.split())
        if alias and alias != name and alias not in kept:
            kept.append(alias)
    ids = tuple(
        i if isinstance(i, Identifier) else identifier(i, field=f"{field}.identifiers[{n}]")
        for n, i in enumerate(identifiers)
    )
    return Party(
        choose(PartyRole, role, field=f"{field}.role"),
        name,
        tuple(kept),
        " ".join(address.split()),
        country,
        tuple(dict.fromkeys(ids)),
    )


def item(
    *, control_entry: str, description: str, hs_code: str | None = None, field: str = "items[0]"
) -> Item:
    """A checked item; errors name `field` and the attribute (`items[0].control_entry`)."""
    entry = check_control_entry(control_entry, field=f"{field}.control_entry")
    hs = check_hs_code(hs_code, field=f"{field}.hs_code") if hs_code and hs_code.strip() else None
    text = " ".join(description.split())
    if not text:
        raise InvalidField(
            f"{field}.description is empty: say what the item is", field=f"{field}.description"
        )
    return Item(entry, hs, text)


def three_years_after(day: date) -> date:
    """The same calendar day three years on (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + VALIDITY_YEARS)
    except ValueError:
        return day.replace(year=day.year + VALIDITY_YEARS, day=28)


def denial_id(origin: str, national_ref: str) -> UUID:
    """The aggregate id of the denial `origin` registered under `national_ref`."""
    return record_id(origin, "denial", national_ref)


class Denial(Aggregate):
    """A denial notification, written by the denying node; in force until revoked or expired."""

    TOPIC = "xcnet.denial/1"

    class Event(Aggregate.Event):
        author: str

    class Issued(Aggregate.Created, Event):
        TOPIC = "xcnet.denial.Issued/1"
        national_ref: str
        regime: Regime
        denied_on: date
        basis: Basis
        ground: Ground | None
        items: tuple[Item, ...]
        parties: tuple[Party, ...]
        reasons: tuple[Reason, ...]
        valid_until: date
        audience: tuple[str, ...]

        def apply(self, aggregate: Denial) -> None:
            aggregate.national_ref = self.national_ref
            aggregate.regime = self.regime
            aggregate.denied_on = self.denied_on
            aggregate.basis = self.basis
            aggregate.ground = self.ground
            aggregate.items = self.items
            aggregate.parties = self.parties
            aggregate.reasons = self.reasons
            aggregate.valid_until = self.valid_until
            aggregate.audience = self.audience
            aggregate.issued_by = self.author
            aggregate.issued_at = self.timestamp
            aggregate.history.append((self.timestamp, self.author, "issued", ""))

    Created = Issued

    class Amended(Event):
        """Replaces the fields that are not None; `ground` goes with `basis`."""

        TOPIC = "xcnet.denial.Amended/1"
        regime: Regime | None
        basis: Basis | None
        ground: Ground | None
        items: tuple[Item, ...] | None
        parties: tuple[Party, ...] | None
        reasons: tuple[Reason, ...] | None
        note: str

        def apply(self, aggregate: Denial) -> None:
            if self.regime is not None:
                aggregate.regime = self.regime
            if self.basis is not None:
                aggregate.basis = self.basis
                aggregate.ground = self.ground
            if self.items is not None:
                aggregate.items = self.items
            if self.parties is not None:
                aggregate.parties = self.parties
            if self.reasons is not None:
                aggregate.reasons = self.reasons
            aggregate.history.append((self.timestamp, self.author, "amended", self.note))

    class Renewed(Event):
        TOPIC = "xcnet.denial.Renewed/1"
        valid_until: date

        def apply(self, aggregate: Denial) -> None:
            aggregate.valid_until = self.valid_until
            aggregate.history.append(
                (self.timestamp, self.author, "renewed", f"valid until {self.valid_until}")
            )

    class Revoked(Event):
        TOPIC = "xcnet.denial.Revoked/1"
        reason: str

        def apply(self, aggregate: Denial) -> None:
            aggregate.revoked_at = self.timestamp
            aggregate.revoked_reason = self.reason
            aggregate.history.append((self.timestamp, self.author, "revoked", self.reason))

    def __init__(self) -> None:
        self.national_ref = ""
        self.regime = Regime.NATIONAL
        self.denied_on = date.min
        self.basis = Basis.LISTED
        self.ground: Ground | None = None
        self.items: tuple[Item, ...] = ()
        self.parties: tuple[Party, ...] = ()
        self.reasons: tuple[Reason, ...] = ()
        self.valid_until = date.min
        self.audience: tuple[str, ...] = ()
        self.issued_by = ""
        self.issued_at = datetime.min
        self.revoked_at: datetime | None = None
        self.revoked_reason = ""
        self.history: list[tuple[datetime, str, str, str]] = []

    @classmethod
    def issue(
        cls,
        *,
        origin: str,
        national_ref: str,
        regime: str | Regime,
        denied_on: date,
        basis: str | Basis,
        ground: str | Ground | None,
        items: Sequence[Item],
        parties: Sequence[Party],
        reasons: Sequence[str | Reason],
        valid_until: date | None,
        audience: tuple[str, ...],
        author: str,
        at: datetime,
    ) -> Denial:
        """Issue a denial; valid for three years from the date of denial unless `valid_until`."""
        ref = national_ref.strip()
        if not NATIONAL_REF.match(ref):
            raise InvalidField(
                f"national_ref {national_ref!r} is not a reference: 1-64 characters of letters, "
                "digits and . _ / : - (such as JP-2026-0042)",
                field="national_ref",
            )
        if denied_on > at.date():
            raise InvalidField(
                f"denied_on {denied_on} is in the future (today is {at.date()})", field="denied_on"
            )
        until = valid_until or three_years_after(denied_on)
        if until < at.date():
            raise InvalidField(
                f"valid_until {until} is in the past (today is {at.date()})"
                + ("" if valid_until else ": a denial of that date has expired"),
                field="valid_until",
            )
        if until <= denied_on:
            raise InvalidField(
                f"valid_until {until} is not after denied_on {denied_on}", field="valid_until"
            )
        chosen_basis, chosen_ground = _basis(basis, ground)
        checked_items = _items(items, chosen_basis)
        return cls._create(
            cls.Issued,
            id=denial_id(origin, ref),
            national_ref=ref,
            regime=choose(Regime, regime, field="regime"),
            denied_on=denied_on,
            basis=chosen_basis,
            ground=chosen_ground,
            items=checked_items,
            parties=_parties(parties),
            reasons=_reasons(reasons),
            valid_until=until,
            audience=parse_audience(audience),
            author=author,
            timestamp=at,
        )

    def amend(
        self,
        *,
        note: str,
        author: str,
        at: datetime,
        regime: str | Regime | None = None,
        basis: str | Basis | None = None,
        ground: str | Ground | None = None,
        items: Sequence[Item] | None = None,
        parties: Sequence[Party] | None = None,
        reasons: Sequence[str | Reason] | None = None,
    ) -> None:
        """Correct or complete the denial; only the fields given change."""
        self._refuse_if_revoked("amended")
        new_regime = None if regime is None else choose(Regime, regime, field="regime")
        new_basis: Basis | None = None
        new_ground: Ground | None = None
        if basis is not None or ground is not None:
            new_basis, new_ground = _basis(self.basis if basis is None else basis, ground)
        new_items = None if items is None else _items(items, new_basis or self.basis)
        if new_items is None and new_basis is not None:
            _items(self.items, new_basis)
        new_parties = None if parties is None else _parties(parties)
        new_reasons = None if reasons is None else _reasons(reasons)
        changed = (
            new_regime is not None and new_regime != self.regime,
            new_basis is not None and (new_basis, new_ground) != (self.basis, self.ground),
            new_items is not None and new_items != self.items,
            new_parties is not None and new_parties != self.parties,
            new_reasons is not None and new_reasons != self.reasons,
        )
        if not any(changed):
            raise InvalidField("the amendment changes nothing", field="amendment")
        if not note.strip():
            raise InvalidField("note is empty: say what the amendment corrects", field="note")
        self.trigger_event(
            self.Amended,
            regime=new_regime,
            basis=new_basis,
            ground=new_ground,
            items=new_items,
            parties=new_parties,
            reasons=new_reasons,
            note=note.strip(),
            author=author,
            timestamp=at,
        )

    def renew(self, *, author: str, at: datetime, valid_until: date | None = None) -> None:
        """Extend the validity, by default to three years from today."""
        self._refuse_if_revoked("renewed")
        until = valid_until or three_years_after(at.date())
        if until < at.date():
            raise InvalidField(
                f"valid_until {until} is in the past (today is {at.date()})", field="valid_until"
            )
        if until <= self.valid_until:
            raise InvalidField(
                f"valid_until {until} does not extend the current {self.valid_until}",
                field="valid_until",
            )
        self.trigger_event(self.Renewed, valid_until=until, author=author, timestamp=at)

    def revoke(self, *, reason: str, author: str, at: datetime) -> None:
        """Withdraw the denial: it is no longer in force anywhere it was shared."""
        self._refuse_if_revoked("revoked again")
        if not reason.strip():
            raise InvalidField("reason is empty: say why the denial is revoked", field="reason")
        self.trigger_event(self.Revoked, reason=reason.strip(), author=author, timestamp=at)

    def in_force(self, now: datetime) -> bool:
        """Whether the denial binds at `now`: issued, not revoked, not past valid_until."""
        return self.revoked_at is None and self.denied_on <= now.date() <= self.valid_until

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "in force" if self.in_force(now) else "expired"

    def _refuse_if_revoked(self, action: str) -> None:
        if self.revoked_at is not None:
            raise DenialRevoked(
                f"denial {self.national_ref} was revoked on {self.revoked_at.date()}: "
                f"it cannot be {action}",
                field="national_ref",
            )


def _basis(basis: str | Basis, ground: str | Ground | None) -> tuple[Basis, Ground | None]:
    chosen = choose(Basis, basis, field="basis")
    if chosen is Basis.LISTED:
        if ground:
            raise InvalidField(
                "ground is for catch-all denials: a listed denial has none", field="ground"
            )
        return chosen, None
    if not ground:
        raise InvalidField(
            f"ground is missing: a catch-all denial names one of {', '.join(Ground)}",
            field="ground",
        )
    return chosen, choose(Ground, ground, field="ground")


def _items(items: Sequence[Item], basis: Basis) -> tuple[Item, ...]:
    if not items:
        raise InvalidField("items is empty: name at least one denied item", field="items")
    checked = tuple(
        item(
            control_entry=i.control_entry,
            hs_code=i.hs_code,
            description=i.description,
            field=f"items[{n}]",
        )
        for n, i in enumerate(items)
    )
    if basis is Basis.LISTED and all(i.control_entry == CATCH_ALL for i in checked):
        raise InvalidField(
            "items[0].control_entry: a listed denial names at least one listed item "
            "(or use basis catch-all with its ground)",
            field="items[0].control_entry",
        )
    return checked


def _parties(parties: Sequence[Party]) -> tuple[Party, ...]:
    if not parties:
        raise InvalidField(
            "parties is empty: name at least the end user or consignee", field="parties"
        )
    return tuple(
        party(
            role=p.role,
            name=p.name,
            country=p.country,
            aliases=p.aliases,
            address=p.address,
            identifiers=p.identifiers,
            field=f"parties[{n}]",
        )
        for n, p in enumerate(parties)
    )


def _reasons(reasons: Sequence[str | Reason]) -> tuple[Reason, ...]:
    if not reasons:
        raise InvalidField(
            f"reasons is empty: give one or more of {', '.join(Reason)}", field="reasons"
        )
    chosen = [choose(Reason, r, field=f"reasons[{n}]") for n, r in enumerate(reasons)]
    return tuple(dict.fromkeys(chosen))
