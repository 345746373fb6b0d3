"""Asyncio client for the aiotvideo OpenAPI.

One `AiotVideoClient` per set of credentials. It signs every request, keeps each action
under the documented rate limit, retries what is worth retrying (429, 5xx, timeouts,
dropped connections) with jittered exponential backoff, and turns every failure into
one of the errors in `errors.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
import random
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from .errors import (
    ApiError,
    InvalidResponse,
    RateLimited,
    Unavailable,
    error_class_for,
)
from .models import (
    Device,
    DeviceChannels,
    Page,
    RecordingSegment,
    RecordingUrls,
    Screenshot,
    Space,
    StartStreamResult,
    StopStreamResult,
    Stream,
    parse_page,
    parse_recordings,
    parse_screenshots,
)
from .ratelimit import ActionLimiters
from .redact import redact_data, register_secret
from .signer import Signer

_LOGGER = logging.getLogger(__name__)

DEFAULT_ENDPOINT: Final = "https://open.volcengineapi.com"
DEFAULT_REGION: Final = "cn-north-1"
SERVICE: Final = "aiotvideo"
V2021: Final = "2021-01-01"
V2023: Final = "2023-10-01"
DEFAULT_RATE_LIMIT: Final = 10.0
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_TOKEN_VALID: Final = 3600
# Large pages keep a refresh to a few calls per space; the emulator (like, we assume,
# the cloud) refuses more than 100 per page for these lists.
LIST_PAGE_SIZE: Final = 100
RECORDS_PAGE_SIZE: Final = 1000
_MAX_PAGES: Final = 10_000

type Params = Mapping[str, str | int | float | bool | None]
type TimeArg = datetime | int | float


@dataclass(frozen=True, slots=True)
class _Action:
    version: str
    method: str


# HTTP method per action as the official Python SDK sends it (digest §1.3).
_ACTIONS: Final[dict[str, _Action]] = {
    "ListSpaces": _Action(V2021, "GET"),
    "GetSpace": _Action(V2021, "GET"),
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


def _unix(value: TimeArg) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return int(value.timestamp())
    return int(value)


def _params(**values: str | int | float | bool | None) -> dict[str, Any]:
    """Drop unset parameters; the API treats absent and empty differently."""
    return {key: value for key, value in values.items() if value is not None}


def _query_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class AiotVideoClient:
    """Typed access to the aiotvideo actions this integration needs."""

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
    ) -> None:
        """Create a client; `rate_limit` is requests per second per action (0 = off)."""
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
        self._limiters = ActionLimiters(rate_limit)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._now = now or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        """Identify the client without showing credentials."""
        return f"AiotVideoClient(endpoint={self.endpoint!r}, region={self.region!r})"

    # -- transport -----------------------------------------------------------------

    async def request(self, action: str, params: Params | None = None) -> Any:
        """Call an action and return its `Result` (None when the action has none).

        GET actions carry their parameters in the query string, POST actions in a
        JSON body; `Action` and `Version` are always in the query.
        """
        spec = _ACTIONS[action]
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            await self._limiters.acquire(action)
            try:
                return await self._send(action, spec, clean)
            except (RateLimited, Unavailable) as err:
                if attempt >= self._retry.max_retries:
                    raise
                delay = self._retry.delay(attempt)
                if isinstance(err, RateLimited) and err.retry_after:
                    delay = max(delay, err.retry_after)
                attempt += 1
                _LOGGER.debug(
                    "%s failed (%s); retry %d/%d in %.2f s",
                    action,
                    err,
                    attempt,
                    self._retry.max_retries,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _send(self, action: str, spec: _Action, params: dict[str, Any]) -> Any:
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
                retry_after = response.headers.get("Retry-After")
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
        result = self._parse(action, status, raw, retry_after)
        _LOGGER.debug(
            "← %s HTTP %d in %.0f ms",
            action,
            status,
            (time.monotonic() - started) * 1000,
        )
        return result

    @staticmethod
    def _parse(action: str, status: int, raw: bytes, retry_after: str | None) -> Any:
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        meta = payload.get("ResponseMetadata") if isinstance(payload, dict) else None
        if not isinstance(meta, dict):
            if status == 429 or status >= 500:
                cls = error_class_for("", status)
                raise _with_retry_after(
                    cls(f"HTTP {status}", action=action, http_status=status),
                    retry_after,
                )
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
            raise _with_retry_after(
                cls(
                    message,
                    code=code,
                    request_id=request_id,
                    action=action,
                    http_status=status,
                ),
                retry_after,
            )
        assert isinstance(payload, dict)  # noqa: S101 - narrowed by the meta check
        return payload.get("Result")

    # -- spaces, devices, channels -------------------------------------------------

    async def list_spaces(
        self, *, page_number: int = 1, page_size: int = LIST_PAGE_SIZE
    ) -> Page[Space]:
        """One page of the account's spaces."""
        result = await self.request(
            "ListSpaces", _params(PageNumber=page_number, PageSize=page_size)
        )
        return parse_page(result, "Spaces", Space.from_api)

    def iter_spaces(self, *, page_size: int = LIST_PAGE_SIZE) -> AsyncIterator[Space]:
        """Every space, fetching page after page."""
        return _iterate(
            lambda n: self.list_spaces(page_number=n, page_size=page_size), page_size
        )

    async def get_space(self, space_id: str) -> Space:
        """One space."""
        return Space.from_api(await self.request("GetSpace", {"SpaceID": space_id}))

    async def list_devices(
        self,
        space_id: str,
        *,
        page_number: int = 1,
        page_size: int = LIST_PAGE_SIZE,
        status: str | None = None,
    ) -> Page[Device]:
        """One page of a space's GB/T 28181 devices."""
        result = await self.request(
            "ListDevices",
            _params(
                SpaceID=space_id,
                PageNumber=page_number,
                PageSize=page_size,
                Status=status,
            ),
        )
        return parse_page(result, "Devices", Device.from_api)

    def iter_devices(
        self, space_id: str, *, page_size: int = LIST_PAGE_SIZE
    ) -> AsyncIterator[Device]:
        """Every device of a space."""
        return _iterate(
            lambda n: self.list_devices(space_id, page_number=n, page_size=page_size),
            page_size,
        )

    async def get_device(self, space_id: str, device_id: str) -> Device:
        """One device with its per-channel streams."""
        result = await self.request(
            "GetDevice", {"SpaceID": space_id, "DeviceID": device_id}
        )
        return Device.from_api(result)

    async def get_device_channels(
        self,
        device_id: str,
        *,
        space_id: str | None = None,
        query_mode: str = "brief",
    ) -> DeviceChannels:
        """A device's channels; `brief` reads the cloud's cache, `detail` asks the device."""
        result = await self.request(
            "GetDeviceChannelsV2",
            _params(DeviceID=device_id, SpaceID=space_id, QueryMode=query_mode),
        )
        return DeviceChannels.from_api(result)

    # -- streams ------------------------------------------------------------------

    async def list_streams(
        self,
        space_id: str,
        *,
        page_number: int = 1,
        page_size: int = LIST_PAGE_SIZE,
        stream_name: str | None = None,
    ) -> Page[Stream]:
        """One page of a space's streams, pull URLs included."""
        result = await self.request(
            "ListStreams",
            _params(
                SpaceID=space_id,
                PageNumber=page_number,
                PageSize=page_size,
                StreamName=stream_name,
            ),
        )
        return parse_page(result, "Streams", Stream.from_api)

    def iter_streams(
        self, space_id: str, *, page_size: int = LIST_PAGE_SIZE
    ) -> AsyncIterator[Stream]:
        """Every stream of a space."""
        return _iterate(
            lambda n: self.list_streams(space_id, page_number=n, page_size=page_size),
            page_size,
        )

    async def get_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        fresh_expired_pull: bool = False,
    ) -> Stream:
        """One stream; `fresh_expired_pull` asks for re-signed pull URLs."""
        result = await self.request(
            "GetStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=str(streaming_index),
                FreshExpiredPull="1" if fresh_expired_pull else None,
            ),
        )
        return Stream.from_api(result)

    async def start_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        resolution: str | None = None,
    ) -> StartStreamResult:
        """Invite a GB stream (pull on demand) and get fresh pull URLs."""
        result = await self.request(
            "StartStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=None if resolution else streaming_index,
                Resolution=resolution,
                FreshExpiredPull="1",
            ),
        )
        return StartStreamResult.from_api(result)

    async def stop_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        only_if_idle: bool = True,
    ) -> StopStreamResult:
        """Stop pulling a GB stream (by default only when nobody is watching)."""
        result = await self.request(
            "StopStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=streaming_index,
                IsSmart=only_if_idle,
            ),
        )
        return StopStreamResult.from_api(result)

    # -- cloud recordings ---------------------------------------------------------

    async def cloud_record_play(
        self,
        *,
        start: TimeArg,
        end: TimeArg,
        stream_id: str | None = None,
        device_nsid: str | None = None,
        channel_id: str | None = None,
        streaming_index: int | None = None,
        resolution: str | None = None,
        token_valid: int = DEFAULT_TOKEN_VALID,
    ) -> RecordingUrls:
        """HLS/MP4 links to the cloud recording of a time range (CloudRecordPlay).

        The channel is named by its main `stream_id`, or by `device_nsid` plus
        `channel_id`; `streaming_index` (0 main, 1.. sub) picks the variant.
        """
        if not stream_id and not (device_nsid and channel_id):
            raise ValueError("give stream_id, or device_nsid and channel_id")
        issued_at = self._now()
        result = await self.request(
            "CloudRecordPlay",
            _params(
                StreamID=stream_id,
                DeviceNSID=None if stream_id else device_nsid,
                ChannelID=None if stream_id else channel_id,
                StreamingIndex=streaming_index,
                Resolution=resolution,
                StartTs=_unix(start),
                EndTs=_unix(end),
                TokenValid=token_valid,
            ),
        )
        return RecordingUrls.from_cloud_record_play(
            result, issued_at=issued_at, token_valid=token_valid
        )

    async def play_cloud_record(
        self,
        stream_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        streaming_index: int = 0,
        resolution: str | None = None,
        token_valid: int = DEFAULT_TOKEN_VALID,
        with_sub: bool | None = None,
    ) -> RecordingUrls:
        """HLS/MP4 links to a cloud recording (PlayCloudRecord, the 2023 action)."""
        issued_at = self._now()
        result = await self.request(
            "PlayCloudRecord",
            _params(
                StreamID=stream_id,
                StreamingIndex=streaming_index,
                Resolution=resolution,
                StartTime=_unix(start),
                EndTime=_unix(end),
                TokenValid=token_valid,
                WithSub=with_sub,
            ),
        )
        return RecordingUrls.from_play_cloud_record(
            result, issued_at=issued_at, token_valid=token_valid
        )

    async def list_stream_records(
        self,
        stream_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        page_number: int = 1,
        page_size: int = RECORDS_PAGE_SIZE,
        streaming_index: int = 0,
    ) -> tuple[RecordingSegment, ...]:
        """One page of the recording files overlapping a time range."""
        result = await self.request(
            "ListStreamRecords",
            _params(
                StreamID=stream_id,
                StreamingIndex=streaming_index,
                StartTime=_unix(start),
                EndTime=_unix(end),
                PageNumber=page_number,
                PageSize=page_size,
            ),
        )
        return parse_recordings(result)

    async def iter_stream_records(
        self,
        stream_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        page_size: int = RECORDS_PAGE_SIZE,
        streaming_index: int = 0,
    ) -> AsyncIterator[RecordingSegment]:
        """Every recording file in a range (the result has no total; a short page ends it)."""
        for page_number in range(1, _MAX_PAGES + 1):
            items = await self.list_stream_records(
                stream_id,
                start=start,
                end=end,
                page_number=page_number,
                page_size=page_size,
                streaming_index=streaming_index,
            )
            for item in items:
                yield item
            if len(items) < page_size:
                return

    async def list_stream_screenshots(
        self,
        stream_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        space_id: str | None = None,
        page_number: int = 1,
        page_size: int = RECORDS_PAGE_SIZE,
    ) -> tuple[Screenshot, ...]:
        """Screenshots the cloud took of a stream within a time range, oldest first."""
        result = await self.request(
            "ListStreamScreenshots",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StartTime=_unix(start),
                EndTime=_unix(end),
                PageNumber=page_number,
                PageSize=page_size,
            ),
        )
        return parse_screenshots(result)

    async def cloud_control(
        self, stream_id: str, *, action: str, command: str, param: int
    ) -> None:
        """PTZ, focus/iris or preset control (`PTZControl`, `FiControl`, `PresetControl`)."""
        await self.request(
            "CloudControl",
            {"StreamID": stream_id, "Action": action, "Cmd": command, "Para": param},
        )


def _with_retry_after(err: ApiError, retry_after: str | None) -> ApiError:
    try:
        err.retry_after = float(retry_after) if retry_after else None
    except ValueError:
        err.retry_after = None
    return err


async def _iterate[T](
    fetch: Callable[[int], Awaitable[Page[T]]], page_size: int
) -> AsyncIterator[T]:
    """Walk pages until the total is reached or a page comes back short."""
    seen = 0
    for page_number in range(1, _MAX_PAGES + 1):
        page = await fetch(page_number)
        for item in page.items:
            yield item
        seen += len(page.items)
        if not page.items:
            return
        # Trust the total when there is one: a server that caps the page size below
        # ours returns short pages that are not the last.
        if page.total_count is not None:
            if seen >= page.total_count:
                return
        elif len(page.items) < page_size:
            return


__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_REGION",
    "AiotVideoClient",
    "RetryPolicy",
]
