"""The cameras' own alarms as event entities, read from the emulator over HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.components.media_source import async_resolve_media
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.volcengine_slow_live.alarms.watcher import (
    REMEMBERED,
    AlarmWatcher,
)
from custom_components.volcengine_slow_live.api.models import (
    AlarmKind,
    DeviceAlarm,
    alarm_kind,
)
from custom_components.volcengine_slow_live.const import ALARM_POLL_INTERVAL, DOMAIN
from custom_components.volcengine_slow_live.coordinator import TOLERATED_FAILURES
from custom_components.volcengine_slow_live.live.stills import offline_picture
from emulator import Emulator
from emulator.alarms import trigger

from .common import fail_refreshes, record_everything, stream_titled


def _event_entity(hass: HomeAssistant, emulator: Emulator, title: str) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{stream_titled(emulator, title).stream_id}_alarm"
    )


def _fired(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    """Collect every event the entity fires (its state changes)."""
    seen: list[dict[str, Any]] = []

    @callback
    def changed(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if new is not None and new.attributes.get("alarm_id"):
            seen.append(dict(new.attributes))

    async_track_state_change_event(hass, [entity_id], changed)
    return seen


async def _poll(hass: HomeAssistant) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + ALARM_POLL_INTERVAL)
    # Interval jobs run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_an_alarm_becomes_an_event_once(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    # Garden raises no alarms of its own (Front Gate does, about six an hour).
    gate = _event_entity(hass, emulator, "Garden")
    assert gate is not None
    # RTMP streams have no device, hence no alarms and no event entity.
    assert _event_entity(hass, emulator, "East Terrace") is None
    state = hass.states.get(gate)
    assert state is not None
    assert state.attributes["device_class"] == "motion"
    assert state.attributes["event_types"] == [kind.value for kind in AlarmKind]
    # Front Gate's history is not news at the first start, nor its last minute.
    front = hass.states.get(_event_entity(hass, emulator, "Front Gate") or "")
    assert front is not None
    assert front.state == "unknown"
    assert state.state == "unknown"

    fired = _fired(hass, gate)
    raised = trigger(stream_titled(emulator, "Garden"), emulator.now())
    await _poll(hass)
    assert [f["alarm_id"] for f in fired] == [raised.alarm_id]
    event = fired[0]
    assert hass.states.get(gate).attributes["event_type"] == "motion"  # type: ignore[union-attr]
    assert event["priority"] == 2
    assert event["description"] == "Motion detected"
    assert (event["alarm_method"], event["alarm_type"]) == (5, 2)
    assert dt_util.parse_datetime(event["time"]) is not None
    # Once: the next polls read it again (overlap) and skip it.
    await _poll(hass)
    await _poll(hass)
    assert len(fired) == 1

    # Its media_content_id plays the recording around it (Garden records only
    # clips of its own events: here, all the time).
    record_everything(emulator)
    assert await async_setup_component(hass, "media_source", {})
    played = await async_resolve_media(hass, event["media_content_id"], None)
    assert played.url.startswith(emulator.base_url)


async def test_missed_alarms_fire_after_a_restart_each_once(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    back_door = stream_titled(emulator, "Garage")  # no alarms of its own
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    # While Home Assistant was away: an intrusion, then motion.
    first = trigger(back_door, emulator.now(), method=5, kind=6)
    await asyncio.sleep(1.1)
    second = trigger(back_door, emulator.now())
    entity_id = _event_entity(hass, emulator, "Garage")
    assert entity_id is not None
    fired = _fired(hass, entity_id)
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert [f["alarm_id"] for f in fired] == [first.alarm_id, second.alarm_id]
    assert hass.states.get(entity_id).attributes["event_type"] == "motion"  # type: ignore[union-attr]
    await _poll(hass)
    assert len(fired) == 2


async def test_one_listing_per_device_and_failures_are_retried(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """The NVR's four channels cost one listing; a failed one is read again."""
    from emulator import FaultRule

    before = emulator.count("ListDeviceAlarms")
    await _poll(hass)
    # Three devices report alarms: the NVR, Living Room, Barn (Attic is offline and
    # reports none); one listing each.
    assert emulator.count("ListDeviceAlarms") - before == 3

    gate = stream_titled(emulator, "Garden")
    entity_id = _event_entity(hass, emulator, "Garden")
    assert entity_id is not None
    fired = _fired(hass, entity_id)
    emulator.faults.add(
        FaultRule(kind="http_error", status=500, action="ListDeviceAlarms")
    )
    raised = trigger(gate, emulator.now())
    await _poll(hass)
    assert fired == []
    emulator.faults.clear()
    await _poll(hass)
    assert [f["alarm_id"] for f in fired] == [raised.alarm_id]


