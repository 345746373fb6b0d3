"""Snapshots of the demo fleet's entities, devices and diagnostics.

The snapshots hold plain dicts built here rather than Home Assistant's registry
objects, whose serialised form changes between releases: one snapshot file serves
both supported releases. Time is frozen so URL expiries are stable; the emulator's
random port is replaced by a placeholder.
"""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.volcengine_slow_live.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from emulator import Emulator

pytestmark = pytest.mark.freeze_time("2026-11-20T04:00:00+00:00")


def _stable(data: Any, emulator: Emulator) -> Any:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return json.loads(text.replace(emulator.base_url, "http://emulator"))


def _entities(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    devices = dr.async_get(hass)
    out = []
    for item in sorted(
        er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id),
        key=lambda e: e.entity_id,
    ):
        state = hass.states.get(item.entity_id)
        device = devices.async_get(item.device_id) if item.device_id else None
        out.append(
            {
                "entity_id": item.entity_id,
                "unique_id": item.unique_id,
                "device": device.name if device else None,
                "has_entity_name": item.has_entity_name,
                "original_name": item.original_name,
                "translation_key": item.translation_key,
                "device_class": item.original_device_class,
                "entity_category": item.entity_category,
                "disabled_by": item.disabled_by,
                "state": state.state if state else None,
                "attributes": {
                    key: value
                    for key, value in (state.attributes if state else {}).items()
                    if key not in ("access_token", "entity_picture")
                },
            }
        )
    return out


def _devices(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    registry = dr.async_get(hass)
    out = []
    for device in sorted(
        dr.async_entries_for_config_entry(registry, entry.entry_id),
        key=lambda d: sorted(d.identifiers),
    ):
        parent = (
            registry.async_get(device.via_device_id) if device.via_device_id else None
        )
        out.append(
            {
                "identifiers": sorted(device.identifiers),
                "name": device.name,
                "manufacturer": device.manufacturer,
                "model": device.model,
                "model_id": device.model_id,
                "serial_number": device.serial_number,
                "via_device": parent.name if parent else None,
            }
        )
    return out


async def test_entities_and_devices(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    assert _stable(_entities(hass, setup_entry), emulator) == snapshot(name="entities")
    assert _stable(_devices(hass, setup_entry), emulator) == snapshot(name="devices")


async def test_diagnostics(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_entry)
    text = json.dumps(diagnostics, default=str)
    assert emulator.secret_key not in text
    assert emulator.access_key not in text
    assert "volcSecret=**REDACTED**" in text
    assert _stable(diagnostics, emulator) == snapshot(name="entry")

    registry = dr.async_get(hass)
    # A channel of the NVR, the NVR, an IPC (its camera is the IPC), an RTMP stream.
    for name in ("Front Gate", "Courtyard NVR", "Living Room", "tea-garden-east"):
        device = next(
            d
            for d in dr.async_entries_for_config_entry(registry, setup_entry.entry_id)
            if d.name == name
        )
        device_diagnostics = await async_get_device_diagnostics(
            hass, setup_entry, device
        )
        assert _stable(device_diagnostics, emulator) == snapshot(name=name)
