"""Asyncio client for the aiotvideo OpenAPI: the typed actions this integration needs.

One `AiotVideoClient` per set of credentials. Each action here names its parameters
and parses its `Result` into the models of `models`; how a request is signed, paced,
retried and turned into an error is `transport.py`'s part.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from .errors import InvalidResponse
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
    parse_recordings,
    parse_screenshots,
)
from .transport import (
    DEFAULT_ENDPOINT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_REGION,
    RetryPolicy,
    Transport,
)

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

type TimeArg = datetime | int | float


def _unix(value: TimeArg) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return int(value.timestamp())
    return int(value)


def _params(**values: str | int | float | bool | None) -> dict[str, Any]:
    """Drop unset parameters; the API treats absent and empty differently."""
    return {key: value for key, value in values.items() if value is not None}


class AiotVideoClient(Transport):
    """Typed access to the aiotvideo actions this integration needs."""

    def __repr__(self) -> str:
        """Identify the client without showing credentials."""
        return f"AiotVideoClient(endpoint={self.endpoint!r}, region={self.region!r})"

    # -- spaces, devices, channels -------------------------------------------------

    async def list_spaces(
        self, *, page_number: int = 1, page_size: int = LIST_PAGE_SIZE
    ) -> Page[Space]:
        """One page of the account's spaces."""
        params = _params(PageNumber=page_number, PageSize=page_size)
        return await self._read(
            "ListSpaces",
            params,
            lambda answer: self._page(answer, params, "Spaces", Space.from_api),
        )

    def iter_spaces(self, *, page_size: int = LIST_PAGE_SIZE) -> AsyncIterator[Space]:
        """Every space, fetching page after page."""
        return _iterate(
            lambda n: self.list_spaces(page_number=n, page_size=page_size),
            page_size,
            "ListSpaces",
        )

    async def get_space(self, space_id: str) -> Space:
        """One space."""
        return await self._read(
            "GetSpace",
            {"SpaceID": space_id},
            lambda answer: answer.parse(Space.from_api),
        )

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
        return await self._read(
            "ListDevices",
            params,
            lambda answer: self._page(answer, params, "Devices", Device.from_api),
        )

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
        return await self._read(
            "GetDevice",
            {"SpaceID": space_id, "DeviceID": device_id},
            lambda answer: answer.parse(Device.from_api),
        )

    async def get_device_channels(
        self,
        device_id: str,
        *,
        space_id: str | None = None,
        query_mode: str = "brief",
    ) -> DeviceChannels:
        """A device's channels; `brief` reads the cloud's cache, `detail` asks the device."""
        return await self._read(
            "GetDeviceChannelsV2",
            _params(DeviceID=device_id, SpaceID=space_id, QueryMode=query_mode),
            lambda answer: answer.parse(DeviceChannels.from_api),
        )

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
        return await self._read(
            "ListStreams",
            params,
            lambda answer: self._page(answer, params, "Streams", Stream.from_api),
        )

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
        return await self._read(
            "GetStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=str(streaming_index),
                FreshExpiredPull="1" if fresh_expired_pull else None,
            ),
            lambda answer: answer.parse(Stream.from_api),
        )

    async def start_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        resolution: str | None = None,
    ) -> StartStreamResult:
        """Invite a GB stream (pull on demand) and get fresh pull URLs."""
        return await self._read(
            "StartStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=None if resolution else streaming_index,
                Resolution=resolution,
                FreshExpiredPull="1",
            ),
            lambda answer: answer.parse(StartStreamResult.from_api),
        )

    async def stop_stream(
        self,
        stream_id: str,
        *,
        space_id: str | None = None,
        streaming_index: int = 0,
        only_if_idle: bool = True,
    ) -> StopStreamResult:
        """Stop pulling a GB stream (by default only when nobody is watching)."""
        return await self._read(
            "StopStream",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StreamingIndex=streaming_index,
                IsSmart=only_if_idle,
            ),
            lambda answer: answer.parse(StopStreamResult.from_api),
        )

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
        return await self._read(
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
            lambda answer: answer.parse(
                RecordingUrls.from_cloud_record_play,
                issued_at=issued_at,
                token_valid=token_valid,
            ),
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
        return await self._read(
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
            lambda answer: answer.parse(
                RecordingUrls.from_play_cloud_record,
                issued_at=issued_at,
                token_valid=token_valid,
            ),
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
        return await self._read(
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
            lambda answer: answer.parse(parse_recordings),
        )

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
        return await self._read(
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
            lambda answer: answer.parse(parse_alarms),
        )

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
        return await self._read(
            "ListStreamScreenshots",
            _params(
                StreamID=stream_id,
                SpaceID=space_id,
                StartTime=_unix(start),
                EndTime=_unix(end),
                PageNumber=page_number,
                PageSize=page_size,
            ),
            lambda answer: answer.parse(parse_screenshots),
        )

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
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_REGION",
    "AiotVideoClient",
    "RetryPolicy",
]
