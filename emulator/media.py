"""Real, playable video and stills for the emulated aiotvideo API.

Home Assistant's stream component and the frontend's media players decode what the
emulator serves, so placeholders will not do: every clip here is genuine H.264 (in
MPEG-TS for HLS segments, in MP4 for recordings) and every still a real JPEG. The
picture is a test pattern with the camera's label, a burned-in wall clock in the
camera's time zone and a moving box, so a viewer (or a test) can tell which camera
and which instant it is looking at, and the encoder has real motion to work on.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
import io
import math
from pathlib import Path
import tempfile
import threading
from typing import TYPE_CHECKING, Any, cast

import av
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from collections.abc import Callable

    from av.video.stream import VideoStream

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
# 75 % SMPTE colour bars: familiar, and easy on the eye at any size.
_BARS = (
    (191, 191, 191),
    (191, 191, 0),
    (0, 191, 191),
    (0, 191, 0),
    (191, 0, 191),
    (191, 0, 0),
    (0, 0, 191),
)
# Template for sizing the clock's backdrop, so the box does not jitter as digits change.
_CLOCK_TEMPLATE = "8888-88-88 88:88:88"

type _Rgb = tuple[int, int, int]
# Half-open pixel rectangle: left, top, right, bottom.
type _Box = tuple[int, int, int, int]
type _Plane = npt.NDArray[np.uint8]
type _Planes = tuple[_Plane, _Plane, _Plane]
type _CacheKey = tuple[object, ...]

_BACKDROP: _Rgb = (0, 0, 0)
_CLOCK_INK: _Rgb = (255, 255, 255)
_LABEL_INK: _Rgb = (255, 230, 80)
_BOX_FILL: _Rgb = (250, 250, 250)
_BOX_EDGE: _Rgb = (0, 0, 0)
# Even, like every coordinate below, so shapes fall on whole 4:2:0 chroma samples.
_BOX_EDGE_WIDTH = 2

# BT.601 limited range: what swscale produces and what players assume for untagged
# video, so the frames decode to the same colours the JPEG stills show.
_LUMA = np.array([65.481, 128.553, 24.966], dtype=np.float32) / 255.0
_CB = np.array([-37.797, -74.203, 112.0], dtype=np.float32) / 255.0
_CR = np.array([112.0, -93.786, -18.214], dtype=np.float32) / 255.0


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


def _to_u8(values: npt.NDArray[np.floating[Any]]) -> _Plane:
    result: _Plane = np.rint(values).clip(0, 255).astype(np.uint8)
    return result


def rgb_to_yuv420(rgb: _Plane) -> _Planes:
    """Convert an RGB array of even height and width to Y, Cb and Cr planes."""
    pixels = rgb.astype(np.float32)
    height, width = pixels.shape[:2]
    quads = pixels.reshape(height // 2, 2, width // 2, 2, 3).mean(axis=(1, 3))
    return (
        _to_u8(pixels @ _LUMA + 16.0),
        _to_u8(quads @ _CB + 128.0),
        _to_u8(quads @ _CR + 128.0),
    )


def _yuv_of(colour: _Rgb) -> tuple[int, int, int]:
    luma, cb, cr = rgb_to_yuv420(np.full((2, 2, 3), colour, dtype=np.uint8))
    return int(luma[0, 0]), int(cb[0, 0]), int(cr[0, 0])


def _background(width: int, height: int) -> _Plane:
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    bars_end = height * 2 // 3
    columns = (np.arange(width) * len(_BARS)) // width
    pixels[:bars_end] = np.asarray(_BARS, dtype=np.uint8)[columns]
    ramp = np.linspace(16, 235, width).astype(np.uint8)
    pixels[bars_end:] = ramp[np.newaxis, :, np.newaxis]
    return pixels


def _fill(planes: _Planes, box: _Box, yuv: tuple[int, int, int]) -> None:
    left, top, right, bottom = box
    for plane, value, scale in zip(planes, yuv, (1, 2, 2), strict=True):
        plane[top // scale : bottom // scale, left // scale : right // scale] = value


def _paste(planes: _Planes, overlay: _Planes, left: int, top: int) -> None:
    for plane, part, scale in zip(planes, overlay, (1, 2, 2), strict=True):
        rows, columns = part.shape
        plane[
            top // scale : top // scale + rows, left // scale : left // scale + columns
        ] = part


@dataclass(frozen=True, slots=True)
class _Overlay:
    """A text tile, kept both as RGB (for stills) and as YUV planes (for video)."""

    image: Image.Image
    planes: _Planes


class _Lru[K, V]:
    """A small least-recently-used map; callers do the locking."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


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
        background = _background(width, height)
        self._background = Image.fromarray(background)
        self._background_yuv = rgb_to_yuv420(background)
        font_size = max(8, height // 16)
        # Pillow's built-in font scales when FreeType is present (it is in the wheels);
        # without FreeType a small bitmap font is returned, still legible.
        self._font = ImageFont.load_default(size=font_size)
        self._pad = max(2, font_size // 4)
        self._margin = _even_up(self._pad)
        self._box_side = max(4, height // 6) // 2 * 2
        self._box_edge_yuv = _yuv_of(_BOX_EDGE)
        self._box_fill_yuv = _yuv_of(_BOX_FILL)
        self._tiles: _Lru[tuple[str, _Rgb], _Overlay] = _Lru(64)
        # FreeType faces must not render from several threads at once, and the
        # tile cache is shared too.
        self._lock = threading.Lock()
        clock_width, clock_height = self._tile_size(_CLOCK_TEMPLATE)
        self.clock_box: _Box = (
            self._margin,
            self._margin,
            self._margin + clock_width,
            self._margin + clock_height,
        )

    def clock_text(self, at: float) -> str:
        """Return the wall-clock text burned into the frame at unix time `at`."""
        return f"{datetime.fromtimestamp(at, self._tz):%Y-%m-%d %H:%M:%S}"

    def moving_box(self, at: float) -> _Box:
        """Return where the moving box is at unix time `at` (a horizontal bounce)."""
        phase = (at % _BOUNCE_PERIOD_S) / _BOUNCE_PERIOD_S
        travel = self.width - self._box_side
        left = round(travel * (1.0 - abs(2.0 * phase - 1.0)) / 2) * 2
        top = (self.height - self._box_side) // 4 * 2
        return (left, top, left + self._box_side, top + self._box_side)

    def label_box(self, label: str) -> _Box:
        """Return where the (ASCII) `label` tile sits: the bottom-right corner."""
        with self._lock:
            return self._label_box(self._tile_size(label))

    def render(self, label: str, at: float) -> Image.Image:
        """Return the RGB picture for camera `label` (ASCII) at unix time `at`."""
        box, clock, tag, tag_box = self._parts(label, at)
        image = self._background.copy()
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
        return image

    def render_yuv420(self, label: str, at: float) -> _Plane:
        """Return the same picture as planar YUV 4:2:0 in one (height*3/2, width) array.

        That is the layout `av.VideoFrame.from_ndarray(..., format="yuv420p")` takes.
        """
        box, clock, tag, tag_box = self._parts(label, at)
        width, height = self.width, self.height
        luma_size = width * height
        chroma_size = luma_size // 4
        buffer = np.empty(luma_size + 2 * chroma_size, dtype=np.uint8)
        planes: _Planes = (
            buffer[:luma_size].reshape(height, width),
            buffer[luma_size : luma_size + chroma_size].reshape(
                height // 2, width // 2
            ),
            buffer[luma_size + chroma_size :].reshape(height // 2, width // 2),
        )
        for plane, source in zip(planes, self._background_yuv, strict=True):
            plane[...] = source
        left, top, right, bottom = box
        inset = _BOX_EDGE_WIDTH
        _fill(planes, box, self._box_edge_yuv)
        inner = (left + inset, top + inset, right - inset, bottom - inset)
        _fill(planes, inner, self._box_fill_yuv)
        _paste(planes, clock.planes, *self.clock_box[:2])
        _paste(planes, tag.planes, *tag_box[:2])
        return buffer.reshape(height * 3 // 2, width)

    def _parts(self, label: str, at: float) -> tuple[_Box, _Overlay, _Overlay, _Box]:
        with self._lock:
            clock = self._tile(self.clock_text(at), _CLOCK_INK, _CLOCK_TEMPLATE)
            tag = self._tile(label, _LABEL_INK, label)
        return self.moving_box(at), clock, tag, self._label_box(tag.image.size)

    def _label_box(self, size: tuple[int, int]) -> _Box:
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
        self._cache: _Lru[_CacheKey, bytes] = _Lru(cache_entries)
        self._painters: _Lru[tuple[int, int], Painter] = _Lru(_MAX_PAINTERS)
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
    ) -> bytes:
        """H.264 in MPEG-TS covering [start, start+duration) (unix seconds).

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
        key: _CacheKey = ("ts", label, start, duration, origin)

        def produce() -> bytes:
            out = io.BytesIO()
            self._encode(
                out,
                "mpegts",
                label=label,
                start=start,
                frames=frames,
                pts_offset=start - origin,
            )
            return out.getvalue()

        return self._cached(key, produce)

    def mp4(self, label: str, start: float, duration: float) -> bytes:
        """H.264 MP4 covering [start, start+duration) (unix seconds).

        The moov box comes first ("faststart"), so players can start before the
        whole file has arrived over HTTP.
        """
        frames = self.frame_count(duration)
        _check_time(start, "start")
        key: _CacheKey = ("mp4", label, start, duration)

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
    ) -> bytes:
        """A JPEG still of the same picture at unix time `at`.

        The default size is the factory's; given only one side, the other keeps
        the factory's aspect ratio. Sides must be within 16..4096.
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
        key: _CacheKey = ("jpeg", label, at, size)

        def produce() -> bytes:
            # Painters work at even sizes; an odd side loses its last pixel row.
            painter = self.painter(_even_up(width), _even_up(height))
            image = painter.render(ascii_label(label), at).crop((0, 0, *size))
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
                frame = av.VideoFrame.from_ndarray(
                    painter.render_yuv420(text, start + k / self.fps), format="yuv420p"
                )
                frame.pts = first_pts + round(k * ticks_per_frame)
                for packet in stream.encode(frame):
                    packet.duration = duration
                    container.mux(packet)
            for packet in stream.encode(None):
                packet.duration = duration
                container.mux(packet)


def _check_time(value: float, name: str) -> None:
    # Also rejects NaN; the upper bound keeps the clock within datetime's year 9999.
    if not 0.0 <= value <= MAX_UNIX_TIME:
        raise ValueError(
            f"{name} must be a unix time within 0..{MAX_UNIX_TIME:g}: {value}"
        )
