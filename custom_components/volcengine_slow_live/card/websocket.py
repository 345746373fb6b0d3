"""The card's websocket commands: a window's timeline, and a link for a moment.

`volcengine_slow_live/timeline` answers what was recorded in a window (the spans
exactly as `get_recording` reports them, from the same index) and the camera's alarms
in it (from the alarm history the media browser reads, complete). A card re-opened
within `TIMELINE_TTL` costs no request: answers are kept per camera, and a later
window inside a kept one (the same day, or "the last 24 h" a few seconds on) is cut
from it. `volcengine_slow_live/playback` resolves a moment to a short-lived HLS link
of the window after it, never one with nothing behind it: an unrecorded moment
answers with the closest recordings instead.

Both need read access to the camera entity; others get `unauthorized` before anything
about the camera is looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import time
from typing import Any

from homeassistant.auth.permissions.const import POLICY_READ
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
import voluptuous as vol

from ..alarms.history import DAYS as ALARM_DAYS
from ..alarms.pictures import alarm_picture_path
from ..alarms.watcher import has_alarms
from ..api.errors import ApiError
from ..api.models import DeviceAlarm
from ..const import DOMAIN
from ..playback import NEIGHBOUR_REACH, async_recording
from ..recorded import (
    DAYS as RECORDING_DAYS,
    RETENTION_MARGIN,
    TOLERANCE,
    Coverage,
    RecordingIndex,
    TimeRange,
    merge,
)
from ..refusals import cloud_error, invalid
from ..targets import CameraTarget, resolve_camera

TIMELINE = f"{DOMAIN}/timeline"
PLAYBACK = f"{DOMAIN}/playback"
# A local day is 25 hours when the clocks go back.
MAX_WINDOW = timedelta(hours=25)
# What a tap plays: the hour after the moment, so the card can seek within it.
PLAYBACK_WINDOW = timedelta(hours=1)
# How long a timeline answer is reused (a card re-opened, a zoom, a day back and forth).
TIMELINE_TTL = 60.0

_TIMELINES: HassKey[_Timelines] = HassKey(f"{DOMAIN}_card_timelines")


@dataclass(frozen=True, slots=True)
class _Seen:
    """What one listing answered for a window of one camera."""

    window: TimeRange
    spans: tuple[TimeRange, ...]
    to_now: bool
    """The window ended at the moment it was read: later windows may use it up to now."""
    expires: float


class _Timelines:
    """Recent timeline answers, per entry's index and camera stream."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, str, int], list[_Seen]] = {}

    def get(
        self, index: RecordingIndex, key: str, stream: int, window: TimeRange
    ) -> Coverage | None:
        now = time.monotonic()
        for seen in self._seen.get((id(index), key, stream), ()):
            if (
                seen.expires > now
                and seen.window.start <= window.start
                and (window.end <= seen.window.end or seen.to_now)
            ):
                return Coverage(window, merge(seen.spans, window))
        return None

    def put(
        self,
        index: RecordingIndex,
        key: str,
        stream: int,
        coverage: Coverage,
        *,
        to_now: bool,
    ) -> None:
        now = time.monotonic()
        cache_key = (id(index), key, stream)
        kept = [s for s in self._seen.get(cache_key, ()) if s.expires > now]
        kept.append(_Seen(coverage.window, coverage.spans, to_now, now + TIMELINE_TTL))
        self._seen[cache_key] = kept[-4:]
        # What expired goes: the cache holds the cameras looked at in the last minute.
        self._seen = {
            k: v for k, v in self._seen.items() if any(s.expires > now for s in v)
        }


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the card's commands (once per Home Assistant)."""
    hass.data[_TIMELINES] = _Timelines()
    websocket_api.async_register_command(hass, ws_timeline)
    websocket_api.async_register_command(hass, ws_playback)


