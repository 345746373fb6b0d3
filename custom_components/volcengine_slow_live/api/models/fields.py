"""The tolerant readers every model parses with, and the models' base.

The docs and the official SDKs disagree about many shapes (API notes §7): lists
versus maps, a misspelt key, numbers sent as strings, several time formats. Each
parser accepts every shape seen in any of them, fills defaults for missing
optional fields, ignores unknown ones, and turns anything else into
`InvalidResponse`. Error messages name the field, never its value: values are often
signed URLs.

Times become timezone-aware `datetime`s in UTC. A wall-clock time without a zone
(`2023-10-01 10:10:09`) is read as Beijing time (UTC+8): the service only runs in
mainland-China regions and its examples write local times that way. Numbers above
1e11 are unix milliseconds (as seconds they would be after the year 5000), and a time
of 0 (or less) means "never" and becomes None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
import math
import re

from ..errors import InvalidResponse
from ..redact import redact_text

__all__ = [
    "BEIJING",
]

BEIJING = timezone(timedelta(hours=8), "UTC+08:00")
"""The zone assumed for timestamps that carry none."""

# Unix times above this are milliseconds: as seconds they would be in the year 5138.
_MS_THRESHOLD = 100_000_000_000
# Only ASCII digits: `int()` would also accept e.g. Arabic-Indic digits. The length cap
# keeps `int()` far from CPython's 4300-digit conversion limit.
_INT_RE = re.compile(r"[+-]?\d{1,40}", re.ASCII)
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_MAX_ID_NUMBER = 10**40
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


# --------------------------------------------------------------------------------------
# Coercion helpers. Each takes one JSON value and the field's name for the message.


def _fail(name: str, problem: str) -> InvalidResponse:
    return InvalidResponse(f"{name} {problem}")


def _number(value: object, name: str) -> int | float | None:
    """A JSON number or a string holding one; None when absent or empty."""
    if value is None:
        return None
    # bool is an int subclass, but a boolean where a number belongs is garbage.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _fail(name, "is not a finite number")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _INT_RE.fullmatch(text):
            return int(text)
        if _FLOAT_RE.fullmatch(text):
            number = float(text)
            if math.isfinite(number):
                return number
    raise _fail(name, "is not a number")


def _int(value: object, name: str) -> int | None:
    """An integer (or an integral float or numeric string); None when absent."""
    number = _number(value, name)
    if isinstance(number, float):
        if not number.is_integer():
            raise _fail(name, "is not an integer")
        return int(number)
    return number


def _float(value: object, name: str) -> float | None:
    """A float (or int or numeric string); None when absent."""
    number = _number(value, name)
    return None if number is None else float(number)


def _bool(value: object, name: str, default: bool = False) -> bool:
    """true/false, 1/0 or their string forms; `default` when absent."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return default
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _fail(name, "is not a boolean")


def _str(value: object, name: str, default: str = "") -> str:
    """A string; integers are accepted because IDs sometimes arrive as numbers."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and abs(value) < _MAX_ID_NUMBER
    ):
        return str(value)
    raise _fail(name, "is not a string")


def _time(value: object, name: str) -> datetime | None:
    """A UTC datetime from unix seconds or milliseconds or an ISO 8601 string."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _FLOAT_RE.fullmatch(text):
            return _iso_time(text, name)
    number = _number(value, name)
    if number is None or number <= 0:
        return None
    try:
        if number > _MS_THRESHOLD:
            number /= 1000
        return datetime.fromtimestamp(number, UTC)
    except OverflowError, OSError, ValueError:
        raise _fail(name, "is out of range") from None


def _iso_time(text: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=BEIJING)
        return parsed.astimezone(UTC)
    # `from None`: the original message quotes the value.
    except ValueError, OverflowError:
        raise _fail(name, "is not a time") from None


def _obj(value: object, name: str) -> Mapping[str, object]:
    """A JSON object; None or "" (an empty Go value) reads as an empty one."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return value
    raise _fail(name, "is not an object")


def _list(value: object, name: str) -> Sequence[object]:
    """A JSON array; None or "" reads as an empty one."""
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        return value
    raise _fail(name, "is not a list")


def _codes(value: object, name: str) -> tuple[str, ...]:
    """Resolution codes: `"6/3"` or a list of codes."""
    if isinstance(value, list | tuple):
        parts = [_str(item, name) for item in value]
    else:
        parts = _str(value, name).split("/")
    return tuple(part.strip() for part in parts if part.strip())


class _Fields:
    """A JSON object being read, named for error messages.

    It may have fallback layers (e.g. the legacy `DeviceItem.Info`) consulted when
    the object itself lacks a key.
    """

    __slots__ = ("_layers", "_name")

    def __init__(self, value: object, name: str) -> None:
        self._layers: tuple[Mapping[str, object], ...] = (_obj(value, name),)
        self._name = name

    @classmethod
    def top(cls, value: object, name: str) -> _Fields:
        """A Result or list item, which must be an object (None is not one)."""
        if not isinstance(value, Mapping):
            raise _fail(name, "is not an object")
        return cls(value, name)

    def with_fallback(self, other: _Fields) -> _Fields:
        fields = _Fields(None, self._name)
        fields._layers = self._layers + other._layers
        return fields

    def raw(self, *keys: str) -> object:
        """The first value present (not None) under any of `keys`."""
        for key in keys:
            for layer in self._layers:
                value = layer.get(key)
                if value is not None:
                    return value
        return None

    def label(self, key: str) -> str:
        return f"{self._name}.{key}"

    def text(self, *keys: str) -> str:
        return _str(self.raw(*keys), self.label(keys[0]))

    def opt_text(self, *keys: str) -> str | None:
        return self.text(*keys).strip() or None

    def ident(self, *keys: str) -> str:
        """A required identifier."""
        value = self.text(*keys).strip()
        if not value:
            raise _fail(self.label(keys[0]), "missing")
        return value

    def integer(self, key: str, default: int = 0) -> int:
        value = _int(self.raw(key), self.label(key))
        return default if value is None else value

    def opt_integer(self, key: str) -> int | None:
        return _int(self.raw(key), self.label(key))

    def opt_float(self, key: str) -> float | None:
        return _float(self.raw(key), self.label(key))

    def flag(self, *keys: str) -> bool:
        return _bool(self.raw(*keys), self.label(keys[0]))

    def time(self, key: str) -> datetime | None:
        return _time(self.raw(key), self.label(key))

    def required_time(self, key: str) -> datetime:
        value = self.time(key)
        if value is None:
            raise _fail(self.label(key), "missing")
        return value

    def child(self, key: str) -> _Fields:
        return _Fields(self.raw(key), self.label(key))

    def items(self, key: str) -> Sequence[object]:
        return _list(self.raw(key), self.label(key))

    def codes(self, key: str) -> tuple[str, ...]:
        return _codes(self.raw(key), self.label(key))


# --------------------------------------------------------------------------------------
# The models' base


class _Model:
    """Base of the models: a repr that is scrubbed, since any field may hold a URL."""

    __slots__ = ()

    def __repr__(self) -> str:
        """Like the dataclass repr (fields marked repr=False left out), redacted."""
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)  # type: ignore[arg-type]
            if f.repr
        )
        return redact_text(f"{type(self).__name__}({shown})")
