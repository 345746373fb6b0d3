"""PTZ: buttons, the preset select and the ptz / ptz_preset actions, against the emulator.

Every move the cloud is told of must end with a stop, whatever happens in between:
the emulator's command log (`Stream.ptz_log`) shows what the cloud received, in order,
and its PTZ state shows where the camera points.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, FaultRule
from emulator.ptz import pan_delta, read_pan

from .common import camera_entity, has_ptz, setup_integration, stream_titled

PTZ_CAMERAS = ("Living Room", "Barn")


def _commands(emulator: Emulator, title: str) -> list[tuple[str, str, int]]:
    stream = stream_titled(emulator, title)
    return [(a, c, p) for _, a, c, p in stream.ptz_log]


def _entity(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def _button(hass: HomeAssistant, emulator: Emulator, title: str, key: str) -> str:
    return _entity(hass, "button", f"{stream_titled(emulator, title).stream_id}_{key}")


def _select(hass: HomeAssistant, emulator: Emulator, title: str) -> str:
    stream_id = stream_titled(emulator, title).stream_id
    return _entity(hass, "select", f"{stream_id}_ptz_preset")


async def _ptz(hass: HomeAssistant, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "ptz", {"entity_id": entity_id, **data}, blocking=True
    )


async def _preset(hass: HomeAssistant, entity_id: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "ptz_preset",
        {"entity_id": entity_id, **data},
        blocking=True,
        return_response=True,
    )


async def _until(predicate: Any, within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_only_cameras_that_move_get_controls(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Domes and remote-controlled bullets get the buttons and the preset select;
    fixed cameras and RTMP streams get none. Focus and iris start disabled."""
    registry = er.async_get(hass)
    ours = er.async_entries_for_config_entry(registry, setup_entry.entry_id)
    moving = {
        s.stream_id for s in emulator.fleet.main_streams() if has_ptz(emulator, s)
    }
    assert {stream_titled(emulator, t).stream_id for t in PTZ_CAMERAS} <= moving
    buttons = [e for e in ours if e.domain == "button"]
    selects = [e for e in ours if e.domain == "select"]
    assert {e.unique_id.split("_ptz_")[0] for e in buttons} == moving
    assert {e.unique_id.removesuffix("_ptz_preset") for e in selects} == moving
    assert len(buttons) == 11 * len(moving)
    disabled = {
        e.unique_id.split("_ptz_")[1] for e in buttons if e.disabled_by is not None
    }
    assert disabled == {"focus_near", "focus_far", "iris_open", "iris_close"}
    living = _button(hass, emulator, "Living Room", "ptz_left")
    state = hass.states.get(living)
    assert state is not None
    assert state.attributes["friendly_name"].endswith("Turn left")


