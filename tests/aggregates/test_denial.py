from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aggregates.base import InvalidField
from aggregates.controls import check_control_entry, check_hs_code, hs_description
from aggregates.denial import (
    Basis,
    Denial,
    DenialRevoked,
    Ground,
    Item,
    PartyRole,
    Reason,
    denial_id,
    item,
    party,
)

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FPGA = item(control_entry="3A001.a.1", hs_code="8542.31", description="Rad-hard FPGAs")
ZENIT = party(
    role="end-user",
    name="OOO Zenit Mikrosistemy",
    country="ru",
    aliases=["ООО «Зенит Микросистемы»", "Zenit Microsystems LLC", "OOO Zenit Mikrosistemy"],  # noqa: RUF001
    identifiers=["inn:7728456123"],
)


def issue(**overrides: object) -> Denial:
    args: dict[str, object] = {
        "origin": "jp",
        "national_ref": "JP-2026-0042",
        "regime": "WA",
        "denied_on": date(2026, 3, 14),
        "basis": "listed",
        "ground": None,
        "items": (FPGA,),
        "parties": (ZENIT,),
        "reasons": ("diversion-risk",),
        "valid_until": None,
        "audience": ("federation",),
        "author": "sato",
        "at": AT,
    }
    args.update(overrides)
    return Denial.issue(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("3A001.a.1", "3A001.a.1"),
        ("3a001.A.1", "3A001.a.1"),
        ("1C350", "1C350"),
        ("0B001.b.13", "0B001.b.13"),
        ("3B001.f.1.b.1.a", "3B001.f.1.b.1.a"),
        ("ML1", "ML1"),
        ("ml22", "ML22"),
        ("ML10.h", "ML10.h"),
        ("ML8.a.1", "ML8.a.1"),
        ("Catch-All", "catch-all"),
    ],
)
def test_well_formed_control_entries_are_accepted_in_canonical_form(
    given: str, canonical: str
) -> None:
    assert check_control_entry(given) == canonical


@pytest.mark.parametrize(
    "given",
    [
        "3F001",
        "3A01",
        "A3001",
        "3A0012",
        "ML0",
        "ML23",
        "3A001.",
        "3A001..a",
        "3A001.1",
        "3A001.a.b",
        "3A001.a.100",
        "EAR99",
        "",
        "3A001 a 1",
    ],
)
def test_malformed_control_entries_are_refused_naming_the_item_field(given: str) -> None:
    with pytest.raises(InvalidField) as refused:
        issue(items=(FPGA, Item(given, None, "x")))
    assert refused.value.field == "items[1].control_entry"


def test_an_hs_code_is_accepted_when_its_six_digit_stem_is_an_hs_2022_subheading() -> None:
    assert check_hs_code("8542.31") == "854231"
    assert check_hs_code("8543.70.9099") == "8543709099"
    assert hs_description("854231").startswith("Electronic integrated circuits; processors")


@pytest.mark.parametrize(
    "given", ["854140", "999999", "8542", "85423", "8542311", "85423100001", "HS854231"]
)
def test_an_unknown_or_malformed_hs_code_is_refused_naming_the_field(given: str) -> None:
    with pytest.raises(InvalidField) as refused:
        issue(items=(Item("3A001.a.1", given, "FPGAs"),))
    assert refused.value.field == "items[0].hs_code"


def test_an_issued_denial_carries_what_another_node_needs() -> None:
    denial = issue()
    assert denial.id == denial_id("jp", "JP-2026-0042")
    assert denial.regime == "WA"
    assert denial.basis is Basis.LISTED
    assert denial.reasons == (Reason.DIVERSION_RISK,)
    assert denial.items[0].hs_code == "854231"
    assert denial.parties[0].role is PartyRole.END_USER
    assert denial.parties[0].country == "RU"
    assert denial.parties[0].aliases == ("ООО «Зенит Микросистемы»", "Zenit Microsystems LLC")  # noqa: RUF001
    assert str(denial.parties[0].identifiers[0]) == "INN:7728456123"
    assert denial.audience == ("federation",)
    assert denial.issued_by == "sato"


def test_a_denial_is_valid_three_years_from_its_date_unless_told_otherwise() -> None:
    assert issue().valid_until == date(2029, 3, 14)
    assert issue(denied_on=date(2024, 2, 29)).valid_until == date(2027, 2, 28)
    assert issue(valid_until=date(2027, 1, 1)).valid_until == date(2027, 1, 1)


def test_in_force_is_computed_from_the_dates_and_never_written() -> None:
    denial = issue()
    assert denial.in_force(AT)
    assert denial.in_force(datetime(2029, 3, 14, 23, 59, tzinfo=UTC))
    assert not denial.in_force(datetime(2029, 3, 15, tzinfo=UTC))
    assert denial.status(datetime(2029, 3, 15, tzinfo=UTC)) == "expired"