def _aware(moment: datetime) -> datetime:
    """A moment given without a zone is Home Assistant's local time.

    In whole seconds, as the cloud counts (the card sends milliseconds).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(moment).replace(microsecond=0)


def _local(moment: datetime) -> str:
    return dt_util.as_local(moment).isoformat()


def _span(span: TimeRange) -> dict[str, str]:
    """A span as `get_recording` reports it: local ISO times."""
    return {"start": _local(span.start), "end": _local(span.end)}


def _oldest(now: datetime, days: int) -> datetime:
    """The oldest moment the cloud still keeps (recordings: a margin inside)."""
    return now - timedelta(days=days) + RETENTION_MARGIN


def _window(start: datetime, end: datetime, now: datetime) -> TimeRange:
    """A validated window: clamped to what the cloud keeps and to now."""
    start, end = _aware(start), min(_aware(end), now)
    if start >= now:
        raise invalid("start_in_future", start=_local(start))
    if end <= start:
        raise invalid("end_before_start", start=_local(start), end=_local(end))
    if end - start > MAX_WINDOW:
        raise invalid(
            "timeline_too_long", hours=str(int(MAX_WINDOW.total_seconds() // 3600))
        )
    oldest = _oldest(now, RECORDING_DAYS)
    if end <= oldest:
        raise invalid(
            "before_retention", days=str(RECORDING_DAYS), oldest=_local(oldest)
        )
    return TimeRange(max(start, oldest), end)


@websocket_api.websocket_command(
    {
        vol.Required("type"): TIMELINE,
        vol.Required("entity_id"): cv.entity_id,
        vol.Required("start"): cv.datetime,
        vol.Required("end"): cv.datetime,
        # After an alarm fired: read what is new instead of a minute-old answer.
        vol.Optional("refresh", default=False): cv.boolean,
    }
)
@websocket_api.async_response
async def ws_timeline(
    hass: HomeAssistant,
    connection: websocket_api.ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """The recorded spans and the alarms of a window of one camera."""
    target = _resolve(hass, connection, msg["entity_id"])
    now = dt_util.utcnow().replace(microsecond=0)
    window = _window(msg["start"], msg["end"], now)
    refresh: bool = msg["refresh"]
    try:
        coverage = await _async_recorded(hass, target, window, refresh=refresh)
        alarms = await _async_alarms(target, window, now, refresh=refresh)
    except ApiError as err:
        raise cloud_error(err) from err
    entry_id = target.entry.entry_id
    key = target.channel.key
    connection.send_result(
        msg["id"],
        {
            "entity_id": target.entity_id,
            "start": _local(window.start),
            "end": _local(window.end),
            "now": _local(now),
            "records": target.channel.records,
            "recorded": [_span(span) for span in coverage.spans],
            "alarms": [
                {
                    "id": alarm.alarm_id,
                    "time": _local(alarm.at),
                    "kind": alarm.kind.value,
                    "priority": alarm.priority,
                    "description": alarm.description,
                    "picture": alarm_picture_path(entry_id, key, alarm.at),
                }
                for alarm in alarms
            ],
            "reports_alarms": has_alarms(target.channel),
            "retention": {
                "recordings": _local(_oldest(now, RECORDING_DAYS)),
                "alarms": _local(now - timedelta(days=ALARM_DAYS)),
            },
        },
    )


def _resolve(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, entity_id: str
) -> CameraTarget:
    """Our camera, if the user may see it; nothing is said of it otherwise."""
    if not connection.user.permissions.check_entity(entity_id, POLICY_READ):
        raise Unauthorized(entity_id=entity_id, permission=POLICY_READ)
    return resolve_camera(hass, entity_id)


async def _async_recorded(
    hass: HomeAssistant, target: CameraTarget, window: TimeRange, *, refresh: bool
) -> Coverage:
    """What was recorded of the window: a minute-old answer, else the index's."""
    if not target.channel.records:
        return Coverage(window, ())
    recordings = target.entry.runtime_data.recordings
    key, stream = target.channel.key, target.streaming_index
    timelines = hass.data[_TIMELINES]
    if not refresh and (seen := timelines.get(recordings, key, stream, window)):
        return seen
    coverage = await recordings.async_coverage(key, window, index=stream)
    to_now = window.end >= dt_util.utcnow() - timedelta(seconds=1)
    timelines.put(recordings, key, stream, coverage, to_now=to_now)
    return coverage


async def _async_alarms(
    target: CameraTarget, window: TimeRange, now: datetime, *, refresh: bool
) -> list[DeviceAlarm]:
    """The camera's alarms in the window, oldest first (none older than the history)."""
    channel = target.channel
    if (
        not has_alarms(channel)
        or channel.device is None
        or window.end <= now - timedelta(days=ALARM_DAYS)
    ):
        return []
    alarms = await target.entry.runtime_data.alarms.async_alarms(
        channel.device.device_id, channel.key, now, current=refresh
    )
    return sorted(
        (a for a in alarms if window.start <= a.at < window.end + TOLERANCE),
        key=lambda a: (a.at, a.alarm_id),
    )


@websocket_api.websocket_command(
    {
        vol.Required("type"): PLAYBACK,
        vol.Required("entity_id"): cv.entity_id,
        vol.Required("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
    }
)
@websocket_api.async_response
async def ws_playback(
    hass: HomeAssistant,
    connection: websocket_api.ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """A link playing from a moment (to `end`, or an hour on), or the closest ones."""
    target = _resolve(hass, connection, msg["entity_id"])
    now = dt_util.utcnow().replace(microsecond=0)
    moment = _aware(msg["start"])
    end = msg.get("end")
    window = _window(moment, end if end is not None else moment + PLAYBACK_WINDOW, now)
    if window.start > moment:
        raise invalid(
            "before_retention", days=str(RECORDING_DAYS), oldest=_local(window.start)
        )
    try:
        # Played at once, whatever is stored: someone is looking at the card.
        recording = await async_recording(target, window, wait=0)
    except ServiceValidationError as err:
        if not (err.translation_key or "").startswith("no_recording"):
            raise
        before, after = await _async_neighbours(target, window)
        connection.send_result(
            msg["id"],
            {
                "url": None,
                "requested": _local(moment),
                "moment_recorded": False,
                "before": _span(before) if before else None,
                "after": _span(after) if after else None,
            },
        )
        return
    played = recording.played
    connection.send_result(
        msg["id"],
        {
            "url": recording.urls.hls_url,
            # The wall-clock time of the link's first frame, so the card can show the
            # time of the frame playing.
            "start": _local(played.start),
            "end": _local(played.end),
            "expires": _local(recording.urls.expires_at),
            "requested": _local(moment),
            "moment_recorded": played.start - moment <= TOLERANCE,
            "before": None,
            "after": _span(played) if played.start - moment > TOLERANCE else None,
        },
    )


async def _async_neighbours(
    target: CameraTarget, window: TimeRange
) -> tuple[TimeRange | None, TimeRange | None]:
    """The recordings closest before and after an unrecorded window (a courtesy)."""
    try:
        return await target.entry.runtime_data.recordings.async_neighbours(
            target.channel.key,
            window,
            reach=NEIGHBOUR_REACH,
            index=target.streaming_index,
        )
    except ApiError:
        return None, None
