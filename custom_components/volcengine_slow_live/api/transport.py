"""How a request travels: signed, paced, retried, and its answer read or refused.

`Transport` is the base of `client.AiotVideoClient`, one per set of credentials. It
signs every request, keeps each action under the documented rate limit, retries what
is worth retrying (429, 5xx, timeouts, dropped connections) with jittered exponential
backoff, asks once more when an answer cannot be read (a truncated body, a required
field missing or of the wrong type: a proxy or the cloud having a bad moment, as a
5xx is), and turns every failure into one of the errors in `errors.py`. `stats`
counts what happened. The typed actions themselves are in `client.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
import random
import time
from typing import Any, Concatenate, Final

import aiohttp
from yarl import URL

from .errors import ApiError, InvalidResponse, RateLimited, Unavailable, error_class_for
from .models import Page, parse_page
from .ratelimit import ActionLimiters
from .redact import redact_data, register_secret
from .signer import Signer

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_REGION",
    "DEFAULT_TIMEOUT",
    "Params",
    "RetryPolicy",
    "Transport",
    "TransportStats",
]

_LOGGER = logging.getLogger(__name__)

DEFAULT_ENDPOINT: Final = "https://open.volcengineapi.com"
DEFAULT_REGION: Final = "cn-north-1"
SERVICE: Final = "aiotvideo"
V2021: Final = "2021-01-01"
V2023: Final = "2023-10-01"
DEFAULT_RATE_LIMIT: Final = 10.0
DEFAULT_TIMEOUT: Final = 10.0

type Params = Mapping[str, str | int | float | bool | None]


@dataclass(frozen=True, slots=True)
class _Action:
    version: str
    method: str


# HTTP method per action as the official Python SDK sends it (API notes §1.3).
_ACTIONS: Final[dict[str, _Action]] = {
    "ListSpaces": _Action(V2021, "GET"),
    "GetSpace": _Action(V2021, "GET"),
    "UpdateSpace": _Action(V2021, "POST"),
    "ListDevices": _Action(V2021, "GET"),
    "GetDevice": _Action(V2021, "GET"),
    "GetDeviceChannelsV2": _Action(V2021, "GET"),
    "ListStreams": _Action(V2021, "GET"),
    "GetStream": _Action(V2021, "GET"),
    "StartStream": _Action(V2021, "POST"),
    "StopStream": _Action(V2021, "POST"),
    "CloudRecordPlay": _Action(V2021, "POST"),
    "PlayCloudRecord": _Action(V2023, "POST"),
    "ListStreamRecords": _Action(V2023, "POST"),
    "ListStreamScreenshots": _Action(V2023, "POST"),
    "CloudControl": _Action(V2023, "POST"),
    "ListDeviceAlarms": _Action(V2023, "POST"),
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry a transient failure."""

    max_retries: int = 3
    base_delay: float = 0.3
    max_delay: float = 10.0

    def delay(self, attempt: int) -> float:
        """Backoff before retry number `attempt` (0-based), with ±50 % jitter."""
        return min(self.max_delay, self.base_delay * 2.0**attempt) * random.uniform(
            0.5, 1.5
        )


@dataclass(slots=True)
class TransportStats:
    """What the client's requests met since it was created (for diagnostics)."""

    requests: int = 0
    """Requests sent, retries included."""
    retries: int = 0
    """Requests sent again after a transient failure (429, 5xx, timeout…)."""
    malformed: int = 0
    """Answers that could not be read (each asked for once more)."""


