"""Asyncio client for the aiotvideo OpenAPI.

One `AiotVideoClient` per set of credentials. It signs every request, keeps each action
under the documented rate limit, retries what is worth retrying (429, 5xx, timeouts,
dropped connections) with jittered exponential backoff, and turns every failure into
one of the errors in `errors.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
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

from .errors import (
    ApiError,
    InvalidResponse,
    RateLimited,
    Unavailable,
    error_class_for,
)
from .models import (
    Device,
    DeviceAlarm,
    DeviceChannels,
    Page,
    RecordingSegment,
    RecordingUrls,
    Screenshot,
    Space,
    StartStreamResult,
    StopStreamResult,
    Stream,
    parse_alarms,
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
# ListDeviceAlarms serves at most 100 a page [I: as the other lists].
ALARMS_PAGE_SIZE: Final = 100
# Stills and playlists are small; refuse anything that would not fit in memory.
MAX_MEDIA_BYTES: Final = 20 * 1024 * 1024
# A live playlist lists a few segments; a megabyte is far more than any needs.
MAX_PLAYLIST_BYTES: Final = 1024 * 1024
_MAX_PAGES: Final = 10_000

type Params = Mapping[str, str | int | float | bool | None]
type TimeArg = datetime | int | float


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
        # The last answer and its parse per list request (see `_page`).
        self._pages: dict[tuple[object, ...], tuple[object, Page[Any]]] = {}
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
        return (await self._request(action, params)).result

    async def _request(self, action: str, params: Params | None) -> _Answer:
        spec = _ACTIONS[action]
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            try:
                async with self._limiters.slot(action):
                    result, request_id = await self._send(action, spec, clean)
                return _Answer(action, result, request_id)
            except (RateLimited, Unavailable) as err:
                if attempt >= self._retry.max_retries:
                    raise
                delay = self._retry.delay(attempt)
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

    # -- spaces, devices, channels -------------------------------------------------

    async def list_spaces(
        self, *, page_number: int = 1, page_size: int = LIST_PAGE_SIZE
    ) -> Page[Space]:
        """One page of the account's spaces."""
        params = _params(PageNumber=page_number, PageSize=page_size)
        answer = await self._request("ListSpaces", params)
        return self._page(answer, params, "Spaces", Space.from_api)

    def iter_spaces(self, *, page_size: int = LIST_PAGE_SIZE) -> AsyncIterator[Space]:
        """Every space, fetching page after page."""
        return _iterate(
            lambda n: self.list_spaces(page_number=n, page_size=page_size),
            page_size,
            "ListSpaces",
        )

    async def get_space(self, space_id: str) -> Space:
        """One space."""
        answer = await self._request("GetSpace", {"SpaceID": space_id})
        return answer.parse(Space.from_api)

    async def set_callback_url(self, space_id: str, url: str) -> None:
        """Where the cloud POSTs a space's events (UpdateSpace; "" for nowhere)."""
        await self._request("UpdateSpace", {"SpaceID": space_id, "CallbackURL": url})

    async def list_devices(
        self,
        space_id: str,
        *,
        page_number: int = 1,
        page_size: int = LIST_PAGE_SIZE,
        status: str | None = None,
    ) -> Page[Device]:
        """One page of a space's GB/T 28181 devices."""
        params = _params(
            SpaceID=space_id, PageNumber=page_number, PageSize=page_size, Status=status
        )
        answer = await self._request("ListDevices", params)
        return self._page(answer, params, "Devices", Device.from_api)

    def iter_devices(
        self, space_id: str, *, page_size: int = LIST_PAGE_SIZE
    ) -> AsyncIterator[Device]:
        """Every device of a space."""
        return _iterate(
            lambda n: self.list_devices(space_id, page_number=n, page_size=page_size),
            page_size,
            "ListDevices",
        )

    async def get_device(self, space_id: str, device_id: str) -> Device:
        """One device with its per-channel streams."""
        answer = await self._request(
            "GetDevice", {"SpaceID": space_id, "DeviceID": device_id}
        )
        return answer.parse(Device.from_api)

    async def get_device_channels(
        self,
        device_id: str,
        *,
        space_id: str | None = None,
        query_mode: str = "brief",
    ) -> DeviceChannels:
        """A device's channels; `brief` reads the cloud's cache, `detail` asks the device."""
        answer = await self._request(
            "GetDeviceChannelsV2",
            _params(DeviceID=device_id, SpaceID=space_id, QueryMode=query_mode),
        )
        return answer.parse(DeviceChannels.from_api)

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
        params = _params(
            SpaceID=space_id,
            PageNumber=page_number,
            PageSize=page_size,
            StreamName=stream_name,
        )
        answer = await self._request("ListStreams", params)
        return self._page(answer, params, "Streams", Stream.from_api)

    def iter_streams(
        self, space_id: str, *, page_size: int = LIST_PAGE_SIZE
    ) -> AsyncIterator[Stream]:
        """Every stream of a space."""
        return _iterate(
            lambda n: self.list_streams(space_id, page_number=n, page_size=page_size),
            page_size,
            "ListStreams",
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
        answer = await self._request(
            "GetStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=str(streaming_index),
                FreshExpiredPull="1" if fresh_expired_pull else None,
            ),
        )
        return answer.parse(Stream.from_api)

    async def start_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        resolution: str | None = None,
    ) -> StartStreamResult:
        """Invite a GB stream (pull on demand) and get fresh pull URLs."""
        answer = await self._request(
            "StartStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=None if resolution else streaming_index,
                Resolution=resolution,
                FreshExpiredPull="1",
            ),
        )
        return answer.parse(StartStreamResult.from_api)

    async def stop_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        only_if_idle: bool = True,
    ) -> StopStreamResult:
        """Stop pulling a GB stream (by default only when nobody is watching)."""
        answer = await self._request(
            "StopStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=streaming_index,
                IsSmart=only_if_idle,
            ),
        )
        return answer.parse(StopStreamResult.from_api)

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
        answer = await self._request(
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
        return answer.parse(
            RecordingUrls.from_cloud_record_play,
            issued_at=issued_at,
            token_valid=token_valid,
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
        answer = await self._request(
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
        return answer.parse(
            RecordingUrls.from_play_cloud_record,
            issued_at=issued_at,
            token_valid=token_valid,
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
        req_type: str | None = None,
    ) -> tuple[RecordingSegment, ...]:
        """One page of the recording files overlapping a time range.

        `req_type="record_metadata"` lists the raw TS segments stored so far instead.
        """
        answer = await self._request(
            "ListStreamRecords",
            _params(
                StreamID=stream_id,
                StreamingIndex=streaming_index,
                StartTime=_unix(start),
                EndTime=_unix(end),
                PageNumber=page_number,
                PageSize=page_size,
                ReqType=req_type,
            ),
        )
        return answer.parse(parse_recordings)

    async def all_stream_records(
        self,
        stream_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        page_size: int = RECORDS_PAGE_SIZE,
        streaming_index: int = 0,
        req_type: str | None = None,
    ) -> tuple[RecordingSegment, ...]:
        """Every recording file in a range, all pages (a short page is the last).

        One tuple rather than an item at a time: a replay's check reads a segment
        per 6 s on its critical path, and each yield of an async generator costs.
        """
        found: list[RecordingSegment] = []
        for page_number in range(1, _MAX_PAGES + 1):
            items = await self.list_stream_records(
                stream_id,
                start=start,
                end=end,
                page_number=page_number,
                page_size=page_size,
                streaming_index=streaming_index,
                req_type=req_type,
            )
            found += items
            if len(items) < page_size:
                break
        return tuple(found)

    async def list_device_alarms(
        self,
        device_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        stream_id: str | None = None,
        page_number: int = 1,
        page_size: int = ALARMS_PAGE_SIZE,
        newest_first: bool = False,
    ) -> Page[DeviceAlarm]:
        """One page of a device's alarms in a time range, oldest (or newest) first."""
        answer = await self._request(
            "ListDeviceAlarms",
            _params(
                DeviceID=device_id,
                StreamID=stream_id,
                StartTime=_unix(start),
                EndTime=_unix(end),
                Order=1 if newest_first else 0,
                PageNumber=page_number,
                PageSize=page_size,
            ),
        )
        return answer.parse(parse_alarms)

    def iter_device_alarms(
        self,
        device_id: str,
        *,
        start: TimeArg,
        end: TimeArg,
        stream_id: str | None = None,
        page_size: int = ALARMS_PAGE_SIZE,
    ) -> AsyncIterator[DeviceAlarm]:
        """Every alarm of a device (or one of its channels) in a range, oldest first."""
        return _iterate(
            lambda n: self.list_device_alarms(
                device_id,
                start=start,
                end=end,
                stream_id=stream_id,
                page_number=n,
                page_size=page_size,
            ),
            page_size,
            "ListDeviceAlarms",
        )

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
        answer = await self._request(
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
        return answer.parse(parse_screenshots)

    async def cloud_control(
        self, stream_id: str, *, action: str, command: str, param: int
    ) -> None:
        """PTZ, focus/iris or preset control (`PTZControl`, `FiControl`, `PresetControl`)."""
        await self.request(
            "CloudControl",
            {"StreamID": stream_id, "Action": action, "Cmd": command, "Para": param},
        )

    async def fetch_media(self, url: str, *, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
        """Download a screenshot, cover or playlist the cloud linked to.

        Media links are signed by their own token, not by our request signature. A
        refused link (403: expired token) is an `ApiError`; a network failure or a
        5xx is `Unavailable`.
        """
        async with self._media(url, "download") as response:
            if (response.content_length or 0) > max_bytes:
                raise InvalidResponse("media larger than allowed")
            data = await response.content.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidResponse("media larger than allowed")
        return data

    async def fetch_playlist(self, url: str) -> tuple[str, str]:
        """An HLS playlist the cloud linked to, and the URL it finally came from.

        The final URL (after redirects) is what the playlist's relative URIs are
        relative to. Raises like `fetch_media`.
        """
        async with self._media(url, "playlist") as response:
            data = await response.content.read(MAX_PLAYLIST_BYTES + 1)
            final = str(response.url)
        if len(data) > MAX_PLAYLIST_BYTES:
            raise InvalidResponse("playlist larger than allowed")
        return final, data.decode("utf-8", errors="replace")

    async def probe_media(self, url: str) -> None:
        """Whether a media link has something behind it now: its answer's status only.

        The body is not read (an HTTP-FLV link never ends). Raises like
        `fetch_media`: `ApiError` when refused (403 token, 404 nothing there),
        `Unavailable` on a network failure or a 5xx.
        """
        async with self._media(url, "probe"):
            pass

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


async def _iterate[T](
    fetch: Callable[[int], Awaitable[Page[T]]], page_size: int, action: str
) -> AsyncIterator[T]:
    """Walk pages until the total is reached or a page comes back short."""
    seen = 0
    for page_number in range(1, _MAX_PAGES + 1):
        page = await fetch(page_number)
        for item in page.items:
            yield item
        seen += len(page.items)
        if not page.items:
            # An empty page while the total promises more is a broken answer (its
            # list lost on the way), not the end: taken at its word, every camera
            # of the space would vanish, devices and entities with them.
            if page.total_count is not None and seen < page.total_count:
                raise InvalidResponse(
                    f"page {page_number} is empty but TotalCount is {page.total_count}",
                    action=action,
                )
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
