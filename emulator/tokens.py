"""URL tokens: `volcTime`/`volcSecret` for live and stills, HS256 JWT for playback.

`volcSecret` = hex MD5 of (space URL key + signed path + volcTime), where the
signed path is `/<app>/<StreamName>` for live URLs (so one token serves the
playlist, its segments and the FLV/RTMP URLs) and the URL path for stills.

`expire_urls` is modelled as a key generation bump [I]: every URL signed before it
fails the CDN check exactly like an expired one (403), and the streams' stored pull
URLs count as expired for `FreshExpiredPull`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenError(Exception):
    """A URL token is missing, forged or expired (the CDN answers 403)."""


class UrlSigner:
    """Signs and checks URL tokens; `generation` invalidates everything older."""

    def __init__(self, jwt_secret: str) -> None:
        """Use `jwt_secret` (plus the generation) to sign playback tokens."""
        self._jwt_secret = jwt_secret
        self.generation = 0

    def expire_all(self) -> None:
        """Make every token issued so far invalid."""
        self.generation += 1

    def volc_secret(
        self, url_key: str, path: str, expiry: int, generation: int | None = None
    ) -> str:
        """Return the 32-hex signature of `path` valid until `expiry`.

        `generation` (default: the current one) lets a stored URL be rendered again
        exactly as it was issued, even after `expire_all`.
        """
        generation = self.generation if generation is None else generation
        key = url_key if generation == 0 else f"{url_key}#{generation}"
        material = f"{key}{path}{expiry}".encode()
        return hashlib.md5(material, usedforsecurity=False).hexdigest()

    def volc_query(
        self, url_key: str, path: str, expiry: int, generation: int | None = None
    ) -> str:
        """Return `volcTime=...&volcSecret=...` for `path`."""
        secret = self.volc_secret(url_key, path, expiry, generation)
        return f"volcTime={expiry}&volcSecret={secret}"

    def check_volc(
        self,
        url_key: str,
        path: str,
        volc_time: str | None,
        volc_secret: str | None,
        now: float,
    ) -> None:
        """Raise TokenError unless the token signs `path` and has not expired."""
        if not volc_time or not volc_secret:
            raise TokenError("missing volcTime/volcSecret")
        try:
            expiry = int(volc_time)
        except ValueError:
            raise TokenError("volcTime is not a number") from None
        expected = self.volc_secret(url_key, path, expiry)
        if not hmac.compare_digest(expected, volc_secret.lower()):
            raise TokenError("volcSecret does not match")
        if expiry <= now:
            raise TokenError("URL expired")

    def _jwt_key(self) -> bytes:
        return f"{self._jwt_secret}#{self.generation}".encode()

    def jwt(self, claims: dict[str, Any]) -> str:
        """Return an HS256 JWT carrying `claims`."""
        header = _b64(
            json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()
        )
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}".encode("ascii")
        signature = hmac.new(self._jwt_key(), signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def check_jwt(self, token: str | None, now: float) -> dict[str, Any]:
        """Return the claims of a valid, unexpired token or raise TokenError."""
        if not token:
            raise TokenError("missing X-JWT-Token")
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("malformed token")
        header, payload, signature = parts
        try:
            expected = hmac.new(
                self._jwt_key(), f"{header}.{payload}".encode("ascii"), hashlib.sha256
            ).digest()
            given = _unb64(signature)
            claims = json.loads(_unb64(payload))
        except ValueError:
            raise TokenError("malformed token") from None
        if not hmac.compare_digest(expected, given):
            raise TokenError("bad token signature")
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
            raise TokenError("malformed claims")
        if claims["exp"] <= now:
            raise TokenError("token expired")
        return claims
