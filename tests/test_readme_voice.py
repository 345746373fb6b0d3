"""The README's voice examples, as written, said to the demo as scripts/develop sets it up.

Each quoted example of the README's *Voice* section ("Try: ...") goes through Home
Assistant's default conversation agent with the repository's custom sentences, linked
in by `provision.prepare` as for scripts/develop, and the demo's voice setup sent over
the websocket API as `provision --demo-voice` sends it (cameras exposed, Chinese
aliases, presets, an assistant per language). English examples go to the English
assistant, Chinese ones to the Chinese assistant, with the language of its agent, as
Assist's dialog sends them. The demo's default areas are made as onboarding makes them,
in the server's language (English, or 简体中文 with DEV_LANGUAGE=zh-Hans).

The cameras, the cloud (the emulator over HTTP, the demo fleet) and the actions are
real; the TV's play_media records what it is handed (and fetches it).
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.helpers import area_registry as ar, entity_registry as er, intent
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from emulator import Emulator
from emulator.alarms import stream_alarms, trigger
from tests.e2e import provision

from .common import camera_entity, stream_titled
from .test_intent import _converse, assist  # noqa: F401  # assist: the fixture, shared

README = provision.REPO / "README.md"
TV = "media_player.tv"

PLAY = "VolcenginePlayRecording"
LIST_ALARMS = "VolcengineListAlarms"
PLAY_ALARM = "VolcenginePlayAlarm"
MOVE = "VolcengineMoveCamera"
PRESET = "VolcengineCameraPreset"

# Every example of the README's list, the intent it must reach and its camera (the
# demo channel's title). A new or reworded example fails the test until it is here.
EXAMPLES: dict[str, tuple[str, str]] = {
    "Show me the front gate camera from 10 minutes ago on the TV": (PLAY, "Front Gate"),
    "Play the last 3 minutes of the back door on the TV": (PLAY, "Back Door"),
    "What alarms did the front gate camera have today?": (LIST_ALARMS, "Front Gate"),
    "What happened at the front gate today?": (LIST_ALARMS, "Front Gate"),
    "Show me the last alarm of the front gate camera on the TV": (
        PLAY_ALARM,
        "Front Gate",
    ),
    "Turn the barn camera left": (MOVE, "Barn"),
    "zoom in on the living room camera": (MOVE, "Living Room"),
    "stop the barn camera": (MOVE, "Barn"),
    "pan the garden right for 2 seconds": (MOVE, "Garden"),
    "Go to preset gate on the living room camera": (PRESET, "Living Room"),
    "在电视上播放前门摄像头10分钟前的录像": (PLAY, "Front Gate"),
    "在电视上回放后门最近5分钟": (PLAY, "Back Door"),
    "前门今天发生了什么": (LIST_ALARMS, "Front Gate"),
    "今天后门有哪些报警": (LIST_ALARMS, "Back Door"),
    "在电视上播放前门最近一次报警": (PLAY_ALARM, "Front Gate"),
    "把谷仓摄像头向左转": (MOVE, "Barn"),
    "客厅摄像头放大": (MOVE, "Living Room"),
    "把客厅摄像头转到大门预置位": (PRESET, "Living Room"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def readme_examples() -> list[str]:
    """The quoted examples of the list after the paragraph that says "Try" in the
    README's Voice section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Voice\n", 1)[1].split("\n## ", 1)[0]
    after = section[section.index("Try") :].split("\n\n", 1)[1]
    listed: list[str] = []
    for line in after.splitlines():
        if not line.startswith(("- ", "  ")):
            break  # the end of the list
        listed.append(line)
    return re.findall(r'"([^"]+)"', "\n".join(listed))


def test_the_readme_lists_the_examples_tested_here() -> None:
    """Every example in the README is one of EXAMPLES, and every one is there."""
    examples = readme_examples()
    assert len(examples) == len(set(examples)), examples
    assert set(examples) == set(EXAMPLES)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A config directory of the test's own: prepared as scripts/develop prepares it."""
    return hass_tmp_config_dir


async def _demo(
    hass: HomeAssistant,
    ws_client: WebSocketGenerator,
    server_language: str,
) -> dict[str, str]:
    """The demo as scripts/develop leaves it; the conversation language by example
    language ("en", "zh"), as each assistant's agent is told."""
    await hass.async_add_executor_job(provision.prepare, Path(hass.config.config_dir))
    hass.config.language = server_language
    # The owner's onboarding makes the default areas in the server's language: the
    # Living Room camera then shares its name with an area (客厅 in Chinese).
    names = await async_get_translations(hass, server_language, "area", {"onboarding"})
    areas = ar.async_get(hass)
    for area in ("living_room", "kitchen", "bedroom"):
        areas.async_create(names[f"component.onboarding.area.{area}"])
    # The development TV, as its platform registers it.
    er.async_get(hass).async_get_or_create(
        "media_player",
        "tv_player",
        "tv_player_tv",
        suggested_object_id="tv",
        original_name="TV",
    )
    hass.states.async_set(TV, "idle", {"friendly_name": "TV"})
    for component in ("homeassistant", "config", "conversation", "assist_pipeline"):
        assert await async_setup_component(hass, component, {})
    await hass.async_block_till_done()

    client = await ws_client(hass)

    async def send(command: dict[str, Any]) -> Any:
        await client.send_json_auto_id(command)
        answer = await client.receive_json()
        assert answer["success"], (command, answer)
        return answer["result"]

    listed = await send({"type": "assist_pipeline/pipeline/list"})
    for command in provision.demo_voice_commands(listed["pipelines"]):
        await send(command)
    pipelines = (await send({"type": "assist_pipeline/pipeline/list"}))["pipelines"]
    languages = {p["conversation_language"].split("-")[0]: p for p in pipelines}
    assert set(languages) == {"en", "zh"}, pipelines
    for pipeline in languages.values():
        assert pipeline["conversation_engine"] == conversation.HOME_ASSISTANT_AGENT
    return {key: p["conversation_language"] for key, p in languages.items()}


