"""The screening index: a read model of every denial held (own and replicated).

One row per denial with its parties and items as JSON, the name keys of every party
(`node.names.index_keys`, plus identifiers) for finding candidates, and item codes (each
control entry with its parents, HS subheading and heading) for item-only screening.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Sequence
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from aggregates.base import RecordRef
from aggregates.denial import Denial
from node import names
from node.views import ReadModel, Row, Views

#: Entries of one key counted at most (beyond it a word's weight hardly changes, and counting
#: every entry of a common word is what costs).
COUNT_CAP = 10_000
#: Keys counted and parties filed remembered at most between changes of the index (beyond
#: either, it starts again).
_KEYS = 200_000
_POSTINGS = 2_000_000
_PARTY_BITS = 20
_PARTY_MASK = (1 << _PARTY_BITS) - 1


class ScreeningIndex(ReadModel):
    name = "screening"
    kinds = (Denial,)
    tables: ClassVar[dict[str, str]] = {
        "xcnet_screen_denial": (
            "record TEXT PRIMARY KEY, ref TEXT NOT NULL, origin TEXT NOT NULL, "
            "national_ref TEXT NOT NULL, regime TEXT NOT NULL, basis TEXT NOT NULL, "
            "ground TEXT, denied_on TEXT NOT NULL, valid_until TEXT NOT NULL, "
            "revoked TEXT, parties TEXT NOT NULL, items TEXT NOT NULL"
        ),
        "xcnet_screen_key": "record TEXT NOT NULL, party INTEGER NOT NULL, key TEXT NOT NULL",
        "xcnet_screen_code": "record TEXT NOT NULL, code TEXT NOT NULL",
        "xcnet_screen_digest": "position BIGINT PRIMARY KEY, count BIGINT NOT NULL, digest TEXT NOT NULL",
    }
    indexes = (
        # Candidates are read from this index alone, without visiting the table's rows.
        "CREATE INDEX IF NOT EXISTS xcnet_screen_key_cover ON {t}xcnet_screen_key (key, record, party)",
        "DROP INDEX IF EXISTS {t}xcnet_screen_key_key",
        "CREATE INDEX IF NOT EXISTS xcnet_screen_key_record ON {t}xcnet_screen_key (record)",
        "CREATE INDEX IF NOT EXISTS xcnet_screen_code_code ON {t}xcnet_screen_code (code)",
        "CREATE INDEX IF NOT EXISTS xcnet_screen_code_record ON {t}xcnet_screen_code (record)",
    )

    def __init__(self) -> None:
        self.remembered = Remembered()

    def rows(self, records: Sequence[tuple[Aggregate, RecordRef]]) -> dict[str, list[Row]]:
        denials: list[Row] = []
        keys: list[Row] = []
        item_codes: list[Row] = []
        for record, ref in records:
            assert isinstance(record, Denial)
            rid = str(record.id)
            denials.append(_denial_row(record, ref))
            for n, party in enumerate(record.parties):
                filed = {k for name in (party.name, *party.aliases) for k in names.index_keys(name)}
                filed.update(identifier_key(str(i)) for i in party.identifiers)
                keys.extend((rid, n, key) for key in sorted(filed))
            filed_codes = {c for i in record.items for c in codes(i.control_entry, i.hs_code)}
            item_codes.extend((rid, code) for code in sorted(filed_codes))
        return {
            "xcnet_screen_denial": denials,
            "xcnet_screen_key": keys,
            "xcnet_screen_code": item_codes,
        }


class Remembered:
    """What queries read of the key table, remembered in this process while the index stands at
    one log position (it moves only when a catch-up writes to it): how many parties each key
    is filed under, and which, so that the words many queries share are read once."""

    def __init__(self) -> None:
        self.position: int | None = None
        self._reset()

    def _reset(self) -> None:
        self._counts: dict[str, int] = {}
        self._postings: dict[str, array[int]] = {}
        self._records: list[str] = []
        self._record_ids: dict[str, int] = {}
        self._held = 0

    def _at(self, position: int) -> None:
        if position != self.position or len(self._counts) > _KEYS or self._held > _POSTINGS:
            self.position = position
            self._reset()

    def counts(self, views: Views, keys: Sequence[str], position: int) -> dict[str, int]:
        """The counts of these keys (capped at COUNT_CAP; keys filed nowhere left out) in the
        index at `position`, the position its screened-set summary was taken at."""
        self._at(position)
        missing = [k for k in dict.fromkeys(keys) if k not in self._counts]
        if missing:
            self._counts.update(count_keys(views, missing))
        return {k: c for k in keys if (c := self._counts[k])}

    def postings(self, views: Views, keys: Sequence[str], position: int) -> dict[str, array[int]]:
        """The parties filed under each of these keys in the index at `position`, each as a
        number that `party` turns back into (record, party index)."""
        self._at(position)
        missing = [k for k in dict.fromkeys(keys) if k not in self._postings]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            found: dict[str, array[int]] = {k: array("q") for k in chunk}
            marks = ", ".join("?" * len(chunk))
            statement = (
                f"SELECT key, record, party FROM {{t}}xcnet_screen_key WHERE key IN ({marks})"
            )
            for key, record, index in views.query(statement, chunk):
                rid = self._record_ids.get(record)
                if rid is None:
                    rid = self._record_ids[record] = len(self._records)
                    self._records.append(record)
                found[key].append(rid << _PARTY_BITS | int(index))
            self._postings.update(found)
            self._held += sum(map(len, found.values()))
        return {k: self._postings[k] for k in keys}

    def party(self, code: int) -> tuple[str, int]:
        return self._records[code >> _PARTY_BITS], code & _PARTY_MASK


def count_keys(views: Views, keys: Sequence[str]) -> dict[str, int]:
    """How many parties each key is filed under now, up to COUNT_CAP (zero for none)."""
    counts: dict[str, int] = {}
    for start in range(0, len(keys), 100):
        chunk = keys[start : start + 100]
        statement = " UNION ALL ".join(
            f"SELECT CAST(? AS TEXT), COUNT(*) FROM (SELECT 1 FROM {{t}}xcnet_screen_key "
            f"WHERE key = ? LIMIT {COUNT_CAP}) AS c{n}"
            for n in range(len(chunk))
        )
        params = [value for key in chunk for value in (key, key)]
        for key, count in views.query(statement, params):
            counts[str(key)] = int(count)
    return counts


def _denial_row(denial: Denial, ref: RecordRef) -> tuple[Any, ...]:
    parties = [
        {
            "role": str(p.role),
            "name": p.name,
            "aliases": list(p.aliases),
            "country": p.country,
            "identifiers": [str(i) for i in p.identifiers],
        }
        for p in denial.parties
    ]
    items = [
        {"control_entry": i.control_entry, "hs_code": i.hs_code, "description": i.description}
        for i in denial.items
    ]
    return (
        str(denial.id),
        str(ref),
        ref.origin,
        denial.national_ref,
        str(denial.regime),
        str(denial.basis),
        str(denial.ground) if denial.ground else None,
        denial.denied_on.isoformat(),
        denial.valid_until.isoformat(),
        denial.revoked_at.isoformat() if denial.revoked_at else None,
        json.dumps(parties, ensure_ascii=False, sort_keys=True),
        json.dumps(items, ensure_ascii=False, sort_keys=True),
    )


def identifier_key(text: str) -> str:
    scheme, _, value = text.partition(":")
    return "id:" + scheme.lower() + ":" + re.sub(r"[^0-9a-z]", "", value.lower())


def codes(control_entry: str | None, hs_code: str | None) -> list[str]:
    found: list[str] = []
    if control_entry:
        segments = control_entry.split(".")
        found += ["ce:" + ".".join(segments[: n + 1]) for n in range(len(segments))]
    if hs_code:
        digits = re.sub(r"\D", "", hs_code)
        found += ["hs:" + digits[:6], "hs4:" + digits[:4]]
    return found