async def test_a_press_is_a_step_that_ends_with_a_stop(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Left at the default speed for about half a second, then stop: the camera
    turned about 15 degrees left and stands still, and its next screenshot shows
    it; the stop button stops at once."""
    stream = stream_titled(emulator, "Living Room")
    before = stream.ptz.view(emulator.now())
    loop = asyncio.get_running_loop()
    started = loop.time()
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _button(hass, emulator, "Living Room", "ptz_left")},
        blocking=True,
    )
    assert loop.time() - started >= 0.5
    assert _commands(emulator, "Living Room") == [
        ("PTZControl", "left", 128),
        ("PTZControl", "stop", 0),
    ]
    log = stream.ptz_log
    assert 0.4 <= log[1][0] - log[0][0] <= 1.5
    after = stream.ptz.view(emulator.now())
    assert stream.ptz.moving(emulator.now()) is None
    # About 30 degrees a second at speed 4, for the half-second step.
    assert -30 < pan_delta(before.pan, after.pan) < -10
    assert (after.tilt, after.zoom) == (before.tilt, before.zoom)
    # The cloud's screenshot of a minute later shows where it points.
    emulator.clock_offset += 120
    now = dt_util.utcnow() + timedelta(seconds=120)
    client = setup_entry.runtime_data.client
    channel = setup_entry.runtime_data.coordinator.data.channels[stream.stream_id]
    shots = await client.list_stream_screenshots(
        stream.stream_id,
        start=now - timedelta(seconds=60),
        end=now,
        space_id=channel.space.space_id,
    )
    still = await client.fetch_media(max(shots, key=lambda s: s.taken_at).url)
    assert abs(pan_delta(after.pan, read_pan(still))) < 2
    emulator.clock_offset -= 120
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _button(hass, emulator, "Living Room", "ptz_stop")},
        blocking=True,
    )
    assert _commands(emulator, "Living Room")[-1] == ("PTZControl", "stop", 0)
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _button(hass, emulator, "Living Room", "ptz_zoom_in")},
        blocking=True,
    )
    assert _commands(emulator, "Living Room")[-2:] == [
        ("PTZControl", "zoomin", 8),
        ("PTZControl", "stop", 0),
    ]


@pytest.mark.parametrize(
    ("move", "speed", "expected"),
    [
        ("right", 8, ("PTZControl", "right", 255)),
        ("up_left", 1, ("PTZControl", "leftup", 32)),
        ("down_right", 4, ("PTZControl", "rightdown", 128)),
        ("zoom_out", 8, ("PTZControl", "zoomout", 15)),
        ("zoom_in", 1, ("PTZControl", "zoomin", 2)),
        ("focus_near", 4, ("FiControl", "focusnear", 128)),
        ("iris_open", 2, ("FiControl", "irisout", 64)),
        ("iris_close", 2, ("FiControl", "irisin", 64)),
    ],
)
async def test_the_action_maps_moves_and_speeds(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    move: str,
    speed: int,
    expected: tuple[str, str, int],
) -> None:
    """Speeds 1-8 on the cloud's scales (0-255, zoom 0-15); the stop matches the
    kind of move (focus and iris stop with FiControl)."""
    camera = camera_entity(hass, emulator, "Barn")
    await _ptz(hass, camera, move=move, speed=speed, duration=0.1)
    assert _commands(emulator, "Barn") == [expected, (expected[0], "stop", 0)]


async def test_a_move_always_ends_with_a_stop(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The start refused, the caller cancelled, another move replacing it, the stop
    itself failing: the cloud is told to stop every time (or the user is told)."""
    camera = camera_entity(hass, emulator, "Living Room")
    # The start refused: still a stop.
    emulator.faults.add(
        FaultRule("http_error", status=403, action="CloudControl", times=1)
    )
    with pytest.raises(HomeAssistantError) as refused:
        await _ptz(hass, camera, move="left", duration=5)
    assert refused.value.translation_key == "cloud_error"
    assert _commands(emulator, "Living Room") == [("PTZControl", "stop", 0)]
    stream = stream_titled(emulator, "Living Room")
    stream.ptz_log.clear()

    # The caller cancelled halfway (a script stopped): stopped at once.
    call = hass.async_create_task(_ptz(hass, camera, move="up", duration=30))
    await _until(lambda: len(stream.ptz_log) == 1)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await _until(lambda: len(stream.ptz_log) == 2)
    assert _commands(emulator, "Living Room") == [
        ("PTZControl", "up", 128),
        ("PTZControl", "stop", 0),
    ]
    assert stream.ptz_log[1][0] - stream.ptz_log[0][0] < 5
    stream.ptz_log.clear()

    # Replaced by another move: its stop comes before the next start, and the
    # replaced call ends without an error.
    first = hass.async_create_task(_ptz(hass, camera, move="left", duration=30))
    await _until(lambda: len(stream.ptz_log) == 1)
    await _ptz(hass, camera, move="right", duration=0.1)
    await first
    assert _commands(emulator, "Living Room") == [
        ("PTZControl", "left", 128),
        ("PTZControl", "stop", 0),
        ("PTZControl", "right", 128),
        ("PTZControl", "stop", 0),
    ]
    stream.ptz_log.clear()

    # The stop refused: the caller hears of it, the log warns.
    call = hass.async_create_task(_ptz(hass, camera, move="down", duration=0.5))
    await _until(lambda: len(stream.ptz_log) == 1)
    emulator.faults.add(
        FaultRule("http_error", status=403, action="CloudControl", times=1)
    )
    with pytest.raises(HomeAssistantError):
        await call
    assert "may still be moving" in caplog.text
    # A stop with no move of ours running still reaches the cloud (a move started
    # elsewhere, or the one whose stop failed).
    stream.ptz_log.clear()
    await _ptz(hass, camera, move="stop")
    assert _commands(emulator, "Living Room") == [("PTZControl", "stop", 0)]


async def test_unloading_stops_a_running_move(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = camera_entity(hass, emulator, "Living Room")
    stream = stream_titled(emulator, "Living Room")
    call = hass.async_create_task(_ptz(hass, camera, move="left", duration=30))
    await _until(lambda: len(stream.ptz_log) == 1)
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await _until(lambda: len(stream.ptz_log) == 2)
    assert _commands(emulator, "Living Room")[-1] == ("PTZControl", "stop", 0)
    await asyncio.wait({call})


async def test_cameras_that_cannot_move_are_refused(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Named: a translated refusal; reached through an area: skipped."""
    fixed = camera_entity(hass, emulator, "Front Gate")
    with pytest.raises(ServiceValidationError) as refused:
        await _ptz(hass, fixed, move="left")
    assert refused.value.translation_key == "ptz_unsupported"
    assert refused.value.translation_placeholders == {"entity_id": fixed}
    # Rendered from the translations, not the bare key.
    assert str(refused.value).startswith(f"{fixed} cannot pan, tilt or zoom")
    with pytest.raises(ServiceValidationError) as refused:
        await _preset(hass, fixed, operation="go_to", preset="Gate")
    assert refused.value.translation_key == "ptz_unsupported"
    # Through its device: only cameras that move count, and there are none.
    device_id = er.async_get(hass).async_get(fixed).device_id  # type: ignore[union-attr]
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            DOMAIN, "ptz", {"device_id": device_id, "move": "left"}, blocking=True
        )
    assert refused.value.translation_key == "no_ptz_camera"
    assert all(not s.ptz_log for s in emulator.fleet.main_streams())


async def test_an_offline_camera(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Its buttons are unavailable; the action says what the cloud said."""
    stream = stream_titled(emulator, "Living Room")
    emulator.fleet.set_device_status(stream.device_id, "offline")
    await setup_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    button = hass.states.get(_button(hass, emulator, "Living Room", "ptz_left"))
    assert button is not None
    assert button.state == "unavailable"
    select = hass.states.get(_select(hass, emulator, "Living Room"))
    assert select is not None
    assert select.state == "unavailable"
    with pytest.raises(HomeAssistantError) as refused:
        await _ptz(hass, camera_entity(hass, emulator, "Living Room"), move="left")
    assert refused.value.translation_key == "cloud_error"
    assert "DeviceOffline" in str(refused.value)


async def test_presets_round_trip_with_names(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Saved under names (lowest free number), chosen in the select or by the
    action, removed; the names survive a restart and go when the entry does."""
    camera = camera_entity(hass, emulator, "Living Room")
    select = _select(hass, emulator, "Living Room")
    state = hass.states.get(select)
    assert state is not None
    # Nothing saved, nowhere known: an option that says so, not "unknown".
    assert state.attributes["options"] == ["not_at_preset"]
    assert state.state == "not_at_preset"
    # None saved yet: the refusal says how to save one, not "Saved presets: -".
    nothing = await _refusal(hass, camera, operation="go_to", preset="Gate")
    assert nothing.translation_key == "no_presets_saved"
    assert str(nothing) == (
        'Living Room has no preset named "Gate", and no presets are saved yet: point '
        'the camera, then run the action "Camera preset (PTZ)" with "Save the '
        'current position"'
    )
    assert await _preset(hass, camera, operation="save", preset="Gate") == {
        camera: {"preset": "Gate", "number": 1}
    }
    await _preset(hass, camera, operation="save", preset=" Fish  pond ")
    await _preset(hass, camera, operation="save", preset="Far", number=9)
    state = hass.states.get(select)
    assert state is not None
    assert state.attributes["options"] == [
        "not_at_preset",
        "Gate",
        "Fish pond",
        "Far",
    ]
    assert state.state == "Far"  # saved where it stands
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": select, "option": "Gate"},
        blocking=True,
    )
    state = hass.states.get(select)
    assert state is not None
    assert state.state == "Gate"
    # Any other move: the camera no longer stands at a preset.
    await _ptz(hass, camera, move="left", duration=0.1)
    state = hass.states.get(select)
    assert state is not None
    assert state.state == "not_at_preset"
    # Choosing that option turns the camera nowhere: a translated refusal.
    with pytest.raises(ServiceValidationError) as refused:
        await hass.services.async_call(
            "select",
            "select_option",
            {"entity_id": select, "option": "not_at_preset"},
            blocking=True,
        )
    assert refused.value.translation_key == "choose_a_preset"
    assert str(refused.value).startswith('"Not at a preset" only says')
    stream = stream_titled(emulator, "Living Room")
    moved = stream.ptz.view(emulator.now())
    # By name, as people say it (the camera turns back to where it was saved); by
    # number.
    assert await _preset(hass, camera, operation="go_to", preset="fish POND") == {
        camera: {"preset": "Fish pond", "number": 2}
    }
    back = stream.ptz.view(emulator.now())
    assert back == stream.ptz.presets[2]
    assert back.pan != moved.pan
    assert await _preset(hass, camera, operation="go_to", number=9) == {
        camera: {"preset": "Far", "number": 9}
    }
    # Saving an existing name again: the same number, where the camera stands.
    assert await _preset(hass, camera, operation="save", preset="gate") == {
        camera: {"preset": "gate", "number": 1}
    }
    await _preset(hass, camera, operation="remove", preset="Far")
    assert _commands(emulator, "Living Room") == [
        ("PresetControl", "set", 1),
        ("PresetControl", "set", 2),
        ("PresetControl", "set", 9),
        ("PresetControl", "goto", 1),
        ("PTZControl", "left", 128),
        ("PTZControl", "stop", 0),
        ("PresetControl", "goto", 2),
        ("PresetControl", "goto", 9),
        ("PresetControl", "set", 1),
        ("PresetControl", "remove", 9),
    ]
    state = hass.states.get(select)
    assert state is not None
    assert state.attributes["options"] == ["not_at_preset", "gate", "Fish pond"]

    # Mistakes: a translated refusal, nothing sent.
    sent = len(stream_titled(emulator, "Living Room").ptz_log)
    for data, key in (
        ({"operation": "go_to", "preset": "Moon"}, "unknown_preset"),
        ({"operation": "remove", "preset": "Moon"}, "unknown_preset"),
        ({"operation": "save", "number": 3}, "preset_name_required"),
        ({"operation": "save", "preset": "  "}, "invalid_preset_name"),
        ({"operation": "save", "preset": "x" * 65}, "invalid_preset_name"),
        ({"operation": "save", "preset": "Other", "number": 2}, "preset_number_taken"),
        ({"operation": "save", "preset": " NOT_at_preset"}, "preset_name_reserved"),
    ):
        with pytest.raises(ServiceValidationError) as refused:
            await _preset(hass, camera, **data)
        assert refused.value.translation_key == key, data
        assert str(refused.value) != key
    refused_go = await _refusal(hass, camera, operation="go_to", preset="Moon")
    assert refused_go.translation_placeholders == {
        "name": "Moon",
        "camera": "Living Room",
        "presets": "gate, Fish pond",
    }
    assert len(stream_titled(emulator, "Living Room").ptz_log) == sent

    # A restart keeps the names; where the camera points is not known then (the
    # cloud cannot tell).
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(select)
    assert state is not None
    assert state.attributes["options"] == ["not_at_preset", "gate", "Fish pond"]
    assert state.state == "not_at_preset"
    # Removing the entry deletes them.
    assert await hass.config_entries.async_remove(setup_entry.entry_id)
    again = await setup_integration(hass, emulator)
    state = hass.states.get(_select(hass, emulator, "Living Room"))
    assert state is not None
    assert state.attributes["options"] == ["not_at_preset"]
    assert again.state.value == "loaded"


async def _refusal(
    hass: HomeAssistant, camera: str, **data: Any
) -> ServiceValidationError:
    try:
        await _preset(hass, camera, **data)
    except ServiceValidationError as err:
        return err
    raise AssertionError("not refused")


async def test_preset_numbers_run_out(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """All 255 numbers named: a new name is refused, nothing sent; a call naming no
    preset is refused too."""
    from custom_components.volcengine_slow_live.ptz.controller import PresetOperation

    living = stream_titled(emulator, "Living Room")
    hass_storage[f"{DOMAIN}.{setup_entry.entry_id}.presets"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{setup_entry.entry_id}.presets",
        "data": {"presets": {living.stream_id: {f"p{n}": n for n in range(1, 256)}}},
    }
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    camera = camera_entity(hass, emulator, "Living Room")
    with pytest.raises(ServiceValidationError) as refused:
        await _preset(hass, camera, operation="save", preset="One more")
    assert refused.value.translation_key == "presets_full"
    controller = setup_entry.runtime_data.ptz
    channel = setup_entry.runtime_data.coordinator.data.channels[living.stream_id]
    with pytest.raises(ServiceValidationError) as refused:
        await controller.async_preset(channel, PresetOperation.GO_TO)
    assert refused.value.translation_key == "preset_name_required"
    assert living.ptz_log == []


async def test_a_preset_named_like_the_placeholder_is_listed_once(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A name saved before "not_at_preset" was reserved does not list that option
    twice."""
    living = stream_titled(emulator, "Living Room")
    hass_storage[f"{DOMAIN}.{setup_entry.entry_id}.presets"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{setup_entry.entry_id}.presets",
        "data": {"presets": {living.stream_id: {"Gate": 1, "not_at_preset": 2}}},
    }
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(_select(hass, emulator, "Living Room"))
    assert state is not None
    assert state.attributes["options"] == ["not_at_preset", "Gate"]
