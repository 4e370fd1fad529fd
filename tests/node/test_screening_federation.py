"""Screening across a real federation: a partner's denial blocks an essentially identical
application until consultation, only on the nodes the denial was shared with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.node.conftest import FederationFactory

APPLICATION = ("--party", "Zenit Microsystems LLC", "--country", "RU", "--item", "3A001.a.1")


def test_a_partners_denial_requires_consultation_and_the_consultation_carries_the_match(
    federation: FederationFactory, tmp_path: Path
) -> None:
    fed = federation("jp", "kr", "us")
    denial = fed.json(
        "jp", "denial", "issue", "JP-2026-0042", "--regime", "WA", "--reason", "diversion-risk",
        "--item", "entry=3A001.a.1; hs=854231; description=Rad-hard FPGAs",
        "--party", "role=end-user; name=OOO Zenit Mikrosistemy; country=RU; "
        "alias=ООО Зенит Микросистемы; id=INN:7728456123",  # noqa: RUF001
        "--audience", "kr",
    )  # fmt: skip

    screened: dict[str, Any] = fed.poll(
        "kr", "screen", *APPLICATION,
        until=lambda r: r["required"] == 1,
        what="jp's denial as a required consultation on kr",
    )  # fmt: skip
    [hit] = screened["hits"]
    assert (hit["ref"], hit["origin"], hit["consequence"]) == (
        denial["ref"],
        "jp",
        "consultation required",
    )
    blocked = fed.xcnet("kr", "screen", *APPLICATION, "--fail-on-hit", check=False)
    assert blocked.code == 1, blocked.stderr
    assert "CONSULTATION REQUIRED" in blocked.stdout

    # us is not in the denial's audience: nothing to screen against there.
    on_us = fed.json("us", "screen", *APPLICATION)
    assert (on_us["hits"], on_us["screened"]["denials"]) == ([], 0)

    result = tmp_path / "screening.json"
    result.write_text(fed.xcnet("kr", "screen", *APPLICATION, "--json").stdout, encoding="utf-8")
    due = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    opened = fed.json("kr", "consult", "open", "--from-screening", str(result), "--due", due)
    assert opened["denial"] == denial["ref"]
    assert opened["partner"] == "jp"
    assert "algorithm xcnet-names/1" in opened["match_explanation"]
    assert screened["screened"]["digest"] in opened["match_explanation"]
    assert "Zenit Microsystems LLC" in opened["application_summary"]

    on_jp = fed.poll(
        "jp", "consult", "show", opened["id"],
        until=lambda c: c["match_explanation"] == opened["match_explanation"],
        what="kr's consultation with the match explanation on jp",
    )  # fmt: skip
    assert on_jp["denial"] == denial["ref"]

    # Once jp revokes the denial, it is no longer a live hit on kr.
    fed.xcnet("jp", "denial", "revoke", "JP-2026-0042", "--reason", "end user re-screened")
    cleared = fed.poll(
        "kr", "screen", *APPLICATION,
        until=lambda r: r["hits"] == [],
        what="the revoked denial to drop out of kr's screening",
    )  # fmt: skip
    assert cleared["screened"]["denials"] == 1
    assert fed.xcnet("kr", "screen", *APPLICATION, "--fail-on-hit", check=False).code == 0
