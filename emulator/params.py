"""Request parameters: JSON body merged over the query string, with coercion.

The real service evidently reads each parameter from the body first and falls back
to the query string, for GET and POST alike (API notes §1.2), and accepts numbers given
as strings. Values are looked up by their exact (case-sensitive) name.
"""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any
from urllib.parse import parse_qsl

from .errors import invalid, missing

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def parse_body(body: bytes, content_type: str) -> tuple[dict[str, Any], bool]:
    """Parse a request body into a dict; return it and whether it was well-formed.

    JSON is the normal case; a form-encoded body (what the SDK signers default to when
    no Content-Type is given) is accepted too. An empty body is an empty dict.
    """
    if not body.strip():
        return {}, True
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), True
        except UnicodeDecodeError:
            return {}, False
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}, False
    if not isinstance(parsed, dict):
        return {}, False
    return parsed, True


class Params:
    """Typed access to the merged parameters of one request."""

    def __init__(self, body: dict[str, Any], query: dict[str, str]) -> None:
        """Merge `body` over `query` (the body wins)."""
        self.body = body
        self.query = query

    def raw(self, name: str) -> Any:
        """Return the value of `name` (body first, then query) or None."""
        if name in self.body and self.body[name] is not None:
            return self.body[name]
        return self.query.get(name)

    def merged(self) -> dict[str, Any]:
        """All parameters, body over query (used for logging and fault matching)."""
        out: dict[str, Any] = dict(self.query)
        out.update({k: v for k, v in self.body.items() if v is not None})
        return out

    def string(self, name: str, *, required: bool = False) -> str | None:
        """Return `name` as a string; an empty string counts as absent."""
        value = self.raw(name)
        if value is None or value == "":
            if required:
                raise missing(name)
            return None
        if isinstance(value, (dict, list)):
            raise invalid(name, "expected a string")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def req_string(self, name: str) -> str:
        """Return the required string parameter `name`."""
        value = self.string(name, required=True)
        assert value is not None  # noqa: S101  # string() raised otherwise
        return value

    def integer(
        self,
        name: str,
        *,
        default: int | None = None,
        required: bool = False,
        low: int | None = None,
        high: int | None = None,
    ) -> int | None:
        """Return `name` as an int (numeric strings accepted), range-checked."""
        value = self.raw(name)
        if value is None or value == "":
            if required:
                raise missing(name)
            return default
        number = coerce_int(value)
        if number is None:
            raise invalid(name, f"{value!r} is not an integer")
        if low is not None and number < low:
            raise invalid(name, f"must be at least {low}")
        if high is not None and number > high:
            raise invalid(name, f"must be at most {high}")
        return number

    def req_int(
        self, name: str, *, low: int | None = None, high: int | None = None
    ) -> int:
        """Return the required int parameter `name`."""
        value = self.integer(name, required=True, low=low, high=high)
        assert value is not None  # noqa: S101  # integer() raised otherwise
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        """Return `name` as a bool: true/false/1/0 (any case), or JSON booleans."""
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise invalid(name, f"{value!r} is not a boolean")

    def timestamp(self, name: str, *, required: bool = True) -> int | None:
        """Return `name` as unix seconds; accepts ints, numeric strings or RFC3339."""
        value = self.raw(name)
        if value is None or value == "":
            if required:
                raise missing(name)
            return None
        number = coerce_int(value)
        if number is not None:
            return number
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                if parsed.tzinfo is not None:
                    return int(parsed.timestamp())
        raise invalid(name, f"{value!r} is neither unix seconds nor an RFC3339 time")


def coerce_int(value: Any) -> int | None:
    """Return `value` as an int if it is one or spells one, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None