@dataclass(frozen=True, slots=True)
class _Answer:
    """A successful call's `Result`, with what a parse error should name."""

    action: str
    result: Any
    request_id: str | None

    def parse[**P, T](
        self,
        parser: Callable[Concatenate[Any, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Parse the result; a failure names the action and the RequestId."""
        try:
            return parser(self.result, *args, **kwargs)
        except InvalidResponse as err:
            raise InvalidResponse(
                err.message, action=self.action, request_id=self.request_id
            ) from None


def _query_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Transport:
    """Signed, paced and retried calls of the aiotvideo actions, and media downloads."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        access_key_id: str,
        secret_access_key: str,
        *,
        session_token: str | None = None,
        region: str = DEFAULT_REGION,
        endpoint: str = DEFAULT_ENDPOINT,
        rate_limit: float = DEFAULT_RATE_LIMIT,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        now: Callable[[], datetime] | None = None,
        limiters: ActionLimiters | None = None,
    ) -> None:
        """Create a client; `rate_limit` is requests per second per action (0 = off).

        `limiters`: windows shared with other clients of the same key (the cloud
        counts a key's requests, whichever client sends them); `rate_limit` is then
        theirs.
        """
        register_secret(secret_access_key)
        register_secret(session_token)
        self._session = session
        self._signer = Signer(
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            region=region,
            service=SERVICE,
            session_token=session_token or None,
        )
        self.access_key_id = access_key_id
        self.region = region
        endpoint_url = URL(endpoint.strip().rstrip("/"))
        if endpoint_url.scheme not in ("http", "https") or not endpoint_url.host:
            raise ValueError("endpoint must be an http(s) URL with a host")
        self.endpoint = str(endpoint_url)
        self._base = endpoint_url.with_path("/").with_query(None).with_fragment(None)
        # aiohttp sends `host:port` unless the port is the scheme's default; the
        # signature must cover exactly that value.
        host = endpoint_url.raw_host or ""
        if (
            endpoint_url.explicit_port is not None
            and not endpoint_url.is_default_port()
        ):
            host = f"{host}:{endpoint_url.explicit_port}"
        self._host = host
        self._limiters = (
            limiters if limiters is not None else ActionLimiters(rate_limit)
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self.stats = TransportStats()
        # The last answer and its parse per list request (see `_page`).
        self._pages: dict[tuple[object, ...], tuple[object, Page[Any]]] = {}
        self._now = now or (lambda: datetime.now(UTC))

    async def request(self, action: str, params: Params | None = None) -> Any:
        """Call an action and return its `Result` (None when the action has none).

        GET actions carry their parameters in the query string, POST actions in a
        JSON body; `Action` and `Version` are always in the query.
        """
        return (await self._request(action, params)).result

    async def _read[T](
        self, action: str, params: Params | None, read: Callable[[_Answer], T]
    ) -> T:
        """Call an action and read its answer.

        One that cannot be read is asked for once more; a second is an
        `InvalidResponse`, as the first would have been.
        """
        for again in (False, True):
            try:
                return read(await self._request(action, params))
            except InvalidResponse as err:
                self.stats.malformed += 1
                if again:
                    raise
                _LOGGER.debug(
                    "%s: unreadable answer (%s); asking once more", action, err
                )
        raise AssertionError  # pragma: no cover - the loop returns or raises

    async def _request(self, action: str, params: Params | None) -> _Answer:
        spec = _ACTIONS[action]
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            try:
                async with self._limiters.slot(action):
                    self.stats.requests += 1
                    result, request_id = await self._send(action, spec, clean)
                return _Answer(action, result, request_id)
            except (RateLimited, Unavailable) as err:
                if attempt >= self._retry.max_retries:
                    raise
                delay = self._retry.delay(attempt)
                attempt += 1
                self.stats.retries += 1
                _LOGGER.debug(
                    "%s failed (%s); retry %d/%d in %.2f s",
                    action,
                    err,
                    attempt,
                    self._retry.max_retries,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _send(
        self, action: str, spec: _Action, params: dict[str, Any]
    ) -> tuple[Any, str | None]:
        query: list[tuple[str, str]] = [("Action", action), ("Version", spec.version)]
        if spec.method == "GET":
            query += [(key, _query_value(value)) for key, value in params.items()]
            body = b""
            content_type = "text/plain"
        else:
            body = json.dumps(params, ensure_ascii=False).encode()
            content_type = "application/json"
        signed = self._signer.sign(
            spec.method,
            self._host,
            query=query,
            headers={"Content-Type": content_type},
            body=body,
            now=self._now(),
        )
        url = URL(f"{self._base}?{signed.query}", encoded=True)
        headers = {**signed.headers, "Accept": "application/json"}
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("→ %s %s", action, redact_data(params))
        started = time.monotonic()
        try:
            async with self._session.request(
                spec.method,
                url,
                data=body if spec.method != "GET" else None,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                raw = await response.read()
                status = response.status
        except TimeoutError as err:
            raise Unavailable(
                f"no answer within {self._timeout.total:g} s",
                code="Timeout",
                action=action,
            ) from err
        except aiohttp.ClientError as err:
            raise Unavailable(
                f"{type(err).__name__}: {err}", code="ConnectionError", action=action
            ) from err
        result = self._parse(action, status, raw)
        _LOGGER.debug(
            "← %s HTTP %d in %.0f ms",
            action,
            status,
            (time.monotonic() - started) * 1000,
        )
        return result

    @staticmethod
    def _parse(action: str, status: int, raw: bytes) -> tuple[Any, str | None]:
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        meta = payload.get("ResponseMetadata") if isinstance(payload, dict) else None
        if not isinstance(meta, dict):
            if status == 429 or status >= 500:
                cls = error_class_for("", status)
                raise cls(f"HTTP {status}", action=action, http_status=status)
            raise InvalidResponse(
                "response is not an aiotvideo envelope",
                action=action,
                http_status=status,
            )
        request_id = meta.get("RequestId")
        request_id = request_id if isinstance(request_id, str) else None
        error = meta.get("Error")
        if isinstance(error, dict) or status >= 400:
            error = error if isinstance(error, dict) else {}
            code = str(error.get("Code") or "")
            message = str(error.get("Message") or f"HTTP {status}")
            cls = error_class_for(code, status)
            raise cls(
                message,
                code=code,
                request_id=request_id,
                action=action,
                http_status=status,
            )
        assert isinstance(payload, dict)  # noqa: S101 - narrowed by the meta check
        return payload.get("Result"), request_id

    def _page[T](
        self,
        answer: _Answer,
        params: Mapping[str, Any],
        key: str,
        item: Callable[[object], T],
    ) -> Page[T]:
        """Parse a list page, reusing the last parse of the same request if unchanged.

        Polling asks for the same pages every refresh and they seldom change;
        comparing a page with the last one costs a small fraction of parsing its
        hundred items again, and unchanged pages then give the very same models.
        Only the last answer per request is kept: memory follows the fleet's size.
        """
        request = (answer.action, *sorted(params.items()))
        last = self._pages.get(request)
        if last is not None and last[0] == answer.result:
            page: Page[T] = last[1]
            return page
        page = answer.parse(parse_page, key, item)
        self._pages[request] = (answer.result, page)
        return page

    @contextlib.asynccontextmanager
    async def _media(
        self, url: str, what: str
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """A GET of a media link whose status was 200; the client's errors otherwise."""
        try:
            async with self._session.get(
                url, timeout=self._timeout, allow_redirects=True
            ) as response:
                _check_media_status(response.status)
                yield response
        except TimeoutError as err:
            raise Unavailable(f"media {what} timed out", code="Timeout") from err
        except aiohttp.ClientError as err:
            raise Unavailable(
                f"media {what} failed: {type(err).__name__}", code="ConnectionError"
            ) from err


def _check_media_status(status: int) -> None:
    """A media answer's status as the client's errors (the URL never in them)."""
    if status >= 500:
        raise Unavailable(f"media HTTP {status}", http_status=status)
    if status != 200:
        raise ApiError(f"media HTTP {status}", code=f"HTTP{status}", http_status=status)
