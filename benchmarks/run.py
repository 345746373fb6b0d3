"""Benchmark: the integration at 1,000 channels against the emulator, in one run.

    python -m benchmarks.run [--channels 1000] [--latency-ms 20] [--rate 10]
                             [--json PATH] [--quick]

(or `python benchmarks/run.py ...`), with the test virtual environment's Python.

The emulator runs in child processes (see `emulator_process.py`) with a generated
fleet, an injected round-trip latency and the documented per-action rate limit; the
real integration is set up in a Home Assistant test instance
(`async_test_home_assistant`) on an event loop configured as Home Assistant configures
its own. Measured, all in the same run:

1. setup: entry setup until every camera entity exists; API requests by action;
   429 answers; the physical lower bound and setup/bound;
2. steady state: API requests and CPU time per refresh (`coordinator.async_refresh()`),
   at `--channels` and at a tenth of it;
3. `play_recording`: service call until the media player is called (its recorded
   check included, uncached), against a bare `client.cloud_record_play()` round trip
   and the check's listing alone, interleaved and spaced so the client's rate limiter
   never waits;
4. stills: cloud requests caused by many dashboard polls of many cameras in one TTL;
5. signing: our signer against the official SDK's `SignerV4.sign` on the same
   requests (outputs compared too);
6. memory the coordinator keeps per channel after its first refresh (tracemalloc).

Figure keys ending in `_1000` are about the `--channels` fleet and `_100` about the
tenth of it, whatever `--channels` is (the fleets are in `channels`/`channels_small`).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import gc
import json
import math
import os
from pathlib import Path
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` puts benchmarks/ there
    sys.path.insert(0, str(ROOT))

# Home Assistant aliases voluptuous at import; import it before anything else does.
import homeassistant  # noqa: E402, F401  # isort: skip

from benchmarks.emulator_process import EmulatorProcess, stats_delta  # noqa: E402

DOMAIN = "volcengine_slow_live"
PLAYER = "media_player.benchmark"
# The server's list page limit (API notes): the fewest pages a fleet can be read in.
LIST_PAGE = 100


@dataclass(frozen=True, slots=True)
class Options:
    """What to run and how big."""

    channels: int = 1000
    spaces: int = 5
    latency: float = 0.02
    rate: float = 10.0
    seed: int = 1
    refresh_cycles: int = 5
    play_calls: int = 200
    # Start calls this far apart: 10 per 1.2 s stays under the client's window
    # (10 per 1.1 s), so no call ever waits for the limiter.
    play_spacing: float = 0.12
    still_cameras: int = 50
    still_polls: int = 100
    sign_requests: int = 10_000
    sign_rounds: int = 5
    # Pause before each measurement so the client's and the server's one-second
    # windows start empty, as they do between polling intervals.
    settle: float = 1.2
    quick: bool = False

    @property
    def channels_small(self) -> int:
        """The comparison fleet: a tenth of the big one."""
        return max(1, self.channels // 10)


QUICK = Options(
    channels=50,
    refresh_cycles=2,
    play_calls=8,
    play_spacing=0.11,
    still_cameras=5,
    still_polls=10,
    sign_requests=500,
    sign_rounds=2,
    settle=0.1,
    quick=True,
)


# ------------------------------------------------------------------ the fleet
def fleet_minimum(channels: int, spaces: int, seed: int) -> dict[str, int]:
    """The fewest requests per action that read the whole fleet.

    ListSpaces pages, then per space the pages of ListStreams (every stream, sub
    streams included, is an item) and, for GB/T 28181 spaces, of ListDevices. Per-
    device or per-channel calls are not needed: ListDevices carries every channel's
    name, status, manufacturer and model (`DeviceStreams`).
    """
    from emulator import Fleet

    fleet = Fleet.generate(spaces=spaces, channels=channels, seed=seed)
    streams = sum(
        max(1, math.ceil(len(fleet.space_streams[space_id]) / LIST_PAGE))
        for space_id in fleet.spaces
    )
    devices = sum(
        max(1, math.ceil(len(fleet.space_devices[space_id]) / LIST_PAGE))
        for space_id, space in fleet.spaces.items()
        if space.access_type == "gb28181"
    )
    return {
        "ListSpaces": max(1, math.ceil(len(fleet.spaces) / LIST_PAGE)),
        "ListStreams": streams,
        "ListDevices": devices,
    }


def lower_bound(
    requests: dict[str, int], rate: float, latency: float, *, strict: bool = False
) -> float:
    """Seconds the requests need at least: max over actions of ceil(n / rate) + RTT.

    Actions are limited separately and can run concurrently, so the busiest action
    decides: n requests of one action fill ceil(n / rate) one-second windows, and the
    answer to the last one takes a round trip. This is the goal's yardstick.

    `strict`: a sliding window lets request rate + 1 leave one second after the
    first, so the last of n can leave after ceil(n / rate) - 1 seconds; that plus
    the round trip is the true physical minimum (what no client can beat).
    """
    if rate <= 0:
        return latency
    windows = max(math.ceil(n / rate) for n in requests.values())
    return windows - (1 if strict else 0) + latency


# ----------------------------------------------------------- Home Assistant
class _Resolver(aiohttp.ThreadedResolver):
    """The resolver Home Assistant's session closes with `real_close` at the end."""

    async def real_close(self) -> None:
        """Close it."""
        await self.close()


