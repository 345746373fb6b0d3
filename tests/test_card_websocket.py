"""The Slow Live card's websocket commands, against the emulator over HTTP.

`timeline`: a window's recorded spans (exactly as get_recording reports them) and its
alarms, validated and clamped to what the cloud keeps, cached for a minute;
`playback`: a link playing from a moment, or the closest recordings when nothing is
there. Both only for users who may read the camera.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.auth.models import Group
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockUser
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.volcengine_slow_live.card import frontend
from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, FaultRule
from emulator.alarms import trigger

from .common import camera_entity, setup_integration, stream_titled
from .conftest import assert_link_plays

TIMELINE = f"{DOMAIN}/timeline"
PLAYBACK = f"{DOMAIN}/playback"


def _now() -> datetime:
    return dt_util.utcnow().replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _ask(client: Any, **msg: Any) -> dict[str, Any]:
    await client.send_json_auto_id(msg)
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def _result(client: Any, **msg: Any) -> dict[str, Any]:
    answer = await _ask(client, **msg)
    assert answer["success"], answer
    result: dict[str, Any] = answer["result"]
    return result


async def _error(client: Any, **msg: Any) -> dict[str, Any]:
    answer = await _ask(client, **msg)
    assert not answer["success"], answer
    error: dict[str, Any] = answer["error"]
    return error


async def _get_recording(hass: HomeAssistant, camera: str, start: str, end: str) -> Any:
    response = await hass.services.async_call(
        DOMAIN,
        "get_recording",
        {"entity_id": camera, "start": start, "end": end},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return response[camera]


async def test_timeline_spans_match_get_recording_and_alarms_are_listed(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    front = stream_titled(emulator, "Front Gate")
    front.alarms_per_hour = 0
    now = int(emulator.now())
    # Two gaps in the day: the spans around them are what get_recording reports.
    pauses = [(now - 5 * 3600, now - 4 * 3600), (now - 20 * 3600, now - 19 * 3600)]
    emulator.fleet.set_recording(
        front.stream_id, "continuous", outages=False, pauses=pauses
    )
    motion = trigger(front, now - 3 * 3600)
    intrusion = trigger(front, now - 600, method=5, kind=6)
    trigger(front, now - 2 * 86400)  # before the window
    entry = await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Front Gate")
    client = await hass_ws_client(hass)
    # A settled window (ended over two hours ago), so both answers are final.
    end = _now() - timedelta(hours=3)
    start = end - timedelta(hours=21)
    timeline = await _result(
        client, type=TIMELINE, entity_id=camera, start=_iso(start), end=_iso(end)
    )
    recording = await _get_recording(hass, camera, _iso(start), _iso(end))
    assert timeline["recorded"] == [
        {"start": span["start"], "end": span["end"]} for span in recording["recorded"]
    ]
    assert len(timeline["recorded"]) == 3
    assert _at(timeline["recorded"][1]["start"]) == dt_util.utc_from_timestamp(
        pauses[1][1]
    )
    assert _at(timeline["start"]) == start
    assert _at(timeline["end"]) == end
    assert timeline["records"] is True
    assert timeline["reports_alarms"] is True
    (alarm,) = timeline["alarms"]
    assert alarm["id"] == motion.alarm_id
    assert alarm["kind"] == "motion"
    assert _at(alarm["time"]) == dt_util.utc_from_timestamp(motion.at)
    assert alarm["picture"] == (
        f"/api/{DOMAIN}/alarm_picture/{entry.entry_id}/{front.stream_id}/{motion.at}.jpg"
    )
    # The last 24 h: both alarms of the day, oldest first, spans up to now.
    day = await _result(
        client,
        type=TIMELINE,
        entity_id=camera,
        start=_iso(_now() - timedelta(hours=24)),
        end=_iso(_now() + timedelta(hours=1)),  # the future is cut off
    )
    assert [a["id"] for a in day["alarms"]] == [motion.alarm_id, intrusion.alarm_id]
    assert day["alarms"][1]["kind"] == "intrusion"
    assert _at(day["end"]) <= _now()
    assert _now() - _at(day["recorded"][-1]["end"]) < timedelta(minutes=1)
    assert _at(day["retention"]["recordings"]) < _now() - timedelta(days=29)
    assert _at(day["retention"]["alarms"]) == _at(day["now"]) - timedelta(days=7)


async def test_timeline_reopened_within_a_minute_costs_no_request(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Front Gate")
    client = await hass_ws_client(hass)

    async def last_day(**extra: Any) -> dict[str, Any]:
        return await _result(
            client,
            type=TIMELINE,
            entity_id=camera,
            start=_iso(_now() - timedelta(hours=24)),
            end=_iso(_now()),
            **extra,
        )

    first = await last_day()
    listed = emulator.count("ListStreamRecords")
    alarms = emulator.count("ListDeviceAlarms")
    assert listed
    assert alarms
    # Re-opened (its window moved on by a second or so), zoomed to an hour of it.
    again = await last_day()
    hour = await _result(
        client,
        type=TIMELINE,
        entity_id=camera,
        start=_iso(_now() - timedelta(hours=2)),
        end=_iso(_now() - timedelta(hours=1)),
    )
    assert emulator.count("ListStreamRecords") == listed
    assert emulator.count("ListDeviceAlarms") == alarms
    # As the first answer had it (a minute at most behind).
    assert again["recorded"][-1]["end"] == first["recorded"][-1]["end"]
    assert len(hour["recorded"]) == 1
    # After an alarm fired, the card asks for what is new.
    await last_day(refresh=True)
    assert emulator.count("ListStreamRecords") > listed
    assert emulator.count("ListDeviceAlarms") == alarms + 1


async def test_timeline_of_cameras_without_recordings_or_alarms(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    await setup_integration(hass, emulator)
    client = await hass_ws_client(hass)
    listed = emulator.count("ListStreamRecords")
    # The Barn's space has no recording template: nothing is asked of the cloud.
    garage = await _result(
        client,
        type=TIMELINE,
        entity_id=camera_entity(hass, emulator, "Barn"),
        start=_iso(_now() - timedelta(hours=1)),
        end=_iso(_now()),
    )
    assert garage["records"] is False
    assert garage["recorded"] == []
    assert emulator.count("ListStreamRecords") == listed
    # An RTMP stream has no device to report alarms.
    rtmp = next(s for s in emulator.fleet.main_streams() if not s.is_gb)
    stream = await _result(
        client,
        type=TIMELINE,
        entity_id=camera_entity(hass, emulator, rtmp.title),
        start=_iso(_now() - timedelta(hours=1)),
        end=_iso(_now()),
    )
    assert stream["reports_alarms"] is False
    assert stream["alarms"] == []


async def test_timeline_window_is_validated_and_clamped(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Front Gate")
    client = await hass_ws_client(hass)
    now = _now()

    async def refused(start: Any, end: Any, entity_id: str = camera) -> Any:
        return await _error(
            client, type=TIMELINE, entity_id=entity_id, start=start, end=end
        )

    error = await refused(
        _iso(now - timedelta(hours=1)), _iso(now - timedelta(hours=2))
    )
    assert error["translation_key"] == "end_before_start"
    assert error["code"] == "home_assistant_error"
    error = await refused(_iso(now - timedelta(hours=26)), _iso(now))
    assert error["translation_key"] == "timeline_too_long"
    assert error["translation_placeholders"] == {"hours": "25"}
    assert "25 hours" in error["message"]
    error = await refused(
        _iso(now + timedelta(hours=1)), _iso(now + timedelta(hours=2))
    )
    assert error["translation_key"] == "start_in_future"
    # Gone from the cloud: the retention's edge is named.
    error = await refused(
        _iso(now - timedelta(days=31)), _iso(now - timedelta(days=30, hours=12))
    )
    assert error["translation_key"] == "before_retention"
    assert error["translation_placeholders"]["days"] == "30"
    error = await refused("yesterday", _iso(now))
    assert error["code"] == "invalid_format"
    error = await refused(
        _iso(now - timedelta(hours=1)), _iso(now), "camera.somebody_elses"
    )
    assert error["translation_key"] == "not_our_camera"
    # Across the retention's edge: the window starts where the cloud's keeping does.
    edge = await _result(
        client,
        type=TIMELINE,
        entity_id=camera,
        start=_iso(now - timedelta(days=30, hours=6)),
        end=_iso(now - timedelta(days=29, hours=12)),
    )
    assert _at(edge["start"]) == _at(edge["retention"]["recordings"])
    assert _at(edge["start"]) > now - timedelta(days=30)
    # Older than the alarms' week: none asked for.
    assert edge["alarms"] == []
    # A time without a zone is Home Assistant's.
    local = dt_util.as_local(now - timedelta(hours=2)).replace(tzinfo=None)
    naive = await _result(
        client,
        type=TIMELINE,
        entity_id=camera,
        start=local.isoformat(),
        end=(local + timedelta(hours=1)).isoformat(),
    )
    assert _at(naive["start"]) == now - timedelta(hours=2)
    # Starting right at the edge between finished files and fresh segments (two
    # hours ago, in milliseconds as the card sends it): one listing of each kind.
    edge_ms = dt_util.utcnow() - timedelta(hours=2)
    fresh = await _result(
        client,
        type=TIMELINE,
        entity_id=camera,
        start=edge_ms.isoformat(timespec="milliseconds"),
        end=(edge_ms + timedelta(minutes=30)).isoformat(timespec="milliseconds"),
    )
    assert len(fresh["recorded"]) == 1


async def _user_token(hass: HomeAssistant, policy: dict[str, Any]) -> str:
    group = Group(name="Gate only", policy=policy)
    user = MockUser(groups=[group]).add_to_hass(hass)
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return hass.auth.async_create_access_token(refresh)


async def test_only_users_who_may_read_the_camera_get_answers(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    await setup_integration(hass, emulator)
    gate = camera_entity(hass, emulator, "Front Gate")
    door = camera_entity(hass, emulator, "Back Door")
    window = {
        "start": _iso(_now() - timedelta(minutes=30)),
        "end": _iso(_now() - timedelta(minutes=20)),
    }
    # A read-only user may read every entity.
    reader = await hass_ws_client(hass, access_token=hass_read_only_access_token)
    await _result(reader, type=TIMELINE, entity_id=door, **window)
    # A user allowed the gate only gets nothing about the back door, not even
    # whether it is one of our cameras.
    token = await _user_token(hass, {"entities": {"entity_ids": {gate: True}}})
    limited = await hass_ws_client(hass, access_token=token)
    await _result(limited, type=TIMELINE, entity_id=gate, **window)
    links = emulator.count("CloudRecordPlay")
    for command in (TIMELINE, PLAYBACK):
        for entity_id in (door, "camera.not_there"):
            error = await _error(limited, type=command, entity_id=entity_id, **window)
            assert error["code"] == "unauthorized"
    assert emulator.count("CloudRecordPlay") == links
    played = await _result(limited, type=PLAYBACK, entity_id=gate, **window)
    assert played["url"]


async def test_playback_plays_from_the_moment(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Front Gate")
    client = await hass_ws_client(hass)
    moment = _now() - timedelta(hours=3)
    played = await _result(client, type=PLAYBACK, entity_id=camera, start=_iso(moment))
    assert played["moment_recorded"] is True
    # The link's first frame is the moment; an hour follows to seek in.
    assert _at(played["start"]) == moment
    assert _at(played["end"]) == moment + timedelta(hours=1)
    assert _at(played["requested"]) == moment
    assert (
        timedelta(minutes=80) < _at(played["expires"]) - _now() <= timedelta(minutes=90)
    )
    params = emulator.requests("CloudRecordPlay")[-1].params
    assert int(params["StartTs"]) == int(moment.timestamp())
    await assert_link_plays(played["url"], "application/vnd.apple.mpegurl")
    # Near now: up to now, played at once (no waiting for footage on its way).
    recent = _now() - timedelta(minutes=2)
    played = await _result(client, type=PLAYBACK, entity_id=camera, start=_iso(recent))
    assert _at(played["start"]) == recent
    assert _at(played["end"]) <= _now()
    # With an end: that range.
    played = await _result(
        client,
        type=PLAYBACK,
        entity_id=camera,
        start=_iso(moment),
        end=_iso(moment + timedelta(minutes=5)),
    )
    assert _at(played["end"]) == moment + timedelta(minutes=5)


async def test_playback_of_an_unrecorded_moment_offers_the_closest(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    front = stream_titled(emulator, "Front Gate")
    now = int(emulator.now())
    gap = (now - 6 * 3600, now - 3 * 3600)
    emulator.fleet.set_recording(
        front.stream_id, "continuous", outages=False, pauses=[gap]
    )
    await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Front Gate")
    client = await hass_ws_client(hass)
    # Deep in the gap: no link, the recordings on either side.
    moment = dt_util.utc_from_timestamp(gap[0] + 3600)
    answer = await _result(client, type=PLAYBACK, entity_id=camera, start=_iso(moment))
    assert answer["url"] is None
    assert answer["moment_recorded"] is False
    assert _at(answer["before"]["end"]) == dt_util.utc_from_timestamp(gap[0])
    assert _at(answer["after"]["start"]) == dt_util.utc_from_timestamp(gap[1])
    # Near the gap's end: a link from where recording resumes, said to be later.
    moment = dt_util.utc_from_timestamp(gap[1] - 600)
    answer = await _result(client, type=PLAYBACK, entity_id=camera, start=_iso(moment))
    assert answer["moment_recorded"] is False
    assert _at(answer["start"]) == dt_util.utc_from_timestamp(gap[1])
    assert answer["after"]["start"] == answer["start"]
    await assert_link_plays(answer["url"], "application/vnd.apple.mpegurl")


async def test_cloud_failures_are_said(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Garage")
    client = await hass_ws_client(hass)
    moment = _now() - timedelta(hours=3)
    # The recordings before an empty moment are a courtesy: without them, the
    # answer still says nothing is there.
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=400,
            code="InvalidParameter",
            action="ListStreamRecords",
            match={"StartTime": str(int(moment.timestamp()) - 86400)},
        )
    )
    answer = await _result(client, type=PLAYBACK, entity_id=camera, start=_iso(moment))
    assert answer["url"] is None
    assert answer["before"] is None
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=400,
            code="InvalidParameter",
            action="ListStreamRecords",
        )
    )
    error = await _error(
        client,
        type=TIMELINE,
        entity_id=camera,
        start=_iso(moment - timedelta(hours=5)),
        end=_iso(moment - timedelta(hours=4)),
    )
    assert error["translation_key"] == "cloud_error"
    assert error["translation_placeholders"]["code"] == "InvalidParameter"


async def test_playback_refusals(
    hass: HomeAssistant, emulator: Emulator, hass_ws_client: WebSocketGenerator
) -> None:
    await setup_integration(hass, emulator)
    camera = camera_entity(hass, emulator, "Front Gate")
    client = await hass_ws_client(hass)
    now = _now()
    error = await _error(
        client,
        type=PLAYBACK,
        entity_id=camera_entity(hass, emulator, "Barn"),
        start=_iso(now - timedelta(hours=1)),
    )
    assert error["translation_key"] == "not_recorded"
    # The Garage's space records, the Garage does not: nothing either side.
    answer = await _result(
        client,
        type=PLAYBACK,
        entity_id=camera_entity(hass, emulator, "Garage"),
        start=_iso(now - timedelta(hours=1)),
    )
    assert answer == {
        "url": None,
        "requested": _iso(dt_util.as_local(now - timedelta(hours=1))),
        "moment_recorded": False,
        "before": None,
        "after": None,
    }
    error = await _error(
        client, type=PLAYBACK, entity_id=camera, start=_iso(now + timedelta(minutes=1))
    )
    assert error["translation_key"] == "start_in_future"
    # Inside the retention's window but before its edge: what was there is gone.
    error = await _error(
        client,
        type=PLAYBACK,
        entity_id=camera,
        start=_iso(now - timedelta(days=30, minutes=5)),
    )
    assert error["translation_key"] == "before_retention"


async def test_the_card_is_served_and_loaded_by_the_frontend(
    hass: HomeAssistant, emulator: Emulator, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, "frontend", {})
    await setup_integration(hass, emulator)
    from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL

    (url,) = [u for u in hass.data[DATA_EXTRA_MODULE_URL].urls if DOMAIN in u]
    assert url.startswith(f"/{DOMAIN}/frontend/slow-live-card.js?v=")
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    assert await response.read() == frontend.BUNDLE.read_bytes()


@pytest.mark.usefixtures("setup_entry")
async def test_without_the_frontend_the_card_is_only_served(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    client = await hass_client()
    response = await client.get(f"/{DOMAIN}/frontend/slow-live-card.js")
    assert response.status == 200
    assert "frontend" not in hass.config.components
