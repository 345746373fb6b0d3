"""The stream status sensor: live, standby (on demand, not pulled) or offline."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator

from .common import stream_titled


def _state(hass: HomeAssistant, emulator: Emulator, title: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{stream_titled(emulator, title).stream_id}_stream_state"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["options"] == ["live", "standby", "offline"]
    return state.state


async def test_live_standby_and_offline(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    assert _state(hass, emulator, "Front Gate") == "live"
    # On demand and nobody watching: at rest, connected, not an error.
    assert _state(hass, emulator, "Barn") == "standby"
    barn_connection = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{stream_titled(emulator, 'Barn').stream_id}_stream"
    )
    assert hass.states.get(barn_connection).state == "on"  # type: ignore[union-attr]
    assert _state(hass, emulator, "Attic") == "offline"

    # Someone watches Barn: the cloud pulls it, and the next poll says so.
    barn = stream_titled(emulator, "Barn")
    emulator.fleet.start_session(barn, emulator.now())
    await setup_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert _state(hass, emulator, "Barn") == "live"
