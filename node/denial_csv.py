"""Denials from a CSV file, one per row, every row checked before any is issued.

The layout (README.md, "Importing denials from CSV"): the denial's own columns, then numbered
column groups `partyN_…` (attribute names from followthemoney: name, alias, country, address)
and `itemN_…`; `reasons`, `alias` and `identifiers` cells hold values separated by `;`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import ParamSpec, TypeVar

from aggregates.base import FEDERATION, DomainError
from aggregates.controls import Regime
from aggregates.denial import Item, Party, Reason, choose, item, party
from node.denials import DenialDraft
from node.errors import BadInput

DENIAL_COLUMNS = (
    "national_ref",
    "regime",
    "denied_on",
    "basis",
    "ground",
    "reasons",
    "valid_until",
)
PARTY_COLUMNS = ("role", "name", "alias", "country", "address", "identifiers")
ITEM_COLUMNS = ("control_entry", "hs_code", "description")
REQUIRED_COLUMNS = ("national_ref", "regime", "denied_on", "reasons")
GROUP_REQUIRED = {"party": ("role", "name", "country"), "item": ("control_entry", "description")}
SEPARATOR = ";"
EXPECTED = (
    ", ".join(DENIAL_COLUMNS)
    + ", "
    + ", ".join(f"partyN_{c}" for c in PARTY_COLUMNS)
    + ", "
    + ", ".join(f"itemN_{c}" for c in ITEM_COLUMNS)
    + " (N from 1 to 99)"
)
_GROUP = re.compile(r"^(party|item)([1-9][0-9]?)_([a-z_]+)$")
_ATTRIBUTES = {"party": PARTY_COLUMNS, "item": ITEM_COLUMNS}
_FIRST = {"party": "name", "item": "control_entry"}
_INDEXED = re.compile(r"^(parties|items|reasons)\[([0-9]+)\](?:\.([a-z_]+))?")

_P = ParamSpec("_P")
_T = TypeVar("_T")


class BadRows(BadInput):
    """Every error found in the file, one per line after a summary; `field` names the first."""

    def __init__(self, summary: str, errors: Sequence[BadInput]) -> None:
        super().__init__("\n".join([summary, *map(str, errors)]), field=errors[0].field)
        self.errors = tuple(errors)


def read_denials_csv(
    data: bytes,
    *,
    now: datetime,
    origin: str,
    issued: Callable[[str], bool] = lambda national_ref: False,
) -> list[DenialDraft]:
    """The file's denials in row order, each checked as `origin` issuing it at `now` will be.

    `issued` tells whether `origin` already has a denial with a national reference. Raises
    BadRows with the errors of every bad row, each as `line N, COLUMN …` (BadInput for a file
    that cannot be read as CSV at all).
    """
    records = _records(_decode(data))
    try:
        header_line, header = next(records)
    except StopIteration:
        raise BadInput(
            "file is empty: give a header row and one row per denial", field="file"
        ) from None
    columns = _columns(header_line, header)
    groups = {
        kind: sorted({int(m[2]) for c in columns if c and (m := _GROUP.match(c)) and m[1] == kind})
        for kind in _ATTRIBUTES
    }
    drafts: list[DenialDraft] = []
    errors: list[BadInput] = []
    seen: dict[str, int] = {}
    rows = bad = 0
    for line, cells in records:
        rows += 1
        row = _Row(line, cells, columns, groups)
        ref = row.get("national_ref")
        if ref in seen:
            row.error("national_ref", f"{ref!r} is already on line {seen[ref]}: one row per denial")
        elif ref and issued(ref):
            row.error(
                "national_ref",
                f"{ref!r}: {origin} has already issued a denial with this reference "
                "(amend, renew or revoke it instead)",
            )
        elif ref:
            seen[ref] = line
        draft = _draft(row, now=now, origin=origin)
        if draft is None:
            bad += 1
            errors.extend(row.errors)
        else:
            drafts.append(draft)
    if errors:
        raise BadRows(f"{bad} of {rows} rows are bad, so no denial was issued:", errors)
    if not drafts:
        raise BadInput("file has a header but no rows: give one row per denial", field="file")
    return drafts


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BadInput(
            f"line {line}: byte 0x{data[error.start]:02x} is not UTF-8: save the file as "
            "CSV UTF-8 (with or without BOM)",
            field=f"line {line}",
        ) from None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record that is not blank, with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield line, cells
    except csv.Error as error:
        line = reader.line_num
        raise BadInput(f"line {line} is not CSV: {error}", field=f"line {line}") from None


def _columns(line: int, header: list[str]) -> list[str | None]:
    """The column names of the header (None where a header cell is empty); all errors at once."""
    if len(header) == 1 and SEPARATOR in header[0]:
        raise BadInput(
            f"line {line}: the header is separated by {SEPARATOR!r}, not by commas: save the "
            "file as CSV UTF-8 (comma delimited)",
            field=f"line {line}",
        )
    columns: list[str | None] = []
    errors: list[BadInput] = []
    present: dict[tuple[str, int], set[str]] = {("party", 1): set(), ("item", 1): set()}
    for cell in header:
        name = cell.strip().lower() or None
        match = _GROUP.match(name or "")
        if name is None or name in DENIAL_COLUMNS:
            pass
        elif match and match[3] in _ATTRIBUTES[match[1]]:
            present.setdefault((match[1], int(match[2])), set()).add(match[3])
        else:
            errors.append(
                BadInput(
                    f"line {line}, header {cell.strip()!r} is not a column of the denial CSV "
                    f"format: expected {EXPECTED}",
                    field=f"line {line}, {cell.strip()}",
                )
            )
        if name is not None and name in columns:
            errors.append(
                BadInput(
                    f"line {line}, header {name!r} is given twice", field=f"line {line}, {name}"
                )
            )
        columns.append(name)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns] + [
        f"{kind}{n}_{attribute}"
        for (kind, n), attributes in sorted(present.items())
        for attribute in GROUP_REQUIRED[kind]
        if attribute not in attributes
    ]
    errors.extend(
        BadInput(f"line {line}: the header has no {c} column", field=f"line {line}, {c}")
        for c in missing
    )
    if errors:
        raise BadRows(f"the header on line {line} is bad, so no denial was issued:", errors)
    return columns


class _Row:
    """One record of the file: its cells by column name and the errors found in them."""

    def __init__(
        self,
        line: int,
        cells: list[str],
        columns: list[str | None],
        groups: dict[str, list[int]],
    ) -> None:
        self.line = line
        self.errors: list[BadInput] = []
        self.values: dict[str, str] = {}
        for n, cell in enumerate(cells):
            column = columns[n] if n < len(columns) else None
            if column is not None:
                self.values[column] = cell.strip()
            elif cell.strip():
                self.error(f"column {n + 1}", f"holds {cell.strip()!r} under no header")
        self.groups = {
            kind: [
                n
                for n in numbers
                if any(self.get(f"{kind}{n}_{attribute}") for attribute in _ATTRIBUTES[kind])
            ]
            for kind, numbers in groups.items()
        }

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def many(self, column: str) -> list[str]:
        return [v.strip() for v in self.get(column).split(SEPARATOR) if v.strip()]

    def day(self, column: str, *, required: bool) -> date | None:
        text = self.get(column)
        if not text:
            if required:
                self.error(column, "is empty: give the date as YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.error(column, f"{text!r} is not a date YYYY-MM-DD")
            return None

    def error(self, column: str, message: str) -> None:
        field = f"line {self.line}, {column}"
        self.errors.append(BadInput(f"{field} {message}", field=field))

    def check(self, make: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T | None:
        """`make(…)`, or None with its error recorded against this row's column."""
        try:
            return make(*args, **kwargs)
        except DomainError as error:
            self.relocate(error)
            return None

    def relocate(self, error: DomainError) -> None:
        """Record a domain error, its JSON-form field (`parties[1].country`) read as a column."""
        name = error.field or ""
        message = str(error)
        rest = message[len(name) :] if name and message.startswith(name) else f": {message}"
        field = f"line {self.line}, {self.column(name)}" if name else f"line {self.line}"
        self.errors.append(BadInput(f"{field}{rest}", field=field))

    def column(self, field: str) -> str:
        match = _INDEXED.match(field)
        if match is None:
            return {"parties": "party1_name", "items": "item1_control_entry"}.get(field, field)
        kind, index, attribute = match[1], int(match[2]), match[3]
        if kind == "reasons":
            return kind
        group = "party" if kind == "parties" else "item"
        numbers = self.groups[group]
        n = numbers[index] if index < len(numbers) else index + 1
        return f"{group}{n}_{attribute or _FIRST[group]}"


