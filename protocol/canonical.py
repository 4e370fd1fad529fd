"""Strict canonical msgpack: one byte string for one value (docs/PROTOCOL.md §2)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import msgpack

from protocol.errors import EncodingInvalid

Value = None | bool | int | str | bytes | Sequence["Value"] | Mapping["Value", "Value"]

_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1
_MAX_DEPTH = 32


def _normalise(value: object, depth: int) -> object:
    if depth > _MAX_DEPTH:
        raise EncodingInvalid("nesting deeper than 32 levels")
    if value is None or isinstance(value, (bool, str, bytes)):
        return value
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise EncodingInvalid(f"integer {value} is outside the 64-bit range")
        return value
    if isinstance(value, (list, tuple)):
        return [_normalise(item, depth + 1) for item in value]
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise EncodingInvalid(f"map key {key!r} is not a str or int")
            items.append((_packed_key(key), key, _normalise(item, depth + 1)))
        items.sort(key=lambda entry: entry[0])
        return {key: item for _, key, item in items}
    raise EncodingInvalid(f"type {type(value).__name__} has no canonical encoding")


@functools.lru_cache(maxsize=4096)
def _packed_key(key: str | int) -> bytes:
    return _pack(key)


def _pack(value: object) -> bytes:
    return msgpack.packb(value, use_bin_type=True, strict_types=True)


def encode(value: object) -> bytes:
    """Encode a value as strict canonical msgpack."""
    return _pack(_normalise(value, 0))


def decode(data: bytes) -> object:
    """Decode strict canonical msgpack, refusing any other encoding of the value.

    One walk over the decoded value checks types, nesting and the order of map keys; the value
    is then packed again (msgpack packs every integer and length in its shortest form, and a
    repeated key leaves the map shorter) and compared byte for byte.
    """
    try:
        value = msgpack.unpackb(data, raw=False, use_list=True, strict_map_key=False)
    except Exception as error:
        raise EncodingInvalid(f"not msgpack: {error}") from None
    _check(value, 0)
    if _pack(value) != data:
        raise EncodingInvalid("not the canonical encoding of its value")
    return value


def _check(value: object, depth: int) -> None:
    """Only the canonical types, nested at most 32 deep, map keys str or int in order."""
    if depth > _MAX_DEPTH or (depth == _MAX_DEPTH and isinstance(value, (list, dict)) and value):
        raise EncodingInvalid("nesting deeper than 32 levels")
    if type(value) is list:
        for item in value:
            if type(item) in _CONTAINERS or not isinstance(item, _SCALARS):
                _check(item, depth + 1)
    elif type(value) is dict:
        previous = b""
        for key, item in value.items():
            if type(key) is not str and type(key) is not int:
                raise EncodingInvalid(f"map key {key!r} is not a str or int")
            packed = _packed_key(key)
            if packed <= previous:
                raise EncodingInvalid("not the canonical encoding of its value (map key order)")
            previous = packed
            if type(item) in _CONTAINERS or not isinstance(item, _SCALARS):
                _check(item, depth + 1)
    elif value is not None and not isinstance(value, _SCALARS):
        raise EncodingInvalid(f"type {type(value).__name__} has no canonical encoding")


_CONTAINERS = (list, dict)
_SCALARS = (bool, int, str, bytes)
