"""The client's limiter never lets more than `rate` requests into any window."""

from __future__ import annotations

import asyncio
import time

from custom_components.volcengine_slow_live.api.ratelimit import (
    ActionLimiters,
    SlidingWindowLimiter,
)


def _max_in_window(stamps: list[float], window: float) -> int:
    best = 0
    for i, start in enumerate(stamps):
        best = max(best, sum(1 for t in stamps[i:] if t < start + window))
    return best


async def test_sliding_window_holds_the_rate() -> None:
    limiter = SlidingWindowLimiter(20, margin=0.02)
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(50)))
    elapsed = time.monotonic() - started
    assert _max_in_window(sorted(stamps), 1.0) <= 20
    # 50 requests at 20/s: two full windows of waiting, not much more.
    assert 2.0 <= elapsed < 3.0


async def test_fractional_rate_and_unlimited() -> None:
    slow = SlidingWindowLimiter(2.5, margin=0)
    assert slow._capacity == 2
    assert abs(slow._window - 0.8) < 1e-9
    unlimited = SlidingWindowLimiter(0)
    started = time.monotonic()
    await asyncio.gather(*(unlimited.acquire() for _ in range(1000)))
    # No waiting at all: far less than the 100 s a window of 10/s would take (the
    # bound is loose because a busy 2-core machine is slow to schedule 1,000 tasks).
    assert time.monotonic() - started < 5


async def test_actions_are_limited_separately() -> None:
    limiters = ActionLimiters(5, margin=0)
    started = time.monotonic()
    await asyncio.gather(
        *(limiters.acquire(action) for action in ("A", "B") for _ in range(5))
    )
    assert time.monotonic() - started < 0.3
    await limiters.acquire("A")
    assert time.monotonic() - started >= 0.9


async def test_cancelled_waiter_releases_its_turn() -> None:
    limiter = SlidingWindowLimiter(1, margin=0)
    await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.05)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert waiter.cancelled()
    assert not limiter._lock.locked()