@contextlib.asynccontextmanager
async def home_assistant() -> AsyncIterator[Any]:
    """A Home Assistant test instance with this repository's custom_components."""
    from homeassistant import loader
    from homeassistant.config_entries import ConfigEntryState
    from homeassistant.helpers import frame, translation
    from homeassistant.setup import async_setup_component
    from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
        async_test_home_assistant,
    )

    with (
        tempfile.TemporaryDirectory(prefix="ha-bench-") as config_dir,
        # As the test plugin does: http is set up (cameras need it) but never binds,
        # and the client session resolves names without starting zeroconf.
        patch("homeassistant.components.http.HomeAssistantHTTP.async_bind"),
        patch("homeassistant.components.http.HomeAssistantHTTP.start"),
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            side_effect=lambda _hass: _Resolver(),
        ),
    ):
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            frame.async_setup(hass)
            await translation.async_load_integrations(hass, {"homeassistant"})
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # enable custom_components
            # What every installation has loaded before our entry is set up.
            for component in ("homeassistant", "http", "camera", "binary_sensor"):
                assert await async_setup_component(hass, component, {})
            await hass.async_block_till_done()
            try:
                yield hass
            finally:
                for entry in hass.config_entries.async_entries():
                    if entry.state is ConfigEntryState.LOADED:
                        await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
                await hass.async_stop(force=True)


def _entry(emulator: EmulatorProcess, spaces: list[str]) -> Any:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.volcengine_slow_live.const import DOMAIN

    return MockConfigEntry(
        domain=DOMAIN,
        title="Benchmark",
        unique_id=emulator.access_key,
        data=emulator.entry_data(spaces),
    )


def _unpaced_client(session: Any, emulator: EmulatorProcess) -> Any:
    """Our client for the emulator's account, without the rate limiter."""
    from custom_components.volcengine_slow_live.api.client import AiotVideoClient

    return AiotVideoClient(
        session,
        emulator.access_key,
        emulator.secret_key,
        endpoint=emulator.base_url,
        rate_limit=0,
    )


async def _space_ids(session: Any, emulator: EmulatorProcess) -> list[str]:
    """Every space of the emulator's account (asked with our own client)."""
    client = _unpaced_client(session, emulator)
    return [space.space_id async for space in client.iter_spaces()]


def _session(hass: Any) -> Any:
    from homeassistant.helpers.aiohttp_client import async_get_clientsession

    return async_get_clientsession(hass)


async def _wait(condition: Callable[[], bool], limit: float) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting")
        await asyncio.sleep(0.01)


async def _quiet(
    session: Any, emulator: EmulatorProcess, quiet: float, limit: float = 600
) -> float:
    """Wait until the cloud has heard nothing for `quiet` s; return its last request."""
    deadline = time.perf_counter() + limit
    count, changed = -1, time.perf_counter()
    while time.perf_counter() - changed < quiet:
        if time.perf_counter() > deadline:
            raise TimeoutError("the integration never stopped calling the cloud")
        now = (await emulator.stats(session))["requests"]
        if now != count:
            count, changed = now, time.perf_counter()
        await asyncio.sleep(0.05)
    return changed


