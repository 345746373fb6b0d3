"""The media browser's "Alarms" folder of a camera: every alarm of the last 7 days.

All of them, newest first (`alarms.history` reads the whole window, page after page,
then only what is new). Up to `MAX_CHILDREN` they are listed as they are; more are
grouped by local day ("Today · 113 alarms"), and a day with more than that by hour,
then by ten minutes, so no folder is cut short and none is too long to look through.

Each alarm plays the recording around it (the range an alarm event's
media_content_id names) and shows its own picture (`alarms.pictures`). One that fell
where nothing was recorded says so in its title and has no play button: whether its
range was recorded comes from the camera's file listing (cached, the one the camera's
folder has just read) and, for the last hours whose files are not finished, from one
listing of what is stored now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from homeassistant.components.media_player import MediaClass
from homeassistant.components.media_source import BrowseMediaSource
from homeassistant.util import dt as dt_util

from ..alarms.history import DAYS
from ..alarms.pictures import alarm_picture_path
from ..api.models import DeviceAlarm
from ..const import ALARM_POST_ROLL, ALARM_PRE_ROLL, DOMAIN
from ..coordinator import ChannelData
from ..data import SlowLiveConfigEntry
from ..playback import MIME_HLS
from ..recorded import FILE_HORIZON, TOLERANCE, TimeRange, merge
from .ids import MediaId, View
from .nodes import MAX_CHILDREN, STEPS, day_bounds, folder, times, unix
from .titles import MediaTitles

__all__ = ["DAYS", "async_alarm_folder", "async_alarms"]

type _Recorded = Callable[[DeviceAlarm], bool]


async def async_alarms(
    entry: SlowLiveConfigEntry, channel: ChannelData, *, current: bool = True
) -> list[DeviceAlarm]:
    """The camera's alarms of the last `DAYS` days, newest first, all of them.

    `current`: with what is new this moment (see `alarms.history`).
    """
    assert channel.device is not None  # noqa: S101  # has_alarms() said so
    return await entry.runtime_data.alarms.async_alarms(
        channel.device.device_id, channel.key, dt_util.utcnow(), current=current
    )


def alarm_range(alarm: DeviceAlarm) -> TimeRange:
    """What an alarm plays: from a little before it to a while after."""
    return TimeRange(alarm.at - ALARM_PRE_ROLL, alarm.at + ALARM_POST_ROLL)


async def async_alarm_folder(
    entry: SlowLiveConfigEntry,
    channel: ChannelData,
    media: MediaId,
    titles: MediaTitles,
) -> BrowseMediaSource:
    """The node `media` names: all alarms, a day of them, or a part of a day.

    Raises ValueError for a day or part the folder does not offer, and the client's
    ApiError when the cloud cannot be read.
    """
    today = dt_util.now().date()
    day = _day(media.day, today) if media.day is not None else None
    # The folder as it opens is current; a day opened in it follows from that.
    alarms = await async_alarms(entry, channel, current=day is None)
    if day is not None:
        lo, hi = day_bounds(day)
        if media.span is not None:
            if not lo <= media.span[0] < media.span[1] <= hi:
                raise ValueError(media.span)
            lo, hi = media.span
        alarms = [a for a in alarms if lo <= unix(a.at) < hi]
    recorded = await _async_recorded(entry, channel, alarms)
    folders = _AlarmFolders(entry.entry_id, channel, titles, recorded, today)
    if day is None:
        return folders.week(alarms)
    if media.span is None:
        return folders.day(day, alarms)
    return folders.part(day, media.span, alarms)


def _day(text: str, today: date) -> date:
    """One of the last `DAYS` local days (ValueError otherwise)."""
    day = date.fromisoformat(text)
    if not today - timedelta(days=DAYS) <= day <= today:
        raise ValueError(text)
    return day


async def _async_recorded(
    entry: SlowLiveConfigEntry, channel: ChannelData, alarms: Sequence[DeviceAlarm]
) -> _Recorded:
    """Whether each alarm's range has something recorded to play."""
    if not channel.records or not alarms:
        return lambda alarm: False
    recordings = entry.runtime_data.recordings
    files = await recordings.async_files(channel.key)
    now = dt_util.utcnow()
    ranges = [TimeRange(f.start, f.end) for f in files if f.end > f.start]
    # Files are listed once finished: the footage of the last hours past the newest
    # file is asked for as it is stored now (one listing).
    newest = max((f.end for f in files), default=now - FILE_HORIZON)
    late = [alarm_range(a).start for a in alarms if alarm_range(a).end > newest]
    if late and (start := max(newest, now - FILE_HORIZON, min(late))) < now:
        stored = await recordings.async_coverage(channel.key, TimeRange(start, now))
        ranges += stored.spans
    window = TimeRange(
        min(alarm_range(a).start for a in alarms),
        max(now, *(alarm_range(a).end for a in alarms)),
    )
    spans = merge(ranges, window)
    return lambda alarm: _overlaps(spans, alarm_range(alarm))


