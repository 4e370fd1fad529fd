from __future__ import annotations

from datetime import date

import pytest

from aggregates.base import RuleViolated
from node import assessments, reviews
from node.ingest import ingest
from node.peers import make_peer, save_peers
from node.replication import page_for
from node.service import Node
from protocol.crypto import fingerprint
from protocol.envelope import parse
from tests.conftest import NodeFactory

DUE = date(2027, 3, 31)


def pin(node: Node, *others: Node) -> None:
    peers = node.peers()
    for other in others:
        peers[other.config.node_id] = make_peer(
            other.config.node_id, fingerprint(other.node_key.public_key)
        )
    save_peers(node.config.home, peers)


def replicate(source: Node, target: Node) -> None:
    """Everything `source` may give `target`, taken in by `target` (less target's own records)."""
    page = page_for(source, target.config.node_id, 0, 10_000).records
    records = [s for _, s in page if parse(s).header.origin != target.config.node_id]
    report = ingest(target, records, source=source.config.node_id)
    assert not report.refused, report.refused


@pytest.fixture
def pair(make_node: NodeFactory) -> tuple[Node, Node]:
    jp, kr = make_node("jp"), make_node("kr")
    pin(jp, kr)
    pin(kr, jp)
    jp.add_official("Tanaka Yuki", ("policy",))
    kr.add_official("Lee Min-jun", ("reviewer",))
    assessments.open_assessment(jp, "2026", audience=("jp", "kr"))
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column, rating in (("LAW", "C"), ("INST", "LC"), ("PROC", "MODERATE")):
            cell = f"{row}.{column}"
            assessments.draft_cell(jp, "2026", cell, f"{cell}.", rating=rating, rationale="r")
    return jp, kr


def test_a_reviewer_node_reviews_the_replicated_sealed_version_and_the_assessor_concludes(
    pair: tuple[Node, Node],
) -> None:
    jp, kr = pair
    assessment, sealed = assessments.seal(jp, "2026")
    assessments.request_review(jp, "2026", reviewers=("kr",), due=DUE)
    replicate(jp, kr)

    ref = assessments.sealed_ref(jp, assessment, sealed.number)
    review = reviews.open_review(kr, str(ref), interest="No conflict of interest.")
    assert (review.assessment, review.version_digest) == (ref, sealed.digest)
    assert review.audience == ("jp", "kr")
    reviews.rate(kr, str(review.id), "ENF.PROC", "LOW", "No prosecutions in five years.")
    signed = reviews.sign_off(kr, str(review.id)[:8])
    assert signed.digest == reviews.review_digest(signed)

    with pytest.raises(RuleViolated, match="from kr"):
        assessments.conclude(jp, "2026")
    replicate(kr, jp)
    assessments.answer(jp, "2026", "kr", "ENF.PROC", "Two cases are before the courts.")
    concluded, conclusion = assessments.conclude(jp, "2026")
    assert conclusion.reviews == (kr.ref(review.id),)
    assert concluded.status == "concluded"
    assert jp.verify().ok and kr.verify().ok


def test_a_replicated_assessment_is_reviewed_only_at_a_sealed_version(
    pair: tuple[Node, Node],
) -> None:
    jp, kr = pair
    assessments.seal(jp, "2026")
    assessments.request_review(jp, "2026", reviewers=("kr",), due=DUE)
    replicate(jp, kr)
    unsealed = kr.ref(assessments.locate(jp, "2026"), 3)
    with pytest.raises(RuleViolated, match="not a sealed version") as refused:
        reviews.open_review(kr, str(unsealed))
    assert refused.value.field == "assessment"
    by_cycle = reviews.open_review(kr, "jp/2026")
    assert by_cycle.sealed_version == 1


def test_a_review_request_sends_the_whole_history_of_a_private_assessment_to_the_reviewer(
    make_node: NodeFactory,
) -> None:
    jp, kr = make_node("jp"), make_node("kr")
    pin(jp, kr)
    pin(kr, jp)
    jp.add_official("Tanaka Yuki", ("policy",))
    assessments.open_assessment(jp, "2026")
    for row in ("LEG", "ENF", "GIR", "REG"):
        for column in ("LAW", "INST", "PROC"):
            rating = "MODERATE" if column == "PROC" else "C"
            assessments.draft_cell(jp, "2026", f"{row}.{column}", "x", rating=rating, rationale="r")
    assessments.seal(jp, "2026")
    assessments.request_review(jp, "2026", reviewers=("kr",), due=DUE)
    replicate(jp, kr)
    assert assessments.get(kr, "jp/2026").status == "in review"
