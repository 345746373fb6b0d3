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


def _gb_device_name(device: Device, channel_names: set[str]) -> str:
    """The device's name, told apart from its channels'.

    An IPC and its one channel usually carry the same name ("Attic" and "Attic"):
    the device then takes its type too ("Attic IPC"), so the integration's device
    list does not show pairs a person cannot tell apart.
    """
    name = device.name or device.device_nsid or device.device_id
    if name in channel_names:
        name = f"{name} {device.type or 'GB/T 28181'}"
    return name


def _gb_device_info(device: Device, channel_names: set[str]) -> DeviceInfo:
    return DeviceInfo(
        identifiers={gb_device_identifier(device.device_id)},
        name=_gb_device_name(device, channel_names),
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
    info = DeviceInfo(
        identifiers={channel_identifier(channel.key)},
        name=channel.name,
        manufacturer=channel.manufacturer,
        model=channel.model,
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
    """Register the GB devices in use and remove devices the cloud no longer has.

    A GB device stays while a stream still names it, even when the device list left
    it out (an incomplete answer must not cut its channels loose), and every channel
    is kept below its device, also one that was removed and registered again.
    """
    registry = dr.async_get(hass)
    wanted: set[tuple[str, str]] = set()
    parents: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for channel in data.channels.values():
        if channel.device:
            names.setdefault(channel.device.device_id, set()).add(channel.name)
    for device in {
        c.device.device_id: c.device for c in data.channels.values() if c.device
    }.values():
        parents[device.device_id] = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            **_gb_device_info(device, names[device.device_id]),
        ).id
    for channel in data.channels.values():
        wanted.add(channel_identifier(channel.key))
        if channel.stream.device_id:
            wanted.add(gb_device_identifier(channel.stream.device_id))
        if channel.device is None:
            continue
        child = registry.async_get_device_by_identifier(
            channel_identifier(channel.key), entry.entry_id
        )
        parent_id = parents[channel.device.device_id]
        if child is not None and child.via_device_id != parent_id:
            registry.async_update_device(child.id, via_device_id=parent_id)
    wanted.update(gb_device_identifier(device_id) for device_id in parents)
    for entry_device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if entry_device.identifiers.isdisjoint(wanted):
            registry.async_remove_device(entry_device.id)
