"""Coordinator edge cases: missing channel details, vanished spaces."""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, FaultRule

from .common import demo_space_ids, entry_data, setup_integration, stream_titled


async def test_names_come_from_the_device_when_details_fail(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=400,
            code="OperationDeny.DeviceOffline",
            action="GetDeviceChannelsV2",
        )
    )
    entry = await setup_integration(hass, emulator)
    coordinator = entry.runtime_data.coordinator
    front = coordinator.data.channels[stream_titled(emulator, "Front Gate").stream_id]
    assert front.details is None
    assert front.name == "Front Gate"
    # Details are asked for again at the next refresh, and then used.
    emulator.faults.clear()
    before = emulator.count("GetDeviceChannelsV2")
    await coordinator.async_refresh()
    assert emulator.count("GetDeviceChannelsV2") > before
    front = coordinator.data.channels[front.key]
    assert front.details is not None
    await coordinator.async_refresh()
    assert emulator.count("GetDeviceChannelsV2") == before + len(
        {c.device.device_id for c in coordinator.data.channels.values() if c.device}
    )


async def test_auth_failure_in_details_starts_reauth(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    emulator.faults.add(
        FaultRule(kind="revoked_credentials", action="GetDeviceChannelsV2")
    )
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=emulator.access_key, data=entry_data(emulator)
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_vanished_space_is_skipped(
    hass: HomeAssistant, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    spaces = [*demo_space_ids(emulator), "00000000-0000-4000-8000-00000000dead"]
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=emulator.access_key,
        data=entry_data(emulator, spaces=spaces),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "no longer visible" in caplog.text
    assert dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
