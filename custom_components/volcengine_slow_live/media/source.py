"""Cloud recordings in Home Assistant's media browser.

Identifiers (what follows ``media-source://volcengine_slow_live/``). They are stable,
so an ID kept by a dashboard or an automation keeps working; times are unix seconds,
days are local dates, ``<key>`` is the channel's main StreamID, percent-encoded:

* ``""`` — the root: accounts when several entries are loaded, else the cameras.
* ``<entry_id>`` — an account: its cameras (by space when there are too many).
* ``<entry_id>/spaces/<space_id>[/<n>]`` — a space's cameras (the n-th hundred of
  them when it has more than `MAX_CHILDREN`); "spaces" is never a StreamID.
* ``<entry_id>/<key>`` — a camera: "Last hour" and the days of the last 30 that have
  recordings, today first; only what was recorded is offered.
* ``<entry_id>/<key>/last_hour`` — playable: the recorded part of the hour before the
  moment it is played.
* ``<entry_id>/<key>/day/<YYYY-MM-DD>`` — the recordings that start on that day.
* ``<entry_id>/<key>/day/<YYYY-MM-DD>/<from>-<to>`` — those that start in [from, to).
* ``<entry_id>/<key>/rec/<start>-<end>`` — playable: exactly [start, end), ≤ 24 h.

A recording belongs to the day (and part of it) in which it starts, so a file that
crosses midnight is listed once. A day or part with more than `MAX_CHILDREN`
recordings is cut into equal parts (hours, then 10 minutes, minutes, ...) until each
part fits. Browsing only lists (ListStreamRecords through `recorded.RecordingIndex`:
one listing of 30 days of files per camera, kept briefly); links, which cost a
CloudRecordPlay and expire, are asked for when an item is played, and only for what
was recorded. The web browser's own player takes HLS only as `application/x-mpegURL`
(the frontend compares the type exactly); other players get the registered type.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
import re
from typing import override

from homeassistant.components.media_player import BrowseError, MediaClass
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from ..alarms.watcher import has_alarms
from ..api.errors import ApiError
from ..api.models import RecordingSegment
from ..const import DOMAIN
from ..coordinator import ChannelData
from ..data import SlowLiveConfigEntry
from ..playback import MIME_HLS, async_recording, resolve_range
from ..recorded import DAYS, Coverage, TimeRange
from ..refusals import cloud_error
from ..targets import CameraTarget
from .alarms import async_alarm_folder
from .ids import MediaId, View
from .nodes import (
    MAX_CHILDREN,
    STEPS,
    clock,
    day_bounds,
    folder,
    recording_node,
    times,
    unix,
)
from .titles import DASH, MediaTitles

LAST_HOUR = timedelta(hours=1)
# What the frontend's own player accepts for HLS (an exact match, see the docstring).
MIME_HLS_BROWSER = "application/x-mpegURL"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

type _Error = type[BrowseError] | type[Unresolvable]


class SlowLiveMediaSource(MediaSource):
    """Browse and play the cloud recordings of every channel."""

    name = "Volcengine Slow Live"

    def __init__(self, hass: HomeAssistant) -> None:
        """Browse the loaded entries of `hass`."""
        super().__init__(DOMAIN)
        self.hass = hass
        # Read anew at each browse (Home Assistant caches them): the language of the
        # titles follows Home Assistant's, which may change while it runs.
        self._titles = MediaTitles.english()

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """Ask the cloud for an HLS link to what was recorded of the item's range."""
        try:
            media = MediaId.parse(item.identifier)
        except ValueError:
            raise _invalid(Unresolvable, item.identifier) from None
        if not media.key or media.view not in (View.LAST_HOUR, View.RECORDING):
            raise _fail(Unresolvable, "media_not_playable")
        entry = self._entry(media.entry_id, Unresolvable)
        channel = _channel(entry, media.key, Unresolvable)
        if media.span is None:
            # The hour before now, computed now: the browsed item may be old.
            now = dt_util.utcnow()
            span = TimeRange(start=now - LAST_HOUR, end=now)
        else:
            span = _recording_range(media.span, item.identifier, Unresolvable)
        target = CameraTarget(
            entity_id=self._camera_entity(channel) or channel.key,
            entry=entry,
            channel=channel,
            sub=False,
        )
        try:
            # No waiting for footage on its way to storage: a person is watching.
            recording = await async_recording(target, span, wait=0)
        except HomeAssistantError as err:
            raise _convert(Unresolvable, err) from err
        mime = MIME_HLS_BROWSER if item.target_media_player is None else MIME_HLS
        return PlayMedia(recording.urls.hls_url, mime)

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The node an identifier names, with its children."""
        self._titles = await MediaTitles.async_load(self.hass)
        try:
            media = MediaId.parse(item.identifier)
        except ValueError:
            raise _invalid(BrowseError, item.identifier) from None
        if not media.entry_id:
            return self._root()
        entry = self._entry(media.entry_id, BrowseError)
        if media.space_id:
            return self._space(entry, media)
        if not media.key:
            return self._account(entry)
        channel = _channel(entry, media.key, BrowseError)
        match media.view:
            case View.CAMERA:
                return await self._async_camera(entry, channel)
            case View.LAST_HOUR:
                last_hour = await self._async_last_hour(entry, channel)
                node = self._last_hour(entry, channel, last_hour)
                # Opened on its own (a player asking what it plays): whose it is.
                node.title = f"{channel.name} · {node.title}"
                return node
            case View.ALARMS if has_alarms(channel):
                return await self._async_alarms(entry, channel, media)
            case View.RECORDING if media.span is not None:
                span = _recording_range(media.span, item.identifier, BrowseError)
                node = recording_node(
                    media,
                    span.start,
                    span.end,
                    (span.end - span.start).total_seconds(),
                )
                # Opened on its own (a player asking what it plays): whose and when.
                node.title = self._titles.say(
                    "recording_of",
                    name=channel.name,
                    day=self._titles.day(
                        dt_util.as_local(span.start).date(), dt_util.now().date()
                    ),
                    times=node.title,
                )
                return node
            case View.DAY if media.day is not None:
                day = _day(media.day, BrowseError)
                if media.span is None:
                    return await self._async_range(entry, channel, day)
                day_lo, day_hi = day_bounds(day)
                lo, hi = media.span
                if not day_lo <= lo < hi <= day_hi:
                    raise _invalid(BrowseError, item.identifier)
                return await self._async_range(entry, channel, day, media.span)
        raise _invalid(BrowseError, item.identifier)

    # -- lookups -------------------------------------------------------------------

    def _entry(self, entry_id: str, error: _Error) -> SlowLiveConfigEntry:
        entry: SlowLiveConfigEntry | None = self.hass.config_entries.async_get_entry(
            entry_id
        )
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            raise _fail(error, "media_entry_unavailable", entry_id=entry_id)
        return entry

    def _camera_entity(self, channel: ChannelData) -> str | None:
        # The main camera's unique_id is the channel key (see camera.py).
        return er.async_get(self.hass).async_get_entity_id(
            "camera", DOMAIN, channel.key
        )

    async def _async_files(
        self, entry: SlowLiveConfigEntry, channel: ChannelData
    ) -> tuple[RecordingSegment, ...]:
        """The camera's recording files of the last `DAYS` days (briefly cached)."""
        try:
            return await entry.runtime_data.recordings.async_files(channel.key)
        except ApiError as err:
            raise _convert(BrowseError, cloud_error(err)) from err

    async def _async_last_hour(
        self, entry: SlowLiveConfigEntry, channel: ChannelData
    ) -> Coverage:
        now = dt_util.utcnow()
        try:
            return await entry.runtime_data.recordings.async_coverage(
                channel.key, TimeRange(now - LAST_HOUR, now)
            )
        except ApiError as err:
            raise _convert(BrowseError, cloud_error(err)) from err

    # -- nodes ---------------------------------------------------------------------

    def _root(self) -> BrowseMediaSource:
        entries: list[SlowLiveConfigEntry] = (
            self.hass.config_entries.async_loaded_entries(DOMAIN)
        )
        children: list[BrowseMediaSource]
        if len(entries) > 1:
            children = [self._account(entry, with_children=False) for entry in entries]
        else:
            children = [c for entry in entries for c in self._cameras(entry)]
        return folder(
            None,
            self._titles.say("root"),
            children,
            media_class=MediaClass.DIRECTORY,
            content_type="",
        )

    def _account(
        self, entry: SlowLiveConfigEntry, *, with_children: bool = True
    ) -> BrowseMediaSource:
        return folder(
            entry.entry_id,
            entry.title,
            self._cameras(entry) if with_children else None,
            media_class=MediaClass.DIRECTORY,
            content_type="",
        )

    def _cameras(self, entry: SlowLiveConfigEntry) -> list[BrowseMediaSource]:
        """The account's cameras; by space (then by hundreds) when there are many."""
        channels = _sorted(entry.runtime_data.coordinator.data.channels.values())
        if len(channels) <= MAX_CHILDREN:
            return [self._camera(entry, c) for c in channels]
        spaces = Counter(c.space.space_id for c in channels)
        data = entry.runtime_data.coordinator.data
        return [
            node
            for space_id, count in sorted(
                spaces.items(), key=lambda s: data.spaces[s[0]].name.casefold()
            )
            for node in self._space_folders(entry, space_id, count)
        ]

    def _space_folders(
        self, entry: SlowLiveConfigEntry, space_id: str, count: int
    ) -> list[BrowseMediaSource]:
        name = entry.runtime_data.coordinator.data.spaces[space_id].name or space_id
        if count <= MAX_CHILDREN:
            return [
                folder(
                    MediaId.space(entry.entry_id, space_id).identifier,
                    self._titles.say("cameras", name=name, count=count),
                    None,
                    content_type="",
                )
            ]
        return [
            folder(
                MediaId.space(entry.entry_id, space_id, n).identifier,
                f"{name} · {n * MAX_CHILDREN + 1}{DASH}{min(count, (n + 1) * MAX_CHILDREN)}",
                None,
                content_type="",
            )
            for n in range(-(-count // MAX_CHILDREN))
        ]

    def _space(self, entry: SlowLiveConfigEntry, media: MediaId) -> BrowseMediaSource:
        """A space's cameras, or one hundred of them."""
        data = entry.runtime_data.coordinator.data
        identifier = media.identifier
        if media.space_id not in data.spaces:
            raise _invalid(BrowseError, identifier)
        channels = [
            c
            for c in _sorted(data.channels.values())
            if c.space.space_id == media.space_id
        ]
        part = media.page
        if part is not None:
            channels = channels[part * MAX_CHILDREN : (part + 1) * MAX_CHILDREN]
        if not channels or (part is None and len(channels) > MAX_CHILDREN):
            raise _invalid(BrowseError, identifier)
        return folder(
            identifier,
            data.spaces[media.space_id].name or media.space_id,
            [self._camera(entry, c) for c in channels],
            content_type="",
        )

    def _camera(
        self,
        entry: SlowLiveConfigEntry,
        channel: ChannelData,
        children: list[BrowseMediaSource] | None = None,
    ) -> BrowseMediaSource:
        return folder(
            MediaId.camera(entry.entry_id, channel.key).identifier,
            channel.name,
            children,
            media_class=MediaClass.CHANNEL,
            thumbnail=self._live_still(channel),
        )

    def _live_still(self, channel: ChannelData) -> str | None:
        """The camera's still through Home Assistant, while there is one to show.

        An offline camera has no live picture: its tile shows the folder icon rather
        than a broken image.
        """
        entity_id = self._camera_entity(channel)
        if entity_id is None or not channel.online:
            return None
        return f"/api/camera_proxy/{entity_id}"

    async def _async_camera(
        self, entry: SlowLiveConfigEntry, channel: ChannelData
    ) -> BrowseMediaSource:
        """A camera with what it recorded: the last hour, then the days, today first.

        A camera with nothing to offer says why in its title, above an empty list:
        no line of text among the children, which a person would click (the
        browser plays what it cannot open) only to be told it cannot play.
        """
        if not channel.records:
            return self._empty_camera(entry, channel, "not_recorded")
        files, last_hour = await asyncio.gather(
            self._async_files(entry, channel), self._async_last_hour(entry, channel)
        )
        today = dt_util.now().date()
        # A file belongs to the day it starts on (see the module's docstring).
        days = {dt_util.as_local(f.start).date() for f in files}
        children = [
            folder(
                MediaId.day_of(entry.entry_id, channel.key, day).identifier,
                self._titles.day(day, today),
            )
            for day in sorted(days, reverse=True)
            if today - timedelta(days=DAYS - 1) <= day <= today
        ]
        if last_hour.spans:
            children.insert(0, self._last_hour(entry, channel, last_hour, files))
        if not children:
            return self._empty_camera(entry, channel, "no_recordings")
        if has_alarms(channel):
            # After "Last hour", before the days (only where there is footage to
            # replay them from).
            children.insert(
                1 if last_hour.spans else 0,
                folder(
                    MediaId.camera(entry.entry_id, channel.key, View.ALARMS).identifier,
                    self._titles.say("alarms"),
                ),
            )
        return self._camera(entry, channel, children)

    def _empty_camera(
        self, entry: SlowLiveConfigEntry, channel: ChannelData, why: str
    ) -> BrowseMediaSource:
        """A camera with nothing to play: its title says why, no child to click."""
        node = self._camera(entry, channel, [])
        node.title = f"{channel.name} · {self._titles.say(why, days=DAYS)}"
        return node

    async def _async_alarms(
        self, entry: SlowLiveConfigEntry, channel: ChannelData, media: MediaId
    ) -> BrowseMediaSource:
        """The camera's alarms (a day of them, a part of a day): `media.alarms`."""
        try:
            return await async_alarm_folder(entry, channel, media, self._titles)
        except ValueError:
            raise _invalid(BrowseError, media.identifier) from None
        except ApiError as err:
            raise _convert(BrowseError, cloud_error(err)) from err

    def _last_hour(
        self,
        entry: SlowLiveConfigEntry,
        channel: ChannelData,
        coverage: Coverage,
        files: Sequence[RecordingSegment] = (),
    ) -> BrowseMediaSource:
        """The recorded part of the last hour, titled with its times."""
        played = coverage.played
        title = self._titles.say("last_hour")
        if played is not None:
            title += f" · {clock(unix(played.start))}{DASH}{clock(unix(played.end))}"
        cover = next((f.cover_url for f in reversed(files) if f.cover_url), None)
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=MediaId.camera(
                entry.entry_id, channel.key, View.LAST_HOUR
            ).identifier,
            media_class=MediaClass.VIDEO,
            media_content_type=MIME_HLS,
            title=title,
            can_play=played is not None,
            can_expand=False,
            thumbnail=cover or self._live_still(channel),
        )

    async def _async_range(
        self,
        entry: SlowLiveConfigEntry,
        channel: ChannelData,
        day: date,
        part: tuple[int, int] | None = None,
    ) -> BrowseMediaSource:
        """The recordings starting in a day or part of it, or equal parts of that.

        Newest first, as the days are: the hour someone is after is usually the
        last one.
        """
        records = await self._async_files(entry, channel)
        lo, hi = part or day_bounds(day)
        inside = [r for r in records if lo <= unix(r.start) < hi]
        inside.reverse()
        day_id = MediaId.day_of(entry.entry_id, channel.key, day)
        step = next((s for s in STEPS if s < hi - lo), None)
        children: list[BrowseMediaSource]
        if len(inside) <= MAX_CHILDREN or step is None:
            children = [
                recording_node(day_id, r.start, r.end, r.duration, r.cover_url)
                for r in inside
            ]
        else:
            counts = Counter((unix(r.start) - lo) // step for r in inside)
            children = [
                self._group(day_id, lo + k * step, min(hi, lo + (k + 1) * step), n)
                for k, n in sorted(counts.items(), reverse=True)
            ]
        day_title = self._titles.day(day, dt_util.now().date())
        if part is None:
            return folder(day_id.identifier, f"{channel.name} · {day_title}", children)
        node = self._group(day_id, lo, hi, len(inside))
        # Opened, it says whose and which day: a player titles what it plays from it.
        node.title = f"{channel.name} · {day_title} {node.title}"
        node.children = children
        return node

    def _group(self, day: MediaId, lo: int, hi: int, count: int) -> BrowseMediaSource:
        return folder(
            MediaId.day_of(
                day.entry_id, day.key, date.fromisoformat(day.day or ""), (lo, hi)
            ).identifier,
            f"{times(lo, hi)} · {self._titles.recordings(count)}",
        )


# -- identifiers ---------------------------------------------------------------------


def _sorted(channels: Iterable[ChannelData]) -> list[ChannelData]:
    """Cameras in the order people look for them: by name."""
    return sorted(channels, key=lambda c: (c.name.casefold(), c.key))


def _channel(entry: SlowLiveConfigEntry, key: str, error: _Error) -> ChannelData:
    channel = entry.runtime_data.coordinator.data.channels.get(key)
    if channel is None:
        raise _fail(error, "media_unknown_camera", key=key)
    return channel


def _day(text: str, error: _Error) -> date:
    """One of the last `DAYS` local days."""
    try:
        day = date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        day = None
    today = dt_util.now().date()
    if day is None or not today - timedelta(days=DAYS - 1) <= day <= today:
        raise _fail(error, "media_day_out_of_range", day=text, days=str(DAYS))
    return day


def _recording_range(
    span: tuple[int, int], identifier: str, error: _Error
) -> TimeRange:
    """A playable range, checked as the recording actions check theirs."""
    lo, hi = span
    try:
        return resolve_range(
            start=dt_util.utc_from_timestamp(lo),
            end=dt_util.utc_from_timestamp(hi),
            duration=None,
        )
    except ServiceValidationError as err:
        raise _convert(error, err) from err


# -- errors --------------------------------------------------------------------------


def _fail(error: _Error, key: str, /, **placeholders: str) -> HomeAssistantError:
    return error(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _invalid(error: _Error, identifier: str) -> HomeAssistantError:
    return _fail(error, "media_invalid_identifier", identifier=identifier)


def _convert(error: _Error, err: HomeAssistantError) -> HomeAssistantError:
    """The same translated message, as the error the media source must raise."""
    return error(
        translation_domain=err.translation_domain,
        translation_key=err.translation_key,
        translation_placeholders=err.translation_placeholders,
    )
