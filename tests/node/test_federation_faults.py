"""Faults between real node processes: audiences under relay, a killed ingest, a healed partition."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import permutations
from uuid import UUID

from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st

from bench.common import drafts
from deployments.local.federation import XCNET, LocalFederation
from node.denials import issue_denials
from node.groups import create_group
from node.ingest import tracked_position
from node.service import LogEntry, Node
from tests.node.conftest import FederationFactory

Links = Mapping[str, frozenset[str]]
PUBLIC, FEDERATION = "public", "federation"
LINK_PICKUP = 2.5  # a running server rereads peers.toml every 2 s


# The rules of docs/PROTOCOL.md §5.4, restated independently of node/audience.py --------------


@dataclass(frozen=True)
class GroupSpec:
    convenor: str
    name: str
    members: frozenset[str]  # the convenor included
    audience: tuple[str, ...]  # of the group record itself

    @property
    def token(self) -> str:
        return f"group:{self.convenor}/{self.name}"


@dataclass(frozen=True)
class DenialSpec:
    origin: str
    audience: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Scenario:
    nodes: tuple[str, ...]
    groups: tuple[GroupSpec, ...]
    denials: tuple[DenialSpec, ...]
    cuts: frozenset[tuple[str, str]]  # (puller, source): the puller never pulls from the source

    def links(self) -> Links:
        return {
            n: frozenset(s for s in self.nodes if s != n and (n, s) not in self.cuts)
            for n in self.nodes
        }


@dataclass(frozen=True)
class Record:
    """One aggregate as its origin holds it: its current audience and every version's digest."""

    origin: str
    aggregate: UUID
    audience: tuple[str, ...]
    digests: frozenset[str]


def mesh(nodes: Sequence[str]) -> Links:
    return {n: frozenset(nodes) - {n} for n in nodes}


@dataclass(frozen=True)
class World:
    """Who may hold a record, and who can get it over which pull links."""

    nodes: tuple[str, ...]
    groups: tuple[GroupSpec, ...]

    def members(self, token: str) -> frozenset[str]:
        return next((g.members for g in self.groups if g.token == token), frozenset())

    def admits(self, audience: Sequence[str], node: str, origin: str) -> bool:
        return node == origin or any(
            name in (PUBLIC, FEDERATION) or name == node or node in self.members(name)
            for name in audience
        )

    def serves(
        self,
        source: str,
        node: str,
        audience: Sequence[str],
        origin: str,
        holders: Mapping[str, frozenset[str]],
    ) -> bool:
        """Whether `source` serves the record to `node`: a group counts only if `source` holds it."""
        return node == origin or any(
            name in (PUBLIC, FEDERATION)
            or name == node
            or (node in self.members(name) and source in holders.get(name, frozenset()))
            for name in audience
        )

    def spread(
        self,
        origin: str,
        audience: Sequence[str],
        links: Links,
        holders: Mapping[str, frozenset[str]],
        already: frozenset[str] = frozenset(),
    ) -> frozenset[str]:
        """The nodes a record of `origin` reaches (from those `already` holding it) over `links`."""
        have = {origin, *already}
        grew = True
        while grew:
            grew = False
            for node in self.nodes:
                if node in have or not self.admits(audience, node, origin):
                    continue
                if any(
                    self.serves(source, node, audience, origin, holders)
                    for source in links[node] & have
                ):
                    have.add(node)
                    grew = True
        return frozenset(have)

    def holders(self, links: Links) -> dict[str, frozenset[str]]:
        """Who ends up holding each group record (their audiences never name groups)."""
        return {g.token: self.spread(g.convenor, g.audience, links, {}) for g in self.groups}

    def entitled(self, origin: str, audience: Sequence[str]) -> frozenset[str]:
        return frozenset(n for n in self.nodes if self.admits(audience, n, origin))

    def reaches_everyone_entitled(self, denials: Sequence[DenialSpec], links: Links) -> bool:
        holders = self.holders(links)
        kinds: list[tuple[str, tuple[str, ...]]] = [(n, (PUBLIC,)) for n in self.nodes]
        kinds += [(g.convenor, g.audience) for g in self.groups]
        kinds += [(d.origin, d.audience) for d in denials]
        return all(
            holders[g.token] == self.entitled(g.convenor, g.audience) for g in self.groups
        ) and all(self.spread(o, a, links, holders) == self.entitled(o, a) for o, a in kinds)

    def expected(
        self,
        records: Sequence[Record],
        links: Links,
        holders: Mapping[str, frozenset[str]],
        before: Mapping[str, set[str]] | None = None,
    ) -> dict[str, set[str]]:
        """The digests each node holds once the federation is quiet (after holding `before`)."""
        held: dict[str, set[str]] = {n: set() for n in self.nodes}
        for record in records:
            already = frozenset(n for n in self.nodes if before and record.digests <= before[n])
            for node in self.spread(record.origin, record.audience, links, holders, already):
                held[node] |= record.digests
        return held


