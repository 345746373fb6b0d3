"""The automation blueprints, installed as a user installs them and run for real.

Only the media player is mocked. Delays are skipped with async_fire_time_changed in
real time: a frozen clock would stall the client's retries and rate limiting.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import shutil
import time
from typing import Any

from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import BlueprintInputs
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.script import Script, async_validate_actions_config
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator

from .common import camera_entity as _camera, record_everything, stream_titled

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
MOTION = "binary_sensor.hall_motion"
TV = "media_player.living_room_tv"
PROJECTOR = "media_player.projector"
MIME_HLS = "application/vnd.apple.mpegurl"


@pytest.fixture(autouse=True)
def _all_cameras_record(emulator: Emulator) -> None:
    """Every camera has footage: these tests are about names, not what was recorded."""
    record_everything(emulator)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A config directory of the test's own: the blueprints are copied into it."""
    return hass_tmp_config_dir


@pytest.fixture
def plays(hass: HomeAssistant, play_media: list[ServiceCall]) -> list[ServiceCall]:
    """Two players whose play_media records what they are asked to play."""
    hass.states.async_set(TV, "idle", {"friendly_name": "Living Room TV"})
    hass.states.async_set(PROJECTOR, "idle", {"friendly_name": "Projector"})
    return play_media


async def _install(hass: HomeAssistant, name: str) -> str:
    """Copy a blueprint where Home Assistant looks for it; its path for use_blueprint."""
    target = Path(hass.config.path("blueprints", "automation", DOMAIN))

    def copy() -> None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(BLUEPRINTS / name, target)

    await hass.async_add_executor_job(copy)
    return f"{DOMAIN}/{name}"


async def _use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> str:
    path = await _install(hass, name)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "slow_live_replay",
                "alias": "Slow Live replay",
                "use_blueprint": {"path": path, "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.slow_live_replay")
    assert state is not None
    assert state.state == "on"
    return path


async def _motion(hass: HomeAssistant, *states: str, at: float | None = None) -> None:
    """Set the sensor through these states and let the automation reach its delay.

    `at` backdates the changes (Unix seconds). Not async_block_till_done: that waits
    for the running automation, delay and all.
    """
    for state in states:
        hass.states.async_set(MOTION, state, {"device_class": "motion"}, timestamp=at)
    await asyncio.sleep(0.2)


def _played(
    emulator: Emulator,
    plays: list[ServiceCall],
    *,
    start: float,
    end: float,
    player: str = TV,
) -> None:
    """The last play: `player` got the HLS link of the range [start, end] (Unix s)."""
    call = plays[-1]
    assert call.data["entity_id"] == [player]
    assert call.data["media_content_type"] == MIME_HLS
    url = call.data["media_content_id"]
    assert url.startswith(emulator.base_url)
    assert "Format=m3u8" in url
    record = emulator.requests("CloudRecordPlay")[-1]
    # The client sends whole seconds, and the caller's "now" (which `start` and `end`
    # are relative to) came after the request: by however long that took on a busy
    # machine (CI once saw 2.9 s), plus a second or two.
    late = max(0.0, emulator.now() - record.time)
    for name, expected in (("StartTs", start), ("EndTs", end)):
        sent = int(record.params[name])
        assert expected - late - 2 <= sent <= expected + 2, (name, sent, expected, late)


# ------------------------------------------------------------------------ motion
async def test_replay_on_motion(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    camera = _camera(hass, emulator, "Front Gate")
    hass.states.async_set(MOTION, "off", {"device_class": "motion"})
    await _use_blueprint(
        hass,
        "replay_on_motion.yaml",
        {
            "motion_sensor": MOTION,
            "camera": camera,
            "media_player": TV,
            "pre_roll": 30,
            "post_roll": 15,
        },
    )

    # Motion that began 100 s ago: the clip starts from then (less the pre-roll),
    # not from when the post-roll ends.
    began = time.time() - 100
    await _motion(hass, "on", at=began)
    assert not plays  # still in the post-roll

    # Motion again during the post-roll: mode single, the running replay covers it.
    await _motion(hass, "off", "on")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=16))
    await hass.async_block_till_done()

    assert len(plays) == 1
    _played(emulator, plays, start=began - 30, end=dt_util.utcnow().timestamp())
    hass.states.async_set(MOTION, "off", {"device_class": "motion"})
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=60))
    await hass.async_block_till_done()
    assert len(plays) == 1


