"""Event bodies to canonical values and back; a value that does not fit names where it sits."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from aggregates.denial import Denial, Identifier, Party, PartyRole, item, party
from node import codec
from protocol.errors import EncodingInvalid

PARTIES = codec.body_fields(Denial.Issued)["parties"]


def test_nested_values_round_trip_through_their_canonical_form() -> None:
    parties = (
        party(role="consignee", name="Zenit Mikrosistemy OOO", country="RU",
              aliases=("Zenit Micro",), identifiers=("OGRN:1027700132195",)),
        party(role="end-user", name="HX Precision", country="CN"),
    )  # fmt: skip
    encoded = codec.encode_value(parties, PARTIES)
    assert codec.decode_value(encoded, PARTIES, "parties") == parties
    items = (item(control_entry="3A001.a.1", description="MMIC amplifiers", hs_code="854233"),)
    hint = codec.body_fields(Denial.Issued)["items"]
    assert codec.decode_value(codec.encode_value(items, hint), hint, "items") == items
    assert codec.decode_value(b"\x01" * 16, UUID, "id") == UUID(bytes=b"\x01" * 16)
    assert codec.decode_value("2026-05-02", date, "on") == date(2026, 5, 2)


def _party(**changes: object) -> dict[str, object]:
    encoded = codec.encode_value(
        Party(PartyRole("consignee"), "Zenit", ("Z",), "", "RU", (Identifier("OGRN", "1"),)),
        Party,
    )
    assert isinstance(encoded, dict)
    return encoded | changes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not a list", "parties: expected list, got str"),
        ([_party(), _party(name=7)], "parties[1].name: expected str, got int"),
        ([_party(aliases=["Z", b"Z"])], "parties[0].aliases[1]: expected str, got bytes"),
        ([_party(role="smuggler")], "parties[0].role: 'smuggler' is not a PartyRole"),
        ([_party(identifiers=[{"scheme": "OGRN", "value": True}])],
         "parties[0].identifiers[0].value: expected str, got bool"),
        ([{"name": "Zenit"}], "parties[0]: fields ['name'] are not"),
    ],
)  # fmt: skip
def test_a_value_that_does_not_fit_is_refused_by_its_path(value: object, message: str) -> None:
    with pytest.raises(EncodingInvalid) as refused:
        codec.decode_value(value, PARTIES, "parties")
    assert str(refused.value).startswith(message)


def test_scalars_that_do_not_fit_are_refused_by_field() -> None:
    with pytest.raises(EncodingInvalid, match=r"^id: a UUID is 16 bytes$"):
        codec.decode_value(b"\x01" * 15, UUID, "id")
    with pytest.raises(EncodingInvalid, match=r"^on: not an ISO date$"):
        codec.decode_value("2026-13-01", date, "on")
    fields = {name: None for name in codec.body_fields(Denial.Issued) if name != "items"}
    with pytest.raises(EncodingInvalid, match=r"^body of Denial.Issued: missing \['items'\]"):
        codec.decode_body(Denial.Issued, fields | {"extra": 1})
