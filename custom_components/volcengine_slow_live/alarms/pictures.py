"""The picture of an alarm: what the camera saw just after it.

An alarm is raised by what happens in front of the camera, so its picture is the
cloud's first screenshot taken at or after the alarm (spaces with a screenshot
template take one a minute), within `NEAR`; only when there is none after it, the
nearest before it; else the cover of the recording that holds the moment. Each alarm
of a busy hour thus gets the picture of its own minute, not the cover its whole
recording shares.

Screenshots are listed an hour at a time per camera and kept (`KEPT` hours, an hour
still filling only for `FRESH` seconds), so the thumbnails of a folder of alarms cost
a listing per hour they span, not one per alarm. Pictures are served to the media
browser by `alarm_picture_view` (Home Assistant's login required, never a cloud URL).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
import time
from urllib.parse import quote

from homeassistant.util import dt as dt_util

from ..api.client import AiotVideoClient
from ..api.models import Screenshot
from ..const import DOMAIN
from ..coordinator import ChannelData
from ..recorded import RecordingIndex

# Screenshots within this long of the alarm count as "of" it.
NEAR = timedelta(minutes=2)
HOUR = 3600
# Hours of screenshots kept per entry (a week of one camera's busy hours, or a day of
# several cameras'), and pictures kept.
KEPT = 168
PICTURES_KEPT = 64
# An hour whose listing may still grow is listed again after this long.
FRESH = 30.0
PICTURE_PATH = f"/api/{DOMAIN}/alarm_picture"
# A past alarm's picture does not change; a fresh one may get its "after" shot yet.
SETTLED = timedelta(minutes=3)


def alarm_picture_path(entry_id: str, key: str, at: datetime) -> str:
    """Where the media browser finds an alarm's picture (Home Assistant's own URL)."""
    return f"{PICTURE_PATH}/{entry_id}/{quote(key, safe='')}/{int(at.timestamp())}.jpg"


class AlarmPictures:
    """Finds and keeps the pictures of one entry's alarms."""

    def __init__(self, client: AiotVideoClient, recordings: RecordingIndex) -> None:
        """Read through `client`; covers come from the recordings' listing."""
        self._client = client
        self._recordings = recordings
        self._hours: OrderedDict[tuple[str, int], tuple[float, tuple[Screenshot, ...]]]
        self._hours = OrderedDict()
        self._pictures: OrderedDict[tuple[str, int], bytes] = OrderedDict()

    async def async_picture(self, channel: ChannelData, at: datetime) -> bytes | None:
        """The picture of the channel's alarm at `at`; None when the cloud has none.

        Raises the client's ApiError when the cloud cannot be read.
        """
        key = (channel.key, int(at.timestamp()))
        if (picture := self._pictures.get(key)) is not None:
            self._pictures.move_to_end(key)
            return picture
        url = await self._async_url(channel, at)
        if url is None:
            return None
        picture = await self._client.fetch_media(url)
        if at < dt_util.utcnow() - SETTLED:
            self._pictures[key] = picture
            while len(self._pictures) > PICTURES_KEPT:
                self._pictures.popitem(last=False)
        return picture

    async def _async_url(self, channel: ChannelData, at: datetime) -> str | None:
        if channel.has_screenshots:
            # The alarm's hour first; the next one only when the first shot after
            # the alarm may fall in it, the one before only when nothing came after.
            own = _hour_of(at)
            last = min(_hour_of(at + NEAR), _hour_of(dt_util.utcnow()))
            near = await self._async_near(channel, at, range(own, own + 1))
            if not any(s.taken_at >= at for s in near):
                near += await self._async_near(channel, at, range(own + 1, last + 1))
            if not near:
                near = await self._async_near(
                    channel, at, range(_hour_of(at - NEAR), own)
                )
            after = [s for s in near if s.taken_at >= at]
            if after:
                return min(after, key=lambda s: s.taken_at).url
            if near:
                return max(near, key=lambda s: s.taken_at).url
        if channel.records:
            files = await self._recordings.async_files(channel.key)
            return next((f.cover_url for f in files if f.start <= at < f.end), None)
        return None

    async def _async_near(
        self, channel: ChannelData, at: datetime, hours: range
    ) -> list[Screenshot]:
        """The screenshots of those hours taken close enough to `at` to be "of" it."""
        return [
            shot
            for hour in hours
            for shot in await self._async_hour(channel, hour)
            if abs(shot.taken_at - at) <= NEAR
        ]

    async def _async_hour(
        self, channel: ChannelData, hour: int
    ) -> tuple[Screenshot, ...]:
        """The camera's screenshots of one hour (unix hour number)."""
        key = (channel.key, hour)
        if (kept := self._hours.get(key)) is not None:
            read_at, shots = kept
            if read_at >= (hour + 1) * HOUR or time.time() - read_at < FRESH:
                self._hours.move_to_end(key)
                return shots
        read_at = time.time()
        shots = await self._client.list_stream_screenshots(
            channel.key,
            start=hour * HOUR,
            end=(hour + 1) * HOUR,
            space_id=channel.space.space_id,
        )
        self._hours[key] = (read_at, shots)
        while len(self._hours) > KEPT:
            self._hours.popitem(last=False)
        return shots


def _hour_of(moment: datetime) -> int:
    """The unix hour number of a moment."""
    return int(moment.timestamp()) // HOUR
