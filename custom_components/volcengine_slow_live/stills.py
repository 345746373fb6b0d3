"""A still image cache: any number of dashboard viewers, one cloud fetch per TTL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time

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
