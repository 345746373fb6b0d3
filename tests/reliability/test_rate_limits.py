"""The API's rate limit (10 requests/s per action) is never hit, even with 1,000 cameras.

The emulator enforces the documented limit strictly (429 FlowLimitExceeded for the
11th request of an action within any second). A fleet of 1,000 channels is set up,
refreshed, and asked for 50 recordings at once; not one request is refused. The
client's limiter is what makes it so: the same burst from a client without it is
refused in part.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import pytest

from custom_components.volcengine_slow_live.api.client import (
    AiotVideoClient,
    RetryPolicy,
)
from custom_components.volcengine_slow_live.api.errors import RateLimited
from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, Fleet

from ..common import setup_integration

type EmulatorFactory = Callable[..., Awaitable[Emulator]]

CHANNELS = 1000
SPACES = 5
BURST = 50
# The emulator's limit: requests per action in any one-second window.
LIMIT = 10


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """The integration lives in custom_components/."""


@pytest.fixture
async def big_fleet(emulator_factory: EmulatorFactory) -> Emulator:
    """1,000 channels in five spaces, behind the default limit of 10 requests/s."""
    fleet = Fleet.generate(spaces=SPACES, channels=CHANNELS, seed=1)
    for stream in fleet.streams.values():
        stream.record_outages = False  # "the last 5 minutes" are recorded
    emulator = await emulator_factory(fleet=fleet)
    assert emulator.limiter.capacity == LIMIT
    return emulator


def _cameras(hass: HomeAssistant, entry_id: str) -> dict[str, str]:
    """Main camera entity id per channel (main StreamID)."""
    return {
        e.unique_id: e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if e.domain == "camera" and not e.unique_id.endswith("_sub")
    }


def _spread(items: list[str], count: int) -> list[str]:
    """`count` items taken evenly across the list (so across every space)."""
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


@pytest.mark.slow
async def test_1000_channels_never_hit_the_rate_limit(
    hass: HomeAssistant, big_fleet: Emulator
) -> None:
    emulator = big_fleet
    timings: dict[str, float] = {}

    started = time.perf_counter()
    entry = await setup_integration(hass, emulator)
    timings["setup"] = time.perf_counter() - started
    coordinator = entry.runtime_data.coordinator
    assert len(coordinator.data.channels) == CHANNELS
    cameras = _cameras(hass, entry.entry_id)
    assert len(cameras) == CHANNELS
    assert len(hass.states.async_entity_ids("camera")) == CHANNELS

    mark = time.perf_counter()
    await coordinator.async_refresh()
    timings["refresh"] = time.perf_counter() - mark
    assert coordinator.last_update_success

    # 50 recordings at once, of 50 recording cameras from every space.
    recording = {
        stream.stream_id
        for stream in emulator.fleet.main_streams()
        if stream.record_mode == "continuous"
        and emulator.fleet.spaces[stream.space_id].record_template is not None
    }
    targets = _spread(
        sorted(e for key, e in cameras.items() if key in recording), BURST
    )
    mark = time.perf_counter()
    responses = await asyncio.gather(
        *(
            hass.services.async_call(
                DOMAIN,
                "get_recording",
                {"entity_id": entity_id, "duration": "00:05:00"},
                blocking=True,
                return_response=True,
            )
            for entity_id in targets
        )
    )
    timings["burst"] = time.perf_counter() - mark
    for entity_id, response in zip(targets, responses, strict=True):
        assert response is not None
        recording: Any = response[entity_id]
        assert recording["hls"].startswith(emulator.base_url), entity_id
    assert emulator.count("CloudRecordPlay", status=200) == BURST
    # Five windows' worth: the client waited for the window four times.
    assert timings["burst"] >= (BURST // LIMIT - 1) * 1.0

    # Setup left the channel details of the devices beyond the first few to the
    # background, at the same pace; all of them arrive, and nothing is refused.
    mark = time.perf_counter()
    await hass.async_block_till_done(wait_background_tasks=True)
    timings["details"] = time.perf_counter() - started
    assert emulator.count("GetDeviceChannelsV2", status=200) == len(
        emulator.fleet.devices
    )
    assert emulator.count(status=429) == 0, emulator.stats()["by_status"]
    assert emulator.stats()["throttled"] == 0
    assert emulator.limiter.rejected == 0

    # The same burst from a client without the limiter (and without retries, which
    # would hide the refusals): the emulator turns away what exceeds its window.
    await asyncio.sleep(1.1)  # the integration's last CloudRecordPlay left the window
    client = AiotVideoClient(
        async_get_clientsession(hass),
        emulator.access_key,
        emulator.secret_key,
        endpoint=emulator.base_url,
        rate_limit=0,
        retry=RetryPolicy(max_retries=0),
    )
    end = dt_util.utcnow()
    keys = [
        next(key for key, eid in cameras.items() if eid == entity_id)
        for entity_id in targets
    ]
    mark = time.perf_counter()
    results = await asyncio.gather(
        *(
            client.cloud_record_play(
                stream_id=key, start=end - timedelta(minutes=5), end=end
            )
            for key in keys
        ),
        return_exceptions=True,
    )
    timings["burst_unlimited"] = time.perf_counter() - mark
    refused = [r for r in results if isinstance(r, RateLimited)]
    served = [r for r in results if not isinstance(r, BaseException)]
    assert len(refused) + len(served) == BURST, results
    assert refused, "without the limiter the emulator must refuse part of the burst"
    assert emulator.count("CloudRecordPlay", status=429) == len(refused)
    assert len(served) >= LIMIT

    print(  # noqa: T201 - the wall times this test is run for
        f"{CHANNELS} channels: setup {timings['setup']:.1f} s (details of "
        f"{len(emulator.fleet.devices)} devices done after {timings['details']:.1f} "
        f"s), refresh {timings['refresh']:.1f} s, {BURST} recordings "
        f"{timings['burst']:.1f} s with 0 refused; without the limiter "
        f"{timings['burst_unlimited']:.2f} s with {len(refused)} refused; "
        f"requests {emulator.stats()['by_action']}"
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