async def bench_setup(
    hass: Any, emulator: EmulatorProcess, opts: Options, channels: int
) -> tuple[Any, dict[str, Any]]:
    """Set up an entry for the whole fleet; time until every camera exists."""
    from homeassistant.const import EVENT_STATE_CHANGED
    from homeassistant.core import Event, callback

    session = _session(hass)
    entry = _entry(emulator, await _space_ids(session, emulator))
    entry.add_to_hass(hass)
    cameras: list[float] = []

    @callback
    def on_state(event: Event[Any]) -> None:
        if event.data["entity_id"].startswith("camera.") and not event.data.get(
            "old_state"
        ):
            cameras.append(time.perf_counter())
            if len(cameras) == channels:
                done_at.append(time.time())  # the emulator logs wall-clock times

    done_at: list[float] = []

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
    # Let the limiter windows of the space listing above pass.
    await asyncio.sleep(opts.settle)
    before = await emulator.stats(session)
    started_at = time.time()
    started = time.perf_counter()
    cpu = time.process_time()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await _wait(lambda: len(cameras) >= channels, limit=600)
    cpu = time.process_time() - cpu
    done = cameras[channels - 1]
    await hass.async_block_till_done()
    unsub()
    # Quiet for longer than the client's rate window (1.1 s): a request waiting
    # for its window is not the end.
    settled = await _quiet(session, emulator, 1.5)
    background = stats_delta(before, await emulator.stats(session))
    # Requests received until every camera existed; those after it were made in
    # the background (channel details of large fleets).
    by_action: dict[str, int] = {}
    for record in await emulator.requests(session):
        if started_at <= record["time"] <= done_at[0]:
            by_action[record["action"]] = by_action.get(record["action"], 0) + 1
    minimum = fleet_minimum(channels, opts.spaces, opts.seed)
    bound = lower_bound(minimum, opts.rate, opts.latency)
    strict = lower_bound(minimum, opts.rate, opts.latency, strict=True)
    seconds = done - started
    return entry, {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "bound_seconds": bound,
        "ratio": seconds / bound,
        "strict_bound_seconds": strict,
        "strict_ratio": seconds / strict,
        "requests": sum(by_action.values()),
        "by_action": by_action,
        "minimum": minimum,
        "throttled": background["throttled"],
        "settled_seconds": settled - started,
        "background_requests": background["requests"] - sum(by_action.values()),
    }


async def bench_refresh(
    hass: Any, entry: Any, emulator: EmulatorProcess, opts: Options
) -> dict[str, Any]:
    """Requests, CPU and wall time of `coordinator.async_refresh()`, median of n."""
    coordinator = entry.runtime_data.coordinator
    session = _session(hass)
    requests: list[int] = []
    cpu: list[float] = []
    wall: list[float] = []
    throttled = 0
    for _ in range(opts.refresh_cycles):
        # A fresh rate-limit window, as at every polling interval.
        await asyncio.sleep(opts.settle)
        before = await emulator.stats(session)
        started, cpu_started = time.perf_counter(), time.process_time()
        await coordinator.async_refresh()
        cpu.append(time.process_time() - cpu_started)
        wall.append(time.perf_counter() - started)
        assert coordinator.last_update_success, coordinator.last_exception
        spent = stats_delta(before, await emulator.stats(session))
        requests.append(spent["requests"])
        throttled += spent["throttled"]
    return {
        "requests": max(requests),
        "cpu_ms": statistics.median(cpu) * 1000,
        "wall_ms": statistics.median(wall) * 1000,
        "throttled": throttled,
    }


def _percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


