"""Device registry: a device per channel, linked to its GB/T 28181 NVR or IPC.

GB devices (NVR/IPC) are registered before their channels so channels can point at
them with `via_device_id`. Devices that vanished from the cloud are removed.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

from .api.models import Device
from .const import DOMAIN
from .coordinator import ChannelData, SlowLiveData
from .data import SlowLiveConfigEntry

MANUFACTURER = "Volcengine"


def gb_device_identifier(device_id: str) -> tuple[str, str]:
    """Registry identifier of a GB/T 28181 device (NVR, IPC or platform)."""
    return (DOMAIN, f"device_{device_id}")


def channel_identifier(key: str) -> tuple[str, str]:
    """Registry identifier of a channel (its main StreamID)."""
    return (DOMAIN, key)


def _gb_device_info(device: Device) -> DeviceInfo:
    return DeviceInfo(
        identifiers={gb_device_identifier(device.device_id)},
        name=device.name or device.device_nsid or device.device_id,
        manufacturer=device.manufacturer or None,
        model=device.type or None,
        serial_number=device.device_nsid or None,
    )


def channel_device_info(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, channel: ChannelData
) -> DeviceInfo:
    """Device of a channel; GB channels hang below their registered GB device."""
    if channel.device is None:
        return DeviceInfo(
            identifiers={channel_identifier(channel.key)},
            name=channel.name,
            manufacturer=MANUFACTURER,
            model="RTMP stream",
            model_id=channel.space.access_type or None,
        )
    details = channel.details
    info = DeviceInfo(
        identifiers={channel_identifier(channel.key)},
        name=channel.name,
        manufacturer=(details and details.manufacturer)
        or channel.device.manufacturer
        or None,
        model=(details and details.model) or channel.device.type or None,
        serial_number=channel.stream.channel_id or None,
    )
    registry = dr.async_get(hass)
    parent = registry.async_get_device_by_identifier(
        gb_device_identifier(channel.device.device_id), entry.entry_id
    )
    if parent is not None:
        info["via_device_id"] = parent.id
    return info


@callback
def async_sync_devices(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, data: SlowLiveData
) -> None:
    """Register the GB devices in use and remove devices the cloud no longer has."""
    registry = dr.async_get(hass)
    wanted: set[tuple[str, str]] = set()
    for device in {
        c.device.device_id: c.device for c in data.channels.values() if c.device
    }.values():
        registry.async_get_or_create(
            config_entry_id=entry.entry_id, **_gb_device_info(device)
        )
        wanted.add(gb_device_identifier(device.device_id))
    wanted.update(channel_identifier(key) for key in data.channels)
    for entry_device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if entry_device.identifiers.isdisjoint(wanted):
            registry.async_remove_device(entry_device.id)
