"""A sharing group (a regime, CSCAP XCXG, a bilateral pair), written by its convenor node."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.base import (
    GROUP_NAME,
    InvalidField,
    RuleViolated,
    check_node_id,
    parse_audience,
    record_id,
)


def group_id(convenor: str, name: str) -> UUID:
    """The aggregate id of group `name` convened by `convenor` (audience `group:convenor/name`)."""
    return record_id(convenor, "group", name)


def check_group_name(name: str, *, field: str = "name") -> str:
    if not GROUP_NAME.match(name):
        raise InvalidField(
            f"{field} {name!r} is not a group name: 1-64 characters of a-z, 0-9 and . _ -, "
            "starting with a letter or digit (such as wa-licensing)",
            field=field,
        )
    return name


class Group(Aggregate):
    """Who belongs to a sharing group; the convenor is always a member."""

    TOPIC = "xcnet.group/1"

    class Event(Aggregate.Event):
        author: str

    class Formed(Aggregate.Created, Event):
        TOPIC = "xcnet.group.Formed/1"
        convenor: str
        name: str
        purpose: str
        members: tuple[str, ...]
        audience: tuple[str, ...]

        def apply(self, aggregate: Group) -> None:
            aggregate.convenor = self.convenor
            aggregate.name = self.name
            aggregate.purpose = self.purpose
            aggregate.members = self.members
            aggregate.audience = self.audience
            aggregate.formed_at = self.timestamp

    Created = Formed

    class MemberAdmitted(Event):
        TOPIC = "xcnet.group.MemberAdmitted/1"
        node_id: str

        def apply(self, aggregate: Group) -> None:
            aggregate.members = tuple(sorted({*aggregate.members, self.node_id}))

    class MemberRemoved(Event):
        TOPIC = "xcnet.group.MemberRemoved/1"
        node_id: str
        reason: str

        def apply(self, aggregate: Group) -> None:
            aggregate.members = tuple(m for m in aggregate.members if m != self.node_id)

    def __init__(self) -> None:
        self.convenor = ""
        self.name = ""
        self.purpose = ""
        self.members: tuple[str, ...] = ()
        self.audience: tuple[str, ...] = ()
        self.formed_at = datetime.min

    @property
    def audience_token(self) -> str:
        """How an audience names this group: `group:<convenor>/<name>`."""
        return f"group:{self.convenor}/{self.name}"

    @classmethod
    def form(
        cls,
        *,
        convenor: str,
        name: str,
        purpose: str,
        members: Sequence[str],
        audience: tuple[str, ...],
        author: str,
        at: datetime,
    ) -> Group:
        """Form a group of `members` and the convenor."""
        check_node_id(convenor, field="convenor")
        check_group_name(name)
        if not members:
            raise InvalidField("member is missing: name at least one member node", field="member")
        for member in members:
            check_node_id(member, field="member")
        return cls._create(
            cls.Formed,
            id=group_id(convenor, name),
            convenor=convenor,
            name=name,
            purpose=" ".join(purpose.split()),
            members=tuple(sorted({convenor, *members})),
            audience=parse_audience(audience),
            author=author,
            timestamp=at,
        )

    def admit(self, *, node_id: str, author: str, at: datetime) -> None:
        """Admit a member node."""
        check_node_id(node_id)
        if node_id in self.members:
            raise RuleViolated(
                f"{node_id} is already a member of {self.audience_token}", field="node_id"
            )
        self.trigger_event(self.MemberAdmitted, node_id=node_id, author=author, timestamp=at)

    def remove(self, *, node_id: str, reason: str, author: str, at: datetime) -> None:
        """Remove a member node; the convenor stays."""
        if node_id not in self.members:
            raise RuleViolated(
                f"{node_id!r} is not a member of {self.audience_token}", field="node_id"
            )
        if node_id == self.convenor:
            raise RuleViolated(
                f"{node_id} convenes {self.audience_token} and stays a member", field="node_id"
            )
        if not reason.strip():
            raise InvalidField("reason is empty: say why the member leaves", field="reason")
        self.trigger_event(
            self.MemberRemoved, node_id=node_id, reason=reason.strip(), author=author, timestamp=at
        )
