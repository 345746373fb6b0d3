"""Per-(AccessKey, Action) rate limiting with a strict sliding one-second window."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
import math

from .clock import real_monotonic

WINDOW_S = 1.0


class RateLimiter:
    """At most `rate` requests are served in any `WINDOW_S` window, per key.

    Only served requests are remembered, so rejected ones do not push the window
    out (a client that backs off gets through as soon as the oldest request ages
    out). A fractional `rate` is rounded down (but at least 1); 0 turns it off.
    """

    def __init__(
        self, rate: float, clock: Callable[[], float] = real_monotonic
    ) -> None:
        """Limit to `rate` requests per second per key, timed by `clock`.

        The default is the real monotonic clock: a test that freezes time must not
        freeze the window too (nothing would ever age out).
        """
        self.rate = rate
        self._clock = clock
        self._served: dict[tuple[str, str], deque[float]] = {}
        self.rejected = 0

    @property
    def capacity(self) -> int:
        """Requests allowed per window (0 = unlimited)."""
        if self.rate <= 0:
            return 0
        return max(1, math.floor(self.rate))

    def allow(self, access_key: str, action: str) -> bool:
        """Record and allow the request, or count and refuse it."""
        capacity = self.capacity
        if capacity == 0:
            return True
        now = self._clock()
        served = self._served.setdefault((access_key, action), deque())
        while served and served[0] <= now - WINDOW_S:
            served.popleft()
        if len(served) >= capacity:
            self.rejected += 1
            return False
        served.append(now)
        return True

    def reset(self) -> None:
        """Forget all history."""
        self._served.clear()
        self.rejected = 0
