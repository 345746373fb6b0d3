"""Soak: 5,000 refreshes of the real integration with transient faults.

The whole integration (config entry, coordinator, cameras, sensors, devices) runs
against the emulator with a fleet of 200 channels, and 10 % of the API requests fail
in one of five transient ways (503, 429, a dropped connection, a truncated body, a
field missing). A cycle moves Home Assistant's clock on by the polling interval, so
the coordinator's own timer starts each refresh, and the emulated cloud's clock (which
the client signs with) moves with it: the 5,000 cycles span three and a half days.

The emulator runs in its own process, as the cloud would: tracemalloc then sees only
Home Assistant and the integration. It traces them from before setup, so that what is
allocated before cycle 1,000 and replaced later is counted both coming and going.

It checks that faults stay transient (the integration ends healthy: every camera
there, available, with the cloud's data, below its device), that a refresh that fails
leaves the entities their last data unless three in a row do, each run of failures
logged when it starts and when it ends, that memory does not grow between cycle 500
and cycle 5,000, and that nothing is left behind at unload (tasks, timers, sessions,
connections).

Memory is compared at settled points: the faults paused for one clean refresh, the
client's remembered pages read anew, the registries written, idle keep-alive
connections closed. What merely churns (entity states, the last answer per list page,
the registries' stored copies, pooled connections) is then in the same state at both
points, and what is left is growth.

`SOAK_CYCLES=1000` runs a shorter soak, `SOAK_CYCLES=10000` a week of polling (about 11
minutes); the warm-up is a tenth of the cycles. The default keeps the whole suite within
its time budget; growth of more than 1 MB in 4,500 cycles (about 230 bytes a refresh)
fails it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
import functools
import gc
import logging
import os
import time
import tracemalloc
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    flush_store,
)

from benchmarks.emulator_process import EmulatorProcess
from custom_components.volcengine_slow_live.api.client import RetryPolicy
from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Fleet
from emulator.model import ONLINE
from tests.common import client_settings

PACKAGE = "custom_components.volcengine_slow_live"
CYCLES = int(os.environ.get("SOAK_CYCLES", "5000"))
WARM_UP = CYCLES // 10
CHANNELS = 200
SPACES = 2
SEED = 20_260_905
# The default polling interval: one cycle of Home Assistant's and the cloud's time.
SCAN = timedelta(seconds=60)
FAULT_RATE = 0.10
# Five independent rules: together they hit FAULT_RATE of the requests.
_PER_RULE = 1 - (1 - FAULT_RATE) ** (1 / 5)
MEMORY_BUDGET = 1024 * 1024

FAULTS = [
    {"kind": "http_error", "status": 503},
    {"kind": "rate_limit"},
    {"kind": "reset_connection"},
    {"kind": "malformed_json"},
    {"kind": "missing_fields"},
]


class _CloudClock:
    """The emulated cloud's wall clock: real time plus what the test advanced."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)


class _Admin:
    """The emulator process's admin endpoints (faults, clock, counters)."""

    def __init__(self, base_url: str) -> None:
        self.base = f"{base_url}/_emulator"
        self.session = aiohttp.ClientSession()

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, self.base + path, json=body) as reply:
            reply.raise_for_status()
            return await reply.json()

    async def set_clock(self, offset: float) -> None:
        await self._call("POST", "/clock", {"offset": offset})

    async def start_faults(self) -> None:
        for rule in FAULTS:
            await self._call("POST", "/faults", {**rule, "probability": _PER_RULE})

    async def stop_faults(self) -> Counter[str]:
        """Remove the rules; how often each fired."""
        rules = await self._call("GET", "/faults")
        await self._call("DELETE", "/faults")
        return Counter({rule["kind"]: rule["hits"] for rule in rules})

    async def requests(self) -> int:
        return int((await self._call("GET", "/stats"))["requests"])

    async def close(self) -> None:
        await self.session.close()


