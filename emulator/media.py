"""Real, playable video and stills for the emulated aiotvideo API.

Home Assistant's stream component and the frontend's media players decode what the
emulator serves, so placeholders will not do: every clip here is genuine H.264 (in
MPEG-TS for HLS segments, in MP4 for recordings) and every still a real JPEG. The
picture is a test pattern with the camera's label, a burned-in wall clock in the
camera's time zone and a moving box, so a viewer (or a test) can tell which camera
and which instant it is looking at, and the encoder has real motion to work on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
import io
import math
from pathlib import Path
import tempfile
import threading
from typing import TYPE_CHECKING, cast

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .lru import Lru
from .scene import (
    Box,
    Plane,
    Planes,
    background,
    fill,
    frame_rgb,
    frame_yuv420,
    paste,
    rgb_to_yuv420,
    yuv_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from av.video.stream import VideoStream

    from .ptz import Track
    from .scene import View

# MPEG-TS carries 33-bit timestamps on a 90 kHz clock; using that clock everywhere
# keeps segment timestamps exact and lets consecutive segments line up tick for tick.
PTS_CLOCK_HZ = 90_000
# Stay well clear of the 2**33 wrap (about 26.5 h from the origin).
MAX_PTS_SPAN_S = 26 * 3600.0
MAX_DURATION_S = 3600.0
# 9999-12-30T00:00:00Z: the burned-in clock must stay within datetime's range.
MAX_UNIX_TIME = 253_402_128_000.0

# libx264 first: it is fast, and its ultrafast/zerolatency output (Constrained
# Baseline, no B-frames) plays in every browser. "h264" resolves to whatever
# default H.264 encoder the FFmpeg build in the PyAV wheel has.
H264_ENCODERS = ("libx264", "h264")

_MIN_SIDE = 16
_MAX_SIDE = 4096
_MAX_FPS = 60
# Thumbnails may be requested at arbitrary sizes; bound the painters kept for them.
_MAX_PAINTERS = 16
_JPEG_QUALITY = 85
_BOUNCE_PERIOD_S = 4.0
# Template for sizing the clock's backdrop, so the box does not jitter as digits change.
_CLOCK_TEMPLATE = "8888-88-88 88:88:88"
# What the PTZ position is written with, and its fixed length (see ptz_caption).
_PTZ_GLYPHS = " -.0123456789PTZx"
_PTZ_LENGTH = 19

type _Rgb = tuple[int, int, int]
type _CacheKey = tuple[object, ...]

_BACKDROP: _Rgb = (0, 0, 0)
_CLOCK_INK: _Rgb = (255, 255, 255)
_LABEL_INK: _Rgb = (255, 230, 80)
_PTZ_INK: _Rgb = (120, 230, 255)
_BOX_FILL: _Rgb = (250, 250, 250)
_BOX_EDGE: _Rgb = (0, 0, 0)
# Even, like every coordinate below, so shapes fall on whole 4:2:0 chroma samples.
_BOX_EDGE_WIDTH = 2


def ascii_label(label: str) -> str:
    """Return `label` with every character outside printable ASCII replaced by '?'.

    The built-in font only covers ASCII; camera names are often Chinese.
    """
    return "".join(ch if " " <= ch <= "~" else "?" for ch in label)


def pick_encoder(candidates: tuple[str, ...] = H264_ENCODERS) -> str:
    """Return the first name in `candidates` that this PyAV build can encode with."""
    for name in candidates:
        try:
            av.codec.Codec(name, "w")
        except ValueError:  # av's UnknownCodecError
            continue
        return name
    raise RuntimeError(f"no H.264 encoder available (tried {', '.join(candidates)})")


def encoder_options(encoder: str, frames: int) -> dict[str, str]:
    """Return encoder options for speed and exactly one keyframe per clip."""
    if encoder != "libx264":
        return {}
    # scenecut=0: the moving box must never trigger an extra IDR inside a segment.
    return {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "x264-params": f"keyint={frames}:min-keyint={frames}:scenecut=0",
    }


def _even_up(value: int) -> int:
    return value + value % 2


def ptz_caption(view: View) -> str:
    """The position text a PTZ camera's picture shows: `P 123 T  10 Z  2.0x`."""
    return f"P {round(view.pan) % 360:3d} T {round(view.tilt):3d} Z {view.zoom:4.1f}x"


