"""Fault injection: rules that make API requests fail in realistic ways.

A rule matches a request by `action` (None = every action), optional parameter
equality (`match`, compared as strings; JSON booleans as `true`/`false`), and
`probability` (drawn from a seeded RNG). Each match uses up one of `times` (None =
unlimited); a rule with no matches left is removed.

Kinds and their fields:

* `latency` - add `seconds` (default 1) before answering.
* `timeout` - hold the request until the client gives up, at most `seconds`
  (default: the emulator's `timeout_hold`), then answer 504 InternalServiceTimeout.
* `http_error` - answer `status` (default 500) with `code` (default the status's
  usual code, e.g. 503 ServiceUnavailableTemp) and `message`.
* `rate_limit` - answer 429 FlowLimitExceeded (`times` = the burst length).
* `malformed_json` - answer 200 with a truncated JSON body.
* `missing_fields` - drop the keys named in `fields` anywhere in Result, or (no
  `fields`) one random key from Result and from each object in its lists.
* `wrong_types` - give the keys named in `fields` (default: Result's top-level
  keys) the wrong JSON type: lists and objects become strings, numbers and
  booleans strings, strings one-element lists; an array Result becomes a string.
* `revoked_credentials` - answer 401 InvalidAccessKey as if the key were revoked.
* `clock_skew` - the server clock is `seconds` ahead (negative: behind) when it
  checks X-Date, so requests signed with the real time get InvalidTimestamp.
* `reset_connection` - close the connection without answering.
* `expire_urls` - every pull/playback/still URL issued so far is expired now. This
  happens once, when the rule is added (the rule is not kept).
* `cdn_error` - the CDN answers live requests (playlists, segments, FLV) with
  `status` (default 404) and `message`, as a cloud that lost a stream for a while
  does. Its `action` is `live` (or None); `match` may name a `StreamID`; `times` is
  the length of the burst in requests.
* `callback_drop`, `callback_delay` (`seconds`, default 1), `callback_duplicate`,
  `callback_corrupt` - what happens to event callbacks (callbacks.py); their
  `action` is `callback` (or None), `match` may name an `EventType`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
import itertools
import json
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

KINDS = frozenset(
    {
        "latency",
        "timeout",
        "http_error",
        "rate_limit",
        "malformed_json",
        "missing_fields",
        "wrong_types",
        "revoked_credentials",
        "clock_skew",
        "reset_connection",
        "expire_urls",
        "cdn_error",
        "callback_drop",
        "callback_delay",
        "callback_duplicate",
        "callback_corrupt",
    }
)
# Applied before the signature check (they change or replace it).
PRE_AUTH = frozenset(
    {"reset_connection", "timeout", "clock_skew", "revoked_credentials"}
)
# Applied after authentication and the real rate limiter.
POST_AUTH = frozenset({"rate_limit", "http_error", "latency"})
# Applied to the response body.
RESPONSE = frozenset({"malformed_json", "missing_fields", "wrong_types"})


@dataclass
class FaultRule:
    """One fault; see the module docstring for the kinds and their fields."""

    kind: str
    action: str | None = None
    times: int | None = None
    probability: float = 1.0
    match: dict[str, str] | None = None
    seconds: float | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None
    fields: list[str] | None = None
    id: str = ""
    hits: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        """Validate the rule (ValueError on nonsense)."""
        if self.kind not in KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; one of {sorted(KINDS)}"
            )
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within 0..1")
        if self.times is not None and self.times < 0:
            raise ValueError("times must not be negative")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status")
        if self.seconds is not None and self.kind != "clock_skew" and self.seconds < 0:
            raise ValueError("seconds must not be negative")

    @classmethod
    def from_dict(cls, data: object) -> FaultRule:
        """Build a rule from JSON (the admin endpoint); ValueError if invalid."""
        if not isinstance(data, dict):
            raise ValueError("a fault rule is a JSON object")  # noqa: TRY004
        known = {f.name for f in fields(cls)} - {"id", "hits"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault rule fields: {sorted(unknown)}")
        try:
            rule = cls(**data)
        except TypeError as err:
            raise ValueError(str(err)) from None
        if rule.match is not None:
            rule.match = {str(k): str(v) for k, v in dict(rule.match).items()}
        return rule

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON."""
        return asdict(self)

    def matches(self, action: str, params: dict[str, Any]) -> bool:
        """Whether the rule's action and parameter filters select this request."""
        if self.action is not None and self.action != action:
            return False
        if self.match:
            for key, wanted in self.match.items():
                if _as_text(params.get(key)) != wanted:
                    return False
        return True


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FaultSet:
    """The active rules of one emulator."""

    def __init__(
        self, seed: int = 1, on_expire_urls: Callable[[], None] | None = None
    ) -> None:
        """Start empty; `on_expire_urls` runs when an `expire_urls` rule is added."""
        self._rules: dict[str, FaultRule] = {}
        self._ids = itertools.count(1)
        self._rng = random.Random(f"faults:{seed}")
        self._on_expire_urls = on_expire_urls

    @property
    def rules(self) -> list[FaultRule]:
        """The active rules, oldest first."""
        return list(self._rules.values())

    def add(self, rule: FaultRule) -> str:
        """Activate `rule` and return its id."""
        rule.id = f"fault-{next(self._ids)}"
        if rule.kind == "expire_urls":
            rule.hits += 1
            if self._on_expire_urls is not None:
                self._on_expire_urls()
            return rule.id
        if rule.times != 0:
            self._rules[rule.id] = rule
        return rule.id

    def remove(self, rule_id: str) -> bool:
        """Deactivate a rule; False if there was none with that id."""
        return self._rules.pop(rule_id, None) is not None

    def clear(self) -> None:
        """Deactivate every rule."""
        self._rules.clear()

    def take(
        self, kinds: Collection[str], action: str, params: dict[str, Any]
    ) -> list[FaultRule]:
        """Return (and use up) the rules of `kinds` that fire for this request."""
        fired: list[FaultRule] = []
        for rule in list(self._rules.values()):
            if rule.kind not in kinds or not rule.matches(action, params):
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.hits += 1
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.pop(rule.id, None)
            fired.append(rule)
        return fired

    def random(self) -> random.Random:
        """The seeded RNG (for random field drops)."""
        return self._rng


def drop_fields(result: Any, names: list[str] | None, rng: random.Random) -> Any:
    """Apply `missing_fields` to a Result."""
    if names:
        wanted = set(names)

        def strip(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: strip(v) for k, v in value.items() if k not in wanted}
            if isinstance(value, list):
                return [strip(v) for v in value]
            return value

        return strip(result)

    def drop_one(obj: dict[str, Any]) -> dict[str, Any]:
        if not obj:
            return obj
        victim = rng.choice(sorted(obj))
        return {k: v for k, v in obj.items() if k != victim}

    if isinstance(result, list):
        return [drop_one(v) if isinstance(v, dict) else v for v in result]
    if isinstance(result, dict):
        out = drop_one(result)
        return {
            k: [drop_one(i) if isinstance(i, dict) else i for i in v]
            if isinstance(v, list)
            else v
            for k, v in out.items()
        }
    return result


def _wrong(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return [value]
    return value


def wrong_types(result: Any, names: list[str] | None) -> Any:
    """Apply `wrong_types` to a Result."""
    if names:
        wanted = set(names)

        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                return {
                    k: _wrong(v) if k in wanted else walk(v) for k, v in value.items()
                }
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        return walk(result)
    if isinstance(result, dict):
        return {k: _wrong(v) for k, v in result.items()}
    return _wrong(result)
