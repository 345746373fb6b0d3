"""Tests for the emulator's video and still factory: decode what it makes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import io
import math
import struct
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image
import pytest

from emulator.media import (
    H264_ENCODERS,
    MAX_PTS_SPAN_S,
    PTS_CLOCK_HZ,
    MediaFactory,
    encoder_options,
    pick_encoder,
)
from emulator.painter import Painter, ascii_label
from emulator.scene import rgb_to_yuv420

# 2023-11-14 22:13:20 UTC, 2023-11-15 06:13:20 in China.
T = 1_700_000_000.0
TICKS_PER_FRAME = PTS_CLOCK_HZ // 10


@dataclass
class Decoded:
    """Facts about a decoded clip."""

    format_name: str
    codec: str
    width: int
    height: int
    pts: list[int | None]
    keyframes: list[bool]
    duration_s: float | None
    rgb: list[npt.NDArray[Any]]


def decode(data: bytes) -> Decoded:
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return Decoded(
            format_name=container.format.name,
            codec=stream.codec_context.name,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            pts=[frame.pts for frame in frames],
            keyframes=[frame.key_frame for frame in frames],
            duration_s=(
                None if container.duration is None else container.duration / 1e6
            ),
            rgb=[frame.to_ndarray(format="rgb24") for frame in frames],
        )


def top_level_boxes(data: bytes) -> list[bytes]:
    """Return the types of an MP4 file's top-level boxes, in order."""
    kinds = []
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, offset + 8)
        assert size >= 8
        kinds.append(kind)
        offset += size
    assert offset == len(data)
    return kinds


