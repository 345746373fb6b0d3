"""What the soak found, replayed one fault at a time (demo fleet, real client settings).

Each of these once went wrong in `test_soak.py`'s 10,000 refreshes with random
faults; here the fault is injected on purpose and the outcome asserted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, FaultRule

from ..common import fail_refreshes, setup_integration


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """The integration lives in custom_components/."""


@pytest.fixture
async def loaded(
    hass: HomeAssistant, emulator: Emulator
) -> AsyncIterator[MockConfigEntry]:
    """The demo fleet's entry, loaded; unloaded at the end."""
    entry: MockConfigEntry = await setup_integration(hass, emulator)
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def _registry_snapshot(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    devices = dr.async_get(hass)
    return {
        "entities": sorted(
            (e.entity_id, e.unique_id)
            for e in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        ),
        "devices": sorted(
            (
                sorted(d.identifiers),
                sorted(devices.async_get(d.via_device_id).identifiers)  # type: ignore[union-attr]
                if d.via_device_id
                else None,
            )
            for d in dr.async_entries_for_config_entry(devices, entry_id)
        ),
    }


async def _refresh(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    coordinator = entry.runtime_data.coordinator
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    return bool(coordinator.last_update_success)


@pytest.mark.parametrize("action", ["ListSpaces", "ListStreams", "ListDevices"])
async def test_a_list_that_lost_its_items_is_not_an_empty_account(
    hass: HomeAssistant, emulator: Emulator, loaded: MockConfigEntry, action: str
) -> None:
    """A page without its list (but with its TotalCount) fails the refresh.

    Taken at its word it emptied the spaces: every device was removed, with its
    entities, and the entities never came back. Failed, it keeps the last data.
    """
    before = _registry_snapshot(hass, loaded.entry_id)
    # (Offline cameras are unavailable before and after: nothing to show.)
    unavailable = {
        entity_id
        for entity_id, _ in before["entities"]
        if (state := hass.states.get(entity_id)) and state.state == STATE_UNAVAILABLE
    }
    key = {"ListSpaces": "Spaces", "ListStreams": "Streams", "ListDevices": "Devices"}
    # For one refresh, every answer of the action (one per space) lost its list.
    rule = emulator.faults.add(
        FaultRule(kind="missing_fields", action=action, fields=[key[action]])
    )

    def available() -> bool:
        return STATE_UNAVAILABLE not in {
            hass.states.get(entity_id).state  # type: ignore[union-attr]
            for entity_id, _ in before["entities"]
            if hass.states.get(entity_id) is not None and entity_id not in unavailable
        }

    await fail_refreshes(loaded.runtime_data.coordinator, 1)
    emulator.faults.remove(rule)
    assert _registry_snapshot(hass, loaded.entry_id) == before
    assert available()
    assert await _refresh(hass, loaded)
    assert _registry_snapshot(hass, loaded.entry_id) == before
    assert available()


async def test_a_channel_that_comes_back_gets_its_entities_back(
    hass: HomeAssistant, emulator: Emulator, loaded: MockConfigEntry
) -> None:
    """A channel missing from one refresh loses its device and entities; they return."""
    fleet = emulator.fleet
    stream = next(s for s in fleet.main_streams() if s.title == "Garage")
    ids = fleet.space_streams[stream.space_id]
    position = ids.index(stream.stream_id)
    registry = er.async_get(hass)
    camera = registry.async_get_entity_id("camera", DOMAIN, stream.stream_id)
    assert camera is not None

    ids.remove(stream.stream_id)  # the cloud stops listing it for a while
    assert await _refresh(hass, loaded)
    assert registry.async_get_entity_id("camera", DOMAIN, stream.stream_id) is None
    assert hass.states.get(camera) is None

    ids.insert(position, stream.stream_id)
    assert await _refresh(hass, loaded)
    assert registry.async_get_entity_id("camera", DOMAIN, stream.stream_id) == camera
    state = hass.states.get(camera)
    assert state is not None
    assert state.state == "streaming"
    sensor = registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{stream.stream_id}_stream"
    )
    assert sensor is not None
    assert hass.states.get(sensor) is not None


@pytest.mark.parametrize(
    ("action", "missing"),
    [
        # The spaces' AccessType: no device list is read for them this time.
        ("ListSpaces", "AccessType"),
        # The streams' DeviceID: no channel names its device this time.
        ("ListStreams", "DeviceID"),
    ],
)
async def test_channels_stay_below_their_device(
    hass: HomeAssistant,
    emulator: Emulator,
    loaded: MockConfigEntry,
    action: str,
    missing: str,
) -> None:
    """An answer that leaves the devices out does not cut channels loose for good.

    The device registry dropped a channel's link to its NVR when the NVR was removed,
    and nothing linked it again when the NVR came back.
    """
    before = _registry_snapshot(hass, loaded.entry_id)
    # For one refresh, every answer of the action (one per space) lacks the field.
    rule = emulator.faults.add(
        FaultRule(kind="missing_fields", action=action, fields=[missing])
    )
    assert await _refresh(hass, loaded)
    emulator.faults.remove(rule)
    assert await _refresh(hass, loaded)
    assert _registry_snapshot(hass, loaded.entry_id) == before
