"""Client-side throttling that keeps every action under the API's documented limit.

The limit (10 requests/s per action) is enforced by the server over any one-second
window. A token bucket would allow a burst of `capacity` on top of the refill rate, so
this is a sliding window instead: at most `capacity` sends in any `window` seconds.
`margin` widens the window a little because the server counts arrivals, and arrivals
can bunch up when requests leave a busy event loop at uneven moments.
"""

from __future__ import annotations

import asyncio
from collections import deque
import math
import time


class SlidingWindowLimiter:
    """At most `rate` acquisitions per second, measured over any sliding window."""

    def __init__(
        self,
        rate: float,
        *,
        margin: float = 0.1,
    ) -> None:
        """Allow `rate` per second (fractions allowed); `rate <= 0` means unlimited."""
        self.rate = rate
        self._capacity = max(1, math.floor(rate)) if rate > 0 else 0
        self._window = self._capacity / rate + margin if rate > 0 else 0.0
        self._sent: deque[float] = deque()
        # FIFO: waiters are served in order, so no caller starves under load.
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request fits in the window, then claim it."""
        if self._capacity == 0:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - self._window:
                    self._sent.popleft()
                if len(self._sent) < self._capacity:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + self._window - now)


class ActionLimiters:
    """One sliding window per API action, created on first use."""

    def __init__(self, rate: float, *, margin: float = 0.1) -> None:
        """Every action gets the same `rate` (requests per second)."""
        self.rate = rate
        self._margin = margin
        self._limiters: dict[str, SlidingWindowLimiter] = {}

    async def acquire(self, action: str) -> None:
        """Wait for a slot for `action`."""
        limiter = self._limiters.get(action)
        if limiter is None:
            limiter = self._limiters[action] = SlidingWindowLimiter(
                self.rate, margin=self._margin
            )
        await limiter.acquire()