class _LogTally(logging.Handler):
    """Counts the integration's records instead of keeping them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.levels: Counter[str] = Counter()
        # By format string: a few dozen at most, whatever the number of records.
        self.messages: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.levels[record.levelname] += 1
        self.messages[str(record.msg)] += 1

    def said(self, start: str) -> int:
        """Records whose format string starts with this text."""
        return sum(n for msg, n in self.messages.items() if msg.startswith(start))


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """The integration lives in custom_components/."""


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """No asyncio debug mode here (Home Assistant's test plugin turns it on).

    Debug mode records a stack trace for every callback and task: over 5,000 cycles
    that alone costs 70 % more time and checks nothing the soak is about (lingering
    tasks and timers are checked by the soak itself and by the plugin either way).
    """
    asyncio.get_running_loop().set_debug(False)


@pytest.fixture(autouse=True)
def _no_secret_leaks() -> None:
    """Not the suite's secret watchdog (tests/conftest.py) here.

    The watchdog keeps every log line and every error of a test: over 5,000 cycles
    with faults that is growth that would drown the measurement. The soak logs and
    raises nothing the rest of the suite does not check with it.
    """


@pytest.fixture
def log_tally(monkeypatch: pytest.MonkeyPatch) -> Iterator[_LogTally]:
    """The integration's records, counted instead of kept by pytest's log capture.

    pytest keeps every record of a test (and the errors they name); thousands of
    refresh failures would be growth of the harness, not of the integration.
    """
    tally = _LogTally()
    logger = logging.getLogger(PACKAGE)
    monkeypatch.setattr(logger, "propagate", False)
    monkeypatch.setattr(logger, "level", logging.INFO)
    logger.addHandler(tally)
    try:
        yield tally
    finally:
        logger.removeHandler(tally)


@pytest.fixture
def cloud(socket_enabled: None) -> Iterator[EmulatorProcess]:
    """The emulator in its own process: 200 channels, no rate limit of its own."""
    process = EmulatorProcess(
        channels=CHANNELS, spaces=SPACES, rate=0.0, seed=SEED
    ).start()
    try:
        yield process.ready()
    finally:
        process.stop()


@pytest.fixture
async def admin(cloud: EmulatorProcess) -> AsyncIterator[_Admin]:
    """A session of the test's own for the emulator's admin endpoints."""
    client = _Admin(cloud.base_url)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def traced(admin: _Admin) -> Iterator[None]:
    """tracemalloc on from before setup (after the emulator and admin are up)."""
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------------------
# What might leak


def _belongs_to_us(obj: object, depth: int = 0) -> bool:
    """Whether a callback, or anything it wraps or closes over, is the integration's."""
    if obj is None or depth > 4:
        return False
    module = getattr(obj, "__module__", None)
    if type(obj).__module__.startswith(PACKAGE) or (
        isinstance(module, str) and module.startswith(PACKAGE)
    ):
        return True
    inner: list[object] = [
        getattr(obj, name, None) for name in ("__self__", "__func__", "target")
    ]
    if isinstance(obj, functools.partial):
        inner += [obj.func, *obj.args, *obj.keywords.values()]
    for cell in getattr(obj, "__closure__", None) or ():
        try:
            inner.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    return any(_belongs_to_us(item, depth + 1) for item in inner)


def _our_timers(hass: HomeAssistant) -> list[asyncio.TimerHandle]:
    scheduled: list[asyncio.TimerHandle] = hass.loop._scheduled  # type: ignore[attr-defined]
    return [
        handle
        for handle in scheduled
        if not handle.cancelled() and _belongs_to_us(handle._callback)  # type: ignore[attr-defined]
    ]


def _open_sessions() -> set[aiohttp.ClientSession]:
    return {
        obj
        for obj in gc.get_objects()
        if isinstance(obj, aiohttp.ClientSession) and not obj.closed
    }


def _connections(hass: HomeAssistant) -> int:
    """The shared session's connections: kept alive and in use."""
    connector: Any = async_get_clientsession(hass).connector
    return sum(len(pool) for pool in connector._conns.values()) + len(
        connector._acquired
    )


def _close_idle_connections(hass: HomeAssistant) -> None:
    """Close what the shared session keeps alive, as its keep-alive timeout would."""
    connector: Any = async_get_clientsession(hass).connector
    for pool in connector._conns.values():
        for protocol, _ in pool:
            protocol.close()
        pool.clear()


def _snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )


