"""The review board: where every assessment held stands in peer review, and `review status`.

The board is a read model over assessments and peer reviews, own and replicated, and over the
assistance requests drafted from a review's recommendation (their follow-up). It keeps one row
per assessment, sealed version, reviewer asked, answer to a finding, review, recommendation,
follow-up request, and rating (a member's self-rating of a sealed version's cell, or a
reviewer's proposed rating of it).

A recommendation stays open until an assistance request drafted from it has been delivered
("addressed"); an open one is overdue once its due date has passed on the node's clock. A
reviewer asked to review a version is overdue when the request's due date has passed before
their review is signed off and the version's review is concluded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from aggregates.assessment import Assessment
from aggregates.assistance_request import DELIVERED, AssistanceRequest
from aggregates.base import RecordRef, check_node_id
from aggregates.member import Member, roster_id
from aggregates.peer_review import PeerReview
from aggregates.template import CELLS
from node.errors import BadInput, NotFound
from node.views import ReadModel, Row

if TYPE_CHECKING:
    from node.service import Node

Record = dict[str, Any]
SIGNED_OFF, IN_PROGRESS, NOT_OPENED = "signed off", "in progress", "not opened"
OPEN, OVERDUE, ADDRESSED = "open", "overdue", "addressed"


class ReviewBoard(ReadModel):
    name = "reviews"
    kinds = (Assessment, PeerReview, AssistanceRequest)
    tables: ClassVar[dict[str, str]] = {
        "xcnet_review_assessment": (
            "record TEXT PRIMARY KEY, ref TEXT NOT NULL, origin TEXT NOT NULL, "
            "cycle TEXT NOT NULL, status TEXT NOT NULL, audience TEXT NOT NULL, "
            "opened_at TEXT, withdrawn_at TEXT"
        ),
        "xcnet_review_version": (
            "record TEXT NOT NULL, version INTEGER NOT NULL, digest TEXT NOT NULL, "
            "record_version INTEGER NOT NULL, sealed_at TEXT NOT NULL, concluded_at TEXT, "
            "PRIMARY KEY (record, version)"
        ),
        "xcnet_review_asked": (
            "record TEXT NOT NULL, version INTEGER NOT NULL, reviewer TEXT NOT NULL, "
            "due TEXT NOT NULL, asked_at TEXT NOT NULL, PRIMARY KEY (record, version, reviewer)"
        ),
        "xcnet_review_answer": (
            "record TEXT NOT NULL, seq INTEGER NOT NULL, review TEXT NOT NULL, "
            "review_ref TEXT NOT NULL, cell TEXT NOT NULL, answer TEXT NOT NULL, "
            "answered_at TEXT NOT NULL, PRIMARY KEY (record, seq)"
        ),
        "xcnet_review_review": (
            "record TEXT PRIMARY KEY, ref TEXT NOT NULL, origin TEXT NOT NULL, "
            "assessment TEXT NOT NULL, assessment_ref TEXT NOT NULL, "
            "sealed_version INTEGER NOT NULL, opened_at TEXT, signed_off_at TEXT, "
            "signed_off_by TEXT, digest TEXT, counts TEXT NOT NULL"
        ),
        "xcnet_review_recommendation": (
            "record TEXT NOT NULL, number INTEGER NOT NULL, assessment TEXT NOT NULL, "
            "cell TEXT NOT NULL, priority TEXT NOT NULL, action TEXT NOT NULL, "
            "due TEXT NOT NULL, issued_at TEXT NOT NULL, PRIMARY KEY (record, number)"
        ),
        "xcnet_review_followup": (
            "record TEXT PRIMARY KEY, ref TEXT NOT NULL, origin TEXT NOT NULL, "
            "reference TEXT NOT NULL, status TEXT NOT NULL, review TEXT NOT NULL, "
            "number INTEGER NOT NULL, delivered_on TEXT"
        ),
        "xcnet_review_rating": (
            "record TEXT NOT NULL, assessment TEXT NOT NULL, version INTEGER NOT NULL, "
            "rater TEXT NOT NULL, cell TEXT NOT NULL, rating TEXT NOT NULL, "
            "PRIMARY KEY (record, version, cell)"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS xcnet_review_review_of ON {t}xcnet_review_review (assessment)",
        "CREATE INDEX IF NOT EXISTS xcnet_review_rec_of ON {t}xcnet_review_recommendation (assessment)",
        "CREATE INDEX IF NOT EXISTS xcnet_review_rec_due ON {t}xcnet_review_recommendation (due)",
        "CREATE INDEX IF NOT EXISTS xcnet_review_rating_of ON {t}xcnet_review_rating (assessment)",
        "CREATE INDEX IF NOT EXISTS xcnet_review_followup_of ON {t}xcnet_review_followup (review)",
    )

    def rows(self, records: Sequence[tuple[Aggregate, RecordRef]]) -> dict[str, list[Row]]:
        rows: dict[str, list[Row]] = defaultdict(list)
        for record, ref in records:
            if isinstance(record, Assessment):
                _assessment_rows(record, ref, rows)
            elif isinstance(record, PeerReview):
                _review_rows(record, ref, rows)
            elif isinstance(record, AssistanceRequest) and record.source is not None:
                rows["followup"].append(
                    (
                        str(record.id),
                        str(ref),
                        ref.origin,
                        record.reference,
                        record.status,
                        str(record.source.review.aggregate_id),
                        record.source.number,
                        None
                        if record.delivery is None
                        else record.delivery.delivered_on.isoformat(),
                    )
                )
        return {table: rows[table.removeprefix("xcnet_review_")] for table in self.tables}


def _assessment_rows(assessment: Assessment, ref: RecordRef, rows: dict[str, list[Row]]) -> None:
    rid = str(assessment.id)
    rows["assessment"].append(
        (
            rid,
            str(ref),
            assessment.origin,
            assessment.cycle,
            assessment.status,
            json.dumps(list(assessment.audience)),
            None if assessment.opened_at is None else assessment.opened_at.isoformat(),
            None if assessment.withdrawn_at is None else assessment.withdrawn_at.isoformat(),
        )
    )
    for number, sealed in sorted(assessment.sealed.items()):
        concluded = assessment.conclusions.get(number)
        rows["version"].append(
            (
                rid,
                number,
                sealed.digest.hex(),
                sealed.record_version,
                sealed.at.isoformat(),
                None if concluded is None else concluded.at.isoformat(),
            )
        )
        rows["rating"].extend(
            (rid, rid, number, assessment.origin, cell, sealed.cells[cell].rating)
            for cell in CELLS
            if cell in sealed.cells and sealed.cells[cell].rating
        )
    asked = {
        (request.version, reviewer): request
        for request in reversed(assessment.requests)
        for reviewer in request.reviewers
    }
    rows["asked"].extend(
        (rid, version, reviewer, request.due.isoformat(), request.at.isoformat())
        for (version, reviewer), request in sorted(asked.items())
    )
    rows["answer"].extend(
        (rid, n, str(a.review.aggregate_id), str(a.review), a.cell, a.answer, a.at.isoformat())
        for n, a in enumerate(assessment.answers, 1)
    )


def _review_rows(review: PeerReview, ref: RecordRef, rows: dict[str, list[Row]]) -> None:
    rid, target = str(review.id), str(review.assessment.aggregate_id)
    counts = {
        "comments": len(review.comments),
        "dissents": len(review.dissents),
        "interests": len(review.interests),
        "ratings": len(review.ratings),
        "recommendations": len(review.recommendations),
    }
    rows["review"].append(
        (
            rid,
            str(ref),
            review.origin,
            target,
            str(review.assessment),
            review.sealed_version,
            None if review.opened_at is None else review.opened_at.isoformat(),
            None if review.signed_off_at is None else review.signed_off_at.isoformat(),
            review.signed_off_by or None,
            review.digest.hex() or None,
            json.dumps(counts, sort_keys=True),
        )
    )
    rows["recommendation"].extend(
        (rid, r.number, target, r.cell, r.priority, r.action, r.due.isoformat(), r.at.isoformat())
        for r in review.recommendations
    )
    rows["rating"].extend(
        (rid, target, review.sealed_version, review.origin, cell, review.ratings[cell].rating)
        for cell in CELLS
        if cell in review.ratings
    )


# Querying ----------------------------------------------------------------------------------------


def status(node: Node, *, assessment: str | None = None, member: str | None = None) -> Record:
    """Where each assessment held stands in peer review, as of the node's clock."""
    views = node.views
    views.catch_up()
    now = node.clock()
    where, params = [], []
    if member is not None:
        where.append("origin = ?")
        params.append(check_node_id(member.strip(), field="member"))
    if assessment is not None:
        found = find(node, assessment)
        if member is not None and found[1] != member.strip():
            raise BadInput(
                f"assessment {assessment!r} is {found[1]}'s, not {member.strip()}'s", field="member"
            )
        where.append("record = ?")
        params.append(found[0])
    rows = views.query(
        "SELECT record, ref, origin, cycle, status, audience, opened_at, withdrawn_at "
        "FROM {t}xcnet_review_assessment"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY origin, cycle",
        params,
    )
    return {
        "as_of": now.isoformat(),
        "node": node.config.node_id,
        "log_position": views.position(ReviewBoard.name),
        "assessments": [_assessment(node, row, now.date()) for row in rows],
    }