async def test_replay_on_motion_defaults_and_unavailable(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    hass.states.async_set(MOTION, "unavailable", {"device_class": "motion"})
    await _use_blueprint(
        hass,
        "replay_on_motion.yaml",
        {
            "motion_sensor": MOTION,
            "camera": _camera(hass, emulator, "Garden"),
            "media_player": PROJECTOR,
        },
    )
    # A sensor coming back is not motion.
    await _motion(hass, "on")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done()
    assert not plays

    await _motion(hass, "off", "on")
    motion = hass.states.get(MOTION)
    assert motion is not None
    began = motion.last_changed.timestamp()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=9))
    await asyncio.sleep(0.2)
    assert not plays  # the default post-roll is 10 s
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done()
    assert len(plays) == 1
    _played(
        emulator,
        plays,
        start=began - 20,
        end=dt_util.utcnow().timestamp(),
        player=PROJECTOR,
    )


# ------------------------------------------------------------------------- voice
async def _voice_actions(hass: HomeAssistant, inputs: dict[str, Any]) -> Script:
    """The voice blueprint's actions with these inputs, as its automation runs them.

    Runs without the conversation integration (and hassil): the trigger is given as
    the variables a conversation trigger passes.
    """
    path = await _install(hass, "voice_replay.yaml")
    blueprint = await async_get_blueprints(hass).async_get_blueprint(path)
    config = BlueprintInputs(
        blueprint, {"use_blueprint": {"path": path, "input": inputs}}
    ).async_substitute()
    assert config["mode"] == "parallel"
    actions = await async_validate_actions_config(
        hass, cv.SCRIPT_SCHEMA(config["actions"])
    )
    return Script(hass, actions, "Voice replay", "automation")


async def _say(script: Script, sentence: str, **slots: str) -> str | None:
    trigger = {
        "platform": "conversation",
        "sentence": sentence,
        "slots": slots,
        "details": {},
        "device_id": None,
    }
    result = await script.async_run({"trigger": trigger}, Context())
    assert result is not None
    response: str | None = result.conversation_response
    return response


