"""What every aggregate shares: errors, record ids and references, audiences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

RECORD_NAMESPACE = uuid5(NAMESPACE_URL, "https://xcnet.invalid/record")
NODE_ID = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
RECORD_REF = re.compile(
    r"^([^/@#\s]+)/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"@([1-9][0-9]{0,17})#([0-9a-fA-F]{64})$"
)


class DomainError(Exception):
    """A command refused by the domain; `field` names the input at fault."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidField(DomainError):
    """An input value outside what the field accepts."""


class RuleViolated(DomainError):
    """A command that the aggregate's current state does not allow."""

    code = "refused"


def record_id(origin: str, kind: str, ref: str) -> UUID:
    """The aggregate id of the `kind` record that `origin` names `ref`."""
    return uuid5(RECORD_NAMESPACE, f"{origin}/{kind}/{ref}")


def check_node_id(value: str, *, field: str = "node_id") -> str:
    """A node id: a short lower-case slug such as `jp` or `eu-p2p`."""
    if not NODE_ID.match(value):
        raise InvalidField(
            f"{field} {value!r} is not a node id: 2-32 characters of a-z, 0-9 and '-', "
            "starting with a letter",
            field=field,
        )
    return value


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A pointer to one exact version of a record held on some node."""

    origin: str
    aggregate_id: UUID
    version: int
    digest: bytes

    def __str__(self) -> str:
        return f"{self.origin}/{self.aggregate_id}@{self.version}#{self.digest.hex()}"

    @classmethod
    def parse(cls, text: str, *, field: str = "ref") -> RecordRef:
        """Read the text form `origin/uuid@version#digesthex` that `str()` writes."""
        match = RECORD_REF.match(text.strip())
        if match is None:
            raise InvalidField(
                f"{field} {text!r} is not a record ref: expected ORIGIN/UUID@VERSION#SHA256HEX",
                field=field,
            )
        origin, aggregate, version, digest = match.groups()
        check_node_id(origin, field=field)
        return cls(origin, UUID(aggregate), int(version), bytes.fromhex(digest))


PUBLIC = "public"
FEDERATION = "federation"


def parse_audience(
    tokens: tuple[str, ...] | list[str], *, field: str = "audience"
) -> tuple[str, ...]:
    """Check and normalise an audience: `public`, `federation`, `group:<convenor>/<name>` or node ids."""
    if not tokens:
        raise InvalidField(
            f"{field} is empty: name public, federation, a group or node ids", field=field
        )
    names = sorted(set(tokens))
    if (PUBLIC in names or FEDERATION in names) and len(names) > 1:
        raise InvalidField(f"{field}: {names[0]!r} stands alone", field=field)
    for name in names:
        if name in (PUBLIC, FEDERATION):
            continue
        if name.startswith("group:"):
            convenor, _, group = name[len("group:") :].partition("/")
            if not NODE_ID.match(convenor) or not GROUP_NAME.match(group):
                raise InvalidField(
                    f"{field} entry {name!r} is not group:<convenor node id>/<group name>",
                    field=field,
                )
            continue
        check_node_id(name, field=field)
    return tuple(names)