def find(node: Node, text: str) -> tuple[str, str]:
    """(record id, member) of an assessment held: by ref, UUID, ORIGIN/CYCLE or CYCLE (own first)."""
    spec = text.strip()
    select = "SELECT record, origin FROM {t}xcnet_review_assessment WHERE "
    views = node.views
    if "#" in spec or "@" in spec:
        ref = RecordRef.parse(spec, field="assessment")
        rows = views.query(select + "record = ?", (str(ref.aggregate_id),))
        if rows:
            try:
                held = node.ref(ref.aggregate_id, ref.version)
            except NotFound:
                raise NotFound(
                    f"assessment: version {ref.version} of {spec} is not held here",
                    field="assessment",
                ) from None
            if held != ref:
                raise BadInput(
                    f"assessment {spec} does not match the record held here ({held})",
                    field="assessment",
                )
    else:
        origin, sep, rest = spec.rpartition("/")
        try:
            record: UUID | None = UUID(rest)
        except ValueError:
            record = None
        if record is not None:
            rows = views.query(select + "record = ?", (str(record),))
        elif sep:
            rows = views.query(select + "origin = ? AND cycle = ?", (origin, rest))
        else:
            own = views.query(select + "origin = ? AND cycle = ?", (node.config.node_id, rest))
            rows = own or views.query(select + "cycle = ? ORDER BY origin", (rest,))
    if not rows:
        raise NotFound(
            f"assessment: no assessment {spec!r} is held here: see `xcnet assessment list`",
            field="assessment",
        )
    if len(rows) > 1:
        raise BadInput(
            f"assessment: {len(rows)} assessments are called {spec!r} "
            f"({', '.join(str(r[1]) for r in rows)}): give ORIGIN/CYCLE",
            field="assessment",
        )
    return str(rows[0][0]), str(rows[0][1])


