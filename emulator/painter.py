"""The picture of an emulated camera, drawn as RGB for stills and as YUV for video.

The test pattern of `scene` (framed by a PTZ camera's view), the camera's label, a
burned-in wall clock and a moving box; a PTZ camera's position under the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
import math
import threading
from typing import TYPE_CHECKING

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
    from .scene import View

_BOUNCE_PERIOD_S = 4.0
# Template for sizing the clock's backdrop, so the box does not jitter as digits change.
_CLOCK_TEMPLATE = "8888-88-88 88:88:88"
# What the PTZ position is written with, and its fixed length (see ptz_caption).
_PTZ_GLYPHS = " -.0123456789PTZx"
_PTZ_LENGTH = 19

type _Rgb = tuple[int, int, int]

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


def even_up(value: int) -> int:
    """Return `value` rounded up to an even number (4:2:0 sizes and places)."""
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
        self._margin = even_up(self._pad)
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
        self._cell = even_up(
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
                even_up(math.ceil(right - left) + padding),
            ),
            min(
                self.height - 2 * self._margin,
                even_up(math.ceil(bottom - top) + padding),
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