@dataclass(frozen=True, slots=True)
class _Overlay:
    """A text tile, kept both as RGB (for stills) and as YUV planes (for video)."""

    image: Image.Image
    planes: Planes


class Painter:
    """Draws the picture at one (even) size.

    The background is drawn once and text tiles are cached, so a video frame costs
    a few array copies: drawing every frame with Pillow and converting it to YUV
    took three times as long as encoding it.
    """

    def __init__(self, width: int, height: int, tz: timezone) -> None:
        """Prepare the static parts of a `width` x `height` picture."""
        if width % 2 or height % 2:
            raise ValueError(f"painter size must be even: {width}x{height}")
        self.width = width
        self.height = height
        self._tz = tz
        fixed = background(width, height)
        self._background = Image.fromarray(fixed)
        self._background_yuv = rgb_to_yuv420(fixed)
        font_size = max(8, height // 16)
        # Pillow's built-in font scales when FreeType is present (it is in the wheels);
        # without FreeType a small bitmap font is returned, still legible.
        self._font = ImageFont.load_default(size=font_size)
        self._pad = max(2, font_size // 4)
        self._margin = _even_up(self._pad)
        self._box_side = max(4, height // 6) // 2 * 2
        self._box_edge_yuv = yuv_of(_BOX_EDGE)
        self._box_fill_yuv = yuv_of(_BOX_FILL)
        self._tiles: Lru[tuple[str, _Rgb], _Overlay] = Lru(64)
        # FreeType faces must not render from several threads at once, and the
        # tile cache is shared too.
        self._lock = threading.Lock()
        clock_width, clock_height = self._tile_size(_CLOCK_TEMPLATE)
        self.clock_box: Box = (
            self._margin,
            self._margin,
            self._margin + clock_width,
            self._margin + clock_height,
        )
        # A PTZ camera's position sits under the clock, if it fits, in character
        # cells as wide as the widest glyph (made on first use).
        self._glyphs: dict[str, Plane] = {}
        self._cell = _even_up(
            max(math.ceil(self._font.getlength(c)) for c in _PTZ_GLYPHS)
        )
        left, top = self._margin, self.clock_box[3] + self._margin
        right = left + 2 * self._margin + _PTZ_LENGTH * self._cell
        bottom = top + clock_height
        fits = right <= width - self._margin and bottom <= height - self._margin
        self.ptz_box: Box | None = (left, top, right, bottom) if fits else None

    def clock_text(self, at: float) -> str:
        """Return the wall-clock text burned into the frame at unix time `at`."""
        return f"{datetime.fromtimestamp(at, self._tz):%Y-%m-%d %H:%M:%S}"

    def moving_box(self, at: float) -> Box:
        """Return where the moving box is at unix time `at` (a horizontal bounce)."""
        phase = (at % _BOUNCE_PERIOD_S) / _BOUNCE_PERIOD_S
        travel = self.width - self._box_side
        left = round(travel * (1.0 - abs(2.0 * phase - 1.0)) / 2) * 2
        top = (self.height - self._box_side) // 4 * 2
        return (left, top, left + self._box_side, top + self._box_side)

    def label_box(self, label: str) -> Box:
        """Return where the (ASCII) `label` tile sits: the bottom-right corner."""
        with self._lock:
            return self._label_box(self._tile_size(label))

    def render(self, label: str, at: float, view: View | None = None) -> Image.Image:
        """Return the RGB picture for camera `label` (ASCII) at unix time `at`.

        A PTZ camera passes its `view`: the background is framed by it
        (emulator.scene) and the position is shown under the clock.
        """
        box, clock, tag, tag_box, ptz = self._parts(label, at, view)
        image = (
            self._background.copy()
            if view is None
            else Image.fromarray(frame_rgb(self.width, self.height, view))
        )
        draw = ImageDraw.Draw(image)
        left, top, right, bottom = box
        # Pillow's rectangles include their far edges; ours are half-open.
        draw.rectangle(
            (left, top, right - 1, bottom - 1),
            fill=_BOX_FILL,
            outline=_BOX_EDGE,
            width=_BOX_EDGE_WIDTH,
        )
        image.paste(clock.image, self.clock_box[:2])
        image.paste(tag.image, tag_box[:2])
        if ptz is not None and self.ptz_box is not None:
            image.paste(ptz.image, self.ptz_box[:2])
        return image

    def render_yuv420(self, label: str, at: float, view: View | None = None) -> Plane:
        """Return the same picture as planar YUV 4:2:0 in one (height*3/2, width) array.

        That is the layout `av.VideoFrame.from_ndarray(..., format="yuv420p")` takes.
        """
        box, clock, tag, tag_box, ptz = self._parts(label, at, view)
        width, height = self.width, self.height
        luma_size = width * height
        chroma_size = luma_size // 4
        buffer = np.empty(luma_size + 2 * chroma_size, dtype=np.uint8)
        planes: Planes = (
            buffer[:luma_size].reshape(height, width),
            buffer[luma_size : luma_size + chroma_size].reshape(
                height // 2, width // 2
            ),
            buffer[luma_size + chroma_size :].reshape(height // 2, width // 2),
        )
        if view is None:
            for plane, source in zip(planes, self._background_yuv, strict=True):
                plane[...] = source
        else:
            frame_yuv420(planes, view)
        left, top, right, bottom = box
        inset = _BOX_EDGE_WIDTH
        fill(planes, box, self._box_edge_yuv)
        inner = (left + inset, top + inset, right - inset, bottom - inset)
        fill(planes, inner, self._box_fill_yuv)
        paste(planes, clock.planes, *self.clock_box[:2])
        paste(planes, tag.planes, *tag_box[:2])
        if ptz is not None and self.ptz_box is not None:
            paste(planes, ptz.planes, *self.ptz_box[:2])
        return buffer.reshape(height * 3 // 2, width)

    def _parts(
        self, label: str, at: float, view: View | None
    ) -> tuple[Box, _Overlay, _Overlay, Box, _Overlay | None]:
        with self._lock:
            clock = self._tile(self.clock_text(at), _CLOCK_INK, _CLOCK_TEMPLATE)
            tag = self._tile(label, _LABEL_INK, label)
            ptz = (
                None
                if view is None or self.ptz_box is None
                else self._caption(ptz_caption(view))
            )
        return self.moving_box(at), clock, tag, self._label_box(tag.image.size), ptz

    def _label_box(self, size: tuple[int, int]) -> Box:
        right = self.width - self._margin
        bottom = self.height - self._margin
        return (right - size[0], bottom - size[1], right, bottom)

    def _tile_size(self, text: str) -> tuple[int, int]:
        left, top, right, bottom = self._font.getbbox(text)
        padding = 2 * self._pad
        return (
            min(
                self.width - 2 * self._margin,
                _even_up(math.ceil(right - left) + padding),
            ),
            min(
                self.height - 2 * self._margin,
                _even_up(math.ceil(bottom - top) + padding),
            ),
        )

    def _caption(self, text: str) -> _Overlay:
        """Put a PTZ tile together from character cells.

        It changes every frame while the camera moves; drawing it with Pillow each
        time cost more than the rest of the frame.
        """
        tile = self._tiles.get((text, _PTZ_INK))
        if tile is None:
            if not self._glyphs:
                height = self.clock_box[3] - self.clock_box[1]
                _, top, _, _ = self._font.getbbox(_CLOCK_TEMPLATE)
                for char in _PTZ_GLYPHS:
                    image = Image.new("RGB", (self._cell, height), _BACKDROP)
                    left = (self._cell - self._font.getlength(char)) / 2
                    ImageDraw.Draw(image).text(
                        (left, self._pad - top), char, font=self._font, fill=_PTZ_INK
                    )
                    self._glyphs[char] = np.asarray(image)
                # "": the padding either side.
                self._glyphs[""] = np.full(
                    (height, self._margin, 3), _BACKDROP, np.uint8
                )
            rgb = np.hstack([self._glyphs[c] for c in ("", *text, "")])
            tile = _Overlay(Image.fromarray(rgb), rgb_to_yuv420(rgb))
            self._tiles.put((text, _PTZ_INK), tile)
        return tile

    def _tile(self, text: str, ink: _Rgb, sized_for: str) -> _Overlay:
        """Return the tile for `text`; its size is that of `sized_for`."""
        key = (text, ink)
        tile = self._tiles.get(key)
        if tile is None:
            left, top, _, _ = self._font.getbbox(sized_for)
            image = Image.new("RGB", self._tile_size(sized_for), _BACKDROP)
            ImageDraw.Draw(image).text(
                (self._pad - left, self._pad - top), text, font=self._font, fill=ink
            )
            tile = _Overlay(image, rgb_to_yuv420(np.asarray(image)))
            self._tiles.put(key, tile)
        return tile


class MediaFactory:
    """Makes (and caches) H.264 MPEG-TS segments, MP4 clips and JPEG stills."""

    def __init__(
        self,
        *,
        width: int = 640,
        height: int = 360,
        fps: int = 10,
        tz_offset_hours: float = 8.0,
        cache_entries: int = 256,
    ) -> None:
        """Set the video size and rate, the clock's UTC offset and the cache size.

        Width and height must be even (4:2:0 chroma) and between 16 and 4096;
        `cache_entries` = 0 disables caching.
        """
        for name, side in (("width", width), ("height", height)):
            if not _MIN_SIDE <= side <= _MAX_SIDE or side % 2:
                raise ValueError(
                    f"{name} must be even and within {_MIN_SIDE}..{_MAX_SIDE}: {side}"
                )
        if not 1 <= fps <= _MAX_FPS:
            raise ValueError(f"fps must be within 1..{_MAX_FPS}: {fps}")
        if cache_entries < 0:
            raise ValueError(f"cache_entries must not be negative: {cache_entries}")
        self.width = width
        self.height = height
        self.fps = fps
        self.tz = timezone(timedelta(hours=tz_offset_hours))
        self._encoder = pick_encoder()
        self._cache: Lru[_CacheKey, bytes] = Lru(cache_entries)
        self._painters: Lru[tuple[int, int], Painter] = Lru(_MAX_PAINTERS)
        # Guards the cache and the painter table only; encoding runs outside it so
        # worker threads encode in parallel (PyAV releases the GIL while encoding).
        self._lock = threading.Lock()

    @property
    def encoder(self) -> str:
        """Name of the H.264 encoder in use."""
        return self._encoder

    def frame_count(self, duration: float) -> int:
        """Return how many frames a clip of `duration` seconds has."""
        if not 0.0 < duration <= MAX_DURATION_S:
            raise ValueError(
                f"duration must be within (0, {MAX_DURATION_S:g}] s: {duration}"
            )
        return max(1, round(duration * self.fps))

    def ts_segment(
        self,
        label: str,
        start: float,
        duration: float,
        *,
        pts_origin: float | None = None,
        track: Track | None = None,
    ) -> bytes:
        """H.264 in MPEG-TS covering [start, start+duration) (unix seconds).

        A PTZ camera passes the `track` of its views over the segment (see
        `Painter.render`); every frame shows the view of its instant.

        The first frame is the only keyframe. Frame k is presented at
        (start - pts_origin + k/fps) s (`pts_origin` defaults to `start`), so
        segments made with the same origin have continuous timestamps, as an HLS
        live playlist needs. The origin must not be after `start`, nor more than
        MAX_PTS_SPAN_S before the segment's end (MPEG-TS timestamps wrap at 2**33
        ticks of 90 kHz); a caller serving longer should move its origin on
        (with a discontinuity tag).
        """
        origin = start if pts_origin is None else pts_origin
        frames = self.frame_count(duration)
        _check_time(start, "start")
        _check_time(origin, "pts_origin")
        if origin > start:
            raise ValueError(f"pts_origin {origin} is after start {start}")
        if start + duration - origin > MAX_PTS_SPAN_S:
            raise ValueError(
                f"segment ends more than {MAX_PTS_SPAN_S:g} s after pts_origin"
            )
        key: _CacheKey = ("ts", label, start, duration, origin, *_extra(track))

        def produce() -> bytes:
            out = io.BytesIO()
            self._encode(
                out,
                "mpegts",
                label=label,
                start=start,
                frames=frames,
                pts_offset=start - origin,
                track=track,
            )
            return out.getvalue()

        return self._cached(key, produce)

    def mp4(
        self, label: str, start: float, duration: float, *, track: Track | None = None
    ) -> bytes:
        """H.264 MP4 covering [start, start+duration) (unix seconds).

        The moov box comes first ("faststart"), so players can start before the
        whole file has arrived over HTTP. `track` as for `ts_segment`.
        """
        frames = self.frame_count(duration)
        _check_time(start, "start")
        key: _CacheKey = ("mp4", label, start, duration, *_extra(track))

        def produce() -> bytes:
            # FFmpeg's faststart pass re-opens the output by name to move the moov
            # box, which an in-memory file cannot do, so go through a temp file.
            with tempfile.TemporaryDirectory(prefix="emulator-media-") as tmp:
                path = Path(tmp) / "clip.mp4"
                self._encode(
                    str(path),
                    "mp4",
                    label=label,
                    start=start,
                    frames=frames,
                    pts_offset=0.0,
                    options={"movflags": "+faststart"},
                    track=track,
                )
                return path.read_bytes()

        return self._cached(key, produce)

    def jpeg(
        self,
        label: str,
        at: float,
        *,
        width: int | None = None,
        height: int | None = None,
        view: View | None = None,
    ) -> bytes:
        """A JPEG still of the same picture at unix time `at`.

        The default size is the factory's; given only one side, the other keeps
        the factory's aspect ratio. Sides must be within 16..4096. A PTZ camera
        passes its `view` at `at`.
        """
        _check_time(at, "at")
        if width is None:
            width = (
                self.width
                if height is None
                else round(height * self.width / self.height)
            )
        if height is None:
            height = round(width * self.height / self.width)
        for name, side in (("width", width), ("height", height)):
            if not _MIN_SIDE <= side <= _MAX_SIDE:
                raise ValueError(
                    f"{name} must be within {_MIN_SIDE}..{_MAX_SIDE}: {side}"
                )
        size = (width, height)
        key: _CacheKey = ("jpeg", label, at, size, *_extra(view))

        def produce() -> bytes:
            # Painters work at even sizes; an odd side loses its last pixel row.
            painter = self.painter(_even_up(width), _even_up(height))
            image = painter.render(ascii_label(label), at, view).crop((0, 0, *size))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=_JPEG_QUALITY)
            return out.getvalue()

        return self._cached(key, produce)

    def painter(self, width: int, height: int) -> Painter:
        """Return the (shared) painter for pictures of this size."""
        with self._lock:
            painter = self._painters.get((width, height))
            if painter is None:
                painter = Painter(width, height, self.tz)
                self._painters.put((width, height), painter)
            return painter

    def _cached(self, key: _CacheKey, produce: Callable[[], bytes]) -> bytes:
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        data = produce()
        with self._lock:
            self._cache.put(key, data)
        return data

    def _encode(
        self,
        target: io.BytesIO | str,
        container_format: str,
        *,
        label: str,
        start: float,
        frames: int,
        pts_offset: float,
        options: dict[str, str] | None = None,
        track: Track | None = None,
    ) -> None:
        painter = self.painter(self.width, self.height)
        text = ascii_label(label)
        ticks_per_frame = PTS_CLOCK_HZ / self.fps
        first_pts = round(pts_offset * PTS_CLOCK_HZ)
        with av.open(
            target, mode="w", format=container_format, options=options
        ) as container:
            stream = cast(
                "VideoStream",
                container.add_stream(
                    self._encoder,
                    rate=self.fps,
                    options=encoder_options(self._encoder, frames),
                ),
            )
            stream.width = self.width
            stream.height = self.height
            stream.pix_fmt = "yuv420p"
            stream.codec_context.time_base = Fraction(1, PTS_CLOCK_HZ)
            stream.codec_context.gop_size = frames
            # B-frames would make the muxer shift timestamps to keep DTS >= 0,
            # breaking the promised presentation times.
            stream.codec_context.max_b_frames = 0
            # The MP4 muxer takes the last sample's length from its packet.
            duration = round(ticks_per_frame)
            for k in range(frames):
                at = start + k / self.fps
                view = None if track is None else track.view(at)
                frame = av.VideoFrame.from_ndarray(
                    painter.render_yuv420(text, at, view), format="yuv420p"
                )
                frame.pts = first_pts + round(k * ticks_per_frame)
                for packet in stream.encode(frame):
                    packet.duration = duration
                    container.mux(packet)
            for packet in stream.encode(None):
                packet.duration = duration
                container.mux(packet)


def _extra(view: object) -> tuple[object, ...]:
    """Cache-key suffix: none for a fixed camera, so its keys stay as they were."""
    return () if view is None else (view,)


def _check_time(value: float, name: str) -> None:
    # Also rejects NaN; the upper bound keeps the clock within datetime's year 9999.
    if not 0.0 <= value <= MAX_UNIX_TIME:
        raise ValueError(
            f"{name} must be a unix time within 0..{MAX_UNIX_TIME:g}: {value}"
        )
