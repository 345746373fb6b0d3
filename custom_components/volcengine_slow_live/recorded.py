"""What the cloud has recorded: a channel's recorded spans in a time window.

Everything that hands a recording to a player asks here first, so that no player is
given a link with nothing behind it (CloudRecordPlay signs links to any range, recorded
or not). Two kinds of ListStreamRecords listing answer (API notes §4.15):

* recording files (no `ReqType`): finished files with their covers. One listing of
  the last `DAYS` days per channel feeds the media browser's folders and, while it is
  fresh, confirms any range its files cover without another request;
* raw TS segments (`ReqType=record_metadata`): what is stored now, seconds after it was
  filmed, the file still being written included. They tell where footage ends today.

A window is read from files where it is older than `FILE_HORIZON` (every file there
is finished) and from segments where it is newer: a day costs a few hundred items, not
fourteen thousand. Listings are kept for `LISTING_TTL` per channel and window, so a
media-browser page and a replay right after it cost one listing; every request goes
through the client's rate limiter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
import time

from homeassistant.util import dt as dt_util

from .api.client import AiotVideoClient
from .api.models import RecordingSegment

DAYS = 30
# The listing starts this far inside the cloud's 30-day retention: the cloud pages by
# offset, and files leaving retention while a long listing is paged would shift its
# pages and skip a file at each page boundary.
RETENTION_MARGIN = timedelta(minutes=10)
# Files older than this are finished; newer footage is read as TS segments.
FILE_HORIZON = timedelta(hours=2)
# Long enough for opening a camera, then a day, then playing one of its files.
LISTING_TTL = 60.0
# Segments this old do not appear any more: a listing of segments made this long after
# a window ended answers for it even where it found nothing (for files: FILE_HORIZON).
SETTLED = timedelta(minutes=10)
# Segments are read for at least this long before a recent window's end, so that a
# short window just after the newest footage still tells whether the camera records
# now: longer than the longest wait for new footage (2 min) plus a poll; short, since
# every second costs a segment in the answer.
LOOK_BACK = timedelta(minutes=3)
# Ends closer than this are one recording (timestamps are whole seconds, files and
# segments may be cut a little apart).
TOLERANCE = timedelta(seconds=1)
# The two kinds of listing (`ReqType`): recording files, raw TS segments.
FILES = "record"
SEGMENTS = "record_metadata"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A validated recording range (aware datetimes, start before end)."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """How long the range lasts."""
        return self.end - self.start

    def contains(self, other: TimeRange) -> bool:
        """Whether `other` lies inside this range."""
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True)
class Coverage:
    """What was recorded of a window: merged spans, clipped to it, oldest first."""

    window: TimeRange
    spans: tuple[TimeRange, ...]
    latest: datetime | None = None
    """The newest recorded moment the listing saw, inside the window or after it."""

    @property
    def complete(self) -> bool:
        """The whole window was recorded, without a gap."""
        return (
            len(self.spans) == 1
            and self.spans[0].start <= self.window.start + TOLERANCE
            and self.spans[0].end >= self.window.end - TOLERANCE
        )

    @property
    def played(self) -> TimeRange | None:
        """From the first recorded moment to the last one (None: nothing recorded)."""
        if not self.spans:
            return None
        return TimeRange(self.spans[0].start, self.spans[-1].end)

    @property
    def gaps(self) -> tuple[TimeRange, ...]:
        """The parts of the window with nothing recorded."""
        gaps: list[TimeRange] = []
        cursor = self.window.start
        for span in self.spans:
            if span.start - cursor > TOLERANCE:
                gaps.append(TimeRange(cursor, span.start))
            cursor = max(cursor, span.end)
        if self.window.end - cursor > TOLERANCE:
            gaps.append(TimeRange(cursor, self.window.end))
        return tuple(gaps)

    @property
    def missing_tail(self) -> bool:
        """The window's end is not recorded (yet)."""
        return not self.spans or self.window.end - self.spans[-1].end > TOLERANCE


@dataclass(frozen=True, slots=True)
class _Listing:
    window: TimeRange
    settled: datetime
    """Nothing new appears before this: what the listing did not find is not there."""
    expires: float
    spans: tuple[TimeRange, ...]
    latest: datetime | None
    """The newest recorded moment listed (inside the window or after it)."""
    files: tuple[RecordingSegment, ...] = ()


