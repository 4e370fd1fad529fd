"""Event fields to canonical body values and back, guided by the event class's annotations."""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

from protocol.errors import EncodingInvalid

# Attributes every event has that the header (or the store) carries, not the body.
HEADER_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "author", "originator_topic"}
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """A timezone-aware datetime as integer microseconds since the Unix epoch."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: xcnet times are UTC")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


_BODY_FIELDS: dict[type, dict[str, object]] = {}
_HINTS: dict[type, dict[str, object]] = {}


def _hints(cls: type) -> dict[str, object]:
    """The resolved annotations of a class, resolved once."""
    try:
        return _HINTS[cls]
    except KeyError:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
        return hints


def body_fields(cls: type) -> dict[str, object]:
    """The body fields of an event class with their types, in name order."""
    try:
        return _BODY_FIELDS[cls]
    except KeyError:
        hints = _hints(cls)
        names = {f.name for f in dataclasses.fields(cls)} - HEADER_FIELDS
        fields = _BODY_FIELDS[cls] = {name: hints[name] for name in sorted(names)}
        return fields


def encode_body(event: object) -> dict[str, object]:
    """The canonical body of an event."""
    return {
        name: encode_value(getattr(event, name), hint)
        for name, hint in body_fields(type(event)).items()
    }


def decode_body(cls: type, body: dict[str, object]) -> dict[str, object]:
    """The event-class keyword arguments of a canonical body."""
    fields = body_fields(cls)
    if set(body) != set(fields):
        missing, extra = set(fields) - set(body), set(body) - set(fields)
        raise EncodingInvalid(
            f"body of {cls.__qualname__}: missing {sorted(missing)}, unexpected {sorted(extra)}"
        )
    return {name: decode_value(body[name], hint, name) for name, hint in fields.items()}


def encode_value(value: object, hint: object) -> object:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return encode_value(value, inner[0])
    if origin is tuple:
        (item_hint, *_) = typing.get_args(hint)
        assert isinstance(value, tuple)
        return [encode_value(item, item_hint) for item in value]
    if origin is dict:
        _, item_hint = typing.get_args(hint)
        assert isinstance(value, dict)
        return {key: encode_value(item, item_hint) for key, item in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, UUID):
        return value.bytes
    if isinstance(value, datetime):
        return to_micros(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        nested = _hints(type(value))
        return {
            f.name: encode_value(getattr(value, f.name), nested[f.name])
            for f in dataclasses.fields(value)
        }
    return value


def decode_value(value: object, hint: object, path: str) -> object:
    """The typed value of a canonical value for a field of type `hint`; errors name `path`."""
    try:
        return _decoder(hint)(value)
    except _Misfit as misfit:
        raise EncodingInvalid(f"{path}{misfit.path}: {misfit.message}") from None


Decoder = Callable[[object], object]


class _Misfit(Exception):
    """A value that does not fit its type, with where it sits below the field. Paths are
    built only on this error path: decoding a valid record formats no strings."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message, self.path = message, path


def _locate(parts: typing.Iterable[tuple[str, Decoder, object]]) -> _Misfit:
    """The first part that does not decode, as a misfit with its step in the path."""
    for step, decode, value in parts:
        try:
            decode(value)
        except _Misfit as misfit:
            return _Misfit(misfit.message, step + misfit.path)
    raise AssertionError("a decoder failed once and not again")


@functools.cache
def _decoder(hint: object) -> Decoder:
    """A decoding function for one field type, built once: decoding a record then costs no
    type introspection."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])

        def decode_tuple(value: object) -> object:
            items = _expect(value, list)
            try:
                return tuple(map(item, items))
            except _Misfit:
                raise _locate((f"[{i}]", item, v) for i, v in enumerate(items)) from None

        return decode_tuple
    if origin is dict:
        entry = _decoder(typing.get_args(hint)[1])

        def decode_dict(value: object) -> object:
            mapping = _expect(value, dict)
            try:
                return {k: entry(v) for k, v in mapping.items()}
            except _Misfit:
                raise _locate((f".{k}", entry, v) for k, v in mapping.items()) from None

        return decode_dict
    if not isinstance(hint, type):

        def unsupported(value: object) -> object:
            raise _Misfit(f"unsupported field type {hint!r}")

        return unsupported
    if issubclass(hint, enum.Enum):
        kind: type[enum.Enum] = hint

        def decode_enum(value: object) -> object:
            try:
                return kind(value)
            except ValueError:
                raise _Misfit(f"{value!r} is not a {kind.__name__}") from None

        return decode_enum
    if hint is UUID:

        def decode_uuid(value: object) -> object:
            raw = _expect(value, bytes)
            if len(raw) != 16:
                raise _Misfit("a UUID is 16 bytes")
            return UUID(bytes=raw)

        return decode_uuid
    if hint is datetime:
        return lambda value: from_micros(_expect(value, int))
    if hint is date:

        def decode_date(value: object) -> object:
            try:
                return date.fromisoformat(_expect(value, str))
            except ValueError:
                raise _Misfit("not an ISO date") from None

        return decode_date
    if dataclasses.is_dataclass(hint):
        cls = hint
        nested = _hints(cls)
        fields = {f.name: _decoder(nested[f.name]) for f in dataclasses.fields(cls)}
        names = set(fields)

        def decode_dataclass(value: object) -> object:
            mapping = _expect(value, dict)
            if mapping.keys() != names:
                raise _Misfit(f"fields {sorted(mapping)} are not {sorted(names)}")
            try:
                return cls(**{k: d(mapping[k]) for k, d in fields.items()})
            except _Misfit:
                raise _locate((f".{k}", d, mapping[k]) for k, d in fields.items()) from None

        return decode_dataclass
    plain: type = hint
    return lambda value: _expect(value, plain)


_V = typing.TypeVar("_V")


def _expect(value: object, kind: type[_V]) -> _V:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _Misfit(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