def _ptz_log(emulator: Emulator, title: str) -> list[tuple[str, str, int]]:
    return [(a, c, p) for _, a, c, p in stream_titled(emulator, title).ptz_log]


@pytest.mark.parametrize("server_language", ["en", "zh-Hans"])
async def test_the_readme_examples_work_against_the_demo(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    play_media: list[ServiceCall],
    hass_ws_client: WebSocketGenerator,
    server_language: str,
) -> None:
    pytest.importorskip("hassil")
    await hass.config.async_set_time_zone(provision.CORE_CONFIG["time_zone"])
    spoken_in = await _demo(hass, hass_ws_client, server_language)
    # The gate and the back door raise alarms all day in the demo; one more just
    # now, so that there is one today even right after midnight.
    for title in ("Front Gate", "Back Door"):
        trigger(stream_titled(emulator, title), emulator.now() - 1)
    for text in readme_examples():
        intent_type, title = EXAMPLES[text]
        camera = camera_entity(hass, emulator, title)
        language = spoken_in["zh" if _CJK.search(text) else "en"]
        plays, moves = len(play_media), len(_ptz_log(emulator, title))
        result = await conversation.async_converse(
            hass,
            text,
            None,
            Context(),
            language=language,
            agent_id=conversation.HOME_ASSISTANT_AGENT,
        )
        response = result.response
        said = response.as_dict()
        assert response.intent is not None, (text, said)
        assert response.intent.intent_type == intent_type, (text, said)
        # The answer names the camera as it was asked for: 前门 when asked in
        # Chinese by its alias, Front Gate in English.
        name = provision.DEMO_ALIASES[camera] if _CJK.search(text) else title
        if intent_type == LIST_ALARMS:
            assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
            # Today's alarms of that camera, the one raised above among them.
            assert name in response.speech["plain"]["speech"], (text, said)
            assert response.speech_slots["alarms"], (text, said)
            continue
        assert response.response_type is intent.IntentResponseType.ACTION_DONE, (
            text,
            said,
        )
        assert [t.id for t in response.success_results][:1] == [camera], (text, said)
        assert name in response.speech["plain"]["speech"], (text, said)
        if intent_type in (PLAY, PLAY_ALARM):
            # The player too, as it was called (电视, the TV's alias).
            player = provision.DEMO_ALIASES[TV] if _CJK.search(text) else "TV"
            assert player in response.speech["plain"]["speech"], (text, said)
            # The TV was handed the recording of that camera (and it had footage).
            assert len(play_media) == plays + 1, text
            assert play_media[-1].data["entity_id"] == [TV], text
            stream = stream_titled(emulator, title)
            asked = emulator.requests("CloudRecordPlay")[-1].params
            assert asked["StreamID"] == stream.stream_id
            now = emulator.now()
            start = int(asked["StartTs"])
            if intent_type == PLAY_ALARM:  # from shortly before its latest alarm
                latest = stream_alarms(stream, 0, int(now) + 1, now)[-1]
                assert latest.at - 60 <= start < latest.at, text
            else:  # minutes ago
                assert start <= now - 3 * 60 + 3, text
        else:
            # The camera was told to move, or to go to the preset.
            log = _ptz_log(emulator, title)
            assert len(log) > moves, text
            if intent_type == PRESET:  # one the demo saved, by its number
                slots = response.speech_slots
                assert slots["preset"] in provision.DEMO_PRESETS[camera], (text, said)
                assert log[-1] == ("PresetControl", "goto", slots["number"]), text


# --------------------------------------------------------- ways of asking for alarms
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "what alarms did the garden camera have today"),
        ("en", "What alarms did the Garden have today?"),
        ("en", "what alarms has the garden had today"),
        ("en", "what alarms were there at the garden today"),
        ("en", "what happened at the garden today"),
        ("en", "what happened with the garden camera"),
        ("en", "any alarms at the garden today"),
        ("en", "were there any alarms at the garden camera today"),
        ("en", "did the garden have any alarms today"),
        ("en", "list the alarms of the garden camera"),
        ("en", "show me the alarms of the garden today"),
        ("zh-Hans", "Garden今天发生了什么"),
        ("zh-Hans", "今天Garden有哪些报警"),
        ("zh-Hans", "Garden摄像头今天有报警吗"),
        ("zh-Hans", "Garden今天报警了吗"),
        ("zh-Hans", "Garden有没有报警"),
    ],
)
@pytest.mark.usefixtures("assist")
async def test_ways_of_asking_for_a_cameras_alarms(
    hass: HomeAssistant, emulator: Emulator, language: str, text: str
) -> None:
    """Each reaches VolcengineListAlarms for that camera, and its answer says them."""
    trigger(stream_titled(emulator, "Garden"), emulator.now() - 1)
    response = await _converse(hass, text, language)
    assert response.intent is not None, response.as_dict()
    assert response.intent.intent_type == LIST_ALARMS
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert "Garden" in response.speech["plain"]["speech"]
    assert len(response.speech_slots["alarms"]) == 1
