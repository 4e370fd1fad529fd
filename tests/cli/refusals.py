"""Check that a refused command names its field, writes nothing and leaves the store verifiable."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Xcnet


def refused_without_a_trace(xcnet: Xcnet, home: Path, *args: str) -> dict[str, str]:
    """Run a command that must be refused; return its JSON error ({code, field, message})."""
    before = xcnet("log", "--json", home=home).json()
    refused = xcnet(*args, "--json", home=home)
    assert refused.code == 2, refused.stdout + refused.stderr
    document = refused.json()
    assert isinstance(document, dict)
    assert xcnet("log", "--json", home=home).json() == before
    assert xcnet("verify", home=home).code == 0
    error: dict[str, str] = document["error"]
    return error
