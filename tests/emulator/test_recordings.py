"""Lazily computed recording schedules, VOD segmentation and screenshots."""

from __future__ import annotations

import itertools
import time

from emulator import Fleet
from emulator.recordings import (
    DAY_S,
    FILE_S,
    RETENTION_S,
    _day_gaps,
    iter_files,
    iter_meta_segments,
    iter_screenshots,
    recorded_spans,
    vod_segments,
)

NOW = 1_700_000_123.0  # 2023-11-14 22:15:23 UTC


def _stream(mode: str | None, **kwargs: int) -> tuple[Fleet, object]:
    fleet = Fleet.demo()
    stream = fleet.main_streams()[0]
    fleet.set_recording(stream.stream_id, mode, **kwargs)
    return fleet, stream


def test_continuous_files() -> None:
    _, stream = _stream("continuous")
    files = list(iter_files(stream, 0, int(NOW) + 10_000, NOW))  # type: ignore[arg-type]
    assert files
    assert all(end - start == FILE_S and start % FILE_S == 0 for start, end in files)
    assert files[0][0] >= NOW - RETENTION_S
    assert files[-1][1] <= NOW
    # A few gaps over 30 days, but most of the time is recorded.
    assert 0.9 * RETENTION_S / FILE_S < len(files) < RETENTION_S / FILE_S
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(files) if b[0] != a[1]]
    assert gaps
    assert all(gap % FILE_S == 0 for gap in gaps)
    # The file being written is playable up to now, not listed.
    partial = list(
        iter_files(stream, int(NOW) - 700, int(NOW) + 100, NOW, partial=True)
    )  # type: ignore[arg-type]
    listed = list(iter_files(stream, int(NOW) - 700, int(NOW) + 100, NOW))  # type: ignore[arg-type]
    if partial and partial[-1][1] == int(NOW):
        assert partial[-1] not in listed
    # Deterministic: the same answer twice.
    assert files == list(iter_files(stream, 0, int(NOW) + 10_000, NOW))  # type: ignore[arg-type]
    assert list(iter_files(stream, int(NOW), int(NOW) - 5, NOW)) == []  # type: ignore[arg-type]


def test_events_density() -> None:
    _, stream = _stream("events", events_per_day=1000)
    day = int(NOW) // DAY_S - 1
    clips = list(iter_files(stream, day * DAY_S, (day + 1) * DAY_S, NOW))  # type: ignore[arg-type]
    assert len(clips) == 1000
    assert all(20 <= end - start <= 85 for start, end in clips)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(clips))
    _, normal = _stream("events")
    clips = list(iter_files(normal, day * DAY_S, (day + 1) * DAY_S, NOW))  # type: ignore[arg-type]
    assert len(clips) == 24
    assert all(20 <= end - start <= 180 for start, end in clips)
    _, dense = _stream("events", events_per_day=50_000)
    clips = list(iter_files(dense, day * DAY_S, day * DAY_S + 600, NOW))  # type: ignore[arg-type]
    assert clips
    assert all(end - start >= 1 for start, end in clips)


def test_no_template_and_record_since() -> None:
    _, stream = _stream(None)
    assert list(iter_files(stream, 0, int(NOW), NOW)) == []  # type: ignore[arg-type]
    fleet, recent = _stream("continuous")
    fleet.set_recording(recent.stream_id, "continuous", since=NOW - 3600)  # type: ignore[attr-defined]
    files = list(iter_files(recent, 0, int(NOW), NOW))  # type: ignore[arg-type]
    assert files
    assert files[0][0] >= NOW - 3600
    assert len(files) <= 6


def test_laziness() -> None:
    before = _day_gaps.cache_info().misses
    # CPU time of this thread (see test_fleet): CI saw 2.3 s of wall time here while
    # the other release's browser tests ran.
    started = time.thread_time()
    fleet = Fleet.generate(spaces=5, channels=10_000, seed=2)
    assert _day_gaps.cache_info().misses == before  # nothing computed up front
    stream = next(s for s in fleet.main_streams() if s.record_mode == "continuous")
    files = list(iter_files(stream, 0, int(NOW), NOW))
    assert len(files) > 3000
    assert time.thread_time() - started < 2.0