def _draft(row: _Row, *, now: datetime, origin: str) -> DenialDraft | None:
    """The row's draft, checked by issuing it in memory; None when the row has errors.

    The audience is not the row's to get wrong: the caller checks it once for the whole file.
    """
    if not row.get("national_ref"):
        row.error("national_ref", "is empty: give the denial's national reference")
    regime = row.check(choose, Regime, row.get("regime"), field="regime")
    denied_on = row.day("denied_on", required=True)
    valid_until = row.day("valid_until", required=False)
    reasons = row.many("reasons")
    if not reasons:
        row.error("reasons", f"is empty: give one or more of {', '.join(Reason)}, separated by ';'")
    for reason in reasons:
        row.check(choose, Reason, reason, field="reasons")
    parties: list[Party | None] = [
        row.check(
            party,
            role=row.get(f"party{n}_role"),
            name=row.get(f"party{n}_name"),
            country=row.get(f"party{n}_country"),
            aliases=row.many(f"party{n}_alias"),
            address=row.get(f"party{n}_address"),
            identifiers=row.many(f"party{n}_identifiers"),
            field=f"parties[{index}]",
        )
        for index, n in enumerate(row.groups["party"])
    ]
    if not parties:
        row.error("party1_name", "is empty: name at least one party (the end user or consignee)")
    items: list[Item | None] = [
        row.check(
            item,
            control_entry=row.get(f"item{n}_control_entry"),
            hs_code=row.get(f"item{n}_hs_code") or None,
            description=row.get(f"item{n}_description"),
            field=f"items[{index}]",
        )
        for index, n in enumerate(row.groups["item"])
    ]
    if not items:
        row.error("item1_control_entry", "is empty: name at least one denied item")
    if row.errors or regime is None or denied_on is None:
        return None
    draft = DenialDraft(
        national_ref=row.get("national_ref"),
        regime=regime,
        denied_on=denied_on,
        basis=row.get("basis") or "listed",
        ground=row.get("ground") or None,
        items=tuple(i for i in items if i is not None),
        parties=tuple(p for p in parties if p is not None),
        reasons=tuple(reasons),
        valid_until=valid_until,
    )
    try:
        draft.issue(origin=origin, audience=(FEDERATION,), author=origin, at=now)
    except DomainError as error:
        row.relocate(error)
        return None
    return draft
