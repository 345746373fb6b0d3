"""Channel details of a large fleet: the first window at setup, the rest in the background.

Setup waits for the list pages and the details of at most `DETAILS_INLINE` devices;
everything the entities show comes with the device list. The other devices' details
are read once the entities exist and reach the entities when they arrive.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from custom_components.volcengine_slow_live.api.models import (
    Device,
    DeviceStream,
    Space,
    Stream,
)
from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.coordinator import (
    DETAILS_INLINE,
    ChannelData,
    recorder_model,
)
from emulator import Emulator, FaultRule, Fleet

from .common import has_ptz, setup_integration
from .conftest import EmulatorFactory

# About 40 GB devices: the details beyond the first window take three more windows,
# time enough to look at the entry before they arrive.
CHANNELS = 100
# About 20: one more window, for the tests that only need some in the background.
FEW_CHANNELS = 50


async def _fleet(emulator_factory: EmulatorFactory, channels: int) -> Emulator:
    return await emulator_factory(
        fleet=Fleet.generate(spaces=5, channels=channels, seed=1)
    )


def _gb_devices(entry: object) -> set[str]:
    data = entry.runtime_data.coordinator.data  # type: ignore[attr-defined]
    return {c.device.device_id for c in data.channels.values() if c.device}


async def test_details_beyond_the_first_window_arrive_after_setup(
    hass: HomeAssistant, emulator_factory: EmulatorFactory
) -> None:
    emulator = await _fleet(emulator_factory, CHANNELS)
    entry = await setup_integration(hass, emulator)
    coordinator = entry.runtime_data.coordinator
    devices = _gb_devices(entry)
    assert len(devices) > 3 * DETAILS_INLINE
    # Every camera exists, named from the device list; few details so far.
    assert len(hass.states.async_entity_ids("camera")) == CHANNELS
    fetched = emulator.count("GetDeviceChannelsV2")
    assert DETAILS_INLINE <= fetched < len(devices)
    gb = [c for c in coordinator.data.channels.values() if c.device]
    waiting = [c for c in gb if c.details is None]
    assert waiting
    for channel in waiting:
        listed = channel.device_stream
        assert listed is not None
        assert channel.name == listed.name
        device = channel.device
        assert device is not None
        if channel.is_single_ipc:
            assert channel.model == (listed.model or device.type)
        else:
            # An NVR's own model, given for each channel, is not the camera's.
            shared = recorder_model(device)
            own = listed.model or None
            assert channel.model == (None if own == shared else own)

    # PTZ controls come with the details (the PTZ type is one).
    moving = [s for s in emulator.fleet.main_streams() if has_ptz(emulator, s)]
    assert len(hass.states.async_entity_ids("select")) < len(moving)

    await hass.async_block_till_done(wait_background_tasks=True)
    assert emulator.count("GetDeviceChannelsV2") == len(devices)
    assert emulator.count(status=429) == 0
    assert all(c.details for c in coordinator.data.channels.values() if c.device)
    await hass.async_block_till_done()
    assert len(hass.states.async_entity_ids("select")) == len(moving)
    # Known now: the next refresh reads the list pages only.
    await coordinator.async_refresh()
    assert emulator.count("GetDeviceChannelsV2") == len(devices)


async def test_revoked_key_during_background_details_starts_reauth(
    hass: HomeAssistant, emulator_factory: EmulatorFactory
) -> None:
    emulator = await _fleet(emulator_factory, FEW_CHANNELS)
    entry = await setup_integration(hass, emulator)
    assert len(_gb_devices(entry)) > DETAILS_INLINE
    # The background requests wait for the next rate-limit window (a second).
    emulator.faults.add(
        FaultRule(kind="revoked_credentials", action="GetDeviceChannelsV2")
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_account_problem_during_background_details_retried_later(
    hass: HomeAssistant, emulator_factory: EmulatorFactory
) -> None:
    emulator = await _fleet(emulator_factory, FEW_CHANNELS)
    entry = await setup_integration(hass, emulator)
    assert len(_gb_devices(entry)) > DETAILS_INLINE
    coordinator = entry.runtime_data.coordinator
    fault = emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=403,
            code="OperationDeny.AccountOverdue",
            action="GetDeviceChannelsV2",
        )
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert any(
        c.details is None for c in coordinator.data.channels.values() if c.device
    )

    emulator.faults.remove(fault)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    await hass.async_block_till_done(wait_background_tasks=True)
    assert all(c.details for c in coordinator.data.channels.values() if c.device)


def test_without_details_the_device_list_speaks_for_the_channel() -> None:
    space = Space(space_id="s", access_type="gb28181", pull_on_demand=True)
    stream = Stream(stream_id="m1", device_id="d", channel_id="c1", status="offline")
    listed = DeviceStream(
        channel_id="c1",
        stream_id="m1",
        name="Gate",
        channel_status="OFF",
        manufacturer="Hikvision",
        model="DS-2CD2",
    )
    nvr = Device(
        device_id="d",
        status="online",
        type="NVR",
        manufacturer="Hik",
        streams=(listed,),
    )
    channel = ChannelData(stream=stream, space=space, device=nvr)
    assert (channel.name, channel.manufacturer, channel.model) == (
        "Gate",
        "Hikvision",
        "DS-2CD2",
    )
    # On demand: startable while the device is online and its channel on.
    assert not channel.online
    on = Device(
        device_id="d",
        status="online",
        type="NVR",
        manufacturer="Hik",
        streams=(DeviceStream(channel_id="c1", stream_id="m1", channel_status="ON"),),
    )
    assert ChannelData(stream=stream, space=space, device=on).online
    # Not in the device's list at all: the device's maker, no model (the NVR's
    # type is not the camera's model), status unknown.
    bare = Device(device_id="d", status="online", type="NVR", manufacturer="Hik")
    unlisted = ChannelData(stream=stream, space=space, device=bare)
    assert unlisted.device_stream is None
    assert (unlisted.manufacturer, unlisted.model) == ("Hik", None)
    assert unlisted.online