def _overlaps(spans: Sequence[TimeRange], wanted: TimeRange) -> bool:
    """More than a moment of `wanted` was recorded."""
    return any(
        min(s.end, wanted.end) - max(s.start, wanted.start) > TOLERANCE for s in spans
    )


class _AlarmFolders:
    """Builds the nodes of one camera's alarms."""

    def __init__(
        self,
        entry_id: str,
        channel: ChannelData,
        titles: MediaTitles,
        recorded: _Recorded,
        today: date,
    ) -> None:
        self._entry_id = entry_id
        self._channel = channel
        self._titles = titles
        self._recorded = recorded
        self._today = today

    def week(self, alarms: Sequence[DeviceAlarm]) -> BrowseMediaSource:
        """Every alarm of the last `DAYS` days (by day when there are many)."""
        name = self._channel.name
        if not alarms:
            title = f"{name} · {self._titles.say('no_alarms', days=DAYS)}"
        else:
            title = (
                f"{name} · {self._titles.say('alarms_last_days', days=DAYS)} · "
                f"{self._count(len(alarms))}"
            )
        children: list[BrowseMediaSource]
        if len(alarms) <= MAX_CHILDREN:
            children = [self._item(a, with_day=True) for a in alarms]
        else:
            by_day = Counter(dt_util.as_local(a.at).date() for a in alarms)
            children = [
                folder(
                    MediaId.alarm_day(
                        self._entry_id, self._channel.key, day
                    ).identifier,
                    f"{self._titles.day(day, self._today)} · {self._count(count)}",
                )
                for day, count in sorted(by_day.items(), reverse=True)
            ]
        return folder(self._id().identifier, title, children)

    def day(self, day: date, alarms: Sequence[DeviceAlarm]) -> BrowseMediaSource:
        """A day's alarms (by hour when there are many)."""
        lo, hi = day_bounds(day)
        title = (
            f"{self._channel.name} · {self._titles.say('alarms')} · "
            f"{self._titles.day(day, self._today)} · {self._count(len(alarms))}"
        )
        return folder(
            self._id(day).identifier, title, self._children(day, lo, hi, alarms)
        )

    def part(
        self, day: date, span: tuple[int, int], alarms: Sequence[DeviceAlarm]
    ) -> BrowseMediaSource:
        """The alarms of a part of a day."""
        lo, hi = span
        title = (
            f"{self._channel.name} · {self._titles.day(day, self._today)} "
            f"{times(lo, hi)} · {self._count(len(alarms))}"
        )
        return folder(
            self._id(day, span).identifier,
            title,
            self._children(day, lo, hi, alarms),
        )

    def _children(
        self, day: date, lo: int, hi: int, alarms: Sequence[DeviceAlarm]
    ) -> list[BrowseMediaSource]:
        step = next((s for s in STEPS if s < hi - lo), None)
        if len(alarms) <= MAX_CHILDREN or step is None:
            return [self._item(a, with_day=False) for a in alarms]
        counts = Counter((unix(a.at) - lo) // step for a in alarms)
        return [
            folder(
                self._id(day, (start, end)).identifier,
                f"{times(start, end)} · {self._count(n)}",
            )
            for k, n in sorted(counts.items(), reverse=True)
            for start, end in [(lo + k * step, min(hi, lo + (k + 1) * step))]
        ]

    def _item(self, alarm: DeviceAlarm, *, with_day: bool) -> BrowseMediaSource:
        """An alarm: playable where recorded, titled with its kind and time."""
        local = dt_util.as_local(alarm.at)
        when = (
            f"{local:%H:%M}"
            if not with_day or local.date() == self._today
            else f"{local:%m-%d %H:%M}"
        )
        # The kind first: a tile shows the first 15 characters or so.
        title = f"{self._titles.say(f'alarm_{alarm.kind.value}')} · {when}"
        recorded = self._recorded(alarm)
        if not recorded:
            title += f" · {self._titles.say('alarm_not_recorded')}"
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=MediaId.of_alarm(
                self._entry_id, self._channel.key, alarm.at
            ).identifier,
            media_class=MediaClass.VIDEO,
            media_content_type=MIME_HLS,
            title=title,
            can_play=recorded,
            can_expand=False,
            thumbnail=alarm_picture_path(self._entry_id, self._channel.key, alarm.at)
            if self._channel.has_screenshots or recorded
            else None,
        )

    def _count(self, count: int) -> str:
        return self._titles.say(
            "alarms_count_one" if count == 1 else "alarms_count_other", count=count
        )

    def _id(
        self, day: date | None = None, span: tuple[int, int] | None = None
    ) -> MediaId:
        if day is None:
            return MediaId.camera(self._entry_id, self._channel.key, View.ALARMS)
        return MediaId.alarm_day(self._entry_id, self._channel.key, day, span)
