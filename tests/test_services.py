"""The recording actions against the emulator: inputs, errors, players, responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import io
import json
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import av
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from syrupy.assertion import SnapshotAssertion
from yarl import URL

from custom_components.volcengine_slow_live.api.redact import redact_text
from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, FaultRule

from .common import camera_entity as _camera, stream_titled

TV = "media_player.living_room_tv"
PROJECTOR = "media_player.projector"


async def _get(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "get_recording", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


@pytest.fixture
def players(hass: HomeAssistant, play_media: list[ServiceCall]) -> list[ServiceCall]:
    """Two media players that record what they are asked to play."""
    hass.states.async_set(TV, "idle", {"friendly_name": "Living Room TV"})
    hass.states.async_set(PROJECTOR, "idle", {"friendly_name": "Projector"})
    return play_media


async def _decodes_as_h264(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200
            playlist = await response.text()
            base = response.url
        first = next(
            line for line in playlist.splitlines() if line and not line.startswith("#")
        )
        async with session.get(str(base.join(URL(first)))) as response:
            data = await response.read()
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert next(container.decode(stream)) is not None


async def test_get_recording_by_start_and_end(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Front Gate")
    end = dt_util.utcnow().replace(microsecond=0) - timedelta(minutes=1)
    start = end - timedelta(minutes=10)
    response = await _get(
        hass, entity_id=camera, start=start.isoformat(), end=end.isoformat()
    )
    result = response[camera]
    params = emulator.requests("CloudRecordPlay")[-1].params
    assert int(params["StartTs"]) == int(start.timestamp())
    assert int(params["EndTs"]) == int(end.timestamp())
    # Automatic validity: the clip's 10 minutes plus 30 for pausing.
    assert int(params["TokenValid"]) == 2400
    assert datetime.fromisoformat(result["start"]) == start
    assert datetime.fromisoformat(result["end"]) == end
    assert datetime.fromisoformat(result["start"]).utcoffset() is not None
    expires = datetime.fromisoformat(result["expires"])
    assert timedelta(minutes=39) < expires - dt_util.utcnow() <= timedelta(minutes=40)
    assert result["stream"] == "main"
    assert result["mp4"]
    assert result["playlist"]
    await _decodes_as_h264(result["hls"])


@pytest.mark.parametrize(
    "start",
    [
        "{aware}",
        "{naive_local}",
        "{unix}",
        "{unix_str}",
        "{rfc3339}",
        "{template}",
    ],
)
async def test_time_inputs(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry, start: str
) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    moment = dt_util.utcnow().replace(microsecond=0) - timedelta(minutes=30)
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    forms: dict[str, Any] = {
        "{aware}": moment,
        "{naive_local}": local.replace(tzinfo=None).isoformat(),
        "{unix}": int(moment.timestamp()),
        "{unix_str}": str(int(moment.timestamp())),
        "{rfc3339}": local.isoformat(),
        # What `{{ trigger.to_state.last_changed - timedelta(seconds=20) }}` renders.
        "{template}": str(moment),
    }
    camera = _camera(hass, emulator, "Front Gate")
    response = await _get(hass, entity_id=camera, start=forms[start], duration=None)
    assert datetime.fromisoformat(response[camera]["start"]) == moment


async def test_duration_back_from_now_and_from_end(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Living Room")
    response = await _get(hass, entity_id=camera, duration="00:05:00")
    result = response[camera]
    span = datetime.fromisoformat(result["end"]) - datetime.fromisoformat(
        result["start"]
    )
    assert span == timedelta(minutes=5)
    end = dt_util.utcnow().replace(microsecond=0) - timedelta(hours=2)
    response = await _get(
        hass, entity_id=camera, end=end.isoformat(), duration={"minutes": 3}
    )
    assert datetime.fromisoformat(response[camera]["start"]) == end - timedelta(
        minutes=3
    )


async def test_future_end_means_until_now(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Front Gate")
    start = dt_util.utcnow() - timedelta(minutes=5)
    response = await _get(
        hass,
        entity_id=camera,
        start=start.isoformat(),
        end=(dt_util.utcnow() + timedelta(hours=1)).isoformat(),
    )
    assert datetime.fromisoformat(response[camera]["end"]) <= dt_util.utcnow()


def _ago(**kwargs: float) -> str:
    return (dt_util.utcnow() - timedelta(**kwargs)).isoformat()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "range_missing"),
        ({"start": "{past}", "duration": "00:01:00"}, "range_ambiguous"),
        ({"start": "{future}"}, "start_in_future"),
        ({"start": "{past}", "end": "{long_ago}"}, "end_before_start"),
        ({"start": "{two_days_ago}"}, "range_too_long"),
        ({"start": "yesterday-ish"}, "invalid_time"),
        ({"start": ""}, "invalid_time"),
        ({"start": 10**20}, "invalid_time"),
        ({"duration": "five minutes"}, "invalid_duration"),
        ({"duration": "-00:05:00"}, "duration_not_positive"),
        (
            {"duration": "00:05:00", "stream": "sub", "camera": "Living Room"},
            "no_sub_stream",
        ),
    ],
)
async def test_validation_errors(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    values = {
        "{past}": _ago(minutes=10),
        "{future}": (dt_util.utcnow() + timedelta(minutes=10)).isoformat(),
        "{long_ago}": _ago(hours=1),
        "{two_days_ago}": _ago(days=2),
    }
    call = {k: values.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    camera = _camera(hass, emulator, call.pop("camera", "Front Gate"))
    with pytest.raises(ServiceValidationError) as caught:
        await _get(hass, entity_id=camera, **call)
    assert caught.value.translation_domain == DOMAIN
    assert caught.value.translation_key == key
    # The message is rendered from the translations, not left as the bare key.
    assert str(caught.value) != key


async def test_targets(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Back Door")
    device_id = er.async_get(hass).async_get(camera).device_id
    # Through its device: the connectivity sensor of the same device is ignored.
    response = await _get(hass, device_id=device_id, duration="00:01:00")
    assert list(response) == [camera]

    sensor = next(
        e.entity_id
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), setup_entry.entry_id
        )
        if e.domain == "binary_sensor"
    )
    with pytest.raises(ServiceValidationError) as caught:
        await _get(hass, entity_id=sensor, duration="00:01:00")
    assert caught.value.translation_key == "not_our_camera"

    empty_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=setup_entry.entry_id, identifiers={(DOMAIN, "empty")}
    )
    with pytest.raises(ServiceValidationError) as caught:
        await _get(hass, device_id=empty_device.id, duration="00:01:00")
    assert caught.value.translation_key == "no_camera"


async def test_unloaded_entry(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Front Gate")
    await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as caught:
        await _get(hass, entity_id=camera, duration="00:01:00")
    assert caught.value.translation_key == "entry_not_loaded"


async def test_channel_removed_in_the_cloud(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    stream = stream_titled(emulator, "Garden")
    camera = _camera(hass, emulator, "Garden")
    coordinator = setup_entry.runtime_data.coordinator
    emulator.fleet.remove_stream(stream.stream_id)
    await coordinator.async_refresh()
    # The entity may outlive the refresh until its device is removed.
    if hass.states.get(camera) is not None:
        with pytest.raises(ServiceValidationError):
            await _get(hass, entity_id=camera, duration="00:01:00")


async def test_cloud_failure_names_code_and_request_id(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Front Gate")
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=403,
            code="OperationDeny.AccountOverdue",
            action="CloudRecordPlay",
        )
    )
    with pytest.raises(HomeAssistantError) as caught:
        await _get(hass, entity_id=camera, duration="00:01:00")
    assert caught.value.translation_key == "cloud_error"
    message = str(caught.value)
    request_id = emulator.requests("CloudRecordPlay")[-1].request_id
    assert "OperationDeny.AccountOverdue" in message
    assert request_id in message
    assert "X-JWT-Token" not in message


async def test_play_recording_hands_the_url_to_the_player(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    players: list[ServiceCall],
) -> None:
    camera = _camera(hass, emulator, "Front Gate")
    response = await hass.services.async_call(
        DOMAIN,
        "play_recording",
        {"entity_id": camera, "media_player": TV, "duration": "00:02:00"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    result = response[camera]
    assert len(players) == 1
    call = players[0]
    assert call.data["entity_id"] == [TV]
    assert call.data["media_content_id"] == result["hls"]
    assert call.data["media_content_type"] == "application/vnd.apple.mpegurl"
    assert result["media_players"] == [TV]
    # Players that show a title show the camera and the time, not the link.
    played = [datetime.fromisoformat(result["played"][k]) for k in ("start", "end")]
    clock = "%H:%M:%S" if played[0].second or played[1].second else "%H:%M"
    assert call.data["extra"] == {
        "title": f"Front Gate {played[0]:{clock}}–{played[1]:{clock}}"  # noqa: RUF001
    }
    await _decodes_as_h264(call.data["media_content_id"])

    # As MP4.
    response = await hass.services.async_call(
        DOMAIN,
        "play_recording",
        {"entity_id": camera, "media_player": TV, "duration": 60, "format": "mp4"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert players[1].data["media_content_type"] == "video/mp4"
    assert players[1].data["media_content_id"] == response[camera]["mp4"]
    # From another day, the title says which.
    yesterday = dt_util.now() - timedelta(days=1)
    await hass.services.async_call(
        DOMAIN,
        "play_recording",
        {
            "entity_id": camera,
            "media_player": TV,
            "start": yesterday.isoformat(),
            "end": (yesterday + timedelta(minutes=1)).isoformat(),
        },
        blocking=True,
    )
    assert (
        players[2]
        .data["extra"]["title"]
        .startswith(f"Front Gate {yesterday:%Y-%m-%d} ")
    )
    # Without asking for the response.
    await hass.services.async_call(
        DOMAIN,
        "play_recording",
        {"entity_id": camera, "media_player": TV, "duration": 60},
        blocking=True,
    )
    assert len(players) == 4


async def test_play_several_cameras_on_several_players(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    players: list[ServiceCall],
) -> None:
    front = _camera(hass, emulator, "Front Gate")
    garage = _camera(hass, emulator, "Living Room")
    await hass.services.async_call(
        DOMAIN,
        "play_recording",
        {"entity_id": [front, garage], "media_player": [TV, PROJECTOR], "duration": 60},
        blocking=True,
    )
    assert [c.data["entity_id"] for c in players] == [[TV], [PROJECTOR]]
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "play_recording",
            {"entity_id": [front, garage], "media_player": TV, "duration": 60},
            blocking=True,
        )
    assert caught.value.translation_key == "players_mismatch"


async def test_unknown_player(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "play_recording",
            {
                "entity_id": _camera(hass, emulator, "Front Gate"),
                "media_player": "media_player.nowhere",
                "duration": 60,
            },
            blocking=True,
        )
    assert caught.value.translation_key == "unknown_media_player"


async def test_player_errors_reach_the_caller(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    hass.states.async_set(TV, "off")

    async def refuse(call: ServiceCall) -> None:
        raise HomeAssistantError("TV is off")

    hass.services.async_register("media_player", "play_media", refuse)
    with pytest.raises(HomeAssistantError, match="TV is off"):
        await hass.services.async_call(
            DOMAIN,
            "play_recording",
            {
                "entity_id": _camera(hass, emulator, "Front Gate"),
                "media_player": TV,
                "duration": 60,
            },
            blocking=True,
        )


async def test_link_validity_and_sub_stream(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = _camera(hass, emulator, "Back Door")
    response = await _get(
        hass, entity_id=camera, duration="00:01:00", link_validity=600, stream="sub"
    )
    params = emulator.requests("CloudRecordPlay")[-1].params
    assert int(params["TokenValid"]) == 600
    assert int(params["StreamingIndex"]) == 1
    assert response[camera]["stream"] == "sub"


@pytest.mark.freeze_time("2026-11-20T04:00:00+00:00")
async def test_response_snapshot(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    players: list[ServiceCall],
    snapshot: SnapshotAssertion,
) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    camera = _camera(hass, emulator, "Front Gate")
    response = await hass.services.async_call(
        DOMAIN,
        "play_recording",
        {
            "entity_id": camera,
            "media_player": TV,
            "start": "2026-11-20 11:50:00",
            "end": datetime(2026, 11, 20, 3, 55, tzinfo=UTC),
        },
        blocking=True,
        return_response=True,
    )
    # The emulator signs tokens with a key of its own run: mask them.
    text = redact_text(json.dumps(response, sort_keys=True))
    assert json.loads(text.replace(emulator.base_url, "http://emulator")) == snapshot