# --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(1800)
async def test_soak_5000_refreshes_with_transient_faults(
    hass: HomeAssistant,
    cloud: EmulatorProcess,
    admin: _Admin,
    traced: None,
    monkeypatch: pytest.MonkeyPatch,
    log_tally: _LogTally,
) -> None:
    clock = _CloudClock()
    # The client paces itself (a limiter that never has to wait here) and retries
    # at once: the soak is about faults and time, not about waiting.
    client_settings(
        monkeypatch,
        rate_limit=1000.0,
        retry=RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.004),
        now=clock.utcnow,
    )
    # The same fleet as the emulator's (generated from the same seed): the truth the
    # entities are checked against at the end.
    fleet = Fleet.generate(spaces=SPACES, channels=CHANNELS, seed=SEED)
    tasks_before = asyncio.all_tasks()
    sessions_before = _open_sessions()

    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=cloud.access_key,
        data=cloud.entry_data(list(fleet.spaces)),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval == SCAN
    assert len(coordinator.data.channels) == CHANNELS

    refreshes = 0
    update = coordinator._async_update_data

    async def counted_update() -> Any:
        nonlocal refreshes
        refreshes += 1
        return await update()

    monkeypatch.setattr(coordinator, "_async_update_data", counted_update)
    outcomes: Counter[bool] = Counter()
    # Refreshes that failed; runs of them (each would have made every entity
    # unavailable without the coordinator's grace); runs that did (outages).
    failed = runs = outages = 0
    snapshots: dict[str, tracemalloc.Snapshot] = {}

    async def cycle() -> None:
        """One polling interval later, in Home Assistant and in the cloud."""
        clock.offset += SCAN.total_seconds()
        await admin.set_clock(clock.offset)
        async_fire_time_changed(hass, dt_util.utcnow() + SCAN + timedelta(seconds=1))
        await hass.async_block_till_done(wait_background_tasks=True)

    async def settle(name: str) -> Counter[str]:
        """Bring what only churns to the same state, then take a snapshot.

        The registries are written (the test harness keeps a JSON copy of what was
        written last, and otherwise writes when real time says so). The coordinator's
        last failure is forgotten: Home Assistant keeps it, with every frame of its
        traceback, until the next one (a page's JSON when parsing failed, next to
        nothing after a 503).
        """
        hits = await admin.stop_faults()
        coordinator.client._pages.clear()
        await cycle()
        assert coordinator.last_update_success
        coordinator.last_exception = None
        for registry in (dr.async_get(hass), er.async_get(hass)):
            registry.async_schedule_save()
            await flush_store(registry._store)
        # The harness's stand-in for writing files is a mock that keeps every call,
        # with what was written: growth of the test, not of Home Assistant.
        Store._async_write_data.reset_mock()  # type: ignore[attr-defined]
        _close_idle_connections(hass)
        await asyncio.sleep(0)
        snapshots[name] = _snapshot()
        await admin.start_faults()
        return hits

    await admin.start_faults()
    requests_before = await admin.requests()
    connections_max = 0
    started = time.perf_counter()
    for number in range(1, CYCLES + 1):
        available = coordinator.last_update_success
        await cycle()
        outcomes[coordinator.last_update_success] += 1
        failed += coordinator.failed_refreshes > 0
        runs += coordinator.failed_refreshes == 1
        outages += available and not coordinator.last_update_success
        if number % 100 == 0:
            connections_max = max(connections_max, _connections(hass))
        if number == WARM_UP:
            hits = await settle("start")
    elapsed = time.perf_counter() - started
    hits += await settle("end")
    await admin.stop_faults()
    requests = await admin.requests() - requests_before

    # -- the faults were there, and transient -------------------------------------
    injected = hits.total()
    assert refreshes == CYCLES + 2, refreshes
    assert set(hits) == {rule["kind"] for rule in FAULTS}, hits
    assert 0.08 < injected / requests < 0.12, (injected, requests)
    assert outcomes[True] > CYCLES // 2
    # Refreshes failed, and most were ridden out: the entities kept their data.
    assert failed > 0
    assert failed > 2 * outcomes[False]
    # Each run of failures said once when it started and once when it ended: by
    # the integration while the entities kept their data, by Home Assistant's
    # coordinator when they turned unavailable and back.
    assert log_tally.said("Refreshing failed") == runs
    assert log_tally.said("Refreshing works again") == runs - outages
    assert log_tally.said("Error fetching %s data") == outages
    assert log_tally.said("Fetching %s data recovered") == outages
    assert coordinator.last_update_success
    _assert_healthy(hass, fleet, clock.time(), entry.entry_id)

    # -- memory -------------------------------------------------------------------
    stats = snapshots["end"].compare_to(snapshots["start"], "lineno")
    growth = sum(stat.size_diff for stat in stats)
    report = (
        f"{CYCLES} cycles in {elapsed:.0f} s ({elapsed / CYCLES * 1000:.1f} ms each): "
        f"{requests} requests, {injected} faults injected ({dict(hits)}), "
        f"{failed} refreshes failed ({failed / CYCLES:.1%}) in {runs} runs, "
        f"{outages} of which made the entities unavailable ({outcomes[False]} "
        f"refreshes, {outcomes[False] / CYCLES:.2%}); memory from cycle {WARM_UP} to "
        f"{CYCLES}: {growth:+} B (tracemalloc); connections <= {connections_max}."
    )
    print(report)  # noqa: T201 - the numbers the soak is run for
    assert growth < MEMORY_BUDGET, "\n".join([report, *map(str, stats[:15])])

    # -- nothing left behind at unload ----------------------------------------------
    assert _our_timers(hass), "the coordinator's polling timer should be found"
    shared = async_get_clientsession(hass)
    connector: Any = shared.connector
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not _our_timers(hass)
    leftover = [task for task in asyncio.all_tasks() - tasks_before if not task.done()]
    assert not leftover, leftover
    # Home Assistant's shared session is the only one, and nothing is in flight.
    await admin.close()
    assert _open_sessions() - sessions_before <= {shared}
    assert not connector._acquired
    # Connections were reused, not piled up: never more than setup's burst of
    # channel details (one per device at most) had open.
    assert connections_max <= len(fleet.devices), report


