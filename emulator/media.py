"""Real, playable video and stills for the emulated aiotvideo API.

Home Assistant's stream component and the frontend's media players decode what the
emulator serves, so placeholders will not do: every clip here is genuine H.264 (in
MPEG-TS for HLS segments, in MP4 for recordings) and every still a real JPEG. The
picture (`painter`) is a test pattern with the camera's label, a burned-in wall clock
in the camera's time zone and a moving box, so a viewer (or a test) can tell which
camera and which instant it is looking at, and the encoder has real motion to work on.
`MediaFactory` encodes it and caches what it made.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from fractions import Fraction
import io
from pathlib import Path
import tempfile
import threading
from typing import TYPE_CHECKING, cast

import av

from .lru import Lru
from .painter import Painter, ascii_label, even_up

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

type _CacheKey = tuple[object, ...]


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
            painter = self.painter(even_up(width), even_up(height))
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