def _assessment(node: Node, row: Row, today: date) -> Record:
    rid, ref, member, cycle, state, audience, opened_at, withdrawn_at = row
    views = node.views
    versions: dict[int, Record] = {}
    numbers: dict[int, int] = {}
    for number, digest, record_version, sealed_at, concluded_at in views.query(
        "SELECT version, digest, record_version, sealed_at, concluded_at "
        "FROM {t}xcnet_review_version WHERE record = ? ORDER BY version",
        (rid,),
    ):
        numbers[int(record_version)] = int(number)
        versions[int(number)] = {
            "version": int(number),
            "digest": digest,
            "ref": str(node.ref(UUID(rid), int(record_version))),
            "sealed_at": sealed_at,
            "concluded_at": concluded_at,
            "reviewers": [],
            "matrix": [],
        }
    reviews = [_review(node, r, numbers) for r in _query_reviews(node, rid)]
    by_reviewer = {(r["version"], r["reviewer"]): r for r in reviews}
    for number, reviewer, due, asked_at in views.query(
        "SELECT version, reviewer, due, asked_at FROM {t}xcnet_review_asked "
        "WHERE record = ? ORDER BY version, reviewer",
        (rid,),
    ):
        version = versions[int(number)]
        review = by_reviewer.get((int(number), reviewer))
        progress = NOT_OPENED if review is None else review["status"]
        if review is not None:
            review["requested"] = True
        version["reviewers"].append(
            {
                "reviewer": reviewer,
                "due": due,
                "asked_at": asked_at,
                "review": None if review is None else review["id"],
                "status": progress,
                "overdue": progress != SIGNED_OFF
                and version["concluded_at"] is None
                and date.fromisoformat(due) < today,
            }
        )
    _matrices(node, rid, member, versions)
    recommendations = _recommendations(node, rid, reviews, today)
    return {
        "id": rid,
        "ref": ref,
        "member": member,
        "cycle": cycle,
        "status": state,
        "audience": json.loads(audience),
        "opened_at": opened_at,
        "withdrawn_at": withdrawn_at,
        "versions": [versions[v] for v in sorted(versions)],
        "reviews": reviews,
        "recommendations": recommendations,
        "summary": {
            "reviews": len(reviews),
            "signed_off": sum(r["status"] == SIGNED_OFF for r in reviews),
            "open_recommendations": sum(r["status"] != ADDRESSED for r in recommendations),
            "overdue_recommendations": sum(r["status"] == OVERDUE for r in recommendations),
            "addressed_recommendations": sum(r["status"] == ADDRESSED for r in recommendations),
        },
    }


