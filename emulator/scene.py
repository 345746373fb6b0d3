"""What the emulated cameras look at, how a PTZ view frames it, and YUV plumbing.

The scene is the test pattern's background: 75 % SMPTE colour bars over a grey ramp.
A fixed camera sees it as it always did (`background`). A PTZ camera looks at the same
pattern wrapped once around it (`frame_rgb`, `frame_yuv420`):

* pan: the centre column of the picture looks at bar position
  7 * (pan / 360 + 0.5), so a 360-degree pan scrolls the pattern once round;
* zoom: the picture is scaled about its centre (at 1x it shows the whole 360 degrees);
* tilt: the horizon between the bars and the ramp moves down as the camera looks up,
  by one picture height per `TILT_SPAN_DEG` at 1x.

At pan 0, tilt 0 and 1x the view shows the fixed camera's bars. `emulator.ptz`'s
reader inverts the bar geometry to tell, from a still, where the camera points.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class View:
    """Where a camera points: pan (0..360), tilt (-30..90), zoom (1..20), focus, iris."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 1.0
    focus: float = 50.0
    iris: float = 50.0

    def to_dict(self) -> dict[str, float]:
        """The view as JSON-ready numbers."""
        return asdict(self)


# 75 % SMPTE colour bars: familiar, and easy on the eye at any size.
BARS = (
    (191, 191, 191),
    (191, 191, 0),
    (0, 191, 191),
    (0, 191, 0),
    (191, 0, 191),
    (191, 0, 0),
    (0, 0, 191),
)
# Chosen so that even at the lowest tilt (-30) the horizon stays below the middle of
# the picture: the reader's band (a third of the way down) always crosses the bars.
TILT_SPAN_DEG = 200.0
_RAMP_LOW, _RAMP_HIGH = 16, 235

type Plane = npt.NDArray[np.uint8]
type Planes = tuple[Plane, Plane, Plane]
# Half-open pixel rectangle: left, top, right, bottom.
type Box = tuple[int, int, int, int]

_BAR_ARRAY = np.asarray(BARS, dtype=np.uint8)
# BT.601 limited range: what swscale produces and what players assume for untagged
# video, so the frames decode to the same colours the JPEG stills show.
_LUMA = np.array([65.481, 128.553, 24.966], dtype=np.float32) / 255.0
_CB = np.array([-37.797, -74.203, 112.0], dtype=np.float32) / 255.0
_CR = np.array([112.0, -93.786, -18.214], dtype=np.float32) / 255.0


def _to_u8(values: npt.NDArray[np.floating[Any]]) -> Plane:
    result: Plane = np.rint(values).clip(0, 255).astype(np.uint8)
    return result


def rgb_to_yuv420(rgb: Plane) -> Planes:
    """Convert an RGB array of even height and width to Y, Cb and Cr planes."""
    pixels = rgb.astype(np.float32)
    # Sums of four 8-bit values are exact in float32, so adding the quads' corners is
    # bit for bit what .mean() over them gave, and several times faster (a strided
    # reduction was most of a moving PTZ frame's cost).
    quads = (
        pixels[0::2, 0::2]
        + pixels[0::2, 1::2]
        + pixels[1::2, 0::2]
        + pixels[1::2, 1::2]
    ) / 4
    return (
        _to_u8(pixels @ _LUMA + 16.0),
        _to_u8(quads @ _CB + 128.0),
        _to_u8(quads @ _CR + 128.0),
    )


def yuv_of(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """The Y, Cb and Cr values of an RGB colour."""
    luma, cb, cr = rgb_to_yuv420(np.full((2, 2, 3), colour, dtype=np.uint8))
    return int(luma[0, 0]), int(cb[0, 0]), int(cr[0, 0])


def fill(planes: Planes, box: Box, yuv: tuple[int, int, int]) -> None:
    """Fill a rectangle (on even coordinates) of Y, Cb and Cr planes with one colour."""
    left, top, right, bottom = box
    for plane, value, scale in zip(planes, yuv, (1, 2, 2), strict=True):
        plane[top // scale : bottom // scale, left // scale : right // scale] = value


def paste(planes: Planes, overlay: Planes, left: int, top: int) -> None:
    """Copy an overlay's planes into a picture's, its corner at (even) left, top."""
    for plane, part, scale in zip(planes, overlay, (1, 2, 2), strict=True):
        rows, columns = part.shape
        plane[
            top // scale : top // scale + rows, left // scale : left // scale + columns
        ] = part


def background(width: int, height: int) -> Plane:
    """The fixed camera's background: bars over the top two thirds, a ramp below."""
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    bars_end = height * 2 // 3
    columns = (np.arange(width) * len(BARS)) // width
    pixels[:bars_end] = _BAR_ARRAY[columns]
    ramp = np.linspace(_RAMP_LOW, _RAMP_HIGH, width).astype(np.uint8)
    pixels[bars_end:] = ramp[np.newaxis, :, np.newaxis]
    return pixels


def bar_position(width: int, pan: float, zoom: float) -> npt.NDArray[np.float64]:
    """Where each column's left edge falls on the wrapped pattern, in bars (0..7)."""
    offsets = (np.arange(width, dtype=np.float64) - width / 2) / (width * zoom)
    positions: npt.NDArray[np.float64] = (
        len(BARS) * (pan / 360.0 + 0.5 + offsets)
    ) % len(BARS)
    return positions


def horizon_row(height: int, tilt: float, zoom: float) -> int:
    """The first ramp row (even, so it falls on the chroma grid), within 0..height."""
    row = height / 2 + zoom * height * (1 / 6 + tilt / TILT_SPAN_DEG)
    return min(height, max(0, round(row / 2) * 2))


def _rows(width: int, view: View) -> Plane:
    """Bars, bars, ramp, ramp: one row of each as the view sees it, doubled.

    Doubled because rgb_to_yuv420 works on whole chroma quads; one call converts both.
    """
    positions = bar_position(width, view.pan, view.zoom)
    # `% 7` of a tiny negative float can round up to 7.0: wrap the index again.
    bars = _BAR_ARRAY[positions.astype(np.intp) % len(BARS)]
    levels = _RAMP_LOW + (_RAMP_HIGH - _RAMP_LOW) * positions / len(BARS)
    ramp = np.repeat(levels.astype(np.uint8)[:, np.newaxis], 3, axis=1)
    return np.stack((bars, bars, ramp, ramp))


def frame_rgb(width: int, height: int, view: View) -> Plane:
    """The background as a PTZ camera at `view` sees it, as RGB."""
    rows = _rows(width, view)
    split = horizon_row(height, view.tilt, view.zoom)
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[:split] = rows[0]
    pixels[split:] = rows[2]
    return pixels


def frame_yuv420(planes: Planes, view: View) -> None:
    """Paint the same background into Y, Cb and Cr planes.

    Rows are filled by broadcasting one converted row each, so a frame costs what
    copying the fixed background costs, plus converting four rows.
    """
    height, width = planes[0].shape
    split = horizon_row(height, view.tilt, view.zoom)
    converted = rgb_to_yuv420(_rows(width, view))
    for plane, rows, scale in zip(planes, converted, (1, 2, 2), strict=True):
        # Bars come first, the ramp last, in both full and half-height planes.
        plane[: split // scale] = rows[0]
        plane[split // scale :] = rows[-1]
