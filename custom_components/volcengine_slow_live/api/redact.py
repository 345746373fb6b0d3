"""Hide secrets in anything that may be logged, raised or shown in diagnostics.

One place knows what is secret: the Secret Access Key and STS token (registered by the
client that holds them), request signatures and `Authorization` values, and the URL
tokens the cloud puts in media links (`volcSecret`, `X-JWT-Token`, `X-Security-Token`).
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

MASK = "**REDACTED**"

# Secrets shorter than this are not registered: masking every short common substring
# would make logs unreadable and protect nothing.
_MIN_SECRET_LENGTH = 8
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
# `name=value` in URLs, query strings and Authorization headers, and `name: value` in
# header dumps. The value stops at a separator a URL or header would use.
_PARAM_RE = re.compile(
    r"(?P<name>\b(?:" + "|".join(re.escape(p) for p in _TOKEN_PARAMS) + r"))"
    r"(?P<sep>=|%3D|\"?\s*:\s*\"?)"
    r"(?P<value>[^&\s,;\"'<>]+)",
    re.IGNORECASE,
)
_AUTH_HEADER_RE = re.compile(
    r"(?P<name>Authorization\"?\s*[:=]\s*\"?)(?P<value>[^\"\n]+)", re.IGNORECASE
)

SECRET_KEYS = frozenset(
    {
        "secret_access_key",
        "secretaccesskey",
        "secret_key",
        "sk",
        "session_token",
        "securitytoken",
        "x-security-token",
        "authorization",
        "password",
        "mainkey",
        "sparekey",
        "volcsecret",
        "x-jwt-token",
    }
)


def register_secret(value: str | None) -> None:
    """Make `redact_text` mask this value wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _secrets.add(value)


def redact_text(text: str) -> str:
    """Mask URL tokens, signatures, Authorization values and registered secrets."""
    if not text:
        return text
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _AUTH_HEADER_RE.sub(lambda m: m["name"] + MASK, text)
    return _PARAM_RE.sub(lambda m: m["name"] + m["sep"] + MASK, text)


def redact_url(url: str) -> str:
    """Mask the tokens in a media or API URL, keeping what identifies it."""
    return redact_text(url)


def redact_access_key(access_key_id: str) -> str:
    """Keep enough of an AccessKey ID to recognise it, hide the rest."""
    if len(access_key_id) <= 8:
        return MASK
    return f"{access_key_id[:4]}…{access_key_id[-4:]}"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Copy of request or response headers that is safe to log."""
    return {
        name: MASK if name.lower() in SECRET_KEYS else redact_text(value)
        for name, value in headers.items()
    }


def redact_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """`redact_data` for a dict, typed as one."""
    return {
        key: MASK if key.lower() in SECRET_KEYS else redact_data(value)
        for key, value in data.items()
    }


def redact_data(data: Any) -> Any:
    """Redact a JSON-like structure: secret keys masked, every string scrubbed."""
    if isinstance(data, Mapping):
        return {
            key: MASK
            if isinstance(key, str) and key.lower() in SECRET_KEYS
            else redact_data(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact_data(item) for item in data]
    if isinstance(data, str):
        return redact_text(data)
    return data
