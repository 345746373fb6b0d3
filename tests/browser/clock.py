"""Reading the emulator's burned-in clock off a playing <video>, as a person would.

Every picture the emulator serves carries its wall-clock time (to the second) in
the top-left corner. The page draws that corner of the current video frame on a
canvas; here it is compared with the emulator's own rendering of the clock for the
last minute's seconds, and the best match is the second the frame was taken at.
A picture that stops (a frozen view) shows a clock that stops; the difference to
the wall clock is what the viewer trails the camera by (glass-to-glass latency,
to within a second).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
import math
from typing import Any

import numpy as np
import numpy.typing as npt
from playwright.async_api import Page

from emulator.media import MediaFactory
from emulator.painter import Painter

# The emulator's video size (EmulatorConfig.media_width/height).
WIDTH, HEIGHT = 640, 360
# A match worse than this (mean absolute difference per channel) is no reading.
UNREADABLE = 12.0
LOOK_BACK = 60

# The corner of the current frame of the first <video> inside `inside` (through
# shadow roots), as base64 RGBA, with the video's frame count and the page's clock.
FRAME_CORNER = """([inside, box]) => {
  const walk = (root, tag) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === tag) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot, tag); if (found) return found; }
    }
    return null;
  };
  const within = walk(document, inside.toUpperCase());
  if (!within) return null;
  const root = within.shadowRoot || within;
  const video = walk(root, 'VIDEO');
  const webrtc = walk(root, 'HA-WEB-RTC-PLAYER') !== null;
  if (!video || !video.videoWidth) return {webrtc, frames: 0};
  const [left, top, right, bottom] = box;
  const canvas = document.createElement('canvas');
  canvas.width = right - left;
  canvas.height = bottom - top;
  const context = canvas.getContext('2d');
  context.drawImage(video, left, top, canvas.width, canvas.height,
                    0, 0, canvas.width, canvas.height);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let text = '';
  for (let i = 0; i < data.length; i += 8192) {
    text += String.fromCharCode.apply(null, data.subarray(i, i + 8192));
  }
  return {
    webrtc,
    frames: video.getVideoPlaybackQuality().totalVideoFrames,
    width: video.videoWidth,
    height: video.videoHeight,
    at: Date.now() / 1000,
    pixels: btoa(text),
  };
}"""


@dataclass(frozen=True)
class Reading:
    """One look at the video: what its clock showed, and when."""

    webrtc: bool
    frames: int
    shown: int | None  # the burned-in second (unix time), None if unreadable
    at: float  # the page's wall clock when it looked

    @property
    def behind(self) -> float | None:
        """How far the picture trails the wall clock (middle of its second)."""
        return None if self.shown is None else self.at - (self.shown + 0.5)


@cache
def _painter() -> Painter:
    return MediaFactory(width=WIDTH, height=HEIGHT).painter(WIDTH, HEIGHT)


@cache
def _clock_pixels(second: int) -> npt.NDArray[np.float32]:
    painter = _painter()
    left, top, right, bottom = painter.clock_box
    frame = np.asarray(painter.render("clock", float(second)), dtype=np.float32)
    return frame[top:bottom, left:right]


def read_second(pixels: npt.NDArray[np.float32], near: float) -> int | None:
    """The second the clock corner `pixels` (RGB) shows, looking back from `near`."""
    best, best_second = math.inf, None
    for second in range(math.floor(near) + 1, math.floor(near) - LOOK_BACK, -1):
        difference = float(np.abs(_clock_pixels(second) - pixels).mean())
        if difference < best:
            best, best_second = difference, second
    return best_second if best < UNREADABLE else None


async def look(page: Page, inside: str, near: float | None = None) -> Reading | None:
    """Read the clock of the video inside `inside` now (None: no such element).

    `near`: the clock shows about this time (a recording), not about now.
    """
    box = list(_painter().clock_box)
    seen: dict[str, Any] | None = await page.evaluate(FRAME_CORNER, [inside, box])
    if seen is None:
        return None
    if not seen["frames"] or (seen["width"], seen["height"]) != (WIDTH, HEIGHT):
        return Reading(seen["webrtc"], seen.get("frames", 0), None, 0.0)
    left, top, right, bottom = box
    raw = np.frombuffer(base64.b64decode(seen["pixels"]), dtype=np.uint8)
    rgb = raw.reshape(bottom - top, right - left, 4)[:, :, :3].astype(np.float32)
    return Reading(
        seen["webrtc"],
        seen["frames"],
        read_second(rgb, seen["at"] if near is None else near),
        seen["at"],
    )
