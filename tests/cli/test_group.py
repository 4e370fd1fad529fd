from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.refusals import refused_without_a_trace
from tests.conftest import Xcnet


@pytest.fixture
def operator_home(home: Path, xcnet: Xcnet) -> Path:
    added = xcnet("official", "add", "Ito Ken", "--role", "operator", home=home)
    assert added.code == 0, added.stderr
    return home


def test_a_group_is_formed_with_its_convenor_as_member_and_shown(
    operator_home: Path, xcnet: Xcnet
) -> None:
    created = xcnet(
        "group",
        "create",
        "wa-licensing",
        "--member",
        "kr",
        "--member",
        "de",
        "--purpose",
        "Wassenaar denial exchange",
        "--json",
        home=operator_home,
    )
    assert created.code == 0, created.stderr
    group = created.json()
    assert isinstance(group, dict)
    assert group["members"] == ["de", "jp", "kr"]
    assert group["audience_token"] == "group:jp/wa-licensing"
    assert group["audience"] == ["federation"]
    shown = xcnet("group", "show", "wa-licensing", "--json", home=operator_home).json()
    assert shown == group
    assert xcnet("group", "list", "--json", home=operator_home).json() == [group]
    assert xcnet("verify", home=operator_home).code == 0


def test_members_are_admitted_and_removed(operator_home: Path, xcnet: Xcnet) -> None:
    xcnet("group", "create", "xcxg", "--member", "kr", home=operator_home)
    admitted = xcnet("group", "add-member", "xcxg", "ph", "--json", home=operator_home)
    assert admitted.code == 0, admitted.stderr
    removed = xcnet(
        "group",
        "remove-member",
        "xcxg",
        "kr",
        "--reason",
        "left CSCAP",
        "--json",
        home=operator_home,
    )
    assert removed.code == 0, removed.stderr
    group = removed.json()
    assert isinstance(group, dict)
    assert group["members"] == ["jp", "ph"]
    assert group["version"] == 3


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("group", "create", "WA Licensing", "--member", "kr"), "name"),
        (("group", "create", "wa", "--member", "Korea"), "member"),
        (("group", "create", "wa", "--member", "kr", "--audience", "group:jp/nope"), "audience"),
        (("group", "create", "wa", "--member", "kr", "--audience", "group:jp/wa"), "audience"),
        (("group", "add-member", "nope", "kr"), "name"),
    ],
)
def test_bad_group_input_is_refused_naming_the_field_and_writes_nothing(
    operator_home: Path, xcnet: Xcnet, args: tuple[str, ...], field: str
) -> None:
    assert refused_without_a_trace(xcnet, operator_home, *args)["field"] == field


def test_a_duplicate_group_or_membership_is_refused(operator_home: Path, xcnet: Xcnet) -> None:
    xcnet("group", "create", "wa", "--member", "kr", home=operator_home)
    duplicate = ("group", "create", "wa", "--member", "de")
    assert refused_without_a_trace(xcnet, operator_home, *duplicate)["field"] == "name"
    again = ("group", "add-member", "wa", "kr")
    assert refused_without_a_trace(xcnet, operator_home, *again)["field"] == "node_id"
    convenor = ("group", "remove-member", "wa", "jp", "--reason", "x")
    assert refused_without_a_trace(xcnet, operator_home, *convenor)["field"] == "node_id"


def test_groups_need_an_operator_official(home: Path, xcnet: Xcnet) -> None:
    xcnet("official", "add", "Sato", "--role", "licensing", home=home)
    error = refused_without_a_trace(xcnet, home, "group", "create", "wa", "--member", "kr")
    assert error["field"] == "as"
    assert "operator" in error["message"]