def _query_reviews(node: Node, assessment: str) -> list[Row]:
    return node.views.query(
        "SELECT record, ref, origin, assessment_ref, sealed_version, opened_at, signed_off_at, "
        "signed_off_by, digest, counts FROM {t}xcnet_review_review WHERE assessment = ? "
        "ORDER BY origin, sealed_version, record",
        (assessment,),
    )


def _review(node: Node, row: Row, numbers: dict[int, int]) -> Record:
    """A review; its version is the sealed version its assessment ref names (as held here)."""
    rid, ref, reviewer, target, sealed_version, opened_at, signed_at, signed_by, digest, counts = (
        row
    )
    version = numbers.get(RecordRef.parse(target).version, int(sealed_version))
    signed = None
    if signed_at is not None:
        name = _official(node, reviewer, signed_by)
        signed = {"by": signed_by, "name": name, "at": signed_at, "digest": digest}
    return {
        "id": rid,
        "ref": ref,
        "reviewer": reviewer,
        "version": version,
        "assessment": target,
        "requested": False,
        "opened_at": opened_at,
        "status": IN_PROGRESS if signed is None else SIGNED_OFF,
        "signed_off": signed,
        **json.loads(counts),
    }


def _official(node: Node, origin: str, key_id: str) -> str | None:
    """The name of the official who holds a key, when the member's roster is held here."""
    try:
        roster = node.get(roster_id(origin), Member)
    except NotFound:
        return None
    official = roster.officials.get(key_id)
    return None if official is None else official.name


def _matrices(node: Node, rid: str, member: str, versions: dict[int, Record]) -> None:
    """Each version's cells: the member's own rating against each reviewer's proposed rating."""
    cells: dict[int, dict[str, Record]] = defaultdict(dict)
    for version, rater, cell, rating in node.views.query(
        "SELECT version, rater, cell, rating FROM {t}xcnet_review_rating WHERE assessment = ? "
        "ORDER BY version, rater",
        (rid,),
    ):
        entry = cells[int(version)].setdefault(cell, {"cell": cell, "own": None, "reviewers": {}})
        if rater == member:
            entry["own"] = rating
        else:
            entry["reviewers"][rater] = rating
    for version, by_cell in cells.items():
        if version not in versions:
            continue
        matrix = [by_cell[cell] for cell in CELLS if cell in by_cell]
        for entry in matrix:
            entry["differs"] = sorted(
                r for r, rating in entry["reviewers"].items() if rating != entry["own"]
            )
        versions[version]["matrix"] = matrix


def _recommendations(node: Node, rid: str, reviews: list[Record], today: date) -> list[Record]:
    views = node.views
    by_review = {r["id"]: r for r in reviews}
    answers: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for review, cell, answer, at in views.query(
        "SELECT review, cell, answer, answered_at FROM {t}xcnet_review_answer WHERE record = ? "
        "ORDER BY seq",
        (rid,),
    ):
        answers[(review, cell)].append({"answer": answer, "at": at})
    followups: dict[tuple[str, int], list[Record]] = defaultdict(list)
    for review, number, ref, origin, reference, state, delivered_on in views.query(
        "SELECT f.review, f.number, f.ref, f.origin, f.reference, f.status, f.delivered_on "
        "FROM {t}xcnet_review_followup f JOIN {t}xcnet_review_review r ON r.record = f.review "
        "WHERE r.assessment = ? ORDER BY f.ref",
        (rid,),
    ):
        followups[(review, int(number))].append(
            {"ref": ref, "origin": origin, "reference": reference, "status": state,
             "delivered_on": delivered_on}
        )  # fmt: skip
    found = []
    for review, number, cell, priority, action, due, issued_at in views.query(
        "SELECT record, number, cell, priority, action, due, issued_at "
        "FROM {t}xcnet_review_recommendation WHERE assessment = ? ORDER BY due, record, number",
        (rid,),
    ):
        if review not in by_review:
            continue
        assistance = followups.get((review, int(number)), [])
        late = (today - date.fromisoformat(due)).days
        if any(f["status"] == DELIVERED for f in assistance):
            state = ADDRESSED
        else:
            state = OVERDUE if late > 0 else OPEN
        found.append(
            {
                "review": review,
                "reviewer": by_review[review]["reviewer"],
                "version": by_review[review]["version"],
                "number": int(number),
                "cell": cell,
                "priority": priority,
                "action": action,
                "due": due,
                "issued_at": issued_at,
                "status": state,
                "days_overdue": late if state == OVERDUE else 0,
                "answers": answers.get((review, cell), []),
                "assistance": assistance,
            }
        )
    return found
