from __future__ import annotations

from pathlib import Path

from tests.conftest import Xcnet


def test_an_enrolled_official_is_listed_with_their_roles(home: Path, xcnet: Xcnet) -> None:
    added = xcnet(
        "official",
        "add",
        "Tanaka Yuki",
        "--role",
        "policy",
        "--role",
        "reviewer",
        "--json",
        home=home,
    )
    assert added.code == 0, added.stderr
    listed = xcnet("official", "list", "--json", home=home).json()
    assert isinstance(listed, list)
    assert [(o["name"], o["roles"], o["status"]) for o in listed] == [
        ("Tanaka Yuki", ["policy", "reviewer"], "active")
    ]


def test_an_unknown_role_is_refused_naming_the_field_and_writes_nothing(
    home: Path, xcnet: Xcnet
) -> None:
    before = xcnet("log", "--json", home=home).json()
    refused = xcnet("official", "add", "Kim", "--role", "admiral", "--json", home=home)
    assert refused.code == 2
    error = refused.json()
    assert isinstance(error, dict)
    assert error["error"]["field"] == "role"
    assert "admiral" in error["error"]["message"]
    assert xcnet("log", "--json", home=home).json() == before
    assert list((home / "keys" / "officials").iterdir()) == []
