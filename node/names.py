"""Party-name matching on rigour, the name library under OpenSanctions' matcher.

rigour analyses a name into parts (tokenised, latinised where the script allows, legal forms
such as OOO, LLC and Co. Ltd tagged and mapped to one symbol) and scores the residue of two
part lists with a transliteration-aware edit cost (`compare_parts`). This module adds three
things around it: index keys for finding candidates in the store, an order-free pairing of
parts before `compare_parts` (which aligns in sequence, so "Petrov Ivan" would not meet
"Ivan Petrov"), and weights from how common each token is among the parties held, so that a
generic word ("trading", "technology") counts for little and a short generic name cannot
reach the threshold on its own.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version

from rapidfuzz.distance import JaroWinkler
from rigour.names import Name, NamePart, NamePartTag, NameTypeTag, analyze_names
from rigour.names.compare import Alignment, compare_parts
from rigour.text.scripts import is_dense_script

ALGORITHM = f"xcnet-names/1 (rigour {version('rigour')}, rapidfuzz {version('rapidfuzz')})"
#: A party whose best name scores at least this is a hit (see README, "Screening quality").
THRESHOLD = 0.75
#: The matched tokens together must carry at least this much weight: one generic word is not enough.
MIN_EVIDENCE = 0.7

Weight = Callable[[str], float]
_SKIP = (NamePartTag.LEGAL, NamePartTag.STOP)
#: Words of company names that say what kind of company, not which (beyond rigour's legal
#: forms): they are compared, at a tenth of a word's weight, but never used to find candidates.
_GENERIC_WORDS = """
    co company companies corp corporation inc incorporated limited ltd private pvt plc llp
    establishment est enterprise enterprises sanayi ticaret san tic ve anonymi etaireia
    as ae sa ag kg gmbh bv nv srl spa pte pt bhd sdn doo jsc ojsc cjsc pjsc ooo zao oao ao
    fze fzco fzc llc obshchestvo ogranichennoy otvetstvennostyu aktsionernoye publichnoye
    zakrytoye otkrytoye tovarishchestvo
"""
GENERIC = frozenset(_GENERIC_WORDS.split())
_MINOR = 0.1
#: Words rigour recognises as an industry, a place or a common descriptor ("technology",
#: "trading", "international", "research", a city) weigh this much of a distinctive word.
_DESCRIPTIVE = 0.4
#: A shortened word ("Tic." for "Ticaret", "Intl" for "International") scores this against
#: the word it begins.
_ABBREVIATION = 0.85
#: Two spellings of one word that sound alike (transliteration drift) score at least this.
_SOUND = 0.9


@functools.lru_cache(maxsize=65536)
def analyze(name: str) -> Name | None:
    """The analysed form of one name, or None when nothing matchable is left."""
    # ORG analysis for every party: it tags legal forms, and a person's name comes through it
    # as plain parts. (ENT would add person-name symbols, but loading their tagger takes
    # seconds, too long for a command-line screening.)
    names = analyze_names(NameTypeTag.ORG, [name], consolidate=False)
    return max(names, key=lambda n: len(n.parts), default=None)


def minor(part: NamePart) -> bool:
    """Whether a part is a legal form, a stop word or a generic company word."""
    return part.tag in _SKIP or part.comparable in GENERIC


def parts(name: Name) -> list[NamePart]:
    """The parts that identify: legal forms, stop words and generic words are left out."""
    kept = [p for p in name.parts if not minor(p)]
    return kept or list(name.parts)


def legal_forms(name: Name) -> frozenset[str]:
    return frozenset(str(s) for s in name.symbols if str(s).startswith("[ORGCLS:"))


def index_keys(name: str) -> set[str]:
    """Keys under which a name is filed: tokens, sound-alikes, joined neighbours, script bigrams."""
    analysed = analyze(name)
    if analysed is None:
        return set()
    keys: set[str] = set()
    every = [p.comparable for p in analysed.parts]
    for left, right in itertools.pairwise(every):
        keys.add(left + right)
    for part in parts(analysed):
        token = part.comparable
        if is_dense_script(token):
            keys.update("c:" + token[i : i + 2] for i in range(max(1, len(token) - 1)))
            continue
        if len(token) >= 2:
            keys.add(token)
        sound = part.metaphone
        if sound and len(sound) >= 2:
            keys.add("m:" + sound)
            if len(sound) >= 5:
                keys.add("q:" + sound[:4])
    return keys


def token_weight(df: int, total: int) -> float:
    """Inverse document frequency on a 0-1 scale, smoothed so a small store is not all rare."""
    n = total + 50
    return max(0.05, math.log(n / (df + 1)) / math.log(n))


@dataclass(frozen=True, slots=True)
class NameMatch:
    score: float
    evidence: float
    query: str
    matched: str
    pairs: tuple[tuple[str, str, float], ...]
    legal_form: str

    def explain(self) -> str:
        aligned = ", ".join(f"{q or '-'}~{c or '-'} {s:.2f}" for q, c, s in self.pairs)
        legal = f"; legal form {self.legal_form}" if self.legal_form else ""
        return f"{self.query!r} vs {self.matched!r}: {aligned}{legal}"


@dataclass(frozen=True, slots=True)
class _Profile:
    """What `compare` needs of one name, worked out once per name."""

    parts: list[NamePart]
    described: frozenset[str]
    legal_forms: frozenset[str]
    all_minor: bool


@functools.lru_cache(maxsize=65536)
def _profile(name: str) -> _Profile | None:
    analysed = analyze(name)
    if analysed is None:
        return None
    every = list(analysed.parts)
    return _Profile(
        every, frozenset(_described(analysed)), legal_forms(analysed), all(minor(p) for p in every)
    )


def compare(query: str, candidate: str, weight: Weight) -> NameMatch | None:
    """Score one query name against one candidate name (0-1), with the aligned tokens."""
    q, c = _profile(query), _profile(candidate)
    if q is None or c is None or q.all_minor:
        return None
    q_parts = q.parts
    c_parts = _reorder(q_parts, c.parts)

    described = q.described | c.described

    def part_weight(part: NamePart) -> float:
        if minor(part):
            return _MINOR
        return weight(part.comparable) * (_DESCRIPTIVE if part.comparable in described else 1.0)

    total = matched = 0.0
    pairs = []
    for q_side, c_side, score in _abbreviations(compare_parts(q_parts, c_parts)):
        w = max(sum(map(part_weight, q_side)), sum(map(part_weight, c_side)))
        total += w
        matched += w * score
        pairs.append(
            (
                " ".join(p.comparable for p in q_side),
                " ".join(p.comparable for p in c_side),
                round(score, 3),
            )
        )
    if total <= 0:
        return None
    forms = q.legal_forms & c.legal_forms
    return NameMatch(
        score=matched / total,
        evidence=matched,
        query=query,
        matched=candidate,
        pairs=tuple(pairs),
        legal_form=", ".join(sorted(f.strip("[]").partition(":")[2] for f in forms)),
    )


def best_match(
    queries: Sequence[str], candidates: Iterable[str], weight: Weight
) -> NameMatch | None:
    """The best-scoring pair of a query name and a candidate name."""
    best: NameMatch | None = None
    for candidate in candidates:
        for query in queries:
            found = compare(query, candidate, weight)
            if found and (
                best is None or (found.score, found.evidence) > (best.score, best.evidence)
            ):
                best = found
    return best


def _reorder(query: list[NamePart], candidate: list[NamePart]) -> list[NamePart]:
    """The candidate's parts in the order of the query parts they resemble most (greedy)."""
    left = list(candidate)
    ordered: list[NamePart] = []
    for q in query:
        if not left:
            break
        scores = [JaroWinkler.similarity(q.comparable, c.comparable) for c in left]
        best = max(range(len(left)), key=scores.__getitem__)
        if scores[best] >= 0.7:
            ordered.append(left.pop(best))
    return ordered + left