async def bench_play(hass: Any, entry: Any, opts: Options) -> dict[str, Any]:
    """play_recording (call -> player called) against a bare CloudRecordPlay."""
    from homeassistant.core import ServiceCall, SupportsResponse, callback
    from homeassistant.helpers import entity_registry as er

    from custom_components.volcengine_slow_live.recorded import TimeRange

    coordinator = entry.runtime_data.coordinator
    client = entry.runtime_data.client
    recordings = entry.runtime_data.recordings

    def last(minutes: int) -> TimeRange:
        end = datetime.now(UTC)
        return TimeRange(end - timedelta(minutes=minutes), end)

    # A camera whose last minutes were all recorded: the case the ratio is about.
    key = ""
    for candidate in coordinator.data.channels.values():
        if (
            candidate.records
            and (await recordings.async_coverage(candidate.key, last(10))).complete
        ):
            key = candidate.key
            break
    assert key, "no camera recorded its last minutes"
    entity_id = er.async_get(hass).async_get_entity_id("camera", DOMAIN, key)
    assert entity_id is not None
    hass.states.async_set(PLAYER, "idle")
    received: list[float] = []

    # async_mock_service, with the moment of the call.
    @callback
    def play_media(call: ServiceCall) -> None:
        received.append(time.perf_counter())

    hass.services.async_register(
        "media_player",
        "play_media",
        play_media,
        supports_response=SupportsResponse.NONE,
    )

    async def play() -> float:
        started = time.perf_counter()
        await hass.services.async_call(
            DOMAIN,
            "play_recording",
            {"entity_id": entity_id, "media_player": PLAYER, "duration": "00:05:00"},
            blocking=True,
        )
        return received[-1] - started

    async def bare() -> float:
        end = datetime.now(UTC)
        started = time.perf_counter()
        await client.cloud_record_play(
            stream_id=key, start=end - timedelta(minutes=5), end=end
        )
        return time.perf_counter() - started

    # A range played again within a minute (a media-browser page, then its replay):
    # its listing is at hand.
    kept = last(15)
    kept_range = {
        "start": kept.start.isoformat(),
        "end": (kept.start + timedelta(minutes=5)).isoformat(),
    }

    async def play_cached() -> float:
        started = time.perf_counter()
        await hass.services.async_call(
            DOMAIN,
            "play_recording",
            {"entity_id": entity_id, "media_player": PLAYER, **kept_range},
            blocking=True,
        )
        return received[-1] - started

    async def check() -> float:
        """What the recorded check costs alone, uncached: one listing."""
        started = time.perf_counter()
        await recordings.async_coverage(key, last(5), fresh=True)
        return time.perf_counter() - started

    # Interleaved, so all see the same conditions; one call per spacing period.
    await asyncio.sleep(opts.settle)
    plays: list[float] = []
    bares: list[float] = []
    checks: list[float] = []
    cached: list[float] = []
    for index in range(4 * opts.play_calls):
        started = time.monotonic()
        if index % 4 == 1:
            bares.append(await bare())
        elif index % 4 == 2:
            checks.append(await check())
        elif index % 4 == 3:
            cached.append(await play_cached())
        else:
            plays.append(await play())
        await asyncio.sleep(max(0.0, started + opts.play_spacing - time.monotonic()))
    assert len(received) == 2 * opts.play_calls
    play_p50 = statistics.median(plays) * 1000
    bare_p50 = statistics.median(bares) * 1000
    return {
        "play_p50_ms": play_p50,
        "play_p99_ms": _percentile(plays, 99) * 1000,
        "bare_p50_ms": bare_p50,
        "bare_p99_ms": _percentile(bares, 99) * 1000,
        "play_to_bare_ratio": play_p50 / bare_p50,
        "check_p50_ms": statistics.median(checks) * 1000,
        "play_cached_p50_ms": statistics.median(cached) * 1000,
        "play_cached_to_bare_ratio": statistics.median(cached) * 1000 / bare_p50,
        "play_calls": opts.play_calls,
    }


async def bench_stills(
    hass: Any, entry: Any, emulator: EmulatorProcess, opts: Options
) -> dict[str, Any]:
    """Cloud requests caused by dashboard polls of many cameras within one TTL."""
    from homeassistant.components.camera import async_get_image
    from homeassistant.helpers import entity_registry as er

    registry = er.async_get(hass)
    channels = [
        c
        for c in entry.runtime_data.coordinator.data.channels.values()
        if c.has_screenshots and c.online
    ][: opts.still_cameras]
    entity_ids = [
        entity_id
        for c in channels
        if (entity_id := registry.async_get_entity_id("camera", DOMAIN, c.key))
    ]
    session = _session(hass)
    await asyncio.sleep(opts.settle)
    before = await emulator.stats(session)
    started = time.perf_counter()
    images = 0
    for _ in range(opts.still_polls):
        # One dashboard refresh: every camera's still at once.
        results = await asyncio.gather(
            *(async_get_image(hass, entity_id, timeout=30) for entity_id in entity_ids)
        )
        images += sum(1 for image in results if image.content)
    seconds = time.perf_counter() - started
    spent = stats_delta(before, await emulator.stats(session))
    cameras = len(entity_ids)
    return {
        "cameras": cameras,
        "polls": opts.still_polls,
        "images": images,
        "seconds": seconds,
        "api_requests": spent["requests"],
        "by_action": spent["by_action"],
        "media_fetches": sum(spent["cdn"].values()),
        "throttled": spent["throttled"],
        "requests_per_camera": spent["requests"] / cameras,
        "media_per_camera": sum(spent["cdn"].values()) / cameras,
    }