def mean_difference(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture(scope="module")
def factory() -> MediaFactory:
    """One factory for the read-only tests, so they share its cache."""
    return MediaFactory()


def test_ts_segment_is_h264_with_one_leading_keyframe(factory: MediaFactory) -> None:
    data = factory.ts_segment("Front door", T, 6.0)
    assert data[0] == 0x47
    assert len(data) % 188 == 0

    clip = decode(data)

    assert clip.format_name == "mpegts"
    assert clip.codec == "h264"
    assert (clip.width, clip.height) == (640, 360)
    assert len(clip.pts) == 60
    assert clip.keyframes == [True] + [False] * 59
    assert clip.pts == [k * TICKS_PER_FRAME for k in range(60)]


def test_consecutive_segments_have_continuous_timestamps(
    factory: MediaFactory,
) -> None:
    first = decode(factory.ts_segment("Front door", T, 6.0, pts_origin=T))
    second = decode(factory.ts_segment("Front door", T + 6.0, 6.0, pts_origin=T))

    assert second.keyframes[0]
    assert first.pts + second.pts == [k * TICKS_PER_FRAME for k in range(120)]


def test_fractional_durations() -> None:
    factory = MediaFactory(fps=10)
    assert factory.frame_count(2.5) == 25
    assert factory.frame_count(0.04) == 1
    assert factory.frame_count(3600.0) == 36_000

    clip = decode(factory.ts_segment("Cam", T + 0.25, 0.04, pts_origin=T))

    assert clip.keyframes == [True]
    assert clip.pts == [round(0.25 * PTS_CLOCK_HZ)]


def test_timestamps_near_the_end_of_the_allowed_span() -> None:
    factory = MediaFactory(width=64, height=36)
    start = T + MAX_PTS_SPAN_S - 1.0

    clip = decode(factory.ts_segment("Cam", start, 1.0, pts_origin=T))

    first = round((MAX_PTS_SPAN_S - 1.0) * PTS_CLOCK_HZ)
    assert clip.pts == [first + k * TICKS_PER_FRAME for k in range(10)]
    assert first + 10 * TICKS_PER_FRAME < 2**33  # no wrap


def test_decoded_video_shows_the_painted_picture(factory: MediaFactory) -> None:
    painter = factory.painter(640, 360)
    clip = decode(factory.ts_segment("Front door", T, 6.0))

    for k in (0, 17, 59):
        expected = np.asarray(painter.render("Front door", T + k / 10))
        assert mean_difference(clip.rgb[k], expected) < 4.0


@pytest.mark.parametrize(
    ("size", "label"),
    [
        ((640, 360), "Front door"),
        ((64, 36), "A label far wider than this small frame"),
        ((1280, 720), ""),
    ],
)
def test_yuv_frames_are_the_rgb_picture_exactly(
    size: tuple[int, int], label: str
) -> None:
    """Every shape sits on the chroma grid, so converting parts equals the whole."""
    painter = MediaFactory().painter(*size)
    width, height = size
    for at in (T, T + 0.7, T + 1.9, T + 3.3):
        planes = rgb_to_yuv420(np.asarray(painter.render(label, at)))
        expected = np.concatenate([plane.reshape(-1) for plane in planes])

        frame = painter.render_yuv420(label, at)

        assert frame.shape == (height * 3 // 2, width)
        assert np.array_equal(frame.reshape(-1), expected)


def test_clock_text_uses_the_configured_offset() -> None:
    assert MediaFactory().painter(640, 360).clock_text(T) == "2023-11-15 06:13:20"
    utc = MediaFactory(tz_offset_hours=0).painter(640, 360)
    assert utc.clock_text(T + 0.999) == "2023-11-14 22:13:20"
    india = MediaFactory(tz_offset_hours=5.5).painter(640, 360)
    assert india.clock_text(T) == "2023-11-15 03:43:20"


def test_burned_in_clock_changes_every_second(factory: MediaFactory) -> None:
    painter = factory.painter(640, 360)
    left, top, right, bottom = painter.clock_box

    def clock_pixels(at: float) -> npt.NDArray[np.uint8]:
        return np.asarray(painter.render("Cam", at))[top:bottom, left:right]

    assert np.array_equal(clock_pixels(T), clock_pixels(T + 0.5))
    assert not np.array_equal(clock_pixels(T), clock_pixels(T + 1.0))

    # After encoding, frame 10 (one second in) shows the next second's clock.
    clip = decode(factory.ts_segment("Cam", T, 2.0))
    decoded = clip.rgb[10][top:bottom, left:right]
    assert mean_difference(decoded, clock_pixels(T + 1.0)) < 1.0
    assert mean_difference(decoded, clock_pixels(T)) > 3.0


def test_something_moves_and_stays_clear_of_the_text(factory: MediaFactory) -> None:
    painter = factory.painter(640, 360)
    label_box = painter.label_box("Front door")
    positions = {painter.moving_box(T + k / 10) for k in range(40)}

    assert len(positions) > 20
    for left, top, right, bottom in positions:
        assert 0 <= left < right <= 640
        assert 0 <= top < bottom <= 360
        assert all(value % 2 == 0 for value in (left, top, right, bottom))
        assert top >= painter.clock_box[3]
        assert bottom <= label_box[1]


def test_mp4_is_faststart_h264_of_the_right_length(factory: MediaFactory) -> None:
    data = factory.mp4("Driveway", T, 3.0)

    boxes = top_level_boxes(data)
    assert boxes[0] == b"ftyp"
    assert boxes.index(b"moov") < boxes.index(b"mdat")

    clip = decode(data)
    assert clip.codec == "h264"
    assert (clip.width, clip.height) == (640, 360)
    assert len(clip.pts) == 30
    assert clip.keyframes[0]
    assert clip.duration_s == pytest.approx(3.0, abs=0.01)
    expected = np.asarray(factory.painter(640, 360).render("Driveway", T + 2.9))
    assert mean_difference(clip.rgb[29], expected) < 4.0


def test_fallback_encoder_without_x264_options() -> None:
    """The generic "h264" encoder gets no x264 options but still one GOP per clip."""
    factory = MediaFactory(width=160, height=90)
    factory._encoder = "h264"

    clip = decode(factory.ts_segment("Cam", T, 3.0))

    assert clip.codec == "h264"
    assert len(clip.pts) == 30
    assert clip.keyframes[0]
    assert clip.pts == [k * TICKS_PER_FRAME for k in range(30)]


def test_jpeg_default_size_shows_the_picture(factory: MediaFactory) -> None:
    data = factory.jpeg("Front door", T)

    assert data.startswith(b"\xff\xd8")
    assert data.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 360)
        pixels = np.asarray(image.convert("RGB"))
    expected = np.asarray(factory.painter(640, 360).render("Front door", T))
    assert mean_difference(pixels, expected) < 4.0


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [
        (320, None, (320, 180)),
        (None, 90, (160, 90)),
        (101, 57, (101, 57)),
        (1920, 1080, (1920, 1080)),
    ],
)
def test_jpeg_requested_sizes(
    factory: MediaFactory, width: int | None, height: int | None, size: tuple[int, int]
) -> None:
    data = factory.jpeg("门口 Gate", T, width=width, height=height)

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == size
        image.load()


@pytest.mark.parametrize(
    ("width", "height"), [(8, None), (None, 5000), (17, None), (100, 0)]
)
def test_jpeg_rejects_bad_sizes(
    factory: MediaFactory, width: int | None, height: int | None
) -> None:
    with pytest.raises(ValueError, match="must be within"):
        factory.jpeg("Cam", T, width=width, height=height)


