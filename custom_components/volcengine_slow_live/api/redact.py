"""Hide secrets in anything that may be logged, raised or shown in diagnostics.

One place knows what is secret: the Secret Access Key and STS token (registered by the
client that holds them), request signatures and `Authorization` values, and the URL
tokens the cloud puts in media links (`volcSecret`, `X-JWT-Token`, `X-Security-Token`).

`redact_text` runs on log records of every component (see `logs.py`), so it is built
for the common case, a line with nothing to hide: one lower-cased copy and a few
substring tests decide that, and the regex only runs on lines that name a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
import re
from typing import Any, Final
from urllib.parse import quote, quote_plus

MASK: Final = "**REDACTED**"

# Secrets shorter than this are not registered: masking every short common substring
# would make logs unreadable and protect nothing.
_MIN_SECRET_LENGTH = 8
# Every registered secret in every form it may be written in (see `_secret_forms`).
# One flat set, so that tests which drop the secrets they registered drop their forms.
_secrets: set[str] = set()

_TOKEN_PARAMS = (
    "volcSecret",
    "X-JWT-Token",
    "X-Security-Token",
    "X-Signature",
    "Signature",
    "X-Credential",
    "token",
    "authSig",
)
# Lower-case substrings one of which every match of `_TOKEN_RE` contains: a line
# without any of them is returned as it is, without running the regex. (The regex is
# ASCII-only, so `str.lower` cannot miss what its IGNORECASE would match.)
_TRIGGERS = ("secret", "token", "signature", "credential", "authsig", "authorization")

# Hot path, for lines that do name a token: the regex engine skips ahead by the first
# character of a pattern only when that is a plain character set outside IGNORECASE. So
# `_TOKEN_RE` opens with the set of the names' first letters (both cases), and each
# name's rest, case-insensitive, checks that letter again by a look-behind. About three
# times faster on a 2 KB line than case-insensitive names tried at every position.
_FIRST_LETTERS = "".join(
    sorted(
        {c for n in ("Authorization", *_TOKEN_PARAMS) for c in (n[0], n[0].swapcase())}
    )
)
# A token name starts where no letter or digit precedes it (`\b` would also refuse
# `access_token`), or right after a percent-encoded `?`/`&` (`%3FvolcSecret`,
# `%26X-JWT-Token`), once or twice encoded: a media URL passed as a query parameter to
# a player or proxy, where `\b` sees `F` and `v` as one word. Checked once the first
# letter is matched, hence the `.` at the end of each look-behind.
_NAME_START = r"(?:(?<![A-Za-z0-9].)|(?<=%[0-9A-Fa-f]{2}.)|(?<=%25[0-9A-Fa-f]{2}.))"


def _rest_of(name: str) -> str:
    """`name` after its first letter, which `_FIRST_LETTERS` already matched."""
    return f"(?<={re.escape(name[0])}){re.escape(name[1:])}"


# `name=value`, `name: value` (header dumps, JSON), `'name': 'value'` (a dict's repr),
# `name='value'` (a dataclass repr), `\"name\": \"value\"` (JSON inside a string).
_PLAIN_SEP = r"(?:\\?['\"])?\s*[:=]\s*(?:\\?['\"])?"
# ...and `name%3Dvalue`, once or twice percent-encoded.
_SEP = rf"(?:{_PLAIN_SEP}|%3D|%253D)"
# A value ends where a URL, header or repr would end it; in an encoded URL at `%26`
# (`%2526`), the next parameter, which stays readable. Other escapes (`%2B` in an STS
# token) are part of the value. Possessive: there is nothing to backtrack into.
_VALUE = r"(?:[^%&\s,;\"'<>\\]++|%(?!26|2526))++"
_TOKEN_RE = re.compile(
    rf"(?P<first>[{_FIRST_LETTERS}]){_NAME_START}(?i:"
    # An `Authorization` header value has spaces and commas: it runs to the end of
    # the line or its quote. (The name start keeps `InvalidAuthorization: <message>`,
    # an error code, readable.)
    rf"(?P<auth>{_rest_of('Authorization')}{_PLAIN_SEP})[^\"'\n\\]+"
    rf"|(?P<param>(?:{_rest_of('Authorization')}|"
    + "|".join(_rest_of(p) for p in _TOKEN_PARAMS)
    + rf"){_SEP}){_VALUE})",
    re.ASCII,
)
# A template, not a function: no Python call per match. An alternative's group that
# did not take part in the match expands to "".
_TOKEN_REPLACEMENT = r"\g<first>\g<auth>\g<param>" + MASK.replace("\\", r"\\")

# Keys whose value is secret whatever it looks like (a hex signature is just hex),
# compared without case, `-` and `_`: `X-Security-Token`, `session_token`,
# `SecretAccessKey`. Names ending in one of `_SECRET_KEY_SUFFIXES` are secret too
# (`X-Signature`, `access_token`, `volcSecret`), but not `TokenValid` or `token_expiry`.
SECRET_KEYS = frozenset(
    {
        "secretaccesskey",
        "secretkey",
        "sk",
        "password",
        "mainkey",
        "sparekey",
        "authsig",
        "privatekey",
        "apikey",
    }
)
_SECRET_KEY_SUFFIXES = (
    "token",
    "secret",
    "signature",
    "authorization",
    "password",
    "passwd",
    "credential",
    "credentials",
    "secretkey",
    "secretaccesskey",
)

# Values whose `str` never hides anything; other non-container values are checked by
# their `str` (a `yarl.URL`, a path, an enum...).
_PLAIN_SCALARS = (int, float, complex)


def _secret_forms(value: str) -> set[str]:
    """The secret as written raw, in a query string (any quoting), or twice quoted."""
    encoded = {quote(value, safe=""), quote(value), quote_plus(value)}
    encoded.add(quote(quote(value, safe=""), safe=""))  # a URL inside a URL
    # Some encoders write `%2b`, not `%2B`.
    encoded |= {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), e) for e in encoded}
    forms = {value, *encoded}
    # Base64 padding carries nothing: without it, `abc==`, `abc%3D%3D`, `abc%3d=`...
    # all lose what matters.
    if (bare := value.rstrip("=")) != value and len(bare) >= _MIN_SECRET_LENGTH:
        forms.add(bare)
    return forms


def register_secret(value: str | None) -> None:
    """Make `redact_text` mask this value wherever, and however quoted, it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _secrets.update(_secret_forms(value))


