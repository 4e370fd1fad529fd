"""No-undercut screening: a licence application against every denial shared with this node.

The screening index is a read model over denial records (own and replicated): one row per
denial with its parties and items, name keys for finding candidate parties, and item codes.
A query finds candidates by key (rarest keys first, so a generic word cannot flood it), scores
each candidate party with `node.names`, matches items by control entry and HS code, and says
what follows: a partner's listed denial of the same party for the same or a parent/child
control entry, in force, requires a consultation; a catch-all denial or similar items
recommend one. Each result names the algorithm, the threshold and a digest of the exact set of
denials screened (their refs), so it can be reproduced from the same log.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rigour.text.scripts import is_dense_script

from aggregates.controls import CATCH_ALL, check_control_entry, check_hs_code
from aggregates.denial import Basis
from node import names
from node.errors import BadInput
from node.screening_index import Remembered, ScreeningIndex, codes, identifier_key
from node.service import Node

REQUIRED = "consultation required"
RECOMMENDED = "consultation recommended"
OWN = "own denial"
INACTIVE = "not in force"
_RANK = {REQUIRED: 0, RECOMMENDED: 1, OWN: 2, INACTIVE: 3}
#: Keys held by more rows than this are too common to fetch candidates by (unless nothing rarer).
_COMMON = 2000
_CANDIDATES = 60


@dataclass(frozen=True, slots=True)
class PartyQuery:
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    identifiers: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class ItemQuery:
    control_entry: str | None = None
    hs_code: str | None = None


@dataclass(frozen=True, slots=True)
class Application:
    """What is screened: the parties and items of one licence application."""

    parties: tuple[PartyQuery, ...] = ()
    items: tuple[ItemQuery, ...] = ()
    reference: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "parties": [
                {
                    "name": p.name,
                    "aliases": list(p.aliases),
                    "country": p.country,
                    "identifiers": list(p.identifiers),
                }
                for p in self.parties
            ],
            "items": [{"control_entry": i.control_entry, "hs_code": i.hs_code} for i in self.items],
        }


def party_query(
    name: str,
    *,
    aliases: Sequence[str] = (),
    country: str | None = None,
    identifiers: Sequence[str] = (),
    field: str = "party",
) -> PartyQuery:
    if not name.strip():
        raise BadInput(f"{field}: the name is empty", field=field)
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country.strip()):
        raise BadInput(
            f"{field}.country {country!r} is not a two-letter ISO 3166 code",
            field=f"{field}.country",
        )
    for n, text in enumerate(identifiers):
        if ":" not in text or not text.partition(":")[2].strip():
            raise BadInput(
                f"{field}.identifiers[{n}] {text!r}: expected SCHEME:VALUE (e.g. LEI:5493…)",
                field=f"{field}.identifiers",
            )
    return PartyQuery(
        name=name.strip(),
        aliases=tuple(a.strip() for a in aliases if a.strip()),
        country=country.strip().upper() if country else None,
        identifiers=tuple(identifiers),
    )


def item_query(control_entry: str | None, hs_code: str | None, *, field: str = "item") -> ItemQuery:
    try:
        entry = (
            check_control_entry(control_entry, field=f"{field}.control_entry")
            if control_entry
            else None
        )
        hs = check_hs_code(hs_code, field=f"{field}.hs_code") if hs_code else None
    except Exception as error:  # InvalidField from aggregates.controls
        raise BadInput(str(error), field=getattr(error, "field", field)) from None
    if entry is None and hs is None:
        raise BadInput(f"{field}: give a control entry or an HS code", field=field)
    return ItemQuery(entry, hs)


def application_from_json(data: object) -> Application:
    """A licence application from its JSON form; errors name the field."""
    if not isinstance(data, dict):
        raise BadInput("the application file must hold a JSON object", field="application")
    unknown = set(data) - {"reference", "parties", "items"}
    if unknown:
        raise BadInput(
            f"unknown field {sorted(unknown)[0]!r} in the application", field=sorted(unknown)[0]
        )
    parties, items = data.get("parties", []), data.get("items", [])
    if not isinstance(parties, list) or not isinstance(items, list):
        raise BadInput("parties and items must be lists", field="parties")
    queries = []
    for n, p in enumerate(parties):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise BadInput(f"parties[{n}] needs a name", field=f"parties[{n}].name")
        queries.append(
            party_query(
                p["name"],
                aliases=p.get("aliases", []),
                country=p.get("country"),
                identifiers=p.get("identifiers", []),
                field=f"parties[{n}]",
            )
        )
    item_queries = []
    for n, i in enumerate(items):
        if not isinstance(i, dict):
            raise BadInput(f"items[{n}] must be an object", field=f"items[{n}]")
        item_queries.append(
            item_query(i.get("control_entry"), i.get("hs_code"), field=f"items[{n}]")
        )
    return Application(tuple(queries), tuple(item_queries), str(data.get("reference", "")))


@dataclass
class Hit:
    ref: str
    origin: str
    national_ref: str
    regime: str
    basis: str
    denied_on: str
    valid_until: str
    status: str
    consequence: str
    score: float
    party: dict[str, object] | None
    features: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "origin": self.origin,
            "national_ref": self.national_ref,
            "regime": self.regime,
            "basis": self.basis,
            "denied_on": self.denied_on,
            "valid_until": self.valid_until,
            "status": self.status,
            "consequence": self.consequence,
            "score": round(self.score, 3),
            "party": self.party,
            "features": self.features,
            "explanation": self.explanation,
        }


def screen(
    node: Node,
    application: Application,
    *,
    include_inactive: bool = False,
    threshold: float = names.THRESHOLD,
    limit: int = 50,
) -> dict[str, object]:
    """Every denial held that matches the application, ranked, with what follows from each."""
    if not application.parties and not application.items:
        raise BadInput("nothing to screen: give at least one party or item", field="party")
    views = node.views
    views.catch_up()
    today = node.clock().date()
    count, digest, position = _screened_set(node)
    index = views[ScreeningIndex.name]
    assert isinstance(index, ScreeningIndex)

    remembered = index.remembered
    candidates = _candidates(node, application, remembered, position)
    rows = _rows(node, sorted(candidates))
    total = max(count, 1)
    df = remembered.counts(views, _tokens(application, rows), position)

    weights: dict[str, float] = {}

    def weight(token: str) -> float:
        found = weights.get(token)
        if found is None:
            found = names.token_weight(df.get(token, 0), total) if not _dense(token) else 0.9
            weights[token] = found
        return found

    hits = []
    for row in rows:
        hit = _judge(node, row, application, weight, threshold, today)
        if hit is None or (hit.status != "in force" and not include_inactive):
            continue
        hits.append(hit)
    hits.sort(key=lambda h: (_RANK[h.consequence], -h.score, h.ref))
    return {
        "algorithm": names.ALGORITHM,
        "threshold": threshold,
        "screened_at": node.clock().isoformat(),
        "node": node.config.node_id,
        "screened": {"denials": count, "digest": digest, "log_position": position},
        "application": application.as_dict(),
        "hits": [h.as_dict() for h in hits[:limit]],
        "required": sum(h.consequence == REQUIRED for h in hits),
        "recommended": sum(h.consequence == RECOMMENDED for h in hits),
    }


def _screened_set(node: Node) -> tuple[int, str, int]:
    """How many denials the index holds, a digest of their refs, and the index's log position.

    The digest is kept in a summary table that any change to the index empties; it is
    computed again, under the view's lock, by the first query after a change.
    """
    views = node.views
    cached = views.query("SELECT count, digest, position FROM {t}xcnet_screen_digest")
    if cached:
        count, digest, position = cached[0]
        return int(count), str(digest), int(position)
    with views.writer() as writer:
        position = views.lock(writer, views[ScreeningIndex.name])
        writer.execute("SELECT ref FROM {t}xcnet_screen_denial")
        refs = sorted(_first(row) for row in writer.cursor.fetchall())
        digest = hashlib.sha256("\n".join(refs).encode()).hexdigest()
        writer.execute("DELETE FROM {t}xcnet_screen_digest")
        writer.insert("xcnet_screen_digest", [(position, len(refs), digest)])
    return len(refs), digest, position


def _first(row: Any) -> str:
    return str(row["ref"] if isinstance(row, dict) else row[0])


def _candidates(
    node: Node, application: Application, remembered: Remembered, position: int
) -> dict[str, set[int]]:
    """Denial records worth scoring, with the parties in them that share keys with the query."""
    views = node.views
    wanted: set[str] = set()
    for party in application.parties:
        for name in party.names:
            wanted |= names.index_keys(name)
        wanted |= {identifier_key(i) for i in party.identifiers}
    found: dict[str, set[int]] = defaultdict(set)
    if wanted:
        counts = remembered.counts(views, sorted(wanted), position)
        # A key held by thousands of parties finds nothing worth scoring: a name of only such
        # words ("Global Technology Trading") could not reach the evidence floor anyway.
        chosen = sorted(k for k in counts if counts[k] <= _COMMON)
        total = sum(counts.values()) or 1
        evidence: dict[int, float] = defaultdict(float)
        for key, filed in remembered.postings(views, chosen, position).items():
            weight = 1.0 if key.startswith("id:") else names.token_weight(counts[key], total)
            for code in filed:
                evidence[code] += weight
        ranked = sorted((-e, remembered.party(code)) for code, e in evidence.items())
        for _, (record, index) in ranked[:_CANDIDATES]:
            found[record].add(index)
    if not application.parties:
        codes = sorted({c for i in application.items for c in codes(i.control_entry, i.hs_code)})
        for (record,) in _in(
            views, "SELECT DISTINCT record FROM {t}xcnet_screen_code WHERE code IN ({marks})", codes
        ):
            found.setdefault(record, set())
    return found


def _in(views: Any, statement: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        rows += views.query(statement.replace("{marks}", ", ".join("?" * len(chunk))), chunk)
    return rows


def _rows(node: Node, records: Sequence[str]) -> list[tuple[Any, ...]]:
    return _in(
        node.views, "SELECT * FROM {t}xcnet_screen_denial WHERE record IN ({marks})", list(records)
    )


def _tokens(application: Application, rows: Sequence[tuple[Any, ...]]) -> list[str]:
    texts = [n for p in application.parties for n in p.names]
    for row in rows:
        texts += [n for p in json.loads(row[10]) for n in (p["name"], *p["aliases"])]
    tokens: set[str] = set()
    for text in texts:
        analysed = names.analyze(text)
        if analysed is not None:
            tokens.update(p.comparable for p in analysed.parts)
    return sorted(tokens)


def _dense(token: str) -> bool:
    return bool(token) and is_dense_script(token)


def _judge(
    node: Node,
    row: tuple[Any, ...],
    application: Application,
    weight: names.Weight,
    threshold: float,
    today: date,
) -> Hit | None:
    (
        _,
        ref,
        origin,
        national_ref,
        regime,
        basis,
        ground,
        denied_on,
        valid_until,
        revoked,
        parties_json,
        items_json,
    ) = row
    parties = json.loads(parties_json)
    items = json.loads(items_json)
    if revoked:
        status = "revoked"
    elif date.fromisoformat(denied_on) <= today <= date.fromisoformat(valid_until):
        status = "in force"
    else:
        status = "expired"
    features: list[str] = []
    explanation: list[str] = []
    party_score, matched_party = _match_parties(
        application, parties, weight, threshold, features, explanation
    )
    if application.parties and matched_party is None:
        return None
    item_links = _match_items(application, items, features, explanation)
    if not application.parties and not item_links:
        return None
    same_item = "same" in item_links or "parent/child" in item_links
    if status != "in force":
        consequence = INACTIVE
        explanation.append(f"not a live hit: the denial is {status}")
    elif origin == node.config.node_id:
        consequence = OWN
        explanation.append("this node's own denial: apply it consistently, no consultation")
    elif basis == Basis.LISTED and same_item and matched_party is not None:
        consequence = REQUIRED
        explanation.append(
            f"{origin} denied the same party for the same or a parent/child control entry on "
            f"{denied_on}, in force until {valid_until}: consult {origin} before granting"
        )
    else:
        consequence = RECOMMENDED
        why = (
            "a catch-all denial"
            if basis == Basis.CATCH_ALL
            else "similar items"
            if item_links
            else "the same party"
        )
        explanation.append(f"{origin}'s denial concerns {why}: consulting {origin} is recommended")
    score = party_score if application.parties else 0.0
    if ground:
        features.append(f"ground: {ground}")
    return Hit(
        ref=ref,
        origin=origin,
        national_ref=national_ref,
        regime=regime,
        basis=basis,
        denied_on=denied_on,
        valid_until=valid_until,
        status=status,
        consequence=consequence,
        score=score,
        party=matched_party,
        features=features,
        explanation=explanation,
    )


def _match_parties(
    application: Application,
    parties: list[dict[str, Any]],
    weight: names.Weight,
    threshold: float,
    features: list[str],
    explanation: list[str],
) -> tuple[float, dict[str, object] | None]:
    best: tuple[float, dict[str, object] | None, list[str], list[str]] = (0.0, None, [], [])
    for query in application.parties:
        for party in parties:
            found: list[str] = []
            why: list[str] = []
            score = 0.0
            shared = {identifier_key(i) for i in query.identifiers} & {
                identifier_key(i) for i in party["identifiers"]
            }
            if shared:
                score = 1.0
                found.append("identifier")
                why.append(
                    "identifier " + ", ".join(sorted(s[3:] for s in shared)) + " is the same"
                )
            match = names.best_match(query.names, (party["name"], *party["aliases"]), weight)
            if (
                match is not None
                and match.score >= threshold
                and match.evidence >= names.MIN_EVIDENCE
            ):
                score = max(score, match.score)
                found.append("alias" if match.matched != party["name"] else "name")
                if match.legal_form:
                    found.append("legal form")
                why.append(f"name {match.score:.2f}: {match.explain()}")
            elif match is not None and found:
                why.append(
                    f"name {match.score:.2f} below the threshold {threshold}: {match.explain()}"
                )
            if not found:
                continue
            if query.country and party["country"]:
                if query.country == party["country"]:
                    found.append("country")
                    why.append(f"country {party['country']} is the same")
                else:
                    score -= 0.1
                    why.append(
                        f"country differs ({query.country} vs {party['country']}): score less 0.10"
                    )
            if score > best[0]:
                best = (score, party, found, why)
    features.extend(best[2])
    explanation.extend(best[3])
    return best[0], best[1]


def _match_items(
    application: Application,
    items: list[dict[str, Any]],
    features: list[str],
    explanation: list[str],
) -> set[str]:
    links: set[str] = set()
    for query in application.items:
        for item in items:
            entry = item["control_entry"]
            if query.control_entry and entry != CATCH_ALL:
                q, d = query.control_entry.split("."), entry.split(".")
                if q == d:
                    links.add("same")
                    features.append("control entry")
                    explanation.append(f"control entry {entry} is the same")
                elif q[: len(d)] == d or d[: len(q)] == q:
                    links.add("parent/child")
                    features.append("control entry")
                    explanation.append(
                        f"control entry {query.control_entry} and {entry} are parent and child"
                    )
                elif q[0][:2] == d[0][:2] and not q[0].startswith("ML"):
                    links.add("similar")
                    features.append("similar control entry")
                    explanation.append(
                        f"control entries {query.control_entry} and {entry} share category and group {d[0][:2]}"
                    )
            if query.hs_code and item["hs_code"]:
                q_digits, d_digits = (
                    re.sub(r"\D", "", query.hs_code),
                    re.sub(r"\D", "", item["hs_code"]),
                )
                if q_digits[:6] == d_digits[:6]:
                    links.add("similar")
                    features.append("HS code")
                    explanation.append(f"HS subheading {item['hs_code']} is the same")
                elif q_digits[:4] == d_digits[:4]:
                    links.add("similar")
                    features.append("HS heading")
                    explanation.append(f"HS heading {d_digits[:4]} is the same")
    return links


def consultation_from_result(result: object, hit: int | None = None) -> tuple[str, str, str]:
    """The denial ref, match explanation and application summary to consult on, from a
    screening result (the JSON `xcnet screen --json` prints): hit number `hit` (1-based), or
    the first hit that requires a consultation."""
    if not isinstance(result, dict) or not isinstance(result.get("hits"), list):
        raise BadInput(
            "from_screening is not a screening result: expected the JSON of `xcnet screen --json`",
            field="from_screening",
        )
    hits: list[dict[str, Any]] = result["hits"]
    if hit is not None:
        if not 1 <= hit <= len(hits):
            raise BadInput(f"hit {hit}: the result has {len(hits)} hits", field="hit")
        chosen = hits[hit - 1]
    else:
        required = [h for h in hits if h.get("consequence") == REQUIRED]
        if not required:
            raise BadInput(
                "from_screening: no hit in this result requires a consultation (choose one with --hit)",
                field="from_screening",
            )
        chosen = required[0]
    if chosen.get("consequence") in (OWN, INACTIVE):
        raise BadInput(
            f"hit {hit}: {chosen.get('consequence')}: there is no partner to consult",
            field="hit",
        )
    screened = result.get("screened", {})
    explanation = "\n".join(
        [
            f"screening hit, score {chosen.get('score')}, {chosen.get('consequence')}; "
            f"features: {', '.join(chosen.get('features', []))}",
            *chosen.get("explanation", []),
            f"algorithm {result.get('algorithm')}, threshold {result.get('threshold')}, "
            f"screened at {result.get('screened_at')} by {result.get('node')} over "
            f"{screened.get('denials')} denials, set digest {screened.get('digest')}",
        ]
    )
    application = result.get("application", {})
    parties = ", ".join(p.get("name", "") for p in application.get("parties", []))
    items = ", ".join(
        i.get("control_entry") or i.get("hs_code") or "" for i in application.get("items", [])
    )
    summary = f"licence application {application.get('reference') or ''}".strip()
    summary += f": parties {parties or '-'}; items {items or '-'}"
    return str(chosen.get("ref", "")), explanation, summary