# Reading and driving the nodes ---------------------------------------------------------------


@contextmanager
def opened(fed: LocalFederation, node_id: str) -> Iterator[Node]:
    with Node.open(fed.nodes[node_id].home) as node:
        yield node


def entries(fed: LocalFederation, node_id: str) -> list[LogEntry]:
    with opened(fed, node_id) as node:
        return list(node.log())


def authored(fed: LocalFederation) -> list[Record]:
    """Every record of every node, read at its origin."""
    records = []
    for node_id in fed.nodes:
        by_aggregate: dict[UUID, list[LogEntry]] = {}
        for entry in entries(fed, node_id):
            if entry.origin == node_id:
                by_aggregate.setdefault(entry.aggregate, []).append(entry)
        for aggregate, versions in by_aggregate.items():
            latest = max(versions, key=lambda e: e.version)
            records.append(
                Record(node_id, aggregate, latest.audience, frozenset(e.digest for e in versions))
            )
    return records


def settle(fed: LocalFederation, expected: Mapping[str, set[str]], timeout: float = 60.0) -> None:
    """Wait until every node holds at least what it should, then check it holds nothing more."""
    held: dict[str, list[LogEntry]] = {}

    def quiet() -> bool:
        for node_id, wanted in expected.items():
            held[node_id] = entries(fed, node_id)
            if not wanted <= {e.digest for e in held[node_id]}:
                return False
        return True

    try:
        fed.wait_until(quiet, timeout, "every node to hold what its audiences admit")
    except TimeoutError:
        missing = {n: len(expected[n] - {e.digest for e in held.get(n, [])}) for n in expected}
        raise AssertionError(f"records still missing after {timeout} s: {missing}") from None
    for node_id, wanted in expected.items():
        extra = [e for e in held[node_id] if e.digest not in wanted]
        assert not extra, f"{node_id} holds records it may not: " + ", ".join(
            f"{e.origin}/{e.aggregate} v{e.version} {','.join(e.audience)}" for e in extra
        )


def assert_nothing_leaked(fed: LocalFederation, world: World, records: Sequence[Record]) -> None:
    """No access-log line, parked record or log text gives a peer a record outside its audience."""
    by_aggregate = {str(r.aggregate): r for r in records}
    for node_id in fed.nodes:
        served = fed.xcnet(node_id, "audit", "access", "--json").json()
        assert isinstance(served, list)
        for line in served:
            record = by_aggregate[line["record"]]
            assert world.admits(record.audience, line["peer"], record.origin), (
                f"{node_id} served {record.origin}/{record.aggregate} v{line['version']} "
                f"(audience {record.audience}) to {line['peer']}"
            )
        with opened(fed, node_id) as node:
            parked = node.sidecar.query("SELECT origin, aggregate, version FROM {t}xcnet_pending")
        assert parked == [], f"{node_id} has records waiting: {parked}"
        log_path = fed.nodes[node_id].log
        text = log_path.read_text(errors="replace") if log_path else ""
        for record in records:
            if not world.admits(record.audience, node_id, record.origin):
                assert str(record.aggregate) not in text, (
                    f"{node_id}'s log names {record.origin}/{record.aggregate} "
                    f"(audience {record.audience})"
                )


def form_group(fed: LocalFederation, group: GroupSpec) -> None:
    with opened(fed, group.convenor) as node:
        create_group(
            node,
            group.name,
            members=tuple(sorted(group.members - {group.convenor})),
            purpose="fault tests",
            audience=group.audience,
        )


def issue(fed: LocalFederation, spec: DenialSpec, seed: int) -> None:
    with opened(fed, spec.origin) as node:
        issue_denials(node, list(drafts(spec.count, seed=seed)), audience=spec.audience)


def set_all_links(fed: LocalFederation, links: Links) -> None:
    for node_id, sources in links.items():
        fed.set_links(node_id, sorted(sources))


# 1. Audiences hold on every path -------------------------------------------------------------

NODES = ("jp", "kr", "cn", "de")


