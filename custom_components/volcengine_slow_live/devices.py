"""Device registry: one device per camera, and NVRs above their channels.

A single-channel IPC is one camera: its channel's device carries the IPC's maker,
model and GB ID, and no device of its own stands above it. An NVR, a platform or
any other device with several channels gets a device, and its channels hang below
it (`via_device_id`). Each RTMP stream is a device. Devices the cloud no longer
has are removed.

The registry is brought in line with each refresh: a channel's device is updated
when what it shows changed (a name or model in the cloud, a device that became an
NVR), which is also how an install from before this layout changes over.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo

from .api.models import Device
from .const import DOMAIN
from .coordinator import ChannelData, SlowLiveData, is_single_ipc, recorder_model
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

    An NVR may carry the name of one of its cameras ("Shop" and "Shop"): it then
    takes its type too ("Shop NVR"), so no two devices look alike.
    """
    name = device.name or device.device_nsid or device.device_id
    if name in channel_names:
        name = f"{name} {device.type or 'GB/T 28181'}"
    return name


def _parent_info(device: Device, channel_names: set[str]) -> DeviceInfo:
    """An NVR or another multi-channel device, above its channels."""
    return DeviceInfo(
        identifiers={gb_device_identifier(device.device_id)},
        name=_gb_device_name(device, channel_names),
        manufacturer=device.manufacturer or None,
        # Its own model when its channels give it away, else what it is ("NVR").
        model=recorder_model(device) or device.type or None,
        serial_number=device.device_nsid or None,
    )


def _camera_info(channel: ChannelData) -> DeviceInfo:
    """What a channel's own device shows (without the device above it)."""
    if not channel.is_gb:
        return DeviceInfo(
            identifiers={channel_identifier(channel.key)},
            name=channel.name,
            manufacturer=MANUFACTURER,
            model="RTMP stream",
            model_id=channel.space.access_type or None,
        )
    device = channel.device
    # A single-channel IPC is known to the cloud by its device's GB ID.
    serial = (
        device.device_nsid
        if device is not None and channel.is_single_ipc and device.device_nsid
        else channel.stream.channel_id
    )
    return DeviceInfo(
        identifiers={channel_identifier(channel.key)},
        name=channel.name,
        manufacturer=channel.manufacturer,
        model=channel.model,
        serial_number=serial or None,
    )


def channel_device_info(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, channel: ChannelData
) -> DeviceInfo:
    """Device of a channel; one of a multi-channel device hangs below it."""
    info = _camera_info(channel)
    if channel.device is not None and not channel.is_single_ipc:
        parent = dr.async_get(hass).async_get_device_by_identifier(
            gb_device_identifier(channel.device.device_id), entry.entry_id
        )
        if parent is not None:
            info["via_device_id"] = parent.id
    return info


def _parents(data: SlowLiveData) -> dict[str, Device]:
    """The devices shown above their channels: those with channels here, but IPCs.

    A device counts when a channel names it, or when its own list of channels has
    one of ours (a stream list that left the device IDs out must not cut it loose).
    """
    parents = {
        channel.device.device_id: channel.device
        for channel in data.channels.values()
        if channel.device is not None
    }
    for device in data.devices.values():
        if device.device_id not in parents and any(
            item.stream_id in data.channels for item in device.streams
        ):
            parents[device.device_id] = device
    return {
        device_id: device
        for device_id, device in parents.items()
        if not is_single_ipc(device)
    }


def devices_in_use(data: SlowLiveData) -> set[tuple[str, str]]:
    """Registry identifiers of every device the cloud's data still calls for."""
    wanted = {channel_identifier(key) for key in data.channels}
    wanted.update(gb_device_identifier(device_id) for device_id in _parents(data))
    # A device the streams name but the device list left out this time (an
    # incomplete answer): what it is is unknown, so whatever it has stays.
    wanted.update(
        gb_device_identifier(channel.stream.device_id)
        for channel in data.channels.values()
        if channel.device is None and channel.stream.device_id
    )
    return wanted


@callback
def async_sync_devices(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, data: SlowLiveData
) -> None:
    """Register the devices above channels, update the channels', remove the rest.

    A channel whose device the answer left out is left as it is (what it belongs to
    is unknown this time). A channel's device that does not exist yet is created by
    its entities. Every channel is kept below its device, also one that was removed
    and registered again.
    """
    registry = dr.async_get(hass)
    names: dict[str, set[str]] = {}
    for channel in data.channels.values():
        if channel.device:
            names.setdefault(channel.device.device_id, set()).add(channel.name)
    parents = {
        device_id: registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            **_parent_info(device, names.get(device_id, set())),
        ).id
        for device_id, device in _parents(data).items()
    }
    # The camera each single-channel IPC's former device of its own hands over to.
    heirs: dict[tuple[str, str], dr.DeviceEntry] = {}
    for channel in data.channels.values():
        if channel.device is None and channel.is_gb:
            continue
        own = registry.async_get_device_by_identifier(
            channel_identifier(channel.key), entry.entry_id
        )
        if own is None:
            continue
        info = _camera_info(channel)
        via = parents.get(channel.device.device_id) if channel.device else None
        if (
            own.name,
            own.manufacturer,
            own.model,
            own.model_id,
            own.serial_number,
            own.via_device_id,
        ) != (
            info.get("name"),
            info.get("manufacturer"),
            info.get("model"),
            info.get("model_id"),
            info.get("serial_number"),
            via,
        ):
            registry.async_update_device(
                own.id,
                name=info.get("name"),
                manufacturer=info.get("manufacturer"),
                model=info.get("model"),
                model_id=info.get("model_id"),
                serial_number=info.get("serial_number"),
                via_device_id=via,
            )
        if channel.device is not None and channel.is_single_ipc:
            heirs[gb_device_identifier(channel.device.device_id)] = own
    wanted = devices_in_use(data)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if device.identifiers.isdisjoint(wanted):
            heir = next((heirs[i] for i in device.identifiers if i in heirs), None)
            if heir is not None:
                _async_hand_over(hass, device, heir)
            registry.async_remove_device(device.id)


@callback
def _async_hand_over(
    hass: HomeAssistant, old: dr.DeviceEntry, camera: dr.DeviceEntry
) -> None:
    """An IPC's former device goes; what was set on it goes to its camera.

    Installs from before one device per camera have an "Attic IPC" above "Attic".
    Entities on it move to the camera; an area or labels the user gave it are
    kept, where the camera has none of its own.
    """
    entities = er.async_get(hass)
    for entity in er.async_entries_for_device(
        entities, old.id, include_disabled_entities=True
    ):
        entities.async_update_entity(entity.entity_id, device_id=camera.id)
    dr.async_get(hass).async_update_device(
        camera.id,
        area_id=camera.area_id or old.area_id,
        labels=camera.labels | old.labels,
    )