async def test_voice_replay_resolves_names(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    script = await _voice_actions(
        hass, {"default_media_player": PROJECTOR, "default_minutes": 5}
    )
    now = dt_util.utcnow().timestamp

    # Friendly name with "camera" added, the player by name.
    answer = await _say(
        script,
        "replay the front gate camera on the living room tv",
        camera="the front gate camera",
        player="the living room tv",
    )
    assert answer == "Playing the last 5 minutes of Front Gate on Living Room TV."
    _played(emulator, plays, start=now() - 300, end=now())
    assert plays[-1].data["entity_id"] == [TV]

    # No player: the default one; a camera by its entity id's words; minutes said.
    answer = await _say(
        script,
        "replay the last 3 minutes of the back door",
        camera="back door",
        minutes="3",
    )
    assert answer == "Playing the last 3 minutes of Back Door on Projector."
    _played(emulator, plays, start=now() - 180, end=now(), player=PROJECTOR)

    # Areas, for the camera and the player; minutes not in digits use the default.
    porch = ar.async_get(hass).async_create("Porch")
    entry = er.async_get(hass).async_get(_camera(hass, emulator, "Garage"))
    assert entry is not None
    assert entry.device_id is not None
    dr.async_get(hass).async_update_device(entry.device_id, area_id=porch.id)
    den = ar.async_get(hass).async_create("Den")
    speaker = er.async_get(hass).async_get_or_create(
        "media_player", "test", "speaker", original_name="Speaker"
    )
    er.async_get(hass).async_update_entity(speaker.entity_id, area_id=den.id)
    hass.states.async_set(speaker.entity_id, "idle", {"friendly_name": "Speaker"})
    answer = await _say(
        script,
        "replay the last ten minutes of the porch on the den",
        camera="porch",
        player="den",
        minutes="ten",
    )
    assert answer == "Playing the last 5 minutes of Garage on Speaker."
    _played(emulator, plays, start=now() - 300, end=now(), player=speaker.entity_id)
    assert len(plays) == 3


async def test_voice_replay_chinese(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    er.async_get(hass).async_update_entity(
        _camera(hass, emulator, "Front Gate"), name="前门"
    )
    hass.states.async_set(TV, "idle", {"friendly_name": "客厅电视"})
    await hass.async_block_till_done()
    script = await _voice_actions(
        hass, {"default_media_player": PROJECTOR, "default_minutes": 5}
    )
    answer = await _say(
        script,
        "在客厅电视上回放前门摄像头最近10分钟",
        camera="前门摄像头",
        player="客厅电视",
        minutes="10",
    )
    assert answer == "正在客厅电视上播放前门最近10分钟的录像。"
    now = dt_util.utcnow().timestamp()
    _played(emulator, plays, start=now - 600, end=now)

    answer = await _say(script, "回放月亮", camera="月亮")
    assert answer == "没有叫“月亮”的慢直播摄像头。"
    answer = await _say(script, "在卧室上回放前门", camera="前门", player="卧室")
    assert answer == "没有叫“卧室”的媒体播放器。"
    assert len(plays) == 1


async def test_voice_replay_unknown_names(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    hass.states.async_set("camera.doorbell", "idle", {"friendly_name": "Doorbell"})
    script = await _voice_actions(
        hass, {"default_media_player": PROJECTOR, "default_minutes": 5}
    )
    answer = await _say(script, "replay the doorbell", camera="doorbell")
    assert answer == "There is no Slow Live camera called doorbell."
    answer = await _say(
        script,
        "replay the garden on the bathroom radio",
        camera="garden",
        player="bathroom radio",
    )
    assert answer == "There is no media player called bathroom radio."
    assert not plays


@pytest.mark.parametrize(
    ("text", "start_ago", "player", "answer"),
    [
        (
            "replay the front gate camera on the living room tv",
            300,
            TV,
            "Playing the last 5 minutes of Front Gate on Living Room TV.",
        ),
        (
            "replay the last 3 minutes of the garden",
            180,
            PROJECTOR,
            "Playing the last 3 minutes of Garden on Projector.",
        ),
        (
            "replay the last 2 minutes of the back door camera on the living room tv",
            120,
            TV,
            "Playing the last 2 minutes of Back Door on Living Room TV.",
        ),
        (
            "在Living Room TV上回放Front Gate最近10分钟",
            600,
            TV,
            "正在Living Room TV上播放Front Gate最近10分钟的录像。",
        ),
        (
            "回放Garage",
            300,
            PROJECTOR,
            "正在Projector上播放Garage最近5分钟的录像。",
        ),
    ],
)
async def test_voice_replay_end_to_end(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
    text: str,
    start_ago: int,
    player: str,
    answer: str,
) -> None:
    """A spoken sentence through the default agent runs the blueprint's automation.

    Needs hassil (the conversation integration's requirement); skipped without it.
    """
    pytest.importorskip("hassil")
    pytest.importorskip("home_assistant_intents")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await _use_blueprint(
        hass,
        "voice_replay.yaml",
        {"default_media_player": PROJECTOR, "default_minutes": 5},
    )
    from homeassistant.components import conversation

    result = await conversation.async_converse(
        hass, text, None, Context(), language="en"
    )
    assert result.response.speech["plain"]["speech"] == answer
    now = dt_util.utcnow().timestamp()
    _played(emulator, plays, start=now - start_ago, end=now, player=player)


async def test_replay_on_motion_plays_only_what_was_recorded(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    # The camera's recording paused from 60 s before the motion until after it.
    began = time.time() - 100
    stream_id = stream_titled(emulator, "Front Gate").stream_id
    pause_start = int(began) - 60
    emulator.fleet.set_recording(
        stream_id,
        "continuous",
        outages=False,
        pauses=[(pause_start, int(time.time()) + 3600)],
    )
    hass.states.async_set(MOTION, "off", {"device_class": "motion"})
    await _use_blueprint(
        hass,
        "replay_on_motion.yaml",
        {
            "motion_sensor": MOTION,
            "camera": _camera(hass, emulator, "Front Gate"),
            "media_player": TV,
            "pre_roll": 90,
            "post_roll": 5,
        },
    )
    await _motion(hass, "on", at=began)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    # Trimmed to the 30 s that exist before the pause; the player fetched them.
    assert len(plays) == 1
    _played(emulator, plays, start=began - 90, end=pause_start)

    # Nothing recorded at all in the range: the automation stops, nothing plays.
    emulator.fleet.set_recording(
        stream_id,
        "continuous",
        outages=False,
        pauses=[(int(time.time()) - 7200, int(time.time()) + 3600)],
    )
    await _motion(hass, "off", "on")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert len(plays) == 1


async def test_voice_replay_says_what_it_could_play(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    script = await _voice_actions(
        hass, {"default_media_player": TV, "default_minutes": 5}
    )
    stream_id = stream_titled(emulator, "Back Door").stream_id
    now = int(time.time())
    # Recorded only until two minutes ago: the recorded part plays, and is said.
    emulator.fleet.set_recording(
        stream_id, "continuous", outages=False, pauses=[(now - 120, now + 3600)]
    )
    answer = await _say(script, "replay the back door", camera="back door")
    start = dt_util.as_local(dt_util.utc_from_timestamp(now - 300))
    end = dt_util.as_local(dt_util.utc_from_timestamp(now - 120))
    assert answer == (
        f"Playing what Back Door recorded between {start:%H:%M} and {end:%H:%M} "
        "on Living Room TV."
    )
    _played(emulator, plays, start=now - 300, end=now - 120)
    # Nothing recorded: said, not played.
    emulator.fleet.set_recording(
        stream_id, "continuous", outages=False, pauses=[(now - 900, now + 3600)]
    )
    answer = await _say(script, "replay the back door", camera="back door")
    assert answer == (
        "Could not play the last 5 minutes of Back Door: nothing was recorded then, "
        "or the cloud could not be reached."
    )
    answer = await _say(script, "回放Back Door", camera="Back Door")
    assert (
        answer == "无法播放Back Door最近5分钟的录像：那段时间没有录像，或无法连接云端。"  # noqa: RUF001
    )
    assert len(plays) == 1


# ------------------------------------------------------------------------ alarms
async def test_replay_alarm(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    """The camera's own alarm, no other sensor: its range plays after the post-roll;
    kinds not chosen, and the entity becoming unavailable, play nothing."""
    from homeassistant.helpers import entity_registry as er

    from custom_components.volcengine_slow_live.const import ALARM_POLL_INTERVAL
    from emulator.alarms import trigger

    from .common import record_everything, stream_titled

    record_everything(emulator)
    garden = stream_titled(emulator, "Garden")
    alarm_entity = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{garden.stream_id}_alarm"
    )
    await _use_blueprint(
        hass,
        "replay_alarm.yaml",
        {
            "alarm": alarm_entity,
            "kinds": ["motion", "intrusion"],
            "media_player": TV,
            "post_roll": 5,
        },
    )

    async def poll() -> None:
        async_fire_time_changed(hass, dt_util.utcnow() + ALARM_POLL_INTERVAL)
        await hass.async_block_till_done(wait_background_tasks=True)

    # A tripwire: not chosen. (Waiting for the tasks waits out any post-roll too.)
    trigger(garden, emulator.now(), method=5, kind=5)
    await poll()
    assert not plays
    # Motion: played, from 10 s before the alarm.
    raised = trigger(garden, emulator.now())
    await poll()
    assert len(plays) == 1
    _played(emulator, plays, start=raised.at - 10, end=dt_util.utcnow().timestamp())
    # Unavailable is not an alarm.
    await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=60))
    await hass.async_block_till_done()
    assert len(plays) == 1
