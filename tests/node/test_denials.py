from __future__ import annotations

from datetime import timedelta

import pytest

from aggregates.base import InvalidField
from aggregates.denial import Denial, denial_id
from node import denials, groups
from node.denials import DenialDraft
from node.errors import BadInput
from node.service import Node
from tests.conftest import FakeClock, NodeFactory
from tests.fixtures import load_denials


def licensing_node(make_node: NodeFactory) -> Node:
    node = make_node()
    node.add_official("Sato Hana", ("licensing",))
    return node


def draft(node: Node, ref: str = "JP-2026-0042", **changes: object) -> DenialDraft:
    record: dict[str, object] = {
        "national_ref": ref,
        "regime": "WA",
        "denied_on": node.clock().date().isoformat(),
        "reasons": ["diversion-risk"],
        "items": [{"control_entry": "3A001.a.1", "hs_code": "854231", "description": "FPGAs"}],
        "parties": [{"role": "end-user", "name": "OOO Zenit Mikrosistemy", "country": "RU"}],
    }
    record.update(changes)
    return denials.draft_from_json(record)


def test_every_fixture_denial_is_issued_and_reads_back_as_given(
    make_node: NodeFactory, clock: FakeClock
) -> None:
    node = licensing_node(make_node)
    records = load_denials(clock.now.date())
    drafts = [denials.draft_from_json(r, prefix=f"[{n}].") for n, r in enumerate(records)]
    denials.issue_denials(node, drafts, audience=("federation",))
    held = denials.list_denials(node, in_force_at=node.clock())
    assert [h.denial.national_ref for h in held] == [r["national_ref"] for r in records]
    for entry, given in zip(held, drafts, strict=True):
        assert entry.origin == "jp"
        assert entry.denial.parties == given.parties
        assert entry.denial.items == given.items
    assert node.verify().ok


def test_a_denial_expires_three_years_after_its_date_and_renewal_brings_it_back(
    make_node: NodeFactory, clock: FakeClock
) -> None:
    node = licensing_node(make_node)
    denials.issue_denials(node, [draft(node)], audience=("federation",))
    issued_on = clock.now.date()
    clock.advance(days=3 * 365)
    assert denials.get_denial(node, "JP-2026-0042").in_force(node.clock())
    clock.advance(days=2)
    denial = denials.get_denial(node, "JP-2026-0042")
    assert denial.valid_until == issued_on.replace(year=issued_on.year + 3)
    assert denial.status(node.clock()) == "expired"
    assert denials.list_denials(node, in_force_at=node.clock()) == []
    renewed = denials.renew_denial(node, "JP-2026-0042", valid_until=None)
    assert renewed.in_force(node.clock())
    assert renewed.valid_until == (clock.now.date()).replace(year=clock.now.year + 3)


def test_a_renewal_before_expiry_extends_from_today(
    make_node: NodeFactory, clock: FakeClock
) -> None:
    node = licensing_node(make_node)
    denials.issue_denials(node, [draft(node)], audience=("federation",))
    clock.advance(days=2 * 365)
    today = clock.now.date()
    renewed = denials.renew_denial(node, "JP-2026-0042", valid_until=None)
    assert renewed.valid_until == today.replace(year=today.year + 3)
    clock.advance(days=3 * 365 - 10)
    assert denials.get_denial(node, "JP-2026-0042").in_force(node.clock())


def test_a_duplicate_national_reference_is_refused_and_nothing_of_the_batch_is_written(
    make_node: NodeFactory,
) -> None:
    node = licensing_node(make_node)
    denials.issue_denials(node, [draft(node)], audience=("federation",))
    before = list(node.log())
    with pytest.raises(BadInput) as refused:
        denials.issue_denials(
            node, [draft(node, "JP-2026-0050"), draft(node)], audience=("federation",)
        )
    assert refused.value.field == "[1].national_ref"
    assert list(node.log()) == before


def test_a_bad_item_in_a_batch_names_its_position_and_writes_nothing(
    make_node: NodeFactory,
) -> None:
    node = licensing_node(make_node)
    before = list(node.log())
    good = draft(node, "JP-1")
    with pytest.raises(InvalidField) as refused:
        denials.draft_from_json(
            {**_form(good), "items": [{"control_entry": "ML23", "description": "x"}]},
            prefix="[1].",
        )
    assert refused.value.field == "[1].items[0].control_entry"
    assert list(node.log()) == before


def test_a_denial_may_be_shared_with_a_group_this_node_holds_but_not_an_unknown_one(
    make_node: NodeFactory,
) -> None:
    node = licensing_node(make_node)
    node.add_official("Ops", ("operator",))
    with pytest.raises(BadInput) as refused:
        denials.issue_denials(node, [draft(node)], audience=("group:jp/wa",))
    assert refused.value.field == "audience"
    groups.create_group(node, "wa", members=("kr",), purpose="", audience=("federation",))
    (issued,) = denials.issue_denials(node, [draft(node)], audience=("group:jp/wa",))
    assert node.get(denial_id("jp", "JP-2026-0042"), Denial).audience == ("group:jp/wa",)
    assert issued.audience == ("group:jp/wa",)
    assert [e.audience for e in node.log()][-1] == ("group:jp/wa",)


def test_a_revoked_denial_reads_back_revoked_with_its_history(
    make_node: NodeFactory, clock: FakeClock
) -> None:
    node = licensing_node(make_node)
    denials.issue_denials(node, [draft(node)], audience=("federation",))
    clock.advance(days=30)
    denials.revoke_denial(node, "JP-2026-0042", reason="end user dissolved")
    denial = denials.get_denial(node, "JP-2026-0042")
    assert denial.status(node.clock()) == "revoked"
    assert denial.revoked_at is not None
    assert denial.revoked_at.date() == clock.now.date()
    assert [h[2] for h in denial.history] == ["issued", "revoked"]
    assert clock.now - denial.issued_at > timedelta(days=29)


def _form(d: DenialDraft) -> dict[str, object]:
    return {
        "national_ref": d.national_ref,
        "regime": d.regime,
        "denied_on": d.denied_on.isoformat(),
        "reasons": list(d.reasons),
        "parties": [{"role": "end-user", "name": "X", "country": "RU"}],
    }