async def bench_memory(hass: Any, emulator: EmulatorProcess, channels: int) -> float:
    """Bytes still allocated after a new coordinator's first refresh, per channel.

    Traced in this process only (the emulator is another one); a client without
    rate limit against an emulator without one, so tracing does not take long.
    """
    from custom_components.volcengine_slow_live.coordinator import SlowLiveCoordinator

    session = _session(hass)
    entry = _entry(emulator, await _space_ids(session, emulator))
    client = _unpaced_client(session, emulator)
    coordinator = SlowLiveCoordinator(hass, entry, client)
    # Warm up the connection pool and lazily built module state first.
    await client.list_spaces()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        await coordinator.async_refresh()
        assert coordinator.last_update_success, coordinator.last_exception
        assert len(coordinator.data.channels) == channels
        # Channel details the refresh left to the background count too.
        coordinator.async_start_background()  # as setup does
        await _quiet(session, emulator, 0.5)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return held / channels


# ------------------------------------------------------------------- signing
def _sign_inputs(count: int) -> list[tuple[str, list[tuple[str, str]], bytes, str]]:
    """Requests as the client sends them: list pages, GetStream, CloudRecordPlay."""
    requests: list[tuple[str, list[tuple[str, str]], bytes, str]] = []
    for index in range(count):
        space = f"5f0c{index % 7:04d}-7700-4862-b1e7-7967a492df79"
        stream = f"4b9ee060-9fed-4c0e-aaa4-{index:012d}"
        kind = index % 3
        if kind == 0:
            query = [
                ("Action", "ListStreams"),
                ("Version", "2021-01-01"),
                ("SpaceID", space),
                ("PageNumber", str(1 + index % 4)),
                ("PageSize", "100"),
            ]
            requests.append(("GET", query, b"", "text/plain"))
        elif kind == 1:
            query = [
                ("Action", "GetStream"),
                ("Version", "2021-01-01"),
                ("StreamID", stream),
                ("SpaceID", space),
                ("StreamingIndex", "0"),
                ("FreshExpiredPull", "1"),
            ]
            requests.append(("GET", query, b"", "text/plain"))
        else:
            body = json.dumps(
                {
                    "StreamID": stream,
                    "StreamingIndex": 0,
                    "StartTs": 1_790_000_000 + index,
                    "EndTs": 1_790_000_300 + index,
                    "TokenValid": 3600,
                }
            ).encode()
            query = [("Action", "CloudRecordPlay"), ("Version", "2021-01-01")]
            requests.append(("POST", query, body, "application/json"))
    return requests


