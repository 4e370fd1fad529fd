from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregates.base import InvalidField, RuleViolated
from aggregates.group import Group, group_id

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def form(**overrides: object) -> Group:
    args: dict[str, object] = {
        "convenor": "jp",
        "name": "wa-licensing",
        "purpose": "Wassenaar denial exchange",
        "members": ("kr", "de"),
        "audience": ("federation",),
        "author": "ops",
        "at": AT,
    }
    args.update(overrides)
    return Group.form(**args)  # type: ignore[arg-type]


def test_a_group_is_identified_by_its_convenor_and_name_and_counts_the_convenor_as_member() -> None:
    group = form()
    assert group.id == group_id("jp", "wa-licensing")
    assert group.members == ("de", "jp", "kr")
    assert group.audience_token == "group:jp/wa-licensing"
    assert group.formed_at == AT


def test_a_malformed_group_name_is_refused_naming_the_name() -> None:
    with pytest.raises(InvalidField) as refused:
        form(name="WA Licensing")
    assert refused.value.field == "name"


def test_a_malformed_member_node_id_is_refused_naming_the_member() -> None:
    with pytest.raises(InvalidField) as refused:
        form(members=("kr", "Korea!"))
    assert refused.value.field == "member"


def test_a_group_without_members_is_refused() -> None:
    with pytest.raises(InvalidField) as refused:
        form(members=())
    assert refused.value.field == "member"


def test_admitting_and_removing_members_changes_the_membership() -> None:
    group = form()
    group.admit(node_id="fr", author="ops", at=AT)
    group.remove(node_id="kr", reason="left the arrangement", author="ops", at=AT)
    assert group.members == ("de", "fr", "jp")
    assert [type(e).__name__ for e in group.collect_events()] == [
        "Formed",
        "MemberAdmitted",
        "MemberRemoved",
    ]


def test_admitting_a_member_twice_is_refused_and_records_nothing() -> None:
    group = form()
    group.collect_events()
    with pytest.raises(RuleViolated) as refused:
        group.admit(node_id="kr", author="ops", at=AT)
    assert refused.value.field == "node_id"
    assert group.collect_events() == []


def test_the_convenor_cannot_be_removed_nor_a_non_member() -> None:
    group = form()
    for node_id in ("jp", "us"):
        with pytest.raises(RuleViolated) as refused:
            group.remove(node_id=node_id, reason="because", author="ops", at=AT)
        assert refused.value.field == "node_id"


def test_removing_a_member_needs_a_reason() -> None:
    with pytest.raises(InvalidField) as refused:
        form().remove(node_id="kr", reason=" ", author="ops", at=AT)
    assert refused.value.field == "reason"