def _node_lists(nodes: Sequence[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.sets(st.sampled_from(list(nodes)), min_size=1, max_size=2).map(
        lambda picked: tuple(sorted(picked))
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Random groups and denials on four nodes, with pull links cut wherever relays can cover."""
    groups = []
    for n in range(draw(st.integers(1, 2))):
        convenor = draw(st.sampled_from(NODES))
        others = [x for x in NODES if x != convenor]
        members = draw(st.sets(st.sampled_from(others), min_size=1, max_size=2))
        audience = draw(st.one_of(st.just((FEDERATION,)), _node_lists(others)))
        groups.append(GroupSpec(convenor, f"g{n}", frozenset({convenor, *members}), audience))
    world = World(NODES, tuple(groups))
    denials = []
    for _ in range(draw(st.integers(2, 5))):
        origin = draw(st.sampled_from(NODES))
        others = [x for x in NODES if x != origin]
        held = [g.token for g in groups if world.admits(g.audience, origin, g.convenor)]
        choices = [st.just((FEDERATION,)), _node_lists(others)]
        if held:
            choices.append(st.sampled_from(held).map(lambda token: (token,)))
            choices.append(
                st.tuples(st.sampled_from(held), st.sampled_from(others)).map(
                    lambda pair: tuple(sorted(pair))
                )
            )
        denials.append(DenialSpec(origin, draw(st.one_of(choices)), draw(st.integers(1, 3))))
    wanted = draw(
        st.lists(st.sampled_from(list(permutations(NODES, 2))), min_size=1, max_size=5, unique=True)
    )
    cuts: frozenset[tuple[str, str]] = frozenset()
    for cut in wanted:
        trial = Scenario(NODES, tuple(groups), tuple(denials), cuts | {cut})
        if world.reaches_everyone_entitled(denials, trial.links()):
            cuts = trial.cuts
    return Scenario(NODES, tuple(groups), tuple(denials), cuts)


# cn and de never pull from jp, jp never from kr: everything they get of those origins is relayed.
# de holds group jp/g0 without being in it; only de and kr hold group de/g1, so cn, a member, may
# not relay its records.
RELAYED = Scenario(
    nodes=NODES,
    groups=(
        GroupSpec("jp", "g0", frozenset({"jp", "kr", "cn"}), (FEDERATION,)),
        GroupSpec("de", "g1", frozenset({"de", "kr", "cn"}), ("kr",)),
    ),
    denials=(
        DenialSpec("jp", ("group:jp/g0",), 2),
        DenialSpec("kr", ("cn",), 1),
        DenialSpec("de", (FEDERATION,), 1),
        DenialSpec("cn", ("de", "group:jp/g0"), 1),
        DenialSpec("kr", ("group:de/g1",), 1),
        DenialSpec("kr", (FEDERATION,), 1),
    ),
    cuts=frozenset({("cn", "jp"), ("de", "jp"), ("jp", "kr")}),
)


@settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
@example(scenario=RELAYED)
def test_a_peer_outside_a_records_audience_never_receives_it_by_pull_or_relay(
    federation: FederationFactory, scenario: Scenario
) -> None:
    note(repr(scenario))
    world = World(scenario.nodes, scenario.groups)
    links = scenario.links()
    assert world.reaches_everyone_entitled(scenario.denials, links)
    holders = world.holders(links)
    fed = federation(*scenario.nodes, start=False)
    try:
        set_all_links(fed, links)
        for group in scenario.groups:
            form_group(fed, group)
        fed.start()
        settle(fed, world.expected(authored(fed), links, holders))
        for seed, spec in enumerate(scenario.denials):
            issue(fed, spec, seed)
        records = authored(fed)
        settle(fed, world.expected(records, links, holders))
        for node_id in scenario.nodes:
            held = {e.digest for e in entries(fed, node_id)}
            for record in records:
                admitted = world.admits(record.audience, node_id, record.origin)
                assert (record.digests <= held) == admitted
                assert (record.digests & held == set()) == (not admitted)
        assert_nothing_leaked(fed, world, records)
    finally:
        fed.stop_all()


# 2. A receiver killed mid-batch loses and duplicates nothing ---------------------------------

BATCH = 20_000


def _head(fed: LocalFederation, node_id: str) -> int:
    with opened(fed, node_id) as node:
        return node.app.process_recorder.max_notification_id() or 0


def _held_of(fed: LocalFederation, node_id: str, origin: str) -> list[LogEntry]:
    with opened(fed, node_id) as node:
        return list(node.log(origin=origin))


def test_a_receiver_killed_while_ingesting_a_large_batch_ends_with_exactly_the_origins_records(
    federation: FederationFactory,
) -> None:
    fed = federation("jp", "kr", start=False)
    fed.set_links("jp", [])
    with opened(fed, "jp") as node:
        batch = list(drafts(BATCH))
        for start in range(0, BATCH, 2000):
            issue_denials(node, batch[start : start + 2000], audience=(FEDERATION,))
    wanted = [e.digest for e in _held_of(fed, "jp", "jp")]
    own = len(_held_of(fed, "kr", "kr"))
    fed.start("jp")

    fed.start("kr")
    fed.wait_until(lambda: _head(fed, "kr") >= own + BATCH // 5, 120, "kr to take in a fifth")
    fed.stop("kr", signal.SIGKILL)
    first = len(_held_of(fed, "kr", "jp"))
    assert 0 < first < len(wanted)

    sync = subprocess.Popen(
        [XCNET, "-H", str(fed.nodes["kr"].home), "sync", "--once"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fed.wait_until(
            lambda: _head(fed, "kr") >= own + first + BATCH // 4 or sync.poll() is not None,
            120,
            "`xcnet sync --once` on kr to take in another quarter",
        )
    finally:
        sync.send_signal(signal.SIGKILL)
        sync.wait()
    second = len(_held_of(fed, "kr", "jp"))
    assert first < second < len(wanted)

    fed.start("kr")
    fed.wait_until(
        lambda: _head(fed, "kr") >= own + len(wanted), 180, "kr to take in the whole batch"
    )
    fed.wait_until(
        lambda: len(_held_of(fed, "kr", "jp")) >= len(wanted), 60, "kr to hold every record"
    )
    held = _held_of(fed, "kr", "jp")
    assert sorted(e.digest for e in held) == sorted(wanted)
    assert len({(e.aggregate, e.version) for e in held}) == len(held)
    assert fed.digests("kr", origin="jp") == set(wanted)
    verified = fed.xcnet("kr", "verify", "--json").json()
    assert isinstance(verified, dict)
    assert verified["ok"] and verified["records"] == own + len(wanted), verified
    with opened(fed, "kr") as node:
        assert node.sidecar.query("SELECT aggregate FROM {t}xcnet_pending") == []
        assert tracked_position(node, "jp") >= _head(fed, "jp")


# 3. A partition heals through any path -------------------------------------------------------


def test_a_partitioned_federation_converges_after_healing_through_a_single_link(
    federation: FederationFactory,
) -> None:
    nodes = ("jp", "kr", "cn", "de", "fr")
    west, east = frozenset({"jp", "kr"}), frozenset({"cn", "de", "fr"})
    world = World(
        nodes,
        (
            GroupSpec("jp", "bridge", frozenset({"jp", "kr", "cn", "fr"}), (FEDERATION,)),
            GroupSpec("de", "pair", frozenset({"de", "jp"}), (FEDERATION,)),
        ),
    )
    full = mesh(nodes)
    holders = world.holders(full)
    fed = federation(*nodes, start=False)
    for group in world.groups:
        form_group(fed, group)
    fed.start()
    meshed = world.expected(authored(fed), full, holders)
    settle(fed, meshed)

    split = {n: (west if n in west else east) - {n} for n in nodes}
    set_all_links(fed, split)
    time.sleep(LINK_PICKUP)
    writes = [
        DenialSpec("jp", (FEDERATION,), 3),
        DenialSpec("jp", ("group:jp/bridge",), 2),
        DenialSpec("kr", (FEDERATION,), 2),
        DenialSpec("kr", ("fr",), 1),  # fr only: the bridge cn cannot carry it
        DenialSpec("cn", (FEDERATION,), 2),
        DenialSpec("cn", ("group:de/pair",), 2),  # to jp, whose bridge kr is outside the group
        DenialSpec("de", ("group:jp/bridge",), 2),  # de outside, but cn and kr relay to jp
        DenialSpec("fr", (FEDERATION,), 2),
    ]
    for seed, spec in enumerate(writes, start=100):
        issue(fed, spec, seed)
    records = authored(fed)
    halves = world.expected(records, split, holders, meshed)
    settle(fed, halves)

    bridged = {**split, "kr": split["kr"] | {"cn"}, "cn": split["cn"] | {"kr"}}
    set_all_links(fed, bridged)
    settle(fed, world.expected(records, bridged, holders, halves))

    set_all_links(fed, full)
    settle(fed, world.expected(records, full, holders))
    for node_id in nodes:
        for origin in nodes:
            entitled = {
                d
                for r in records
                if r.origin == origin and world.admits(r.audience, node_id, origin)
                for d in r.digests
            }
            assert {e.digest for e in entries(fed, node_id) if e.origin == origin} == entitled
        with opened(fed, node_id) as node:
            assert node.verify().ok, node_id
    assert_nothing_leaked(fed, world, records)