def bench_signing(opts: Options) -> dict[str, Any]:
    """Our signer against the SDK's, same requests, each timed by perf_counter.

    The SDK reads the clock itself (`datetime.utcnow()`), so ours is given
    `datetime.now(UTC)` inside the timed loop, as the client does. The SDK mutates
    the headers it is given: each call gets a fresh copy, as its REST client does.
    """
    from volcenginesdkcore.signv4 import SignerV4

    from custom_components.volcengine_slow_live.api.signer import Signer

    ak, sk, region, service = "AKLTbenchmark", "c2VjcmV0", "cn-north-1", "aiotvideo"
    host = "open.volcengineapi.com"
    signer = Signer(ak, sk, region, service)
    requests = _sign_inputs(opts.sign_requests)
    sdk_requests = [
        (method, dict(query), body.decode(), {"Content-Type": ctype, "Host": host})
        for method, query, body, ctype in requests
    ]
    ours_headers = [{"Content-Type": ctype} for *_, ctype in requests]

    # Same output: sign with the SDK, then with ours at the SDK's X-Date.
    for (method, query, body, _), (_, sdk_query, sdk_body, sdk_headers), headers in zip(
        requests[:300], sdk_requests, ours_headers, strict=False
    ):
        sent = dict(sdk_headers)
        SignerV4.sign(
            "/", method, sent, sdk_body, {}, sdk_query, ak, sk, region, service
        )
        moment = datetime.strptime(sent["X-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        ours = signer.sign(
            method, host, query=query, headers=headers, body=body, now=moment
        )
        assert ours.headers["Authorization"] == sent["Authorization"], (query, body)

    def ours_loop() -> float:
        sign, now = signer.sign, datetime.now
        started = time.perf_counter()
        for (method, query, body, _), headers in zip(
            requests, ours_headers, strict=True
        ):
            sign(method, host, query=query, headers=headers, body=body, now=now(UTC))
        return time.perf_counter() - started

    def sdk_loop() -> float:
        sign = SignerV4.sign
        started = time.perf_counter()
        for method, query, body, headers in sdk_requests:
            sign("/", method, dict(headers), body, {}, query, ak, sk, region, service)
        return time.perf_counter() - started

    ours_loop()
    sdk_loop()
    ours_best, sdk_best = math.inf, math.inf
    for _ in range(opts.sign_rounds):  # alternate, keep each one's best round
        ours_best = min(ours_best, ours_loop())
        sdk_best = min(sdk_best, sdk_loop())
    ours_us = ours_best / len(requests) * 1e6
    sdk_us = sdk_best / len(requests) * 1e6
    return {"sign_us": ours_us, "sdk_sign_us": sdk_us, "ratio": ours_us / sdk_us}


# ------------------------------------------------------------------ the run
async def run(opts: Options) -> dict[str, Any]:
    """Every measurement; returns the flat figures."""
    small = replace(opts, channels=opts.channels_small)
    emulators = {
        "big": EmulatorProcess(
            opts.channels, opts.spaces, opts.rate, opts.latency, opts.seed
        ),
        "small": EmulatorProcess(
            small.channels, opts.spaces, opts.rate, opts.latency, opts.seed
        ),
        "mem_big": EmulatorProcess(opts.channels, opts.spaces, 0, 0, opts.seed),
        "mem_small": EmulatorProcess(small.channels, opts.spaces, 0, 0, opts.seed),
    }
    for emulator in emulators.values():
        emulator.start()
    try:
        for emulator in emulators.values():
            emulator.ready()
        return await _measure(opts, small, emulators)
    finally:
        for emulator in emulators.values():
            emulator.stop()


async def _measure(
    opts: Options, small: Options, emulators: dict[str, EmulatorProcess]
) -> dict[str, Any]:
    started = time.perf_counter()
    signing = bench_signing(opts)
    async with home_assistant() as hass:
        entry, setup = await bench_setup(hass, emulators["big"], opts, opts.channels)
        refresh = await bench_refresh(hass, entry, emulators["big"], opts)
        play = await bench_play(hass, entry, opts)
        stills = await bench_stills(hass, entry, emulators["big"], opts)
    async with home_assistant() as hass:
        entry, setup_small = await bench_setup(
            hass, emulators["small"], small, small.channels
        )
        refresh_small = await bench_refresh(hass, entry, emulators["small"], small)
        memory = await bench_memory(hass, emulators["mem_big"], opts.channels)
        memory_small = await bench_memory(hass, emulators["mem_small"], small.channels)
    minimum = setup["minimum"]
    minimum_small = setup_small["minimum"]
    return {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "home_assistant": _ha_version(),
        "cpus": os.cpu_count() or 0,
        "quick": opts.quick,
        "channels": opts.channels,
        "channels_small": small.channels,
        "spaces": opts.spaces,
        "latency_ms": opts.latency * 1000,
        "rate": opts.rate,
        "setup_seconds": setup["seconds"],
        "setup_cpu_seconds": setup["cpu_seconds"],
        "setup_bound_seconds": setup["bound_seconds"],
        "setup_to_bound_ratio": setup["ratio"],
        "setup_strict_bound_seconds": setup["strict_bound_seconds"],
        "setup_to_strict_bound_ratio": setup["strict_ratio"],
        "setup_requests": setup["requests"],
        "setup_complete_seconds": setup["settled_seconds"],
        "setup_background_requests": setup["background_requests"],
        "setup_minimum_requests": sum(minimum.values()),
        **{f"setup_requests_{k}": v for k, v in sorted(setup["by_action"].items())},
        "throttled_responses": setup["throttled"]
        + refresh["throttled"]
        + refresh_small["throttled"]
        + stills["throttled"]
        + setup_small["throttled"],
        "list_pages": sum(minimum.values()),
        "requests_per_refresh": refresh["requests"],
        "refresh_cpu_ms_1000": refresh["cpu_ms"],
        "refresh_wall_ms_1000": refresh["wall_ms"],
        "list_pages_100": sum(minimum_small.values()),
        "requests_per_refresh_100": refresh_small["requests"],
        "refresh_cpu_ms_100": refresh_small["cpu_ms"],
        "refresh_wall_ms_100": refresh_small["wall_ms"],
        "refresh_cpu_ratio_1000_100": refresh["cpu_ms"] / refresh_small["cpu_ms"],
        "setup_seconds_100": setup_small["seconds"],
        **play,
        "still_cameras": stills["cameras"],
        "still_polls_per_camera": stills["polls"],
        "still_images_served": stills["images"],
        "still_requests_per_camera": stills["requests_per_camera"],
        "still_media_fetches_per_camera": stills["media_per_camera"],
        "sign_us": signing["sign_us"],
        "sdk_sign_us": signing["sdk_sign_us"],
        "sign_to_sdk_ratio": signing["ratio"],
        "memory_bytes_per_channel": memory,
        "memory_bytes_per_channel_100": memory_small,
        # What one more channel costs, without the fixed part.
        "memory_bytes_per_extra_channel": (
            memory * opts.channels - memory_small * small.channels
        )
        / max(1, opts.channels - small.channels),
        "wall_seconds": time.perf_counter() - started,
    }


def new_event_loop() -> asyncio.AbstractEventLoop:
    """An event loop set up the way Home Assistant sets up its own.

    Its executor, exception handler and `loop.time`; no debug mode (the test plugin
    turns that on, and it slows everything down).
    """
    from homeassistant import runner

    configure: Any = getattr(runner, "configure_event_loop", None)
    if configure is None:  # before 2026.10: an event loop policy
        policy = runner.HassEventLoopPolicy(False)  # type: ignore[attr-defined,unused-ignore]
        loop: asyncio.AbstractEventLoop = policy.new_event_loop()
        return loop
    loop = asyncio.new_event_loop()
    configure(loop)
    return loop


def _ha_version() -> str:
    from homeassistant.const import __version__

    return __version__


# ------------------------------------------------------------------- report
def _row(name: str, value: str, goal: str = "", met: bool | None = None) -> str:
    verdict = "" if met is None else ("✅" if met else "❌")
    return f"| {name} | {value} | {goal} | {verdict} |"


def table(r: dict[str, Any]) -> str:
    """The figures as a markdown table, with the goals."""
    big, small = r["channels"], r["channels_small"]
    by_action = ", ".join(
        f"{key.removeprefix('setup_requests_')} {value}"
        for key, value in r.items()
        if key.startswith("setup_requests_") and isinstance(value, int)
    )
    rows = [
        "| Figure | Measured | Goal | |",
        "|---|---|---|---|",
        _row(
            f"Setup, {big} channels → all cameras",
            f"{r['setup_seconds']:.2f} s",
            "≤ 1.5 x bound",
        ),
        _row(
            "Physical lower bound (max over actions ⌈n/rate⌉ + RTT)",
            f"{r['setup_bound_seconds']:.2f} s",
        ),
        _row(
            "Setup / bound",
            f"{r['setup_to_bound_ratio']:.2f}",
            "≤ 1.5",
            r["setup_to_bound_ratio"] <= 1.5,
        ),
        _row(
            "Strict bound (last request after ⌈n/rate⌉ - 1 s), setup / it",
            f"{r['setup_strict_bound_seconds']:.2f} s, "
            f"{r['setup_to_strict_bound_ratio']:.2f}",
        ),
        _row(
            "… then channel details in the background until",
            f"{r['setup_complete_seconds']:.1f} s "
            f"({r['setup_background_requests']} requests)",
        ),
        _row(
            "Setup requests (by action)",
            f"{r['setup_requests']} ({by_action})",
            f"minimum {r['setup_minimum_requests']}",
        ),
        _row(
            "429 responses (whole run)",
            str(r["throttled_responses"]),
            "0",
            r["throttled_responses"] == 0,
        ),
        _row(
            f"Requests per refresh, {big} channels",
            str(r["requests_per_refresh"]),
            f"list pages ({r['list_pages']})",
            r["requests_per_refresh"] <= r["list_pages"],
        ),
        _row(
            f"Requests per refresh, {small} channels",
            str(r["requests_per_refresh_100"]),
            f"list pages ({r['list_pages_100']})",
            r["requests_per_refresh_100"] <= r["list_pages_100"],
        ),
        _row(
            f"CPU per refresh, {big} / {small} channels",
            f"{r['refresh_cpu_ms_1000']:.1f} ms / {r['refresh_cpu_ms_100']:.1f} ms",
        ),
        _row(
            f"CPU per refresh ratio {big}/{small}",
            f"{r['refresh_cpu_ratio_1000_100']:.1f}",
            f"≤ {big / small:g} (linear)",
            r["refresh_cpu_ratio_1000_100"] <= big / small,
        ),
        _row(
            f"`play_recording` p50 / p99 ({r['play_calls']} calls)",
            f"{r['play_p50_ms']:.1f} ms / {r['play_p99_ms']:.1f} ms",
        ),
        _row(
            "Bare CloudRecordPlay p50 / p99",
            f"{r['bare_p50_ms']:.1f} ms / {r['bare_p99_ms']:.1f} ms",
        ),
        _row(
            "play (listing uncached, asked alongside) / bare (p50)",
            f"{r['play_to_bare_ratio']:.3f}",
            "≤ 1.10",
            r["play_to_bare_ratio"] <= 1.10,
        ),
        _row(
            "The recorded check alone, uncached (one listing) p50",
            f"{r['check_p50_ms']:.1f} ms",
        ),
        _row(
            "play (listing cached: the same range again) / bare (p50)",
            f"{r['play_cached_to_bare_ratio']:.3f}",
            "≤ 1.10",
            r["play_cached_to_bare_ratio"] <= 1.10,
        ),
        _row(
            f"Still API requests per camera ({r['still_cameras']} cameras x "
            f"{r['still_polls_per_camera']} polls)",
            f"{r['still_requests_per_camera']:.2f} "
            f"(+ {r['still_media_fetches_per_camera']:.2f} downloads)",
            "≤ 1",
            r["still_requests_per_camera"] <= 1,
        ),
        _row(
            "Signing: ours / SDK per request",
            f"{r['sign_us']:.1f} µs / {r['sdk_sign_us']:.1f} µs",
        ),
        _row(
            "Signing ratio",
            f"{r['sign_to_sdk_ratio']:.2f}",
            "≤ 1.0",
            r["sign_to_sdk_ratio"] <= 1.0,
        ),
        _row(
            f"Coordinator memory per channel ({big} / {small})",
            f"{r['memory_bytes_per_channel']:,.0f} B / "
            f"{r['memory_bytes_per_channel_100']:,.0f} B "
            f"({r['memory_bytes_per_extra_channel']:,.0f} B per extra channel)",
        ),
    ]
    return "\n".join(rows)


def parse_args(argv: list[str] | None) -> tuple[Options, Path | None]:
    """Options from the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--channels", type=int, default=None)
    parser.add_argument("--latency-ms", type=float, default=None)
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write figures here")
    parser.add_argument(
        "--quick", action="store_true", help="small fleet, few calls (CI smoke run)"
    )
    args = parser.parse_args(argv)
    opts = QUICK if args.quick else Options()
    if args.channels is not None:
        opts = replace(opts, channels=args.channels)
    if args.latency_ms is not None:
        opts = replace(opts, latency=args.latency_ms / 1000)
    if args.rate is not None:
        opts = replace(opts, rate=args.rate)
    return opts, args.json


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write the JSON."""
    opts, json_path = parse_args(argv)
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        results = runner.run(run(opts))
    # Camera alarms, with Home Assistant and the emulator as processes (the
    # emulator posts callbacks to Home Assistant's webhook).
    from benchmarks import alarms

    alarm_figures = asyncio.run(alarms.run(5 if opts.quick else 50))
    results.update({f"alarms_{key}": value for key, value in alarm_figures.items()})
    print(
        f"{results['date']} · Python {results['python']} · Home Assistant "
        f"{results['home_assistant']} · {results['cpus']} CPUs · "
        f"{opts.channels} channels in {opts.spaces} spaces · "
        f"{opts.latency * 1000:g} ms RTT · {opts.rate:g} req/s per action"
    )
    print()
    print(table(results))
    print()
    print(alarms.table(alarm_figures))
    print()
    print(f"whole run: {results['wall_seconds']:.1f} s")
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
