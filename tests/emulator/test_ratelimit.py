"""The per-(AccessKey, Action) sliding-window limiter, alone and over HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from emulator import Emulator
from emulator.ratelimit import RateLimiter

from .helpers import Client


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_is_strict() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock)
    for step in range(10):
        clock.now = 100.0 + step / 10
        assert limiter.allow("ak", "A")
    assert not limiter.allow("ak", "A")
    # Other actions and other keys have their own windows.
    assert limiter.allow("ak", "B")
    assert limiter.allow("other", "A")
    clock.now = 100.999
    assert not limiter.allow("ak", "A")
    clock.now = 101.0  # the first request is exactly 1 s old: out of the window
    assert limiter.allow("ak", "A")
    assert not limiter.allow("ak", "A")
    assert limiter.rejected == 3
    limiter.reset()
    assert limiter.rejected == 0
    assert limiter.allow("ak", "A")


def test_rejections_do_not_count_and_rates() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, clock)
    assert limiter.allow("k", "A")
    clock.now += 0.5
    assert limiter.allow("k", "A")
    for _ in range(20):
        assert not limiter.allow("k", "A")
    clock.now += 0.5
    assert limiter.allow("k", "A")  # only the first request left the window
    assert RateLimiter(0).capacity == 0
    assert all(RateLimiter(0).allow("k", "A") for _ in range(1000))
    assert RateLimiter(0.5).capacity == 1
    assert RateLimiter(2.9).capacity == 2


async def test_eleven_requests_in_a_second_get_a_429(
    client: Client, emulator: Emulator
) -> None:
    replies = await asyncio.gather(*(client.call("ListSpaces") for _ in range(11)))
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] * 10 + [429]
    throttled = next(r for r in replies if r.status == 429)
    assert throttled.data["ResponseMetadata"]["Error"] == {
        "Code": "FlowLimitExceeded",
        "CodeN": 100018,
        "Message": "Request was denied due to request throttling.",
    }
    # Another action is not affected.
    assert (await client.call("GetSpace", query={"SpaceID": "x"})).status == 404
    assert emulator.stats()["throttled"] == 1
    assert emulator.count(status=429) == 1


async def test_ten_per_second_pass(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(rate_limit=5)
    client = Client(session, emu)
    replies = await asyncio.gather(*(client.call("ListSpaces") for _ in range(5)))
    assert {r.status for r in replies} == {200}
    await asyncio.sleep(1.01)
    replies = await asyncio.gather(*(client.call("ListSpaces") for _ in range(5)))
    assert {r.status for r in replies} == {200}
    assert emu.stats()["throttled"] == 0


async def test_rate_limit_off(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(rate_limit=0)
    client = Client(session, emu)
    replies = await asyncio.gather(*(client.call("ListSpaces") for _ in range(25)))
    assert {r.status for r in replies} == {200}