def redact_text(text: str) -> str:
    """Mask URL tokens, signatures, Authorization values and registered secrets.

    Returns `text` itself when there is nothing to mask.
    """
    if not text:
        return text
    for secret in _secrets:
        if secret in text:
            # Rare: longest first, so no form is left half-masked by a shorter one
            # that it contains.
            for form in sorted(_secrets, key=len, reverse=True):
                text = text.replace(form, MASK)
            break
    lowered = text.lower()
    for trigger in _TRIGGERS:  # a plain loop: `any(<genexp>)` costs more here
        if trigger in lowered:
            return _TOKEN_RE.sub(_TOKEN_REPLACEMENT, text)
    return text


def redact_url(url: str) -> str:
    """Mask the tokens in a media or API URL, keeping what identifies it."""
    return redact_text(url)


def redact_access_key(access_key_id: str) -> str:
    """Keep enough of an AccessKey ID to recognise it, hide the rest."""
    if len(access_key_id) <= 8:
        return MASK
    return f"{access_key_id[:4]}…{access_key_id[-4:]}"


@lru_cache(maxsize=1024)  # the same few keys again and again (headers, diagnostics)
def is_secret_key(name: str) -> bool:
    """Whether a header or field of this name holds a secret, whatever its value."""
    folded = name.lower().replace("-", "").replace("_", "")
    return folded in SECRET_KEYS or folded.endswith(_SECRET_KEY_SUFFIXES)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Copy of request or response headers that is safe to log."""
    return {
        name: MASK if is_secret_key(name) else redact_text(value)
        for name, value in headers.items()
    }


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """`redact_data` for a dict, typed as one."""
    return _redact_dict(data)


def redact_data(data: Any) -> Any:
    """Redact a JSON-like structure: secret keys masked, every value scrubbed.

    Strings are scrubbed by `redact_text`, bytes as text (and kept bytes); tuples and
    sets become lists, as JSON has them. Any other object whose `str` holds a token (a
    `yarl.URL` with `volcSecret`) is replaced by that `str`, masked; one without keeps
    its type.
    """
    if isinstance(data, str):
        return redact_text(data)
    if isinstance(data, Mapping):
        return _redact_dict(data)
    if isinstance(data, list | tuple | set | frozenset):
        return [redact_data(item) for item in data]
    return _redact_other(data)


def _redact_dict(data: Mapping[Any, Any]) -> dict[Any, Any]:
    # Keys are scrubbed too (a dict keyed by URL). Two keys that differ only in a
    # token become one; the masked copy is for reading, not for looking up.
    return {
        _redact_key(key): MASK
        if isinstance(key, str) and is_secret_key(key)
        else redact_data(value)
        for key, value in data.items()
    }


def _redact_key(key: Any) -> Any:
    """A key stays hashable: a tuple holding a token becomes its masked `str`."""
    if isinstance(key, str):
        return redact_text(key)
    return _redact_other(key)


def _redact_other(value: Any) -> Any:
    """A value that is neither text nor a container: masked only if its text shows a token."""
    if value is None or isinstance(value, _PLAIN_SCALARS):  # bool is an int
        return value
    if isinstance(value, bytes | bytearray):
        # surrogateescape: bytes that are no UTF-8 survive the round trip unchanged.
        text = value.decode("utf-8", "surrogateescape")
        masked = redact_text(text)
        if masked is text:
            return value
        return type(value)(masked.encode("utf-8", "surrogateescape"))
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ hides nothing we could mask
        return value
    masked = redact_text(text)
    return value if masked is text else masked
