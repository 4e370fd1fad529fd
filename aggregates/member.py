"""The member roster: which keys may sign for a node. Public to the federation."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.base import PUBLIC, InvalidField, RuleViolated, check_node_id, record_id

ROLES = ("operator", "policy", "licensing", "reviewer", "donor")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class UnknownOfficial(RuleViolated):
    """No official of this roster has that key."""

    code = "not_found"


@dataclass(frozen=True, slots=True)
class Official:
    """An official of the member, known by the key they sign with."""

    key_id: str
    key: bytes
    name: str
    roles: tuple[str, ...]
    enrolled_at: datetime
    retired_at: datetime | None = None
    revoked_from: datetime | None = None
    revoked_reason: str = ""

    @property
    def status(self) -> str:
        if self.revoked_from is not None:
            return "revoked"
        if self.retired_at is not None:
            return "retired"
        return "active"


def roster_id(node_id: str) -> UUID:
    """The id of a node's roster aggregate."""
    return record_id(node_id, "member", "roster")


class Member(Aggregate):
    """A member's roster: its node key and its officials' keys, with retirements and revocations."""

    TOPIC = "xcnet.member/1"

    class Event(Aggregate.Event):
        author: str

    class Founded(Aggregate.Created, Event):
        TOPIC = "xcnet.member.Founded/1"
        node_id: str
        name: str
        country: str
        node_key: bytes
        audience: tuple[str, ...]

        def apply(self, aggregate: Member) -> None:
            aggregate.node_id = self.node_id
            aggregate.name = self.name
            aggregate.country = self.country
            aggregate.node_key = self.node_key

    Created = Founded

    class OfficialEnrolled(Event):
        TOPIC = "xcnet.member.OfficialEnrolled/1"
        key_id: str
        key: bytes
        name: str
        roles: tuple[str, ...]

        def apply(self, aggregate: Member) -> None:
            aggregate.officials[self.key_id] = Official(
                self.key_id, self.key, self.name, self.roles, self.timestamp
            )

    class OfficialRetired(Event):
        TOPIC = "xcnet.member.OfficialRetired/1"
        key_id: str
        reason: str

        def apply(self, aggregate: Member) -> None:
            official = aggregate.officials[self.key_id]
            aggregate.officials[self.key_id] = replace(official, retired_at=self.timestamp)

    class KeyRevoked(Event):
        TOPIC = "xcnet.member.KeyRevoked/1"
        key_id: str
        reason: str
        effective_from: datetime

        def apply(self, aggregate: Member) -> None:
            official = aggregate.officials[self.key_id]
            aggregate.officials[self.key_id] = replace(
                official, revoked_from=self.effective_from, revoked_reason=self.reason
            )

    def __init__(self) -> None:
        self.node_id = ""
        self.name = ""
        self.country = ""
        self.node_key = b""
        self.officials: dict[str, Official] = {}

    @classmethod
    def found(
        cls, *, node_id: str, name: str, country: str, node_key: bytes, author: str, at: datetime
    ) -> Member:
        """Found a member's roster, signed by its node key."""
        check_node_id(node_id)
        if not name.strip():
            raise InvalidField("name is empty: give the agency's name", field="name")
        if not COUNTRY.match(country):
            raise InvalidField(
                f"country {country!r} is not an ISO 3166-1 alpha-2 code such as JP", field="country"
            )
        return cls._create(
            cls.Founded,
            id=roster_id(node_id),
            node_id=node_id,
            name=name.strip(),
            country=country,
            node_key=node_key,
            audience=(PUBLIC,),
            author=author,
            timestamp=at,
        )

    def enrol(
        self,
        *,
        key_id: str,
        key: bytes,
        name: str,
        roles: tuple[str, ...],
        author: str,
        at: datetime,
    ) -> Official:
        """Enrol an official with the key they will sign with."""
        if not name.strip():
            raise InvalidField("name is empty: give the official's name", field="name")
        if not roles:
            raise InvalidField(f"role is missing: give one of {', '.join(ROLES)}", field="role")
        for role in roles:
            if role not in ROLES:
                raise InvalidField(
                    f"role {role!r} is unknown: expected one of {', '.join(ROLES)}", field="role"
                )
        if key_id in self.officials or key == self.node_key:
            raise RuleViolated(f"key {key_id} is already on the roster", field="key")
        self.trigger_event(
            self.OfficialEnrolled,
            key_id=key_id,
            key=key,
            name=name.strip(),
            roles=tuple(sorted(set(roles))),
            author=author,
            timestamp=at,
        )
        return self.officials[key_id]

    def retire(self, *, key_id: str, reason: str, author: str, at: datetime) -> None:
        """Retire an official: their key signs nothing from now on."""
        official = self.official(key_id)
        if official.status != "active":
            raise RuleViolated(f"official {key_id} is already {official.status}", field="official")
        self.trigger_event(
            self.OfficialRetired, key_id=key_id, reason=reason, author=author, timestamp=at
        )

    def revoke(
        self, *, key_id: str, reason: str, effective_from: datetime, author: str, at: datetime
    ) -> None:
        """Revoke an official's key: records it signed from `effective_from` on are invalid."""
        official = self.official(key_id)
        if official.revoked_from is not None:
            raise RuleViolated(f"key {key_id} is already revoked", field="official")
        if not reason.strip():
            raise InvalidField("reason is empty: say why the key is revoked", field="reason")
        if effective_from > at:
            raise InvalidField("effective_from is in the future", field="effective_from")
        self.trigger_event(
            self.KeyRevoked,
            key_id=key_id,
            reason=reason.strip(),
            effective_from=effective_from,
            author=author,
            timestamp=at,
        )

    def official(self, key_id: str) -> Official:
        """The official with this key id (a unique prefix is enough)."""
        matches = [k for k in self.officials if k.startswith(key_id)] if key_id else []
        if len(matches) != 1:
            raise UnknownOfficial(
                f"official {key_id!r} is not on {self.node_id}'s roster"
                + (" (ambiguous prefix)" if len(matches) > 1 else ""),
                field="official",
            )
        return self.officials[matches[0]]

    def refuses(self, key: bytes, created: datetime) -> str | None:
        """Why this roster does not certify `key` for a record created at `created`, or None."""
        if key == self.node_key:
            return None
        for official in self.officials.values():
            if official.key != key:
                continue
            if official.revoked_from is not None and created >= official.revoked_from:
                return f"key {official.key_id} is revoked from {official.revoked_from.isoformat()}"
            if official.retired_at is not None and created >= official.retired_at:
                return f"key {official.key_id} is retired since {official.retired_at.isoformat()}"
            return None
        return f"the key is not on {self.node_id}'s roster"
