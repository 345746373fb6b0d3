"""Cloud recordings: from a camera and a time range to playable links.

One place for what the actions, the media browser and voice all need: resolving the
time range people give (a start, an end, a duration), finding the channel behind one of
our camera entities, checking what was recorded in that range (`recorded.py`), and
asking the cloud (CloudRecordPlay) for HLS/MP4 links to what exists. A range with
nothing recorded is refused, naming the nearest recordings; a partly recorded one is
trimmed (or refused when `strict`); a range whose newest seconds are not stored yet
waits for them a bounded time. Every refusal is a translated ServiceValidationError;
every cloud failure a translated HomeAssistantError naming the API code and RequestId,
never a URL token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import create_eager_task

from .api.errors import ApiError
from .api.models import RecordingUrls
from .const import (
    CONF_LINK_VALIDITY,
    CONF_RECORDING_WAIT,
    DEFAULT_LINK_VALIDITY,
    DEFAULT_RECORDING_WAIT,
    DOMAIN,
    LINK_MARGIN,
    MAX_LINK_VALIDITY,
    MIN_LINK_VALIDITY,
)
from .data import SlowLiveConfigEntry
from .recorded import Coverage, TimeRange, async_wait_for_tail
from .refusals import cloud_error, invalid
from .targets import CameraTarget

# The cloud serves at most a day per playback request.
MAX_SPAN = timedelta(hours=24)
# Footage this much older than the wait still counts as "on its way" (a poll's time).
LAG_SLACK = timedelta(seconds=10)
# How far from an empty range the nearest recordings are looked for.
NEIGHBOUR_REACH = timedelta(hours=24)
MIME_HLS = "application/vnd.apple.mpegurl"
MIME_MP4 = "video/mp4"


def resolve_range(
    *,
    start: datetime | None,
    end: datetime | None,
    duration: timedelta | None,
    now: datetime | None = None,
) -> TimeRange:
    """`start` (+ `end`, default now) or `duration` back from `end`; validated.

    An end in the future means "until now": nothing is recorded after now.
    """
    now = now or dt_util.utcnow()
    if start is None and duration is None:
        raise invalid("range_missing")
    if start is not None and duration is not None:
        raise invalid("range_ambiguous")
    end = min(end or now, now)
    if duration is not None:
        if duration <= timedelta(0):
            raise invalid("duration_not_positive")
        if duration > MAX_SPAN:  # before subtracting: a huge one would overflow
            raise _too_long()
        try:
            start = end - duration
        except OverflowError:  # an end within a day after 0001-01-01
            raise invalid("invalid_time", field="end", value=end.isoformat()) from None
    assert start is not None  # noqa: S101 - one of the two branches set it
    if start > now:
        raise invalid("start_in_future", start=_local(start))
    if end <= start:
        raise invalid("end_before_start", start=_local(start), end=_local(end))
    if end - start > MAX_SPAN:
        raise _too_long()
    return TimeRange(start=start, end=end)


def _too_long() -> ServiceValidationError:
    return invalid("range_too_long", hours=str(int(MAX_SPAN.total_seconds() // 3600)))


def _local(moment: datetime) -> str:
    try:
        return dt_util.as_local(moment).isoformat(timespec="seconds")
    except OverflowError:  # near 0001-01-01 or 9999-12-31: keep its own offset
        return moment.isoformat(timespec="seconds")


def link_validity(
    entry: SlowLiveConfigEntry, requested: int | None, clip: timedelta
) -> int:
    """Seconds the links stay valid: the request, else the entry's option.

    Automatic (the default option): the clip's length plus `LINK_MARGIN` for pausing.
    """
    if requested is None:
        requested = int(entry.options.get(CONF_LINK_VALIDITY, DEFAULT_LINK_VALIDITY))
        if not requested:
            requested = int((clip + LINK_MARGIN).total_seconds())
    return max(MIN_LINK_VALIDITY, min(MAX_LINK_VALIDITY, requested))


@dataclass(frozen=True, slots=True)
class Recording:
    """Links to what was recorded of a requested range, and what that was."""

    urls: RecordingUrls
    requested: TimeRange
    played: TimeRange
    coverage: Coverage
    sub: bool


async def async_recording(
    target: CameraTarget,
    requested: TimeRange,
    *,
    sub: bool | None = None,
    validity: int | None = None,
    strict: bool = False,
    wait: float | None = None,
) -> Recording:
    """Links to the recorded part of a range, never to a range with nothing behind it.

    The listing and the links for the whole range are asked for at the same time: when
    everything was recorded (the usual case) the check costs no extra round trip. Only
    a trimmed range needs links of its own. `wait` (default: the entry's option) is how
    long a range whose end is not stored yet may wait for it.
    """
    if not target.channel.records:
        raise invalid("not_recorded", camera=target.channel.name)
    use_sub = target.sub if sub is None else sub
    if use_sub and not target.channel.has_sub_stream:
        raise invalid("no_sub_stream", entity_id=target.entity_id)
    index = 1 if use_sub else 0
    recordings = target.entry.runtime_data.recordings
    key = target.channel.key
    coverage = recordings.cached_coverage(key, requested, index=index)
    links: asyncio.Task[RecordingUrls] | None = None
    if coverage is None or coverage.complete:
        # Started eagerly, so CloudRecordPlay leaves before the listing: its small
        # answer is back while the listing's larger one is still being read.
        links = create_eager_task(
            _async_links(target, requested, index, validity),
            name=f"{DOMAIN} CloudRecordPlay",
        )
    try:
        if coverage is None:
            # The cache was asked just above: straight to the cloud.
            coverage = await _async_listing(
                recordings.async_coverage(key, requested, index=index, fresh=True)
            )
        if wait is None:
            wait = float(
                target.entry.options.get(CONF_RECORDING_WAIT, DEFAULT_RECORDING_WAIT)
            )
        if _may_wait(target, coverage, wait):
            coverage = await _async_listing(
                async_wait_for_tail(
                    recordings, key, coverage, wait=wait, streaming_index=index
                )
            )
        played = coverage.played
        if played is None:
            raise await _async_nothing_recorded(target, requested, index)
        if not coverage.complete and strict:
            raise invalid(
                "partly_recorded",
                camera=target.channel.name,
                start=_clock(requested.start),
                end=_clock(requested.end),
                gaps=", ".join(_span_text(gap) for gap in coverage.gaps),
            )
        if coverage.complete and links is not None:
            urls = await links
        else:
            urls = await _async_links(target, played, index, validity)
    finally:
        if links is not None and not links.done():
            links.cancel()
            with contextlib.suppress(asyncio.CancelledError, HomeAssistantError):
                await links
    return Recording(
        urls=urls,
        requested=requested,
        played=played if not coverage.complete else requested,
        coverage=coverage,
        sub=use_sub,
    )


async def _async_listing(listing: Awaitable[Coverage]) -> Coverage:
    """A listing's answer; the cloud's refusal as the translated error actions raise."""
    try:
        return await listing
    except ApiError as err:
        raise cloud_error(err) from err


def _may_wait(target: CameraTarget, coverage: Coverage, wait: float) -> bool:
    """Whether the range's missing end is footage on its way to storage.

    Only when the camera is online and its newest stored footage is younger than the
    wait (plus `LAG_SLACK`): then waiting brings the rest. A camera that stopped
    recording, or one whose storage lags by more than the wait, would not fill the
    range however long one waited.
    """
    return (
        wait > 0
        and coverage.missing_tail
        and coverage.latest is not None
        and coverage.latest >= dt_util.utcnow() - timedelta(seconds=wait) - LAG_SLACK
        and target.channel.online
    )


async def _async_links(
    target: CameraTarget, span: TimeRange, index: int, validity: int | None
) -> RecordingUrls:
    """Ask the cloud (CloudRecordPlay) for links to exactly this range."""
    client = target.entry.runtime_data.client
    try:
        return await client.cloud_record_play(
            stream_id=target.channel.key,
            streaming_index=index,
            start=span.start,
            end=span.end,
            token_valid=link_validity(target.entry, validity, span.duration),
        )
    except ApiError as err:
        raise cloud_error(err) from err


async def _async_nothing_recorded(
    target: CameraTarget, requested: TimeRange, index: int
) -> ServiceValidationError:
    """The refusal for an empty range, naming the nearest recordings around it."""
    try:
        before, after = await target.entry.runtime_data.recordings.async_neighbours(
            target.channel.key, requested, reach=NEIGHBOUR_REACH, index=index
        )
    except ApiError:
        # The range is empty either way; the neighbours were a courtesy.
        before = after = None
    placeholders = {
        "camera": target.channel.name,
        "start": _clock(requested.start),
        "end": _clock(requested.end),
        "hours": str(int(NEIGHBOUR_REACH.total_seconds() // 3600)),
    }
    if before and after:
        return invalid(
            "no_recording_around",
            **placeholders,
            before=_span_text(before),
            after=_span_text(after),
        )
    if before:
        return invalid("no_recording_before", **placeholders, before=_span_text(before))
    if after:
        return invalid("no_recording_after", **placeholders, after=_span_text(after))
    return invalid("no_recording", **placeholders)


def _clock(moment: datetime) -> str:
    """Local time as people say it: the date only when it is not today."""
    local = dt_util.as_local(moment)
    text = local.strftime("%H:%M:%S" if local.second else "%H:%M")
    if local.date() != dt_util.now().date():
        text = f"{local.date().isoformat()} {text}"
    return text


def _span_text(span: TimeRange) -> str:
    start = _clock(span.start)
    end = _clock(span.end)
    # The end's date is said once, by the start, when both fall on the same day.
    if dt_util.as_local(span.start).date() == dt_util.as_local(span.end).date():
        end = end.rsplit(" ", 1)[-1]
    return f"{start}\u2013{end}"
