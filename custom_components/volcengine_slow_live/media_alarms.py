"""The media browser's "Alarms" folder of a camera: its alarms, newest first.

Each plays the recording around its alarm (the range an alarm event's
media_content_id names).

One ListDeviceAlarms listing (the camera's channel, the last `DAYS` days, at most
`SHOWN`); whether each alarm's range was recorded comes from the camera's file
listing the camera's folder has just read (cached), so a folder costs one call. An
alarm whose range has no recording is listed but not playable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from homeassistant.components.media_player import MediaClass
from homeassistant.components.media_source import BrowseMediaSource
from homeassistant.util import dt as dt_util

from .api.models import DeviceAlarm, RecordingSegment
from .const import ALARM_POST_ROLL, ALARM_PRE_ROLL, DOMAIN
from .coordinator import ChannelData
from .data import SlowLiveConfigEntry
from .media_id import MediaId
from .media_nodes import unix
from .media_titles import MediaTitles
from .playback import MIME_HLS

DAYS = 7  # the most one listing may span
SHOWN = 100


async def async_alarms(
    entry: SlowLiveConfigEntry, channel: ChannelData
) -> list[DeviceAlarm]:
    """The camera's alarms of the last `DAYS` days, newest first (at most `SHOWN`)."""
    assert channel.device is not None  # noqa: S101  # has_alarms() said so
    # The current second included; the span at most what one listing may cover.
    end = dt_util.utcnow() + timedelta(seconds=1)
    page = await entry.runtime_data.client.list_device_alarms(
        channel.device.device_id,
        start=end - timedelta(days=DAYS),
        end=end,
        stream_id=channel.key,
        page_size=SHOWN,
        newest_first=True,
    )
    # One page: the newest; sorted again in case the cloud ignored the order.
    return sorted(page.items, key=lambda a: a.at, reverse=True)


def alarm_items(
    camera: MediaId,
    alarms: Sequence[DeviceAlarm],
    files: Sequence[RecordingSegment],
    titles: MediaTitles,
    *,
    records: bool,
) -> list[BrowseMediaSource]:
    """One playable item per alarm, titled with its local time and kind."""
    # Files are listed once finished: footage after the newest file's end is being
    # written now (playable once stored).
    newest = max((f.end for f in files), default=None)
    today = dt_util.now().date()
    items = []
    for alarm in alarms:
        start, end = alarm.at - ALARM_PRE_ROLL, alarm.at + ALARM_POST_ROLL
        cover = next((f.cover_url for f in files if f.start <= alarm.at < f.end), None)
        recorded = records and (
            any(f.start < end and start < f.end for f in files)
            or (newest is not None and alarm.at >= newest)
        )
        # The kind first: a tile shows the first 15 characters or so. The day only
        # when it is not today.
        local = dt_util.as_local(alarm.at)
        when = f"{local:%H:%M}" if local.date() == today else f"{local:%m-%d %H:%M}"
        title = f"{titles.say(f'alarm_{alarm.kind.value}')} · {when}"
        items.append(
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=MediaId.recording(
                    camera.entry_id, camera.key, unix(start), unix(end)
                ).identifier,
                media_class=MediaClass.VIDEO,
                media_content_type=MIME_HLS,
                title=title,
                can_play=recorded,
                can_expand=False,
                thumbnail=cover,
            )
        )
    return items
