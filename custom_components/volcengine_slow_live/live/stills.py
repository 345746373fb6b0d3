"""A still image cache: any number of dashboard viewers, one cloud fetch per TTL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import io
import time

from PIL import Image, ImageDraw

# After a fetch that gave nothing, try again sooner than a full TTL, but not on every
# dashboard poll: each try costs a cloud call.
FAILURE_RETRY = 10.0


class StillCache:
    """The newest image of one camera, shared by every viewer until it is stale."""

    def __init__(self, ttl: float) -> None:
        """Reuse an image for `ttl` seconds."""
        self.ttl = ttl
        self._image: bytes | None = None
        self._next_fetch = float("-inf")
        # One fetch at a time: viewers arriving during a fetch wait for its result.
        self._lock = asyncio.Lock()

    async def async_get(
        self, fetch: Callable[[], Awaitable[bytes | None]]
    ) -> bytes | None:
        """The cached image, or a new one from `fetch` once the old one is stale.

        When a fetch gives nothing, the stale image (if any) is served meanwhile.
        """
        if time.monotonic() < self._next_fetch:
            return self._image
        async with self._lock:
            if time.monotonic() < self._next_fetch:
                return self._image
            image = await fetch()
            if image:
                self._image = image
                self._next_fetch = time.monotonic() + self.ttl
            else:
                self._next_fetch = time.monotonic() + min(self.ttl, FAILURE_RETRY)
            return self._image


def offline_picture() -> bytes:
    """A JPEG for a camera that is offline and has no still: a crossed-out camera.

    Home Assistant's picture cards fetch a camera's image whatever its state; an
    error shows a broken picture and fills the browser's console. No text: the
    card itself says "Unavailable" in the user's language. Blocking (Pillow).
    """
    width, height = 640, 360
    image = Image.new("RGB", (width, height), (48, 48, 48))
    draw = ImageDraw.Draw(image)
    grey = (150, 150, 150)
    cx, cy = width // 2, height // 2
    draw.rounded_rectangle(
        (cx - 90, cy - 50, cx + 40, cy + 50), radius=12, outline=grey, width=8
    )
    draw.polygon(
        [
            (cx + 40, cy - 10),
            (cx + 95, cy - 45),
            (cx + 95, cy + 45),
            (cx + 40, cy + 10),
        ],
        outline=grey,
        width=8,
    )
    draw.line((cx - 110, cy + 80, cx + 110, cy - 80), fill=grey, width=10)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
