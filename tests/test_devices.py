"""The device registry's shape: one device per camera, NVRs above their channels.

Against the emulator's demo fleet (an NVR with four channels, three single-channel
IPCs, two RTMP streams) and changes made to it in the cloud; and an install from
before, whose IPCs had a device of their own above their camera.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    label_registry as lr,
)
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.api.models import Device, DeviceStream
from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.coordinator import recorder_model
from custom_components.volcengine_slow_live.diagnostics import (
    async_get_device_diagnostics,
)
from emulator import Emulator, FaultRule
from emulator.model import Device as FleetDevice

from .common import camera_entity, entry_data, setup_integration, stream_titled

CAMERAS = {
    "Front Gate",
    "Garden",
    "Garage",
    "Back Door",
    "Living Room",
    "Attic",
    "Barn",
    "tea-garden-east",
    "tea-garden-west",
}


def _devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, dr.DeviceEntry]:
    entries = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    by_name = {device.name or "": device for device in entries}
    assert len(by_name) == len(entries), "two devices share a name"
    return by_name


def _device_of(emulator: Emulator, name: str) -> FleetDevice:
    return next(d for d in emulator.fleet.devices.values() if d.name == name)


async def _refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


def _camera_device(
    hass: HomeAssistant, emulator: Emulator, title: str
) -> dr.DeviceEntry | None:
    entity = er.async_get(hass).async_get_entity_id(
        "camera", DOMAIN, stream_titled(emulator, title).stream_id
    )
    assert entity is not None
    entry = er.async_get(hass).async_get(entity)
    assert entry is not None
    return dr.async_get(hass).async_get(entry.device_id or "")


async def test_nine_cameras_are_nine_devices_and_the_nvr_one_more(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    devices = _devices(hass, setup_entry)
    assert set(devices) == CAMERAS | {"Courtyard NVR"}
    # Every camera entity is on its camera's device, nothing on the NVR's.
    for title in CAMERAS - {"tea-garden-east", "tea-garden-west"}:
        camera = _camera_device(hass, emulator, title)
        assert camera is not None
        assert camera.name == title
    nvr = devices["Courtyard NVR"]
    assert not er.async_entries_for_device(er.async_get(hass), nvr.id)


async def test_an_ipc_is_its_camera(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    devices = _devices(hass, setup_entry)
    for name, maker, model in (
        ("Living Room", "TP-LINK", "TL-IPC44AW"),
        ("Attic", "Uniview", "IPC2124LR3-PF40"),
        # Barn's channel has a GB ID of its own; the camera is known by the IPC's.
        ("Barn", "Hikvision", "DS-2DE4425IW-DE"),
    ):
        ipc = _device_of(emulator, name)
        camera = devices[name]
        assert camera.identifiers == {(DOMAIN, stream_titled(emulator, name).stream_id)}
        assert (camera.manufacturer, camera.model, camera.serial_number) == (
            maker,
            model,
            ipc.nsid,
        )
        assert camera.via_device_id is None
        assert f"{name} IPC" not in devices
        assert (
            dr.async_get(hass).async_get_device_by_identifier(
                (DOMAIN, f"device_{ipc.device_id}"),
                setup_entry.entry_id,
            )
            is None
        )


async def test_an_nvr_is_above_its_channels(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    devices = _devices(hass, setup_entry)
    nvr = devices["Courtyard NVR"]
    fleet_nvr = _device_of(emulator, "Courtyard NVR")
    # The model three of its four channels report is the NVR's own.
    assert (nvr.manufacturer, nvr.model, nvr.serial_number) == (
        "Hikvision",
        "DS-7604NI",
        fleet_nvr.nsid,
    )
    assert nvr.via_device_id is None
    for title in ("Front Gate", "Garden", "Garage", "Back Door"):
        channel = devices[title]
        assert channel.via_device_id == nvr.id
        assert channel.manufacturer == "Hikvision"
        assert channel.serial_number == stream_titled(emulator, title).channel_id
    # Garden's dome reports its own model; the others the NVR's, which they are not.
    assert devices["Garden"].model == "DS-2DE2A404IW-DE3"
    assert {devices[t].model for t in ("Front Gate", "Garage", "Back Door")} == {None}
    # Their cameras say the same.
    garden = hass.states.get(camera_entity(hass, emulator, "Garden"))
    gate = hass.states.get(camera_entity(hass, emulator, "Front Gate"))
    assert garden is not None
    assert gate is not None
    assert garden.attributes["model_name"] == "DS-2DE2A404IW-DE3"
    assert "model_name" not in gate.attributes


async def test_rtmp_streams_are_a_device_each(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    devices = _devices(hass, setup_entry)
    for name in ("tea-garden-east", "tea-garden-west"):
        stream = devices[name]
        assert (stream.manufacturer, stream.model, stream.model_id) == (
            "Volcengine",
            "RTMP stream",
            "rtmp",
        )
        assert stream.via_device_id is None
        assert stream.serial_number is None


def test_the_recorders_model_is_the_one_most_channels_share() -> None:
    def nvr(*models: str) -> Device:
        return Device(
            device_id="d",
            type="NVR",
            streams=tuple(
                DeviceStream(channel_id=f"c{i}", stream_id=f"s{i}", model=model)
                for i, model in enumerate(models)
            ),
        )

    assert recorder_model(nvr("N", "N", "N", "Dome")) == "N"
    assert recorder_model(nvr("N", "N")) == "N"
    # One channel alone cannot tell whose model it gives; a tie neither.
    assert recorder_model(nvr("N")) is None
    assert recorder_model(nvr("A", "A", "B", "B")) is None
    assert recorder_model(nvr("A", "B", "C")) is None
    assert recorder_model(nvr("", "", "")) is None


async def test_an_nvr_whose_channels_differ_shows_what_it_is(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    fleet = emulator.fleet
    nvr = _device_of(emulator, "Courtyard NVR")
    for channel_id, model in zip(
        nvr.channels,
        ("DS-2CD2143G2-I", "DS-2DE2A404IW-DE3", "DS-2CD3T47G2-LSU", "IPC-HFW2431S"),
        strict=True,
    ):
        fleet.channels[nvr.device_id, channel_id].model = model
    entry = await setup_integration(hass, emulator)
    devices = _devices(hass, entry)
    # Nothing says which model the NVR is: it shows its type, each camera its own.
    assert devices["Courtyard NVR"].model == "NVR"
    assert devices["Front Gate"].model == "DS-2CD2143G2-I"
    assert devices["Back Door"].model == "IPC-HFW2431S"


async def test_a_new_ipc_is_one_device(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    home = next(s for s in emulator.fleet.spaces.values() if s.name == "Home")
    added = emulator.fleet.add_channel(home.space_id, name="Porch")
    await _refresh(hass, setup_entry)
    devices = _devices(hass, setup_entry)
    assert set(devices) == CAMERAS | {"Courtyard NVR", "Porch"}
    assert devices["Porch"].identifiers == {(DOMAIN, added.stream_id)}
    assert devices["Porch"].via_device_id is None


async def test_an_ipc_that_gains_a_channel_gets_a_device_above_both(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """A dual-lens IPC, registered with its second lens later, and back."""
    fleet = emulator.fleet
    living = _device_of(emulator, "Living Room")
    before = _devices(hass, setup_entry)["Living Room"]
    second = fleet.add_channel(
        living.space_id,
        living.device_id,
        name="Living Room Wide",
    )
    living.type = "IPC"  # the emulator made it an NVR
    await _refresh(hass, setup_entry)
    devices = _devices(hass, setup_entry)
    # The device took its type, its channel having its name.
    parent = devices["Living Room IPC"]
    camera = devices["Living Room"]
    assert camera.id == before.id  # the camera keeps its device, entities and all
    assert camera.via_device_id == parent.id
    assert devices["Living Room Wide"].via_device_id == parent.id
    # Both lenses report the IPC's model: it is the device's.
    assert (parent.model, camera.model) == ("TL-IPC44AW", None)
    assert camera.serial_number == stream_titled(emulator, "Living Room").channel_id

    fleet.remove_stream(second.stream_id)
    await _refresh(hass, setup_entry)
    devices = _devices(hass, setup_entry)
    assert "Living Room IPC" not in devices
    assert "Living Room Wide" not in devices
    camera = devices["Living Room"]
    assert camera.id == before.id
    assert camera.via_device_id is None
    assert (camera.model, camera.serial_number) == (
        "TL-IPC44AW",
        living.nsid,
    )


async def test_an_answer_without_device_ids_changes_nothing(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    before = {
        name: (d.id, d.model, d.via_device_id)
        for name, d in _devices(hass, setup_entry).items()
    }
    rule = emulator.faults.add(
        FaultRule(kind="missing_fields", action="ListStreams", fields=["DeviceID"])
    )
    await _refresh(hass, setup_entry)
    during = {
        name: (d.id, d.model, d.via_device_id)
        for name, d in _devices(hass, setup_entry).items()
    }
    emulator.faults.remove(rule)
    await _refresh(hass, setup_entry)
    after = {
        name: (d.id, d.model, d.via_device_id)
        for name, d in _devices(hass, setup_entry).items()
    }
    assert during == before
    assert after == before


async def test_device_diagnostics_of_an_ipc_show_the_ipc(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    devices = _devices(hass, setup_entry)
    living = await async_get_device_diagnostics(
        hass, setup_entry, devices["Living Room"]
    )
    assert living["channel"]["name"] == "Living Room"
    assert (
        living["device"]["device_id"] == _device_of(emulator, "Living Room").device_id
    )
    gate = await async_get_device_diagnostics(hass, setup_entry, devices["Front Gate"])
    assert "device" not in gate
    assert gate["channel"]["name"] == "Front Gate"


async def test_an_install_from_before_ends_with_one_device_per_ipc(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Each IPC had a device ("Attic IPC") above its camera's ("Attic")."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Slow Live AKLT…demo",
        unique_id=emulator.access_key,
        data=entry_data(emulator),
    )
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    entities = er.async_get(hass)
    attic_room = ar.async_get(hass).async_create("Attic room")
    lounge = ar.async_get(hass).async_create("Lounge")
    roof = lr.async_get(hass).async_create("Roof")
    old: dict[str, str] = {}
    cameras: dict[str, str] = {}
    for name in ("Living Room", "Attic", "Barn"):
        ipc = _device_of(emulator, name)
        parent = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, f"device_{ipc.device_id}")},
            name=f"{name} IPC",
            manufacturer=ipc.manufacturer,
            model="IPC",
            serial_number=ipc.nsid,
        )
        camera = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            identifiers={(DOMAIN, stream_titled(emulator, name).stream_id)},
            name=name,
            manufacturer=ipc.manufacturer,
            model=ipc.model,
            serial_number=stream_titled(emulator, name).channel_id,
            via_device_id=parent.id,
        )
        old[name] = parent.id
        cameras[name] = camera.id
    # What the user set on the IPCs' devices: an area, a label; the living room's
    # camera had an area of its own.
    registry.async_update_device(
        old["Attic"], area_id=attic_room.id, labels={roof.label_id}
    )
    registry.async_update_device(old["Living Room"], area_id=attic_room.id)
    registry.async_update_device(cameras["Living Room"], area_id=lounge.id)
    # An entity on an IPC's own device (none of ours is, but one may be).
    stray = entities.async_get_or_create(
        "sensor",
        DOMAIN,
        "attic-legacy",
        config_entry=entry,
        device_id=old["Attic"],
        disabled_by=er.RegistryEntryDisabler.USER,
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    devices = _devices(hass, entry)
    assert set(devices) == CAMERAS | {"Courtyard NVR"}
    for name in ("Living Room", "Attic", "Barn"):
        assert registry.async_get(old[name]) is None
        camera = devices[name]
        assert camera.id == cameras[name]
        assert camera.via_device_id is None
        assert camera.serial_number == _device_of(emulator, name).nsid
        # Its entities are still on it.
        assert any(
            e.domain == "camera"
            for e in er.async_entries_for_device(entities, camera.id)
        )
    assert devices["Attic"].area_id == attic_room.id
    assert devices["Attic"].labels == {roof.label_id}
    assert devices["Living Room"].area_id == lounge.id
    moved = entities.async_get(stray.entity_id)
    assert moved is not None
    assert moved.device_id == cameras["Attic"]
    # No orphan: every device has entities, or channels below it.
    for device in devices.values():
        below = [d for d in devices.values() if d.via_device_id == device.id]
        assert below or er.async_entries_for_device(
            entities, device.id, include_disabled_entities=True
        ), device.name

    # A restart changes nothing more.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert {n: d.id for n, d in _devices(hass, entry).items()} == {
        n: d.id for n, d in devices.items()
    }
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_a_device_the_cloud_still_has_cannot_be_removed_by_hand(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
) -> None:
    from custom_components.volcengine_slow_live import (
        async_remove_config_entry_device,
    )

    devices = _devices(hass, setup_entry)
    for name in ("Courtyard NVR", "Living Room", "tea-garden-east"):
        assert not await async_remove_config_entry_device(
            hass, setup_entry, devices[name]
        )
    # An IPC's device of its own, from before, is no longer the cloud's.
    living = _device_of(emulator, "Living Room")
    former = dr.async_get(hass).async_get_or_create(
        config_entry_id=setup_entry.entry_id,
        identifiers={(DOMAIN, f"device_{living.device_id}")},
    )
    assert await async_remove_config_entry_device(hass, setup_entry, former)
    # Setting the entry up again removes it anyway.
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get(former.id) is None