async def test_nothing_is_read_while_the_cloud_cannot_be(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Alarms are still read while failed refreshes are ridden out, not after."""
    from emulator import FaultRule

    coordinator = setup_entry.runtime_data.coordinator
    emulator.faults.add(FaultRule(kind="malformed_json", action="ListSpaces"))
    await fail_refreshes(coordinator, TOLERATED_FAILURES)
    # (Each watcher polls once when started; the next poll is an hour away.)
    watcher = AlarmWatcher(hass, coordinator, timedelta(hours=1))
    before = emulator.count("ListDeviceAlarms")
    await watcher.async_start()
    watcher.async_stop()
    assert emulator.count("ListDeviceAlarms") > before
    await fail_refreshes(coordinator, 1)
    assert not coordinator.last_update_success
    watcher = AlarmWatcher(hass, coordinator, timedelta(hours=1))
    before = emulator.count("ListDeviceAlarms")
    await watcher.async_start()
    watcher.async_stop()
    assert emulator.count("ListDeviceAlarms") == before


def test_alarm_kinds() -> None:
    assert alarm_kind(5, 2) is AlarmKind.MOTION
    assert alarm_kind(5, 6) is AlarmKind.INTRUSION
    assert alarm_kind(2, 3) is AlarmKind.DEVICE_FAULT  # storage full
    assert alarm_kind(2, 1) is AlarmKind.TAMPERING  # video loss
    assert alarm_kind(6, 9) is AlarmKind.DEVICE_FAULT
    assert alarm_kind(5, 99) is AlarmKind.OTHER
    assert alarm_kind(None, None) is AlarmKind.OTHER


async def test_alarms_of_unknown_or_unnamed_channels(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """An IPC's alarm without a channel id is its one channel's; an unknown channel's
    alarm is dropped (its channel is not ours); ids are remembered, not forever."""
    coordinator = setup_entry.runtime_data.coordinator
    watcher = AlarmWatcher(hass, coordinator, timedelta(hours=1))
    living = stream_titled(emulator, "Living Room")
    entity_id = _event_entity(hass, emulator, "Living Room")
    assert entity_id is not None
    fired = _fired(hass, entity_id)
    now = dt_util.utcnow()
    alarms = [
        DeviceAlarm(alarm_id=f"a{n}", at=now, channel_id="", method=5, type=6)
        for n in range(REMEMBERED + 5)
    ]
    watcher._fire("ipc", {living.channel_id: living.stream_id}, alarms)
    await hass.async_block_till_done()
    assert len(fired) == REMEMBERED + 5
    assert fired[-1]["alarm_id"] == f"a{REMEMBERED + 4}"
    assert len(watcher._seen["ipc"]) == REMEMBERED
    two = {"c1": living.stream_id, "c2": "elsewhere"}
    watcher._fire("nvr", two, [DeviceAlarm(alarm_id="x", at=now, channel_id="c9")])
    await hass.async_block_till_done()
    assert len(fired) == REMEMBERED + 5


async def test_an_alarm_event_is_replayed_by_the_actions(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    from homeassistant.exceptions import ServiceValidationError
    import pytest

    record_everything(emulator)
    entity_id = _event_entity(hass, emulator, "Garden")
    assert entity_id is not None
    fired = _fired(hass, entity_id)
    trigger(stream_titled(emulator, "Garden"), emulator.now())
    await _poll(hass)
    event = fired[-1]
    # The event's data as a trigger gives it; no camera named: the alarm's own.
    answer = await hass.services.async_call(
        DOMAIN,
        "get_recording",
        {"event": event},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    ((camera, links),) = answer.items()
    assert camera.startswith("camera.garden")
    alarm_at = dt_util.parse_datetime(event["time"])
    assert alarm_at is not None
    requested = dt_util.parse_datetime(links["requested"]["start"])
    assert requested == alarm_at - timedelta(seconds=10)
    assert links["hls"].startswith(emulator.base_url)
    # Its media_content_id alone does the same.
    again = await hass.services.async_call(
        DOMAIN,
        "get_recording",
        {"event": event["media_content_id"]},
        blocking=True,
        return_response=True,
    )
    assert again is not None
    assert again[camera]["requested"]["start"] == links["requested"]["start"]
    for data, key in (
        (
            {"event": "media-source://volcengine_slow_live/x/y/last_hour"},
            "invalid_event",
        ),
        ({"event": {"alarm_id": "x"}}, "invalid_event"),
        ({"event": "camera.garden"}, "invalid_event"),
        ({"event": event, "duration": 60}, "event_with_range"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, "get_recording", data, blocking=True, return_response=True
            )
        assert err.value.translation_key == key, data


async def test_the_last_alarm_image(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client: Any,
) -> None:
    """The screenshot nearest the alarm, read once; no picture before an alarm."""
    garden = stream_titled(emulator, "Garden")
    entity_id = er.async_get(hass).async_get_entity_id(
        "image", DOMAIN, f"{garden.stream_id}_last_alarm"
    )
    assert entity_id is not None
    # RTMP streams (no device) have none.
    east = stream_titled(emulator, "East Terrace")
    assert (
        er.async_get(hass).async_get_entity_id(
            "image", DOMAIN, f"{east.stream_id}_last_alarm"
        )
        is None
    )
    client = await hass_client()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "unknown"
    # No picture to fetch yet: none is offered (Home Assistant would answer 500).
    assert "entity_picture" not in state.attributes
    assert (await client.get(f"/api/image_proxy/{entity_id}")).status != 200

    raised = trigger(garden, emulator.now())
    await _poll(hass)
    state = hass.states.get(entity_id)
    assert state is not None
    assert dt_util.parse_datetime(state.state) == raised_at(raised)
    shots = emulator.count("ListStreamScreenshots")
    for _ in range(2):
        response = await client.get(f"/api/image_proxy/{entity_id}")
        assert response.status == 200
        assert (await response.read()).startswith(b"\xff\xd8")
    # One listing, of the alarm's hour (the next one has not begun).
    assert emulator.count("ListStreamScreenshots") == shots + 1
    assert "volcSecret" not in str(state.attributes)
    # The screenshot after the alarm is not taken yet: once it must be, the picture
    # is read again and the state says it changed (cards fetch it anew).
    image = hass.data["image"].get_entity(entity_id)
    assert image._image is not None
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=80))
    await hass.async_block_till_done()
    again = hass.states.get(entity_id)
    assert again is not None
    assert dt_util.parse_datetime(again.state) > raised_at(raised)
    assert image._image is None
    response = await client.get(f"/api/image_proxy/{entity_id}")
    assert response.status == 200
    # No screenshot near an alarm (the cloud keeps them for days): no picture.
    long_ago = DeviceAlarm(alarm_id="old", at=dt_util.utcnow() - timedelta(days=60))
    shots = emulator.count("ListStreamScreenshots")
    assert await image._async_fetch(long_ago) is None
    # Its hour, and the one beside it its two minutes may reach into.
    assert 1 <= emulator.count("ListStreamScreenshots") - shots <= 2


def raised_at(alarm: Any) -> Any:
    """An emulator alarm's time as Home Assistant's event shows it."""
    return dt_util.utc_from_timestamp(alarm.at)


async def test_the_last_alarm_image_without_screenshots(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client: Any,
) -> None:
    """No screenshot template: the cover of the recording holding the alarm; no
    recording there, or the cloud failing: no picture (a crossed-out camera shown)."""
    from emulator import FaultRule

    record_everything(emulator)
    home = next(s for s in emulator.fleet.spaces.values() if s.name == "Home")
    home.screenshot_template = None
    await setup_entry.runtime_data.coordinator.async_refresh()
    garden = stream_titled(emulator, "Garden")
    entity_id = er.async_get(hass).async_get_entity_id(
        "image", DOMAIN, f"{garden.stream_id}_last_alarm"
    )
    image = hass.data["image"].get_entity(entity_id)
    hour_ago = dt_util.utcnow() - timedelta(hours=1)
    alarm = DeviceAlarm(alarm_id="a", at=hour_ago)
    picture = await image._async_fetch(alarm)
    assert picture is not None
    assert picture.startswith(b"\xff\xd8")
    assert emulator.count("ListStreamScreenshots") == 0
    # Now: the file being written is not listed yet, so no cover.
    assert (
        await image._async_fetch(DeviceAlarm(alarm_id="b", at=dt_util.utcnow())) is None
    )
    emulator.faults.add(FaultRule("http_error", status=403, action="ListStreamRecords"))
    setup_entry.runtime_data.recordings._files.clear()
    # (A picture read before is kept: another moment of that hour.)
    other = hour_ago - timedelta(seconds=5)
    assert await image._async_fetch(DeviceAlarm(alarm_id="c", at=other)) is None
    emulator.faults.clear()
    # Neither screenshots nor recordings: nothing is asked for.
    home.record_template = None
    await setup_entry.runtime_data.coordinator.async_refresh()
    reads = emulator.count("ListStreamRecords")
    unseen = hour_ago - timedelta(seconds=10)
    assert await image._async_fetch(DeviceAlarm(alarm_id="d", at=unseen)) is None
    assert emulator.count("ListStreamRecords") == reads
    # An alarm then: its picture is a crossed-out camera, not an error.
    trigger(garden, emulator.now())
    await _poll(hass)
    state = hass.states.get(entity_id)
    assert state is not None
    assert "entity_picture" in state.attributes
    response = await (await hass_client()).get(f"/api/image_proxy/{entity_id}")
    assert response.status == 200
    assert await response.read() == offline_picture()
    # The channel gone from the cloud: no picture, no read.
    emulator.fleet.remove_stream(garden.stream_id)
    await setup_entry.runtime_data.coordinator.async_refresh()
    assert await image._async_fetch(DeviceAlarm(alarm_id="e", at=unseen)) is None
    assert emulator.count("ListStreamRecords") == reads


async def test_a_large_fleet_is_polled_in_turns(
    hass: HomeAssistant, emulator_factory: Any
) -> None:
    """Polls use at most half of ListDeviceAlarms' limit: with a short interval (2 s:
    10 devices a poll) 30-odd reporting devices are read in turns, each once per
    round, and nothing is throttled."""
    from emulator import Fleet

    from .common import setup_integration as setup

    fleet = Fleet.generate(spaces=1, channels=100)
    for device in fleet.devices.values():
        device.alerts = True
    emulator = await emulator_factory(fleet=fleet)
    entry = await setup(hass, emulator)
    coordinator = entry.runtime_data.coordinator
    watcher = AlarmWatcher(hass, coordinator, timedelta(seconds=2))
    reporting = sorted(watcher._reporting())
    assert len(reporting) > 20
    seen: list[str] = []
    for _ in range(-(-len(reporting) // 10)):
        before = len(emulator.requests("ListDeviceAlarms"))
        await watcher._async_poll_devices(dt_util.utcnow())
        asked = [
            r.params["DeviceID"] for r in emulator.requests("ListDeviceAlarms")[before:]
        ]
        assert len(asked) == 10
        seen += asked
    # One round reads every device (the last turn wraps around to the first ones).
    assert set(seen) == set(reporting)
    assert emulator.count(status=429) == 0


def test_the_alarm_benchmarks_poll_figures() -> None:
    """benchmarks/alarms.py: poll mode at 1,000 channels stays at half the limit."""
    from benchmarks.alarms import poll_cost, table

    figures = poll_cost()
    assert figures["poll_devices"] > 150
    assert figures["poll_requests_per_hour"] == 18000
    assert figures["poll_share_of_limit"] == 0.5
    shown = table(
        {
            **figures,
            "callback_alarms": 3,
            "callback_to_event_p50_ms": 7.0,
            "callback_to_event_p99_ms": 9.0,
            "throttled_responses": 0,
        }
    )
    assert "| 7.0 / 9.0 ms |" in shown
    assert "18000 (50% of the 10/s limit" in shown