def _described(name: Name) -> set[str]:
    """Tokens rigour tags with an industry, place or descriptor symbol (not legal forms)."""
    return {
        part.comparable
        for span in name.spans
        if not str(span.symbol).startswith("[ORGCLS:")
        for part in span.parts
    }


def _sounds_alike(query: Sequence[NamePart], candidate: Sequence[NamePart]) -> float:
    """_SOUND for one word against one word whose metaphone keys agree (one beginning the
    other, three letters at least: "Mikrosistemy" MKRSSTM, "Microsystems" MKRSSTMS) and whose
    spellings are close (Jaro-Winkler 0.8: not "Xing" against "Xinkai"), else 0."""
    if len(query) != 1 or len(candidate) != 1:
        return 0.0
    short, long = sorted((query[0].metaphone or "", candidate[0].metaphone or ""), key=len)
    if len(short) < 3 or not long.startswith(short):
        return 0.0
    spelled = JaroWinkler.similarity(query[0].comparable, candidate[0].comparable)
    return _SOUND if spelled >= 0.8 else 0.0


def _abbreviations(
    alignments: Sequence[Alignment],
) -> list[tuple[list[NamePart], list[NamePart], float]]:
    """The alignments as (query parts, candidate parts, score), with a query word left alone
    paired to a candidate word left alone when one begins the other (three letters at least)."""
    paired = [
        (list(al.qps), list(al.rps), max(al.score, _sounds_alike(al.qps, al.rps)))
        for al in alignments
        if al.qps and al.rps
    ]
    q_solo = [p for al in alignments if not al.rps for p in al.qps]
    c_solo = [p for al in alignments if not al.qps for p in al.rps]
    for q in list(q_solo):
        for c in c_solo:
            short, long = sorted((q.comparable, c.comparable), key=len)
            if len(short) >= 3 and long.startswith(short):
                paired.append(([q], [c], _ABBREVIATION))
                q_solo.remove(q)
                c_solo.remove(c)
                break
    return paired + [([q], [], 0.0) for q in q_solo] + [([], [c], 0.0) for c in c_solo]