def merge(ranges: Iterable[TimeRange], window: TimeRange) -> tuple[TimeRange, ...]:
    """Sort, clip to the window and join ranges that touch (within `TOLERANCE`)."""
    return _merge_pairs([(r.start, r.end) for r in ranges], window)


# A listing's items as (start, end) pairs: merging pairs builds a TimeRange per span
# only, not one per segment and step (a replay's check merges ~50 on its critical path).
type _Pairs = list[tuple[datetime, datetime]]


def _merge_pairs(pairs: _Pairs, window: TimeRange) -> tuple[TimeRange, ...]:
    low, high = window.start, window.end
    merged: list[list[datetime]] = []
    for first, last in sorted(pairs):
        start, end = max(first, low), min(last, high)
        if end <= start:
            continue
        if merged and start - merged[-1][1] <= TOLERANCE:
            merged[-1][1] = max(merged[-1][1], end)
            continue
        merged.append([start, end])
    return tuple(TimeRange(start, end) for start, end in merged)


def _pairs(records: Iterable[RecordingSegment]) -> _Pairs:
    return [(r.start, r.end) for r in records if r.end > r.start]


def _listing(
    window: TimeRange,
    settled: datetime,
    records: tuple[RecordingSegment, ...],
    *,
    keep: bool = False,
) -> _Listing:
    """What one listing found, kept for `LISTING_TTL` (`keep`: the items too)."""
    pairs = _pairs(records)
    return _Listing(
        window=window,
        settled=settled,
        expires=time.monotonic() + LISTING_TTL,
        spans=_merge_pairs(pairs, window),
        latest=max((end for _, end in pairs), default=None),
        files=records if keep else (),
    )


