"""Coordinator edge cases: missing channel details, vanished spaces, failed refreshes."""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live import PLATFORMS
from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.coordinator import TOLERATED_FAILURES
from emulator import Emulator, FaultRule

from .common import (
    demo_space_ids,
    entry_data,
    fail_refreshes,
    setup_integration,
    stream_titled,
)


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


async def test_a_refresh_writes_only_the_states_that_changed(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Each refresh brings newly signed URLs; only a changed channel is written."""
    entry = await setup_integration(hass, emulator)
    coordinator = entry.runtime_data.coordinator
    written: list[str] = []

    @callback
    def record(event: Event) -> None:
        if event.data["entity_id"].split(".")[0] in {str(p) for p in PLATFORMS}:
            written.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    # Home Assistant wants a filter for this one (it is fired for every write).
    hass.bus.async_listen(
        EVENT_STATE_REPORTED, record, event_filter=callback(lambda _: True)
    )
    # A minute later the cloud signs every URL anew: new data, the same states.
    before = coordinator.data
    emulator.clock_offset += 60
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.data != before
    assert written == []

    garage = stream_titled(emulator, "Garage")
    emulator.fleet.set_stream_status(garage.stream_id, "offline")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    camera = registry.async_get_entity_id("camera", DOMAIN, garage.stream_id)
    sensor = registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{garage.stream_id}_stream"
    )
    stream_state = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{garage.stream_id}_stream_state"
    )
    # (The camera twice: its features changed, so its registry entry did too.)
    assert set(written) == {camera, sensor, stream_state}
    # An offline camera is unavailable: nothing to show, and the tiles say so.
    assert hass.states.get(camera).state == "unavailable"  # type: ignore[union-attr]
    assert hass.states.get(sensor).state == "off"  # type: ignore[union-attr]

    # A failed refresh keeps every state as it was: nothing is written...
    written.clear()
    emulator.faults.add(FaultRule(kind="http_error", status=500))
    await fail_refreshes(coordinator, TOLERATED_FAILURES)
    assert written == []
    # ...until an outage makes every entity unavailable: all of them are written.
    await fail_refreshes(coordinator, 1)
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    enabled = {e.entity_id for e in entities if not e.disabled}
    # The offline cameras (Garage, and the demo's Attic) were unavailable already.
    attic = registry.async_get_entity_id(
        "camera", DOMAIN, stream_titled(emulator, "Attic").stream_id
    )
    assert enabled - set(written) == {camera, attic}
    assert {hass.states.get(e).state for e in enabled} == {"unavailable"}  # type: ignore[union-attr]
