from __future__ import annotations

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.canonical import decode, encode
from protocol.errors import EncodingInvalid

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(max_size=40)
    | st.binary(max_size=40)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(st.text(max_size=12) | st.integers(-1000, 1000), children, max_size=6)
    ),
    max_leaves=30,
)


@given(values)
def test_every_value_round_trips_through_its_canonical_bytes(value: object) -> None:
    data = encode(value)
    assert decode(data) == value
    assert encode(decode(data)) == data


@given(st.dictionaries(st.text(max_size=8), st.integers(-(2**63), 2**63), min_size=2, max_size=8))
def test_map_keys_are_sorted_by_their_encoded_bytes_whatever_the_insertion_order(
    mapping: dict[str, int],
) -> None:
    backwards = dict(reversed(list(mapping.items())))
    assert encode(mapping) == encode(backwards)


@pytest.mark.parametrize(
    ("description", "data"),
    [
        ("an integer in a wider form than needed", b"\xcc\x01"),
        ("a positive integer in a signed form", b"\xd0\x05"),
        ("a short string in a str8 form", b"\xd9\x01a"),
        ("a short array in an array16 form", b"\xdc\x00\x01\x01"),
        ("unsorted map keys", msgpack.packb({"b": 1, "a": 2})),
        ("duplicate map keys", b"\x82\xa1a\x01\xa1a\x02"),
        ("a float", msgpack.packb(1.5)),
        ("an extension type", msgpack.packb(msgpack.ExtType(1, b"x"))),
        ("a str that is not UTF-8", b"\xa1\xff"),
        ("trailing bytes", b"\x01\x02"),
        ("a truncated value", b"\x92\x01"),
    ],
)
def test_a_non_canonical_encoding_is_refused(description: str, data: bytes) -> None:
    with pytest.raises(EncodingInvalid):
        decode(data)


def test_floats_cannot_be_encoded() -> None:
    with pytest.raises(EncodingInvalid, match="float"):
        encode({"amount": 1.5})


def test_integers_take_their_shortest_form() -> None:
    assert encode(127) == b"\x7f"
    assert encode(128) == b"\xcc\x80"
    assert encode(-32) == b"\xe0"
    assert encode(-33) == b"\xd0\xdf"
    assert encode(2**32) == b"\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