def test_spans_and_vod_segments() -> None:
    _, stream = _stream("continuous")
    lo, hi = int(NOW) - 2 * DAY_S, int(NOW)
    spans = recorded_spans(stream, lo, hi, NOW)  # type: ignore[arg-type]
    assert spans[0][0] >= lo
    assert spans[-1][1] <= hi
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))  # merged
    # Segment grid: absolute multiples of 6 s; jumps after gaps and at midnight.
    segments = list(vod_segments([(100, 130), (204, 210), (DAY_S - 6, DAY_S + 6)], 6))
    assert segments[:2] == [(100, 102, False), (102, 108, False)]
    assert (204, 210, True) in segments
    assert (DAY_S - 6, DAY_S, True) in segments
    assert (DAY_S, DAY_S + 6, True) in segments
    assert list(vod_segments([(10, 10)], 6)) == []
    meta = list(iter_meta_segments(stream, int(NOW) - 3600, int(NOW), NOW))  # type: ignore[arg-type]
    assert meta
    assert all(end - start <= 6 for start, end in meta)


def test_screenshots() -> None:
    fleet = Fleet.demo()
    fleet.clock = lambda: NOW
    home = next(s for s in fleet.spaces.values() if s.name == "Home")
    front = fleet.streams[fleet.space_streams[home.space_id][0]]
    shots = list(iter_screenshots(fleet, front, int(NOW) - 3600, int(NOW), NOW))
    assert len(shots) == 60
    assert all(at % 60 == 0 for at in shots)
    assert list(iter_screenshots(fleet, front, 0, int(NOW) - 8 * DAY_S, NOW)) == []
    attic = next(s for s in fleet.main_streams() if s.title == "Attic")
    assert list(iter_screenshots(fleet, attic, int(NOW) - 3600, int(NOW), NOW)) == []
    barn = next(s for s in fleet.main_streams() if s.title == "Barn")
    assert list(iter_screenshots(fleet, barn, int(NOW) - 3600, int(NOW), NOW)) == []


def test_events_range_inside_one_day() -> None:
    _, stream = _stream("events", events_per_day=10)
    day = int(NOW) // DAY_S - 2
    clips = list(iter_files(stream, day * DAY_S, (day + 1) * DAY_S - 1, NOW))  # type: ignore[arg-type]
    assert len(clips) == 10


def test_pauses_cut_files_and_outages_can_be_off() -> None:
    start = int(NOW) // FILE_S * FILE_S - 6 * FILE_S
    pauses = [(start + 100, start + 700), (start + 1500, start + 1600)]
    _, stream = _stream("continuous")
    stream.record_outages = False  # type: ignore[attr-defined]
    stream.record_pauses = pauses  # type: ignore[attr-defined]
    files = list(iter_files(stream, start, start + 3 * FILE_S, NOW))  # type: ignore[arg-type]
    # The first file loses its end, the second its start; the third a hole.
    assert files == [
        (start, start + 100),
        (start + 700, start + 1200),
        (start + 1200, start + 1500),
        (start + 1600, start + 1800),
    ]
    assert recorded_spans(stream, start, start + 1800, NOW) == [  # type: ignore[arg-type]
        (start, start + 100),
        (start + 700, start + 1500),
        (start + 1600, start + 1800),
    ]
    # Without outages 30 days are recorded back to back.
    all_files = list(iter_files(stream, 0, int(NOW), NOW))  # type: ignore[arg-type]
    holes = [b[0] - a[1] for a, b in itertools.pairwise(all_files) if b[0] != a[1]]
    assert len(holes) == 2
    assert not list(
        iter_files(stream, start + 150, start + 650, NOW)  # type: ignore[arg-type]
    )


def test_segments_of_the_file_being_written_are_listed_to_the_edge() -> None:
    _, stream = _stream("continuous")
    stream.record_outages = False  # type: ignore[attr-defined]
    edge = int(NOW) - 30  # the storage edge: now less a 30 s lag
    segments = list(iter_meta_segments(stream, edge - 120, edge + 60, edge))  # type: ignore[arg-type]
    assert segments[-1][1] == edge
    assert all(0 < b - a <= 6 for a, b in segments)
    # Only the segments of the range, not every segment of the files it touches.
    assert all(b > edge - 120 and a < edge + 60 for a, b in segments)
    assert len(segments) <= 120 // 6 + 1
