from __future__ import annotations

import pytest

from bench.common import author_denials
from node.groups import admit_member, create_group
from node.ingest import ingest, tracked_position
from node.peers import make_peer, save_peers
from node.replication import page_for
from node.service import Node
from protocol import canonical
from protocol.crypto import fingerprint
from protocol.envelope import parse
from tests.conftest import NodeFactory


def pin(node: Node, *others: Node) -> None:
    peers = node.peers()
    for other in others:
        peers[other.config.node_id] = make_peer(
            other.config.node_id, fingerprint(other.node_key.public_key)
        )
    save_peers(node.config.home, peers)


def everything(node: Node, peer: str) -> list[bytes]:
    return [state for _, state in page_for(node, peer, 0, 10_000).records]


@pytest.fixture
def pair(make_node: NodeFactory) -> tuple[Node, Node]:
    jp, kr = make_node("jp"), make_node("kr")
    pin(jp, kr)
    pin(kr, jp)
    jp.add_official("Tanaka Yuki", ("policy",))
    jp.add_official("Sato Ken", ("licensing",))
    return jp, kr


def test_records_from_a_pinned_peer_are_verified_and_stored_verbatim(
    pair: tuple[Node, Node],
) -> None:
    jp, kr = pair
    records = everything(jp, "kr")
    report = ingest(kr, records, source="jp", position=3)
    assert (report.accepted, report.refused) == (3, [])
    assert kr.roster().node_id == "kr"
    assert [e.digest for e in kr.log(origin="jp")] == [e.digest for e in jp.log()]
    assert tracked_position(kr, "jp") == 3
    assert kr.verify().ok


def test_a_repeated_batch_is_a_no_op(pair: tuple[Node, Node]) -> None:
    jp, kr = pair
    records = everything(jp, "kr")
    ingest(kr, records, source="jp")
    again = ingest(kr, records, source="jp")
    assert (again.accepted, again.duplicates) == (0, 3)


def test_a_tampered_envelope_is_refused_by_name_and_the_rest_of_the_batch_is_kept(
    pair: tuple[Node, Node], make_node: NodeFactory
) -> None:
    jp, kr = pair
    cn = make_node("cn", "MOFCOM")
    pin(kr, cn)
    good = everything(jp, "kr")
    other = everything(cn, "kr")
    envelope = parse(other[0])
    fields = envelope.fields()
    fields["name"] = "Forged Ministry"
    forged = canonical.encode([envelope.header_bytes, canonical.encode(fields), envelope.signature])
    report = ingest(kr, [*good[:1], forged, *good[1:]], source="jp")
    assert report.accepted == 3
    assert [(r.origin, r.check) for r in report.refused] == [("cn", "body_digest")]


def test_records_of_an_origin_that_is_not_pinned_are_refused_as_origin(
    make_node: NodeFactory,
) -> None:
    jp, kr = make_node("jp"), make_node("kr")
    report = ingest(kr, everything(jp, "kr"), source="jp")
    assert report.accepted == 0
    assert {r.check for r in report.refused} == {"origin"}


def test_a_record_whose_predecessor_is_missing_waits_until_it_arrives(
    pair: tuple[Node, Node],
) -> None:
    jp, kr = pair
    first, second, third = everything(jp, "kr")
    waiting = ingest(kr, [first, third], source="jp")
    assert (waiting.accepted, waiting.pending) == (1, 1)
    assert len(list(kr.log(origin="jp"))) == 1
    arrived = ingest(kr, [second], source="jp")
    assert arrived.accepted == 2
    assert [e.version for e in kr.log(origin="jp")] == [1, 2, 3]
    assert kr.sidecar.query("SELECT count(*) FROM {t}xcnet_pending") == [(0,)]


def test_an_origin_that_signs_two_versions_at_one_position_is_caught_equivocating(
    pair: tuple[Node, Node],
) -> None:
    jp, kr = pair
    records = everything(jp, "kr")
    ingest(kr, records, source="jp")
    fork = _fork(jp, records[-1])
    report = ingest(kr, [fork], source="jp")
    assert report.equivocations == [("jp", parse(fork).header.aggregate, 3)]
    rows = kr.sidecar.query("SELECT origin, version, held, other FROM {t}xcnet_equivocations")
    assert rows == [("jp", 3, records[-1], fork)]
    assert kr.verify().equivocations == [("jp", parse(fork).header.aggregate, 3)]
    assert not kr.verify().ok


def _fork(node: Node, raw: bytes) -> bytes:
    """The same (aggregate, version) signed again by the origin with different content."""
    from protocol.envelope import Header, body_summary, seal

    envelope = parse(raw)
    fields = envelope.fields()
    fields["name"] = "Someone Else"
    body = canonical.encode(fields)
    digest, length = body_summary(body)
    h = envelope.header
    header = Header(
        h.network, h.origin, h.aggregate, h.version, h.prev, h.topic, h.created + 1,
        h.author, h.audience, digest, length,
    )  # fmt: skip
    return seal(header, body, node.node_key).raw


def test_this_nodes_own_records_relayed_back_are_duplicates(pair: tuple[Node, Node]) -> None:
    jp, kr = pair
    ingest(kr, everything(jp, "kr"), source="jp")
    back = ingest(jp, everything(kr, "jp"), source="kr")
    assert back.refused == []
    assert back.duplicates == 3
    assert back.accepted == 1  # kr's own roster


def test_a_member_admitted_to_a_group_receives_the_groups_earlier_records(
    make_node: NodeFactory,
) -> None:
    jp, kr, cn = make_node("jp"), make_node("kr"), make_node("cn")
    pin(jp, kr, cn)
    pin(cn, jp, kr)
    jp.add_official("Ito Aya", ("operator",))
    jp.add_official("Sato Ken", ("licensing",))
    create_group(
        jp, "wa-licensing", members=("kr",), purpose="WA denial exchange", audience=("federation",)
    )
    author_denials(jp, 2, audience=("group:jp/wa-licensing",))
    first = page_for(jp, "cn", 0, 1000)
    ingest(cn, [state for _, state in first.records], source="jp", position=first.next)
    assert len(list(cn.log(origin="jp"))) == len(first.records)
    assert len(list(jp.log())) == len(first.records) + 2  # the denials are not for cn yet

    admit_member(jp, "wa-licensing", "cn")
    second = page_for(jp, "cn", first.next, 1000)
    report = ingest(cn, [state for _, state in second.records], source="jp", position=second.next)
    assert report.refused == []
    assert report.accepted == 3  # the admission and the two denials it now reaches
    assert {e.digest for e in cn.log(origin="jp")} == {e.digest for e in jp.log()}
    assert cn.verify().ok
