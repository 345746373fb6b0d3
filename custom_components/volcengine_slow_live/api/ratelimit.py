"""Client-side throttling that keeps every action under the API's documented limit.

The limit (10 requests/s per action) is enforced by the server over any one-second
window. A token bucket would allow a burst of `capacity` on top of the refill rate, so
this is a sliding window instead: at most `capacity` sends in any `window` seconds.
`margin` widens the window a little because the server counts arrivals, and arrivals
can bunch up when requests leave a busy event loop at uneven moments.

The client takes a `slot()` per request: it counts as used from the moment it is taken
until the answer has arrived, and the window runs from that moment. The server saw the
request before it answered, so request n + capacity then arrives at least a window
after request n did, however long the event loop took to send either (a busy Home
Assistant can hold a request for a good part of a second between taking its turn and
writing it; stamped when it was taken, the next window's requests could overtake it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
import contextlib
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
        # When requests were answered (or claimed, by `acquire`), oldest first.
        self._sent: deque[float] = deque()
        # Requests under way: they hold a place until their answer arrives.
        self._busy = 0
        self._answered = asyncio.Event()
        # FIFO: waiters are served in order, so no caller starves under load.
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request fits in the window, then claim it (now)."""
        if self._capacity == 0:
            return
        await self._wait_for_room()
        self._sent.append(time.monotonic())

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place for one request; the window starts when it is answered."""
        if self._capacity == 0:
            yield
            return
        await self._wait_for_room()
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
            self._sent.append(time.monotonic())
            self._answered.set()

    async def _wait_for_room(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - self._window:
                    self._sent.popleft()
                if len(self._sent) + self._busy < self._capacity:
                    return
                # Room comes when the oldest answer leaves the window; an answer
                # arriving meanwhile may be the first to start one.
                wait = self._sent[0] + self._window - now if self._sent else None
                self._answered.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._answered.wait()


class ActionLimiters:
    """One sliding window per API action, created on first use."""

    def __init__(self, rate: float, *, margin: float = 0.1) -> None:
        """Every action gets the same `rate` (requests per second)."""
        self.rate = rate
        self._margin = margin
        self._limiters: dict[str, SlidingWindowLimiter] = {}

    def limiter(self, action: str) -> SlidingWindowLimiter:
        """The window of `action`."""
        limiter = self._limiters.get(action)
        if limiter is None:
            limiter = self._limiters[action] = SlidingWindowLimiter(
                self.rate, margin=self._margin
            )
        return limiter

    async def acquire(self, action: str) -> None:
        """Wait for a place for `action`, taken now."""
        await self.limiter(action).acquire()

    def slot(self, action: str) -> contextlib.AbstractAsyncContextManager[None]:
        """A place for one request of `action`, held until it is answered."""
        return self.limiter(action).slot()