def test_a_valid_until_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidField) as refused:
        issue(valid_until=AT.date() - timedelta(days=1))
    assert refused.value.field == "valid_until"
    with pytest.raises(InvalidField) as expired:
        issue(denied_on=date(2023, 1, 5))
    assert expired.value.field == "valid_until"


def test_a_denial_dated_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidField) as refused:
        issue(denied_on=AT.date() + timedelta(days=1))
    assert refused.value.field == "denied_on"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"national_ref": "JP 2026 0042"}, "national_ref"),
        ({"regime": "OPCW"}, "regime"),
        ({"basis": "suspicion"}, "basis"),
        ({"basis": "catch-all"}, "ground"),
        ({"basis": "catch-all", "ground": "vibes"}, "ground"),
        ({"ground": "wmd"}, "ground"),
        ({"items": ()}, "items"),
        ({"parties": ()}, "parties"),
        ({"reasons": ()}, "reasons"),
        ({"reasons": ("diversion-risk", "bad-vibes")}, "reasons[1]"),
        ({"audience": ()}, "audience"),
    ],
)
def test_invalid_denial_fields_are_refused_naming_the_field(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        issue(**overrides)
    assert refused.value.field == field


def test_a_listed_denial_names_at_least_one_listed_item() -> None:
    lathe = item(control_entry="catch-all", hs_code="845811", description="CNC lathe")
    with pytest.raises(InvalidField) as refused:
        issue(items=(lathe,))
    assert refused.value.field == "items[0].control_entry"
    catch_all = issue(items=(lathe,), basis="catch-all", ground="military-end-use")
    assert catch_all.basis is Basis.CATCH_ALL
    assert catch_all.ground is Ground.MILITARY_END_USE


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"role": "shipper"}, "parties[2].role"),
        ({"name": "  "}, "parties[2].name"),
        ({"country": "Russia"}, "parties[2].country"),
        ({"identifiers": ["7728456123"]}, "parties[2].identifiers[0]"),
    ],
)
def test_an_invalid_party_is_refused_naming_its_attribute(
    arguments: dict[str, object], field: str
) -> None:
    given: dict[str, object] = {"role": "consignee", "name": "Baltic OÜ", "country": "EE"}
    given.update(arguments)
    with pytest.raises(InvalidField) as refused:
        party(**given, field="parties[2]")  # type: ignore[arg-type]
    assert refused.value.field == field


def test_an_amendment_replaces_only_the_fields_given() -> None:
    denial = issue()
    broker = party(role="broker", name="Golden Crescent General Trading LLC", country="AE")
    denial.amend(parties=(ZENIT, broker), note="broker identified", author="sato", at=AT)
    assert [p.role for p in denial.parties] == [PartyRole.END_USER, PartyRole.BROKER]
    assert denial.items == (FPGA,)
    denial.amend(basis="catch-all", ground="wmd", note="re-based", author="sato", at=AT)
    assert (denial.basis, denial.ground) == (Basis.CATCH_ALL, Ground.WMD)
    assert [h[2] for h in denial.history] == ["issued", "amended", "amended"]


def test_an_amendment_that_changes_nothing_or_gives_no_note_is_refused() -> None:
    denial = issue()
    denial.collect_events()
    with pytest.raises(InvalidField) as nothing:
        denial.amend(regime="WA", note="same", author="sato", at=AT)
    assert nothing.value.field == "amendment"
    with pytest.raises(InvalidField) as no_note:
        denial.amend(regime="EU", note=" ", author="sato", at=AT)
    assert no_note.value.field == "note"
    assert denial.collect_events() == []


def test_renewal_extends_validity_by_default_three_years_from_today() -> None:
    denial = issue()
    later = datetime(2029, 1, 10, tzinfo=UTC)
    denial.renew(author="sato", at=later)
    assert denial.valid_until == date(2032, 1, 10)


def test_a_renewal_that_does_not_extend_or_lies_in_the_past_is_refused() -> None:
    denial = issue()
    for until in (date(2028, 1, 1), AT.date() - timedelta(days=1)):
        with pytest.raises(InvalidField) as refused:
            denial.renew(valid_until=until, author="sato", at=AT)
        assert refused.value.field == "valid_until"


def test_a_revoked_denial_is_not_in_force_and_takes_no_amendment_renewal_or_revocation() -> None:
    denial = issue()
    denial.revoke(reason="end user ceased trading", author="sato", at=AT)
    assert not denial.in_force(AT)
    assert denial.status(AT) == "revoked"
    denial.collect_events()
    with pytest.raises(DenialRevoked):
        denial.amend(regime="EU", note="x", author="sato", at=AT)
    with pytest.raises(DenialRevoked):
        denial.renew(author="sato", at=AT)
    with pytest.raises(DenialRevoked):
        denial.revoke(reason="again", author="sato", at=AT)
    assert denial.collect_events() == []


def test_revocation_needs_a_reason() -> None:
    with pytest.raises(InvalidField) as refused:
        issue().revoke(reason="", author="sato", at=AT)
    assert refused.value.field == "reason"
