"""HMAC-SHA256 request signing for Volcengine OpenAPI (the "V4" scheme).

The canonical request is built from the exact query string and body bytes that go on
the wire, so the client can send what it signed without any re-encoding in between.

Every request is signed, so the hot path is kept lean (benchmarks/run.py compares it
with the official SDK): the day's signing key is derived once per day, not per request,
values that need no percent-encoding skip `quote`, and HMACs are computed one-shot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
import hashlib
import hmac
import re
from urllib.parse import quote

ALGORITHM = "HMAC-SHA256"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
# RFC 3986 unreserved characters stay as they are; everything else is %XX-encoded.
_UNRESERVED = "-_.~"
_NOTHING_TO_ENCODE = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def encode(value: str) -> str:
    """Percent-encode one query key or value the way the signature expects."""
    if _NOTHING_TO_ENCODE(value):
        return value
    return quote(value, safe=_UNRESERVED)


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Encode and sort query parameters; the result is both signed and sent."""
    return "&".join(
        f"{key}={value}"
        for key, value in sorted((encode(k), encode(v)) for k, v in params)
    )


def format_x_date(moment: datetime) -> str:
    """Render a moment as the `X-Date` header value (always UTC): `%Y%m%dT%H%M%SZ`."""
    m = moment.astimezone(UTC)
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}Z"


def signing_key(secret_key: str, short_date: str, region: str, service: str) -> bytes:
    """Derive the per-day signing key from the Secret Access Key."""
    key = secret_key.encode()
    for part in (short_date, region, service, "request"):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def _host_for_signing(host: str) -> str:
    name, sep, port = host.rpartition(":")
    return name if sep and port in ("80", "443") else host


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What to send: the headers to add and the canonical query string."""

    headers: dict[str, str]
    query: str


@dataclass(frozen=True, slots=True)
class Signer:
    """Signs requests for one set of credentials and one service/region."""

    access_key_id: str
    secret_access_key: str
    region: str
    service: str
    session_token: str | None = None
    # The derived key of the last day signed for: (short date, key).
    _day_key: list[tuple[str, bytes]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def __repr__(self) -> str:
        """Never show the secret (dataclass repr would)."""
        return f"Signer(region={self.region!r}, service={self.service!r})"

    def sign(
        self,
        method: str,
        host: str,
        *,
        query: Iterable[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        now: datetime,
    ) -> SignedRequest:
        """Sign a request; `headers` are those the caller will send besides ours.

        Signed are `Host`, `Content-Type`, `Content-Md5` and every `X-*` header, as
        the official SDKs do; `Host` must be the exact value sent (port included
        unless it is 80 or 443).
        """
        x_date = format_x_date(now)
        short_date = x_date[:8]
        payload_hash = hashlib.sha256(body).hexdigest()
        out = dict(headers)
        out["Host"] = host
        out["X-Date"] = x_date
        out["X-Content-Sha256"] = payload_hash
        if self.session_token:
            out["X-Security-Token"] = self.session_token

        signed: dict[str, str] = {}
        for name, value in out.items():
            if name in ("Content-Type", "Content-Md5", "Host") or name.startswith("X-"):
                signed[name.lower()] = value
        signed["host"] = _host_for_signing(signed["host"])
        names = sorted(signed)
        canonical_headers = "".join(f"{name}:{signed[name]}\n" for name in names)
        signed_headers = ";".join(names)
        query_string = canonical_query(query)

        canonical_request = "\n".join(
            (
                method.upper(),
                "/",
                query_string,
                canonical_headers,
                signed_headers,
                payload_hash,
            )
        )
        scope = f"{short_date}/{self.region}/{self.service}/request"
        string_to_sign = "\n".join(
            (
                ALGORITHM,
                x_date,
                scope,
                hashlib.sha256(canonical_request.encode()).hexdigest(),
            )
        )
        signature = hmac.digest(
            self._signing_key(short_date), string_to_sign.encode(), "sha256"
        ).hex()
        out["Authorization"] = (
            f"{ALGORITHM} Credential={self.access_key_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        return SignedRequest(headers=out, query=query_string)

    def _signing_key(self, short_date: str) -> bytes:
        """The day's key, derived once per day (four HMACs saved per request)."""
        if not self._day_key or self._day_key[0][0] != short_date:
            key = signing_key(
                self.secret_access_key, short_date, self.region, self.service
            )
            self._day_key[:] = [(short_date, key)]
        return self._day_key[0][1]
