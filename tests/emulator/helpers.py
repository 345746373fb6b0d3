"""A tiny, test-only aiotvideo client: signs requests as API notes §2 describes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from emulator import Emulator

V2021 = "2021-01-01"
V2023 = "2023-10-01"
# The instant tests on a hand-moved clock start at (2023-11-14 22:13:20 UTC).
NOW = 1_700_000_000.0


def enc(text: str) -> str:
    """RFC 3986 percent-encoding (unreserved kept, space as %20)."""
    return quote(text, safe="-_.~")


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def sign_headers(
    *,
    method: str,
    host: str,
    pairs: list[tuple[str, str]],
    body: bytes,
    ak: str,
    sk: str,
    when: datetime,
    content_type: str | None,
    token: str | None = None,
    region: str = "cn-north-1",
    service: str = "aiotvideo",
    signed: list[str] | None = None,
) -> dict[str, str]:
    """Return the headers of a signed request (Host included)."""
    x_date = when.strftime("%Y%m%dT%H%M%SZ")
    body_hash = hashlib.sha256(body).hexdigest()
    headers = {"Host": host, "X-Date": x_date, "X-Content-Sha256": body_hash}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if token is not None:
        headers["X-Security-Token"] = token
    lower = {k.lower(): v for k, v in headers.items()}
    names = sorted(signed if signed is not None else lower)
    canonical_headers = "".join(f"{n}:{lower[n]}\n" for n in names)
    canonical_query = "&".join(
        f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in pairs)
    )
    canonical = "\n".join(
        [method, "/", canonical_query, canonical_headers, ";".join(names), body_hash]
    )
    scope = f"{x_date[:8]}/{region}/{service}/request"
    to_sign = "\n".join(
        ["HMAC-SHA256", x_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = sk.encode()
    for part in (x_date[:8], region, service, "request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={';'.join(names)}, "
        f"Signature={signature}"
    )
    return headers


@dataclass
class Reply:
    status: int
    data: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def result(self) -> Any:
        return self.data["Result"]

    @property
    def error(self) -> str | None:
        err = self.data.get("ResponseMetadata", {}).get("Error")
        return err["Code"] if err else None


class Client:
    """Calls one emulator with one key pair."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        emu: Emulator,
        *,
        ak: str | None = None,
        sk: str | None = None,
        token: str | None = None,
    ) -> None:
        self.session = session
        self.emu = emu
        self.ak = ak or emu.access_key
        self.sk = sk or emu.secret_key
        self.token = token

    async def call(
        self,
        action: str,
        version: str = V2021,
        *,
        method: str | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        when: datetime | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        method = method or ("POST" if body is not None else "GET")
        pairs = [("Action", action), ("Version", version)]
        pairs += [(k, _text(v)) for k, v in (query or {}).items()]
        raw = json.dumps(body).encode() if body is not None else b""
        host = URL(self.emu.base_url).raw_authority
        signed = sign_headers(
            method=method,
            host=host,
            pairs=pairs,
            body=raw,
            ak=self.ak,
            sk=self.sk,
            when=when or datetime.fromtimestamp(self.emu.now(), UTC),
            content_type="application/json" if body is not None else "text/plain",
            token=self.token,
        )
        signed.update(headers or {})
        url = URL(f"{self.emu.base_url}/?{query_string(pairs)}", encoded=True)
        async with self.session.request(method, url, data=raw, headers=signed) as resp:
            text = await resp.text()
            try:
                data = json.loads(text)
            except ValueError:
                data = text
            return Reply(resp.status, data, dict(resp.headers))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Clock:
    """A hand-moved clock for the emulator: tests set `now`."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
