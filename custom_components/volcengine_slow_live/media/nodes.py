"""The media browser's nodes: folders and playable recordings, and what they share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from homeassistant.components.media_player import MediaClass, MediaType
from homeassistant.components.media_source import BrowseMediaSource
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..playback import MIME_HLS
from .ids import MediaId
from .titles import DASH

# The most children a folder lists; more are grouped (by space, day, hour…).
MAX_CHILDREN = 100
# Lengths (s) a crowded range is cut into: the longest one shorter than the range.
STEPS = (3600, 600, 60, 10, 1)


def unix(moment: datetime) -> int:
    """Whole unix seconds."""
    return int(moment.timestamp())


def day_bounds(day: date) -> tuple[int, int]:
    """[local midnight, next local midnight): 23 or 25 h on DST changes."""
    start = dt_util.start_of_local_day(day)
    end = dt_util.start_of_local_day(day + timedelta(days=1))
    return unix(start), unix(end)


def folder(
    identifier: str | None,
    title: str,
    children: Sequence[BrowseMediaSource] | None = None,
    *,
    media_class: MediaClass = MediaClass.DIRECTORY,
    content_type: str = MediaType.PLAYLIST,
    thumbnail: str | None = None,
) -> BrowseMediaSource:
    """A folder (children given: opened; None: to be opened)."""
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier,
        media_class=media_class,
        media_content_type=content_type,
        title=title,
        can_play=False,
        can_expand=True,
        children=children,
        thumbnail=thumbnail,
    )


def recording_node(
    camera: MediaId,
    start: datetime,
    end: datetime,
    duration: float,
    cover_url: str | None = None,
) -> BrowseMediaSource:
    """A recording of `camera` [start, end): its times and length as its title."""
    lo = unix(start)
    # The cloud refuses an empty range; a zero-length file still plays its second.
    hi = max(unix(end), lo + 1)
    title = f"{clock(lo)}{DASH}{clock(unix(end))} · {duration_text(duration)}"
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=MediaId.recording(camera.entry_id, camera.key, lo, hi).identifier,
        media_class=MediaClass.VIDEO,
        media_content_type=MIME_HLS,
        title=title,
        can_play=True,
        can_expand=False,
        thumbnail=cover_url,
    )


def clock(at: int, *, seconds: bool = False) -> str:
    """Local time of day of unix seconds."""
    local = dt_util.as_local(dt_util.utc_from_timestamp(at))
    return local.strftime("%H:%M:%S" if seconds else "%H:%M")


def times(lo: int, hi: int) -> str:
    """A part of a day, "20:00-21:00": with seconds unless both ends are whole minutes."""
    seconds = bool(lo % 60 or hi % 60)
    return f"{clock(lo, seconds=seconds)}{DASH}{clock(hi, seconds=seconds)}"


def duration_text(seconds: float) -> str:
    """A length as people say it: "40 s", "10 min"."""
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{round(whole / 60)} min"