def test_cache_returns_the_same_object_and_evicts_the_oldest() -> None:
    factory = MediaFactory(width=64, height=36, cache_entries=2)

    segment = factory.ts_segment("Cam", T, 1.0)
    assert factory.ts_segment("Cam", T, 1.0) is segment
    assert factory.ts_segment("Cam", T, 1.0, pts_origin=T) is segment
    clip = factory.mp4("Cam", T, 1.0)
    assert factory.mp4("Cam", T, 1.0) is clip

    still = factory.jpeg("Cam", T)  # evicts the segment
    assert factory.jpeg("Cam", T) is still
    assert len(factory._cache) == 2
    again = factory.ts_segment("Cam", T, 1.0)
    assert again is not segment
    assert again == segment
    # Every argument is part of the key.
    assert factory.jpeg("Cam", T + 1.0) is not still
    assert factory.jpeg("Other", T) is not still
    assert factory.jpeg("Cam", T, width=32) is not still


def test_cache_can_be_disabled() -> None:
    factory = MediaFactory(width=64, height=36, cache_entries=0)

    first = factory.jpeg("Cam", T)
    second = factory.jpeg("Cam", T)

    assert first == second
    assert first is not second
    assert len(factory._cache) == 0


def test_painters_for_many_thumbnail_sizes_are_bounded() -> None:
    factory = MediaFactory(width=64, height=36, cache_entries=0)

    for width in range(32, 32 + 2 * 20, 2):
        factory.jpeg("Cam", T, width=width, height=32)

    assert len(factory._painters) == 16
    assert factory.painter(64, 32) is factory.painter(64, 32)


def test_concurrent_use_from_worker_threads() -> None:
    factory = MediaFactory(width=160, height=90)

    def work(index: int) -> tuple[bytes, bytes]:
        start = T + index
        return factory.ts_segment(f"Cam {index}", start, 1.0), factory.jpeg(
            f"Cam {index}", start, width=80
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))

    for segment, still in results:
        assert len(decode(segment).pts) == 10
        with Image.open(io.BytesIO(still)) as image:
            assert image.size == (80, 45)


@pytest.mark.parametrize("duration", [0.0, -1.0, 3600.5, math.nan, math.inf])
def test_invalid_durations_are_rejected(factory: MediaFactory, duration: float) -> None:
    with pytest.raises(ValueError, match="duration"):
        factory.ts_segment("Cam", T, duration)
    with pytest.raises(ValueError, match="duration"):
        factory.mp4("Cam", T, duration)


@pytest.mark.parametrize(
    ("start", "origin", "message"),
    [
        (-1.0, None, "start"),
        (math.nan, None, "start"),
        (1e12, None, "start"),
        (T, -5.0, "pts_origin"),
        (T, T + 1.0, "after start"),
        (T + MAX_PTS_SPAN_S, T, "after pts_origin"),
    ],
)
def test_invalid_segment_times_are_rejected(
    factory: MediaFactory, start: float, origin: float | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        factory.ts_segment("Cam", start, 6.0, pts_origin=origin)


def test_invalid_times_for_mp4_and_jpeg_are_rejected(factory: MediaFactory) -> None:
    with pytest.raises(ValueError, match="start"):
        factory.mp4("Cam", math.inf, 1.0)
    with pytest.raises(ValueError, match="at"):
        factory.jpeg("Cam", -0.5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"width": 641},
        {"width": 8},
        {"height": 5000},
        {"fps": 0},
        {"fps": 61},
        {"cache_entries": -1},
        {"tz_offset_hours": 24.0},
    ],
)
def test_invalid_factory_settings_are_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        MediaFactory(**kwargs)


def test_painter_needs_an_even_size(factory: MediaFactory) -> None:
    with pytest.raises(ValueError, match="even"):
        Painter(33, 20, factory.tz)


def test_encoder_choice_and_options() -> None:
    assert MediaFactory().encoder in H264_ENCODERS
    assert pick_encoder(("no-such-encoder", "libx264")) == "libx264"
    with pytest.raises(RuntimeError, match=r"no H\.264 encoder"):
        pick_encoder(("no-such-encoder",))
    assert encoder_options("h264", 60) == {}
    assert (
        "keyint=60:min-keyint=60:scenecut=0" in encoder_options("libx264", 60).values()
    )


def test_ascii_label() -> None:
    assert ascii_label("门口 Gate~\t") == "?? Gate~?"
