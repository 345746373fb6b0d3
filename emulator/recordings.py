"""Lazily computed cloud recordings and screenshots.

Nothing is stored per stream: a stream's seed and record mode define, for each
UTC day, which files exist, so 10,000 channels x 30 days cost nothing until asked.
Times are whole unix seconds and relative to the emulator clock's "now":

* `continuous`: 10-minute files back to back on a 600 s grid, with 0-2 gaps of
  10-30 minutes a day (outages, unless `Stream.record_outages` is off), for the
  last `RETENTION_S` seconds.
* `events`: `events_per_day` clips a day, one at a random offset in each equal
  slice of the day, 20 s - 3 min long (shorter when the slices are short).

`Stream.record_pauses` (a schedule's pauses, an offline period) cut files: a file
that overlaps a pause is stored as the parts before and after it.

The file being written right now is not listed (ListStreamRecords lists finished
files) but is playable up to now, and its raw TS segments (`record_metadata`) are
listed as they are stored, the newest one possibly shorter. "Now" here is the
emulator's storage edge: its clock less `EmulatorConfig.storage_lag`, so the newest
seconds are neither listed nor playable until they are that old. Screenshots exist
every 60 s while the stream has a screenshot template and was online.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
import math
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fleet import Fleet
    from .model import Stream

DAY_S = 86400
FILE_S = 600
SLOTS_PER_DAY = DAY_S // FILE_S
RETENTION_S = 30 * DAY_S
SCREENSHOT_RETENTION_S = 7 * DAY_S
SCREENSHOT_INTERVAL_S = 60
META_SEGMENT_S = 6
MIN_CLIP_S = 20
MAX_CLIP_S = 180

type Span = tuple[int, int]


@lru_cache(maxsize=8192)
def _day_gaps(seed: int, day: int) -> frozenset[int]:
    # A daily outage pattern: mostly none, sometimes one or two.
    rng = random.Random((seed << 24) ^ day)
    missing: set[int] = set()
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        first = rng.randrange(SLOTS_PER_DAY)
        missing.update(range(first, min(SLOTS_PER_DAY, first + rng.randint(1, 3))))
    return frozenset(missing)


@lru_cache(maxsize=8192)
def _day_clips(seed: int, day: int, per_day: int) -> tuple[Span, ...]:
    rng = random.Random((seed << 24) ^ day ^ (per_day << 48))
    slice_s = DAY_S / per_day
    longest = max(1, min(MAX_CLIP_S, math.floor(slice_s) - 1))
    shortest = min(MIN_CLIP_S, longest)
    base = day * DAY_S
    clips: list[Span] = []
    for k in range(per_day):
        length = rng.randint(shortest, longest)
        offset = rng.uniform(0.0, max(0.0, slice_s - length - 1))
        start = base + math.ceil(k * slice_s + offset)
        clips.append((start, start + length))
    return tuple(clips)


def _day_files(stream: Stream, day: int) -> Iterator[Span]:
    if stream.record_mode == "continuous":
        gaps = _day_gaps(stream.seed, day) if stream.record_outages else frozenset()
        base = day * DAY_S
        for slot in range(SLOTS_PER_DAY):
            if slot not in gaps:
                yield base + slot * FILE_S, base + (slot + 1) * FILE_S
    else:  # events
        yield from _day_clips(stream.seed, day, stream.events_per_day)


def _paused(stream: Stream, files: Iterator[Span]) -> Iterator[Span]:
    """The files with the stream's pauses cut out of them."""
    pauses = stream.record_pauses
    for file_start, end in files:
        start = file_start
        for pause_start, pause_end in pauses:
            if pause_end <= start or pause_start >= end:
                continue
            if pause_start > start:
                yield start, pause_start
            start = max(start, pause_end)
            if start >= end:
                break
        else:
            yield start, end


def _window(stream: Stream, now: float) -> tuple[int, int]:
    """[oldest start kept, now] for a stream's recordings."""
    return max(int(now) - RETENTION_S, math.ceil(stream.record_since)), int(now)


def iter_files(
    stream: Stream, lo: int, hi: int, now: float, *, partial: bool = False
) -> Iterator[Span]:
    """Yield recording files overlapping [lo, hi), oldest first.

    With `partial` the file being recorded now is included, cut at now.
    """
    if stream.record_mode is None:
        return
    oldest, current = _window(stream, now)
    lo = max(lo, oldest)
    hi = min(hi, current)
    if lo >= hi:
        return
    for day in range(lo // DAY_S, hi // DAY_S + 1):
        for start, end in _paused(stream, _day_files(stream, day)):
            if start < oldest or end <= lo:
                continue
            if start >= hi:
                return
            if end > current:
                if partial:
                    yield start, current
                return
            yield start, end


def recorded_spans(stream: Stream, lo: int, hi: int, now: float) -> list[Span]:
    """Return the recorded parts of [lo, hi) as merged, clipped spans."""
    spans: list[list[int]] = []
    for start, end in iter_files(stream, lo, hi, now, partial=True):
        # iter_files only yields files overlapping [lo, hi), so b > a.
        a, b = max(start, lo), min(end, hi)
        if spans and spans[-1][1] == a:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def vod_segments(spans: list[Span], length: int) -> Iterator[tuple[int, int, bool]]:
    """Cut spans into segments on an absolute `length`-second grid.

    Yields (start, end, discontinuity): discontinuity is set on the first segment
    after a gap and where a UTC day starts (timestamps restart there).
    """
    previous_end: int | None = None
    for a, b in spans:
        first = a - a % length
        for grid in range(first, b, length):
            start, end = max(a, grid), min(b, grid + length)
            if end - start < 1:
                continue
            jump = previous_end is not None and (
                start != previous_end or start // DAY_S != (previous_end - 1) // DAY_S
            )
            yield start, end, jump
            previous_end = end


def iter_meta_segments(stream: Stream, lo: int, hi: int, now: float) -> Iterator[Span]:
    """Yield the raw TS segments (ReqType=record_metadata) stored by `now` in [lo, hi).

    A listing of a range names the segments that overlap it, not every segment of
    the files it touches.
    """
    for start, end in iter_files(stream, lo, hi, now, partial=True):
        first = max(start, start + (lo - start) // META_SEGMENT_S * META_SEGMENT_S)
        for seg in range(first, min(end, hi), META_SEGMENT_S):
            yield seg, min(seg + META_SEGMENT_S, end)


def iter_screenshots(
    fleet: Fleet, stream: Stream, lo: int, hi: int, now: float
) -> Iterator[int]:
    """Yield the times of screenshots in [lo, hi) (one a minute while online)."""
    if not stream.screenshot:
        return
    lo = max(lo, int(now) - SCREENSHOT_RETENTION_S)
    hi = min(hi, int(now) + 1)
    first = -(-lo // SCREENSHOT_INTERVAL_S) * SCREENSHOT_INTERVAL_S
    for at in range(first, hi, SCREENSHOT_INTERVAL_S):
        if fleet.was_online(stream, at):
            yield at
