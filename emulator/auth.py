"""Verification of volcengine "HMAC-SHA256" request signatures (API notes §2, §2.3).

Everything is rebuilt from what was *received*: the raw query string (decoded and
re-encoded here, never trusting a framework's normalisation), the received values
of the headers the client says it signed, and the SHA-256 of the received body.

Choices the API notes mark (inferred), made here:

* A literal `+` in the query is a plus sign, not a space (RFC 3986, which the
  signers follow; they always send spaces as `%20`).
* A signed header that was not received, a scope date that differs from
  `X-Date[:8]`, and an `X-Content-Sha256` that is not the body's hash all answer
  `SignatureDoesNotMatch`.
* `host` or `x-date` missing from `SignedHeaders` is a malformed header:
  `InvalidAuthorization`. An unparseable `X-Date` is `InvalidTimestamp`.
* A key pair without an STS token refuses a request that carries
  `X-Security-Token` (`InvalidSecretToken`), as does an STS key pair whose token is
  absent, unsigned or different.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
import hashlib
import hmac
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from multidict import CIMultiDict

from .errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

ALGORITHM = "HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_AUTH_RE = re.compile(
    r"^HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"
)
_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """One access key of an account; `session_token` is set for STS credentials."""

    access_key: str
    secret_key: str
    account: str = "default"
    session_token: str | None = None


def rfc3986(text: str) -> str:
    """Percent-encode `text` (UTF-8) keeping only the RFC 3986 unreserved set."""
    data = text.encode("utf-8", "surrogateescape")
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in data)


def parse_raw_query(raw: str) -> list[tuple[str, str]]:
    """Split and percent-decode a raw query string, keeping every pair in order.

    Undecodable bytes survive as surrogates so that re-encoding restores them.
    """
    pairs: list[tuple[str, str]] = []
    for piece in raw.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        pairs.append(
            (
                unquote(key, errors="surrogateescape"),
                unquote(value, errors="surrogateescape"),
            )
        )
    return pairs


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Encode and sort query pairs as the signers do (by encoded key, then value)."""
    encoded = sorted((rfc3986(k), rfc3986(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_request(
    method: str,
    query: str,
    headers: list[tuple[str, str]],
    payload_hash: str,
) -> str:
    """Assemble the canonical request (API notes §2.1 step 5); path is always `/`."""
    header_block = "".join(f"{name}:{value}\n" for name, value in headers)
    signed = ";".join(name for name, _ in headers)
    return "\n".join([method, "/", query, header_block, signed, payload_hash])


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """Derive the request signing key (no "AWS4"-style prefix on the secret)."""
    key = secret_key.encode("utf-8")
    for part in (date, region, service, "request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def string_to_sign(x_date: str, scope: str, canonical: str) -> str:
    """Return the string to sign for a canonical request."""
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{ALGORITHM}\n{x_date}\n{scope}\n{digest}"


def compute_signature(
    secret_key: str, x_date: str, region: str, service: str, canonical: str
) -> str:
    """Return the hex signature of a canonical request."""
    scope = f"{x_date[:8]}/{region}/{service}/request"
    key = signing_key(secret_key, x_date[:8], region, service)
    message = string_to_sign(x_date, scope, canonical).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _header_value(headers: CIMultiDict[str], name: str) -> str | None:
    # Repeated headers are joined with commas, as HTTP allows.
    values = headers.getall(name, [])
    if not values:
        return None
    value = ",".join(v.strip() for v in values)
    if name == "host":
        for port in (":80", ":443"):
            value = value.removesuffix(port)
    return value


@dataclass(frozen=True, slots=True)
class Verifier:
    """Checks signatures for one service/region against a key lookup."""

    lookup: Callable[[str], KeyPair | None]
    region: str = "cn-north-1"
    service: str = "aiotvideo"
    skew_window: float = 900.0

    def verify(
        self,
        *,
        method: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        now: float,
    ) -> KeyPair:
        """Return the key pair that signed the request, or raise the right ApiError."""
        headers = CIMultiDict(headers)  # header names are case-insensitive
        authorization = headers.get("Authorization")
        if not authorization:
            raise ApiError(
                "MissingAuthenticationToken", "The request has no Authorization header."
            )
        match = _AUTH_RE.match(authorization.strip())
        if match is None:
            raise ApiError(
                "InvalidAuthorization", "The Authorization header is malformed."
            )
        access_key, scope_date, region, service, signed_list, signature = match.groups()
        if region != self.region or service != self.service:
            raise ApiError(
                "InvalidCredential",
                f"The credential scope {scope_date}/{region}/{service} does not name "
                f"{self.region}/{self.service}.",
            )
        signed = signed_list.split(";")
        if "host" not in signed or "x-date" not in signed:
            raise ApiError(
                "InvalidAuthorization", "SignedHeaders must include host and x-date."
            )
        x_date = headers.get("X-Date")
        if not x_date:
            raise ApiError("MissingRequestInfo", "The X-Date header is missing.")
        try:
            sent_at = datetime.strptime(x_date, DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise ApiError(
                "InvalidTimestamp", f"X-Date {x_date!r} is not YYYYMMDD'T'HHMMSS'Z'."
            ) from None
        key = self.lookup(access_key)
        if key is None:
            raise ApiError(
                "InvalidAccessKey", f"The access key {access_key} is not valid."
            )
        if abs(now - sent_at.timestamp()) > self.skew_window:
            raise ApiError(
                "InvalidTimestamp",
                f"X-Date {x_date} is more than {self.skew_window:g} s away from "
                "the server time.",
            )
        self._check_token(key, headers, signed)
        if scope_date != x_date[:8]:
            raise ApiError(
                "SignatureDoesNotMatch",
                "The credential scope date differs from X-Date.",
            )
        payload_hash = hashlib.sha256(body).hexdigest()
        claimed = headers.get("X-Content-Sha256")
        if claimed is not None and not hmac.compare_digest(
            claimed.strip().lower(), payload_hash
        ):
            raise ApiError(
                "SignatureDoesNotMatch", "X-Content-Sha256 does not match the body."
            )
        header_pairs: list[tuple[str, str]] = []
        for name in signed:
            value = _header_value(headers, name)
            if value is None:
                raise ApiError(
                    "SignatureDoesNotMatch", f"The signed header {name} was not sent."
                )
            header_pairs.append((name, value))
        canonical = canonical_request(
            method.upper(),
            canonical_query(parse_raw_query(raw_query)),
            header_pairs,
            payload_hash,
        )
        expected = compute_signature(
            key.secret_key, x_date, self.region, self.service, canonical
        )
        if not hmac.compare_digest(expected, signature):
            raise ApiError(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature "
                "you provided.",
            )
        return key

    @staticmethod
    def _check_token(
        key: KeyPair, headers: Mapping[str, str], signed: list[str]
    ) -> None:
        token = headers.get("X-Security-Token")
        if key.session_token is None:
            if token:
                raise ApiError(
                    "InvalidSecretToken",
                    "A security token was sent for permanent credentials.",
                )
            return
        if (
            not token
            or "x-security-token" not in signed
            or not hmac.compare_digest(token.encode(), key.session_token.encode())
        ):
            raise ApiError(
                "InvalidSecretToken", "The security token is missing or invalid."
            )