def _assert_healthy(
    hass: HomeAssistant, fleet: Fleet, now: float, entry_id: str
) -> None:
    """Every channel has its available camera and sensor, showing the cloud's data."""
    registry = er.async_get(hass)
    entities = er.async_entries_for_config_entry(registry, entry_id)
    cameras = {e.unique_id: e.entity_id for e in entities if e.domain == "camera"}
    sensors = {
        e.unique_id: e.entity_id for e in entities if e.domain == "binary_sensor"
    }
    main = fleet.main_streams()
    assert len(main) == CHANNELS
    assert {s.stream_id for s in main} <= cameras.keys()
    assert len(hass.states.async_entity_ids("camera")) == CHANNELS
    checked: Counter[str] = Counter()
    devices = dr.async_get(hass)
    for stream in main:
        camera = hass.states.get(cameras[stream.stream_id])
        sensor = hass.states.get(sensors[f"{stream.stream_id}_stream"])
        assert camera is not None
        assert sensor is not None
        device = fleet.devices[stream.device_id or ""]
        channel = fleet.channel_of(stream)
        assert channel is not None
        connected = device.status == ONLINE and channel.online
        if fleet.stream_status(stream, now) == ONLINE or (
            connected and fleet.on_demand(stream)
        ):
            assert camera.state == "streaming", camera
            assert sensor.state == STATE_ON, sensor
            checked["streaming"] += 1
        else:
            # Offline: unavailable, so it shows no attributes but its name.
            assert camera.state == "unavailable", camera
            assert sensor.state == STATE_OFF, sensor
            checked["idle"] += 1
        if camera.state != "unavailable":
            assert camera.attributes["brand"] == device.manufacturer, camera
        assert camera.name == channel.name
        # Its device hangs below the NVR it belongs to; an IPC's is the IPC.
        child = devices.async_get_device_by_identifier(
            (DOMAIN, stream.stream_id), entry_id
        )
        parent = devices.async_get_device_by_identifier(
            (DOMAIN, f"device_{stream.device_id}"), entry_id
        )
        assert child is not None
        if device.type == "IPC":
            assert parent is None
            assert child.via_device_id is None, child
        else:
            assert parent is not None
            assert child.via_device_id == parent.id, child
    assert checked["streaming"] > CHANNELS // 2
    assert checked["idle"] > 0
    assert len(dr.async_entries_for_config_entry(devices, entry_id)) == CHANNELS + sum(
        1 for device in fleet.devices.values() if device.type != "IPC"
    )