class RecordingIndex:
    """One entry's knowledge of what its channels recorded, briefly cached."""

    def __init__(self, client: AiotVideoClient) -> None:
        """Start with nothing known."""
        self._client = client
        self._files: dict[tuple[str, int], _Listing] = {}
        self._listings: dict[tuple[str, int, str], list[_Listing]] = {}
        self._next_sweep = 0.0

    # -- the media browser's files ----------------------------------------------------

    async def async_files(
        self, stream_id: str, *, index: int = 0
    ) -> tuple[RecordingSegment, ...]:
        """The finished recording files of the last `DAYS` days, oldest first."""
        cache_key = (stream_id, index)
        listing = self._files.get(cache_key)
        if listing is not None and listing.expires > time.monotonic():
            return listing.files
        now = dt_util.utcnow().replace(microsecond=0)
        window = TimeRange(now - timedelta(days=DAYS) + RETENTION_MARGIN, now)
        files = await self._async_read(stream_id, window, index, None)
        self._forget_expired()
        self._files[cache_key] = _listing(window, now - FILE_HORIZON, files, keep=True)
        return files

    # -- coverage ---------------------------------------------------------------------

    def cached_coverage(
        self, stream_id: str, window: TimeRange, *, index: int = 0
    ) -> Coverage | None:
        """What a fresh listing already says of the window, or None.

        A listing answers when the window lies inside it and either everything was
        recorded or the window had long ended when it was made (nothing more will
        appear there).
        """
        now = time.monotonic()
        candidates = [
            self._files.get((stream_id, index)),
            *self._listings.get((stream_id, index, FILES), ()),
            *self._listings.get((stream_id, index, SEGMENTS), ()),
        ]
        for listing in candidates:
            if (
                listing is None
                or listing.expires <= now
                or not listing.window.contains(window)
            ):
                continue
            coverage = Coverage(window, merge(listing.spans, window))
            if coverage.complete or window.end <= listing.settled:
                return coverage
        return None

    async def async_coverage(
        self,
        stream_id: str,
        window: TimeRange,
        *,
        index: int = 0,
        fresh: bool = False,
    ) -> Coverage:
        """What was recorded of the window (`fresh`: ask the cloud, whatever is cached).

        `latest` tells whether the camera records now: segments are read for at least
        `LOOK_BACK` before the window's end, so that a short window just after the
        newest footage still sees that footage.
        """
        if not fresh and (
            cached := self.cached_coverage(stream_id, window, index=index)
        ):
            return cached
        now = dt_util.utcnow()
        # In whole seconds, as the cloud counts: a window starting within the second
        # before the horizon would otherwise ask for a listing from a second to the
        # same second, which the cloud refuses (EndTime must be after StartTime).
        horizon = (now - FILE_HORIZON).replace(microsecond=0)
        parts: list[_Listing] = []
        if window.start < horizon:
            old = TimeRange(window.start, min(window.end, horizon))
            parts.append(await self._async_list(stream_id, old, index, files=True))
        if window.end > horizon:
            start = min(window.start, window.end - LOOK_BACK)
            recent = TimeRange(max(horizon, start), window.end)
            parts.append(await self._async_list(stream_id, recent, index, files=False))
        latest = max((part.latest for part in parts if part.latest), default=None)
        if len(parts) == 1 and parts[0].window == window:
            return Coverage(window, parts[0].spans, latest=latest)
        spans = merge([span for part in parts for span in part.spans], window)
        return Coverage(window, spans, latest=latest)

    async def async_neighbours(
        self, stream_id: str, window: TimeRange, *, reach: timedelta, index: int = 0
    ) -> tuple[TimeRange | None, TimeRange | None]:
        """The recordings nearest before and after a window, up to `reach` away."""
        now = dt_util.utcnow()
        before_window = TimeRange(window.start - reach, window.start)
        before = await self.async_coverage(stream_id, before_window, index=index)
        after: Coverage | None = None
        if window.end < now:
            after_window = TimeRange(window.end, min(now, window.end + reach))
            after = await self.async_coverage(stream_id, after_window, index=index)
        return (
            before.spans[-1] if before.spans else None,
            after.spans[0] if after and after.spans else None,
        )

    async def _async_list(
        self, stream_id: str, window: TimeRange, index: int, *, files: bool
    ) -> _Listing:
        """One listing of a window (all its pages), remembered for `LISTING_TTL`."""
        settled = dt_util.utcnow() - (FILE_HORIZON if files else SETTLED)
        kind = FILES if files else SEGMENTS
        records = await self._async_read(
            stream_id, window, index, None if files else SEGMENTS
        )
        listing = _listing(window, settled, records)
        self._remember((stream_id, index, kind), listing)
        return listing

    async def _async_read(
        self, stream_id: str, window: TimeRange, index: int, req_type: str | None
    ) -> tuple[RecordingSegment, ...]:
        """Every page of one listing."""
        return await self._client.all_stream_records(
            stream_id,
            start=window.start,
            end=window.end,
            streaming_index=index,
            req_type=req_type,
        )

    def _remember(self, key: tuple[str, int, str], listing: _Listing) -> None:
        """Keep a listing, dropping the ones it makes useless.

        Now and then all expired ones go too, so the cache stays small however long
        Home Assistant runs.
        """
        now = time.monotonic()
        self._listings[key] = [
            kept
            for kept in self._listings.get(key, ())
            # A newer listing of a wider window answers all the older one did.
            if kept.expires > now and not listing.window.contains(kept.window)
        ] + [listing]
        if now >= self._next_sweep:
            self._next_sweep = now + LISTING_TTL
            self._forget_expired()

    def _forget_expired(self) -> None:
        """Drop what has expired."""
        now = time.monotonic()
        self._files = {k: v for k, v in self._files.items() if v.expires > now}
        self._listings = {
            key: kept
            for key, listings in self._listings.items()
            if (kept := [item for item in listings if item.expires > now])
        }


async def async_wait_for_tail(
    index: RecordingIndex,
    stream_id: str,
    coverage: Coverage,
    *,
    wait: float,
    streaming_index: int = 0,
    poll: float = 2.0,
) -> Coverage:
    """Wait (up to `wait` s) until the window's end is stored, listing every `poll` s.

    Sleeps, so cancelling the caller cancels the wait at once.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while coverage.missing_tail and (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(poll, left))
        coverage = await index.async_coverage(
            stream_id, coverage.window, index=streaming_index, fresh=True
        )
    return coverage
