"""How an action's target becomes our cameras (targets.py)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.targets import (
    resolve_camera,
    targeted_cameras,
)
from emulator import Emulator

from .common import camera_entity, enable_sub_stream, stream_titled


async def test_a_sub_stream_camera_plays_index_1(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    sub = await enable_sub_stream(hass, setup_entry, emulator, "Front Gate")
    assert resolve_camera(hass, sub).streaming_index == 1
    main = resolve_camera(hass, camera_entity(hass, emulator, "Front Gate"))
    assert main.streaming_index == 0


async def test_a_channel_gone_meanwhile_is_refused(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Removed in the cloud, its entity not yet removed: a translated refusal."""
    entity_id = camera_entity(hass, emulator, "Garden")
    channels = setup_entry.runtime_data.coordinator.data.channels
    channels.pop(stream_titled(emulator, "Garden").stream_id)
    with pytest.raises(ServiceValidationError) as refused:
        resolve_camera(hass, entity_id)
    assert refused.value.translation_key == "channel_gone"


async def test_an_area_gives_only_our_cameras(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Another integration's camera in the same area is left out, not refused."""
    area = ar.async_get(hass).async_create("Yard")
    registry = er.async_get(hass)
    ours = camera_entity(hass, emulator, "Garden")
    device_id = registry.async_get(ours).device_id
    dr.async_get(hass).async_update_device(device_id, area_id=area.id)
    other = registry.async_get_or_create("camera", "other", "yard-cam")
    registry.async_update_entity(other.entity_id, area_id=area.id)
    call = ServiceCall(hass, DOMAIN, "play_recording", {"area_id": area.id})
    named, reached = targeted_cameras(hass, call)
    assert named == []
    assert [target.entity_id for target in reached] == [ours]
