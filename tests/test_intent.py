"""The VolcenginePlayRecording intent: slots, names, speech, LLM tool, custom sentences.

The media player is the one thing mocked (its play_media records the call); the camera,
the cloud (the emulator over HTTP) and the play_recording action are real.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import re
import shutil
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    intent,
    llm,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, language as language_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
import voluptuous as vol
import yaml

from custom_components.volcengine_slow_live import intent as slow_live_intent
from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.intent import (
    DEFAULT_MINUTES,
    INTENT_PLAY_RECORDING,
    MAX_MINUTES,
    SLOT_SCHEMA,
    async_get_llm_tools,
)
from emulator import Emulator, FaultRule

from .common import camera_entity as _camera, record_everything, stream_titled

ROOT = Path(__file__).parent.parent
SENTENCES = ROOT / "custom_sentences"
TV = "media_player.living_room_tv"
MIME_HLS = "application/vnd.apple.mpegurl"
ASSISTANT = "conversation"


@pytest.fixture(autouse=True)
def _all_cameras_record(emulator: Emulator) -> None:
    """Every camera has footage: these tests are about names, not what was recorded."""
    record_everything(emulator)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A config directory of the test's own: custom sentences are copied into it."""
    return hass_tmp_config_dir


@pytest.fixture
def plays(hass: HomeAssistant, play_media: list[ServiceCall]) -> list[ServiceCall]:
    """The living room TV, whose play_media records what it is asked to play."""
    hass.states.async_set(TV, "idle", {"friendly_name": "Living Room TV"})
    return play_media


def _move_device(hass: HomeAssistant, entity_id: str, area_id: str) -> None:
    """Put a camera's device in an area (the camera takes its name and area)."""
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    assert entry.device_id is not None
    dr.async_get(hass).async_update_device(entry.device_id, area_id=area_id)


def _slots(**values: Any) -> dict[str, dict[str, Any]]:
    return {name: {"value": value} for name, value in values.items()}


async def _handle(
    hass: HomeAssistant,
    language: str = "en",
    assistant: str | None = None,
    **slots: Any,
) -> intent.IntentResponse:
    return await intent.async_handle(
        hass,
        "test",
        INTENT_PLAY_RECORDING,
        _slots(**slots),
        language=language,
        assistant=assistant,
    )


async def _expose_everything(hass: HomeAssistant) -> None:
    """Expose every camera and player to the conversation assistant."""
    assert await async_setup_component(hass, "homeassistant", {})
    for state in hass.states.async_all(("camera", "media_player")):
        async_expose_entity(hass, ASSISTANT, state.entity_id, True)


def _check_played(
    emulator: Emulator,
    plays: list[ServiceCall],
    *,
    start_ago: timedelta,
    end_ago: timedelta,
    player: str = TV,
) -> str:
    """Played once, on `player`, the HLS link of the range the cloud was asked for."""
    assert len(plays) == 1
    call = plays[0]
    assert call.data["entity_id"] == [player]
    assert call.data["media_content_type"] == MIME_HLS
    url = call.data["media_content_id"]
    assert url.startswith(emulator.base_url)
    assert "Format=m3u8" in url
    params = emulator.requests("CloudRecordPlay")[-1].params
    now = dt_util.utcnow().timestamp()
    assert abs(int(params["StartTs"]) - (now - start_ago.total_seconds())) <= 3
    assert abs(int(params["EndTs"]) - (now - end_ago.total_seconds())) <= 3
    return str(url)


# ---------------------------------------------------------------------- handling
async def test_registered_once(
    hass: HomeAssistant, setup_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    handlers = [
        h for h in intent.async_get(hass) if h.intent_type == INTENT_PLAY_RECORDING
    ]
    assert len(handlers) == 1
    assert handlers[0].description
    # The intent integration calls this module as our intent platform: no second one.
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    again = [
        h for h in intent.async_get(hass) if h.intent_type == INTENT_PLAY_RECORDING
    ]
    assert again == handlers
    assert "is being overwritten" not in caplog.text


async def test_play_from_minutes_ago(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    context = Context()
    response = await intent.async_handle(
        hass,
        "test",
        INTENT_PLAY_RECORDING,
        _slots(camera="Front Gate", media_player="Living Room TV", minutes_ago=10),
        context=context,
        language="en",
    )
    url = _check_played(
        emulator, plays, start_ago=timedelta(minutes=10), end_ago=timedelta(0)
    )
    assert plays[0].context is context
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert (
        response.speech["plain"]["speech"]
        == "Playing the Front Gate camera from 10 minutes ago on the Living Room TV."
    )
    camera = _camera(hass, emulator, "Front Gate")
    assert [(t.id, t.name) for t in response.success_results] == [
        (camera, "Front Gate"),
        (TV, "Living Room TV"),
    ]
    assert [s.entity_id for s in response.matched_states] == [camera, TV]
    recording = response.speech_slots["recording"]
    assert recording["media_players"] == [TV]
    assert {"start", "end", "expires"} <= recording.keys()
    assert response.speech_slots["camera"] == "Front Gate"
    # The links carry tokens: they go to the player, never into the conversation.
    assert url not in str(response.as_dict())
    assert "X-JWT-Token" not in str(response.as_dict())


@pytest.mark.parametrize(
    ("minutes_ago", "duration", "start_ago", "end_ago", "speech"),
    [
        (
            None,
            None,
            DEFAULT_MINUTES,
            0,
            "Playing the last 5 minutes of the Front Gate camera on the Living Room TV.",
        ),
        (
            None,
            1,
            1,
            0,
            "Playing the last 1 minute of the Front Gate camera on the Living Room TV.",
        ),
        (
            30,
            2,
            30,
            28,
            (
                "Playing 2 minutes of the Front Gate camera from 30 minutes ago"
                " on the Living Room TV."
            ),
        ),
        # A duration past now stops at now.
        (
            3,
            10,
            3,
            0,
            (
                "Playing 10 minutes of the Front Gate camera from 3 minutes ago"
                " on the Living Room TV."
            ),
        ),
    ],
)
async def test_ranges_and_english_speech(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
    minutes_ago: int | None,
    duration: int | None,
    start_ago: int,
    end_ago: int,
    speech: str,
) -> None:
    slots: dict[str, Any] = {"camera": "front gate", "media_player": "living room tv"}
    if minutes_ago is not None:
        slots["minutes_ago"] = minutes_ago
    if duration is not None:
        slots["duration"] = str(duration)  # the LLM and hassil may give strings
    response = await _handle(hass, **slots)
    _check_played(
        emulator,
        plays,
        start_ago=timedelta(minutes=start_ago),
        end_ago=timedelta(minutes=end_ago),
    )
    assert response.speech["plain"]["speech"] == speech


@pytest.mark.parametrize(
    ("minutes_ago", "duration", "speech"),
    [
        (10, None, "正在客厅电视上播放前门摄像头10分钟前的录像。"),
        (None, 3, "正在客厅电视上播放前门摄像头最近3分钟的录像。"),
        (None, None, "正在客厅电视上播放前门摄像头最近5分钟的录像。"),
        (10, 3, "正在客厅电视上播放前门摄像头10分钟前起3分钟的录像。"),
    ],
)
async def test_chinese_speech(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
    minutes_ago: int | None,
    duration: int | None,
    speech: str,
) -> None:
    er.async_get(hass).async_update_entity(
        _camera(hass, emulator, "Front Gate"), name="前门"
    )
    hass.states.async_set(TV, "idle", {"friendly_name": "客厅电视"})
    await hass.async_block_till_done()
    slots: dict[str, Any] = {"camera": "前门摄像头", "media_player": "客厅电视"}
    if minutes_ago is not None:
        slots["minutes_ago"] = minutes_ago
    if duration is not None:
        slots["duration"] = duration
    response = await _handle(hass, language="zh-Hans", **slots)
    assert response.speech["plain"]["speech"] == speech
    assert len(plays) == 1


async def test_camera_name_with_its_word_is_not_repeated(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    camera = _camera(hass, emulator, "Garden")
    er.async_get(hass).async_update_entity(camera, name="Garden camera")
    await hass.async_block_till_done()
    response = await _handle(
        hass, camera="garden camera", media_player=TV, minutes_ago=2
    )
    assert response.speech["plain"]["speech"] == (
        "Playing the Garden camera from 2 minutes ago on the Living Room TV."
    )
    er.async_get(hass).async_update_entity(camera, name="花园摄像机")
    await hass.async_block_till_done()
    response = await _handle(
        hass, language="zh-Hans", camera="花园摄像机", media_player=TV, minutes_ago=2
    )
    assert response.speech["plain"]["speech"] == (
        "正在Living Room TV上播放花园摄像机2分钟前的录像。"
    )


# ------------------------------------------------------------------------- names
async def test_alias_area_and_exposure(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    entities = er.async_get(hass)
    areas = ar.async_get(hass)
    gate = _camera(hass, emulator, "Front Gate")
    garage = _camera(hass, emulator, "Garage")
    entry = entities.async_get(gate)
    assert entry is not None
    entities.async_update_entity(gate, aliases=[*entry.aliases, "Gate cam"])
    shed = areas.async_create("Shed", aliases={"Workshop"})
    _move_device(hass, garage, shed.id)
    # A player known to the registry, in the den.
    den = areas.async_create("Den")
    speaker = entities.async_get_or_create(
        "media_player",
        "test",
        "speaker",
        suggested_object_id="den_speaker",
        original_name="Speaker",
    )
    entities.async_update_entity(speaker.entity_id, area_id=den.id)
    hass.states.async_set(speaker.entity_id, "idle", {"friendly_name": "Speaker"})
    await _expose_everything(hass)

    response = await _handle(
        hass,
        assistant=ASSISTANT,
        camera="gate cam",
        media_player="Den",
        minutes_ago=1,
    )
    assert [t.id for t in response.success_results] == [gate, speaker.entity_id]
    _check_played(
        emulator,
        plays,
        start_ago=timedelta(minutes=1),
        end_ago=timedelta(0),
        player=speaker.entity_id,
    )

    # An area's alias finds the one camera in it.
    response = await _handle(
        hass, assistant=ASSISTANT, camera="workshop", media_player="Living Room TV"
    )
    assert response.success_results[0].id == garage

    # Not exposed to the assistant: found, and refused for that reason.
    async_expose_entity(hass, ASSISTANT, gate, False)
    with pytest.raises(intent.MatchFailedError) as caught:
        await _handle(
            hass, assistant=ASSISTANT, camera="Front Gate", media_player="Den"
        )
    assert caught.value.result.no_match_reason is intent.MatchFailedReason.ASSISTANT
    # Without an assistant (an automation, the test platform) exposure is not asked.
    await _handle(hass, camera="Front Gate", media_player="Den")


async def test_same_name_told_apart_by_the_asking_area(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    entities = er.async_get(hass)
    areas = ar.async_get(hass)
    players = {}
    for room in ("Den", "Kitchen"):
        area = areas.async_create(room)
        entry = entities.async_get_or_create(
            "media_player",
            "test",
            room,
            suggested_object_id=f"{room}_tv",
            original_name="TV",
        )
        entities.async_update_entity(entry.entity_id, area_id=area.id)
        hass.states.async_set(entry.entity_id, "idle", {"friendly_name": "TV"})
        players[room] = (entry.entity_id, area.id)

    with pytest.raises(intent.MatchFailedError) as caught:
        await _handle(hass, camera="Garden", media_player="TV")
    assert (
        caught.value.result.no_match_reason is intent.MatchFailedReason.DUPLICATE_NAME
    )

    response = await _handle(
        hass,
        camera="Garden",
        media_player="TV",
        preferred_area_id=players["Kitchen"][1],
    )
    assert response.success_results[1].id == players["Kitchen"][0]


async def test_unknown_names(
    hass: HomeAssistant, setup_entry: MockConfigEntry, plays: list[ServiceCall]
) -> None:
    with pytest.raises(intent.MatchFailedError) as caught:
        await _handle(hass, camera="Moon Base", media_player="Living Room TV")
    assert caught.value.result.no_match_reason is intent.MatchFailedReason.NAME
    assert caught.value.constraints.name == "Moon Base"
    assert "Moon Base" in str(caught.value)

    with pytest.raises(intent.MatchFailedError) as caught:
        await _handle(hass, camera="Garden", media_player="Bathroom radio")
    assert caught.value.result.no_match_reason is intent.MatchFailedReason.NAME
    assert caught.value.constraints.domains == {"media_player"}
    assert not plays


async def test_area_with_two_cameras_asks_for_one(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    yard = ar.async_get(hass).async_create("Yard")
    for title in ("Garden", "Barn"):
        _move_device(hass, _camera(hass, emulator, title), yard.id)
    with pytest.raises(intent.MatchFailedError) as caught:
        await _handle(hass, camera="Yard", media_player="Living Room TV")
    # Not "nothing is called Yard": the area was found, with two cameras in it.
    assert (
        caught.value.result.no_match_reason is intent.MatchFailedReason.MULTIPLE_TARGETS
    )
    assert not plays


async def test_camera_of_another_integration(
    hass: HomeAssistant, setup_entry: MockConfigEntry, plays: list[ServiceCall]
) -> None:
    hass.states.async_set("camera.doorbell", "idle", {"friendly_name": "Doorbell"})
    with pytest.raises(intent.IntentHandleError, match="Doorbell is not a Volcengine"):
        await _handle(hass, camera="Doorbell camera", media_player="Living Room TV")
    assert not plays


async def test_entry_not_loaded_or_removed(
    hass: HomeAssistant, setup_entry: MockConfigEntry, plays: list[ServiceCall]
) -> None:
    # Unloaded, the cameras are still there: the action says why it cannot play.
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(intent.IntentHandleError, match="not loaded"):
        await _handle(hass, camera="Front Gate", media_player="Living Room TV")
    # Removed, there is no camera of ours left to match (not even by another's name).
    assert await hass.config_entries.async_remove(setup_entry.entry_id)
    await hass.async_block_till_done()
    hass.states.async_set("camera.doorbell", "idle", {"friendly_name": "Front Gate"})
    with pytest.raises(intent.MatchFailedError) as caught:
        await _handle(hass, camera="Front Gate", media_player="Living Room TV")
    assert caught.value.result.no_match_reason is intent.MatchFailedReason.DOMAIN


async def test_invalid_slots(
    hass: HomeAssistant, setup_entry: MockConfigEntry, plays: list[ServiceCall]
) -> None:
    with pytest.raises(intent.InvalidSlotInfo):
        await _handle(hass, camera="Garden")
    with pytest.raises(intent.InvalidSlotInfo):
        await _handle(
            hass, camera="Garden", media_player="Living Room TV", minutes_ago=0
        )
    with pytest.raises(intent.InvalidSlotInfo):
        await _handle(
            hass,
            camera="Garden",
            media_player="Living Room TV",
            duration=MAX_MINUTES + 1,
        )
    with pytest.raises(intent.InvalidSlotInfo):
        await _handle(hass, camera=" ", media_player="Living Room TV")
    assert not plays


async def test_action_errors_become_intent_errors(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=403,
            code="OperationDeny.AccountOverdue",
            action="CloudRecordPlay",
        )
    )
    with pytest.raises(
        intent.IntentHandleError, match=r"OperationDeny\.AccountOverdue"
    ):
        await _handle(hass, camera="Garden", media_player="Living Room TV")
    assert not plays


# --------------------------------------------------------------------------- LLM
def _llm_context(language: str = "en") -> llm.LLMContext:
    return llm.LLMContext(
        platform="test",
        context=Context(),
        language=language,
        assistant=ASSISTANT,
        device_id=None,
    )


async def _assist_api(hass: HomeAssistant, language: str = "en") -> llm.APIInstance:
    """The Assist API; our tool comes from the integration's `llm` platform."""
    assert await async_setup_component(hass, "llm", {})
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, _llm_context(language))


async def _call_tool(
    api: llm.APIInstance, name: str, args: dict[str, Any]
) -> dict[str, Any]:
    """Call a tool as a conversation agent does, through APIInstance.async_call_tool."""
    tool_input = llm.ToolInput(tool_name=name, tool_args=args)
    result: Any = await api.async_call_tool(tool_input)
    # A ToolResult from 2026.10, a plain dict before.
    return dict(getattr(result, "data", result))


def _openapi(schema: vol.Schema) -> dict[str, Any]:
    """The tool's parameters as the LLM sees them."""
    try:
        from voluptuous_openapi import convert
    except ImportError:  # 2026.10: probatio converts its own schemas
        from probatio import to_openapi as convert
    converted: dict[str, Any] = convert(
        schema, custom_serializer=llm.selector_serializer
    )
    return converted


async def test_llm_tool_plays(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    await _expose_everything(hass)
    api = await _assist_api(hass, language="zh-Hans")
    tool = next(t for t in api.tools if t.name.endswith(INTENT_PLAY_RECORDING))
    assert tool.description == slow_live_intent.DESCRIPTION
    parameters = _openapi(tool.parameters)
    assert set(parameters["properties"]) == {
        "camera",
        "media_player",
        "minutes_ago",
        "duration",
    }
    assert set(parameters["required"]) == {"camera", "media_player"}
    assert parameters["properties"]["minutes_ago"]["type"] == "integer"
    assert parameters["properties"]["minutes_ago"]["maximum"] == MAX_MINUTES

    result = await _call_tool(
        api,
        tool.name,
        {"camera": "Garage", "media_player": "Living Room TV", "minutes_ago": 15},
    )
    _check_played(
        emulator, plays, start_ago=timedelta(minutes=15), end_ago=timedelta(0)
    )
    assert result["response_type"] == "action_done"
    assert result["speech"]["plain"]["speech"] == (
        "正在Living Room TV上播放Garage摄像头15分钟前的录像。"
    )
    assert plays[0].data["media_content_id"] not in str(result)
    assert result["speech_slots"]["recording"]["media_players"] == [TV]
    assert [t["id"] for t in result["data"]["success"]] == [
        _camera(hass, emulator, "Garage"),
        TV,
    ]


async def test_llm_tool_named_per_release(
    hass: HomeAssistant, setup_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _expose_everything(hass)
    tools = async_get_llm_tools(hass, _llm_context(), llm.LLM_API_ASSIST)
    assert tools is not None
    # Playing a recording, and the alarms: listing today's, playing the latest.
    by_name = {t.name.removeprefix(f"{DOMAIN}__"): t for t in tools.tools}
    assert set(by_name) == {
        INTENT_PLAY_RECORDING,
        "VolcengineListAlarms",
        "VolcenginePlayAlarm",
        "VolcengineMoveCamera",
        "VolcengineCameraPreset",
    }
    tool = by_name[INTENT_PLAY_RECORDING]
    if hasattr(llm, "ToolAnnotations"):
        assert tool.name == f"{DOMAIN}__{INTENT_PLAY_RECORDING}"
        assert tool.integration == DOMAIN
        assert not tool.annotations.destructive
        assert (
            by_name["VolcengineListAlarms"].title == "List a camera's alarms of today"
        )
    # Before 2026.10 the name is the intent type, which is what the tool calls.
    monkeypatch.delattr(llm, "ToolAnnotations", raising=False)
    tools = async_get_llm_tools(hass, _llm_context(), llm.LLM_API_ASSIST)
    assert tools is not None
    assert INTENT_PLAY_RECORDING in {t.name for t in tools.tools}


async def test_llm_tool_offered_only_with_an_exposed_camera(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    # Cameras are not exposed by default.
    assert async_get_llm_tools(hass, _llm_context(), llm.LLM_API_ASSIST) is None
    api = await _assist_api(hass)
    assert not [t for t in api.tools if t.name.endswith(INTENT_PLAY_RECORDING)]
    await _expose_everything(hass)
    assert async_get_llm_tools(hass, _llm_context(), "another_api") is None
    for intent_type in (
        INTENT_PLAY_RECORDING,
        "VolcengineListAlarms",
        "VolcenginePlayAlarm",
        "VolcengineMoveCamera",
        "VolcengineCameraPreset",
    ):
        intent.async_remove(hass, intent_type)
    assert async_get_llm_tools(hass, _llm_context(), llm.LLM_API_ASSIST) is None


# ------------------------------------------------------------- custom sentences
_REFERENCE = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")
_RULE = re.compile(r"<([^<>]+)>")
_INTENTS_LANGUAGE = {"en": "en", "zh-Hans": "zh-CN"}
_SENTENCE_FILES = {
    "en": SENTENCES / "en" / "volcengine_slow_live.yaml",
    "zh-Hans": SENTENCES / "zh-Hans" / "volcengine_slow_live.yaml",
}


def _balanced(template: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{", ">": "<"}
    stack: list[str] = []
    for char in template:
        if char in "([{<":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack


@pytest.mark.parametrize("language", sorted(_SENTENCE_FILES))
async def test_custom_sentences_are_well_formed(language: str) -> None:
    """Every reference resolves and every slot is one the intent accepts."""
    data = yaml.safe_load(_SENTENCE_FILES[language].read_text(encoding="utf-8"))
    # Home Assistant reads custom sentences from the directory named like the language
    # of its intents (home-assistant-intents), which for Simplified Chinese is zh-CN.
    assert data["language"] == _INTENTS_LANGUAGE[language]
    from custom_components.volcengine_slow_live.ptz.intent import (
        CameraPresetIntentHandler,
        MoveCameraIntentHandler,
    )
    from custom_components.volcengine_slow_live.voice.alarms import (
        ListAlarmsIntentHandler,
        PlayAlarmIntentHandler,
    )

    slots_of = {
        handler.intent_type: {str(key) for key in handler.slot_schema}
        for handler in (
            ListAlarmsIntentHandler(),
            PlayAlarmIntentHandler(),
            MoveCameraIntentHandler(),
            CameraPresetIntentHandler(),
        )
    }
    slots_of[INTENT_PLAY_RECORDING] = {str(key) for key in SLOT_SCHEMA}
    assert set(data["intents"]) == set(slots_of)
    for name, spec in data["intents"].items():
        _check_intent_sentences(spec, slots_of[name])


def _check_intent_sentences(spec: dict[str, Any], slots: set[str]) -> None:
    for block in spec["data"]:
        lists = block.get("lists", {})
        rules = block.get("expansion_rules", {})
        # Number ranges; the PTZ intents' lists of words and wildcards have none.
        for values in lists.values():
            if "range" in values:
                assert (
                    1 <= values["range"]["from"] <= values["range"]["to"] <= MAX_MINUTES
                )
        used_rules: set[str] = set()
        for template in [*block["sentences"], *rules.values()]:
            assert _balanced(template), template
            used_rules.update(_RULE.findall(template))
            for list_name, slot in _REFERENCE.findall(template):
                # {name} and {area} are the lists Home Assistant builds itself.
                assert list_name in lists or list_name in {"name", "area"}, template
                assert (slot or list_name) in slots, template
        assert used_rules == set(rules)
        assert set(lists) <= slots


async def _converse(hass: HomeAssistant, text: str, language: str) -> Any:
    from homeassistant.components import conversation

    result = await conversation.async_converse(
        hass, text, None, Context(), language=language
    )
    return result.response


@pytest.fixture
async def assist(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    """The default agent with both sentence files installed, everything exposed.

    Needs hassil and home-assistant-intents (the conversation integration's
    requirements); without them the tests that use this are skipped.
    """
    pytest.importorskip("hassil")
    intents = pytest.importorskip("home_assistant_intents")
    targets = {}
    for language, source in _SENTENCE_FILES.items():
        # What the default agent does to find the directory.
        lang_dir = language_util.matches(language, intents.get_languages())[0]
        assert lang_dir == _INTENTS_LANGUAGE[language]
        targets[source] = Path(hass.config.path("custom_sentences", lang_dir))

    def install() -> None:
        for source, target in targets.items():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)

    await hass.async_add_executor_job(install)
    await _expose_everything(hass)
    assert await async_setup_component(hass, "conversation", {})


_TV = "on the Living Room TV."


@pytest.mark.parametrize(
    ("language", "text", "start_ago", "end_ago", "speech"),
    [
        (
            "en",
            "show me the front gate camera from 10 minutes ago on the living room tv",
            10,
            0,
            f"Playing the Front Gate camera from 10 minutes ago {_TV}",
        ),
        (
            "en",
            "play the last 3 minutes of the front gate on the living room tv",
            3,
            0,
            f"Playing the last 3 minutes of the Front Gate camera {_TV}",
        ),
        (
            "en",
            "play 2 minutes of the garage from 30 minutes ago on the living room tv",
            30,
            28,
            f"Playing 2 minutes of the Garage camera from 30 minutes ago {_TV}",
        ),
        (
            "en",
            (
                "on the living room tv show me the garden camera recording"
                " from 7 minutes ago"
            ),
            7,
            0,
            f"Playing the Garden camera from 7 minutes ago {_TV}",
        ),
        (
            "en",
            "show the barn for 4 minutes on the living room tv",
            4,
            0,
            f"Playing the last 4 minutes of the Barn camera {_TV}",
        ),
        (
            "en",
            "replay the back door on the living room tv",
            DEFAULT_MINUTES,
            0,
            f"Playing the last 5 minutes of the Back Door camera {_TV}",
        ),
        (
            "zh-Hans",
            "在Living Room TV上播放Front Gate摄像头10分钟前的录像",
            10,
            0,
            "正在Living Room TV上播放Front Gate摄像头10分钟前的录像。",
        ),
        (
            "zh-Hans",
            "把Garage30分钟前的录像放到Living Room TV上",
            30,
            0,
            "正在Living Room TV上播放Garage摄像头30分钟前的录像。",
        ),
        (
            "zh-Hans",
            "在Living Room TV上回放Garden最近3分钟",
            3,
            0,
            "正在Living Room TV上播放Garden摄像头最近3分钟的录像。",
        ),
        (
            "zh-Hans",
            "在Living Room TV上播放Back Door20分钟前起2分钟的录像",
            20,
            18,
            "正在Living Room TV上播放Back Door摄像头20分钟前起2分钟的录像。",
        ),
        (
            "zh-Hans",
            "在Living Room TV上播放Front Gate十分钟前的录像",
            10,
            0,
            "正在Living Room TV上播放Front Gate摄像头10分钟前的录像。",
        ),
        (
            "zh-Hans",
            "在Living Room TV上回放Front Gate",
            DEFAULT_MINUTES,
            0,
            "正在Living Room TV上播放Front Gate摄像头最近5分钟的录像。",
        ),
    ],
)
@pytest.mark.usefixtures("assist")
async def test_custom_sentences_end_to_end(
    hass: HomeAssistant,
    emulator: Emulator,
    plays: list[ServiceCall],
    language: str,
    text: str,
    start_ago: int,
    end_ago: int,
    speech: str,
) -> None:
    """A sentence through the default agent plays the recording."""
    response = await _converse(hass, text, language)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE, (
        response.as_dict()
    )
    assert response.speech["plain"]["speech"] == speech
    _check_played(
        emulator,
        plays,
        start_ago=timedelta(minutes=start_ago),
        end_ago=timedelta(minutes=end_ago),
    )


@pytest.mark.usefixtures("assist")
async def test_custom_sentences_areas_and_exposure(
    hass: HomeAssistant, emulator: Emulator, plays: list[ServiceCall]
) -> None:
    porch = ar.async_get(hass).async_create("Porch")
    _move_device(hass, _camera(hass, emulator, "Front Gate"), porch.id)
    response = await _converse(
        hass, "play the last 2 minutes of the porch on the living room tv", "en"
    )
    assert response.response_type is intent.IntentResponseType.ACTION_DONE, (
        response.as_dict()
    )
    assert response.success_results[0].id == _camera(hass, emulator, "Front Gate")
    assert len(plays) == 1

    # A camera hidden from Assist is recognised, and refused for that reason.
    async_expose_entity(hass, ASSISTANT, _camera(hass, emulator, "Garden"), False)
    response = await _converse(hass, "replay the garden on the living room tv", "en")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert len(plays) == 1


async def test_nothing_recorded_is_said_not_played(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    stream_id = stream_titled(emulator, "Garden").stream_id
    emulator.fleet.set_recording(stream_id, None)
    with pytest.raises(
        intent.IntentHandleError, match="Nothing was recorded at Garden"
    ):
        await _handle(hass, camera="Garden", media_player="Living Room TV")
    assert not plays


# ------------------------------------------------------------------------ alarms
async def _alarm_poll(hass: HomeAssistant) -> None:
    from pytest_homeassistant_custom_component.common import async_fire_time_changed

    from custom_components.volcengine_slow_live.const import ALARM_POLL_INTERVAL

    async_fire_time_changed(hass, dt_util.utcnow() + ALARM_POLL_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _handle_alarm_intent(
    hass: HomeAssistant, intent_type: str, language: str = "en", **slots: Any
) -> intent.IntentResponse:
    return await intent.async_handle(
        hass, "test", intent_type, _slots(**slots), language=language
    )


async def test_alarm_intents(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    plays: list[ServiceCall],
) -> None:
    """Today's alarms of a camera, said; its latest one, played."""
    from emulator.alarms import trigger

    await _expose_everything(hass)
    garden = stream_titled(emulator, "Garden")  # raises none of its own
    none = await _handle_alarm_intent(hass, "VolcengineListAlarms", camera="Garden")
    assert none.speech["plain"]["speech"] == "No alarms at Garden today."
    with pytest.raises(intent.IntentHandleError, match="no alarm in the last 7 days"):
        await _handle_alarm_intent(
            hass, "VolcenginePlayAlarm", camera="Garden", media_player="Living Room TV"
        )
    first = trigger(garden, emulator.now() - 5, method=5, kind=6)
    latest = trigger(garden, emulator.now())
    said = await _handle_alarm_intent(hass, "VolcengineListAlarms", camera="Garden")
    assert said.response_type is intent.IntentResponseType.QUERY_ANSWER
    hhmm = [
        f"{dt_util.as_local(dt_util.utc_from_timestamp(a.at)):%H:%M}"
        for a in (latest, first)
    ]
    assert said.speech["plain"]["speech"] == (
        f"2 alarms at Garden today: motion at {hhmm[0]} and intrusion at {hhmm[1]}."
    )
    assert [a["kind"] for a in said.speech_slots["alarms"]] == ["motion", "intrusion"]
    assert "http" not in str(said.as_dict())
    zh = await _handle_alarm_intent(
        hass, "VolcengineListAlarms", language="zh-Hans", camera="Garden"
    )
    assert zh.speech["plain"]["speech"] == (
        f"Garden今天有2次报警：{hhmm[0]} 移动侦测，{hhmm[1]} 区域入侵。"  # noqa: RUF001
    )
    played = await _handle_alarm_intent(
        hass, "VolcenginePlayAlarm", camera="Garden", media_player="Living Room TV"
    )
    assert played.speech["plain"]["speech"] == (
        f"Playing the motion alarm of {hhmm[0]} at Garden on the Living Room TV."
    )
    assert len(plays) == 1
    params = emulator.requests("CloudRecordPlay")[-1].params
    assert int(params["StartTs"]) == latest.at - 10
    # Many alarms: five said, the rest counted.
    for n in range(6):
        trigger(garden, emulator.now() - 10 - n)
    many = await _handle_alarm_intent(hass, "VolcengineListAlarms", camera="Garden")
    assert many.speech["plain"]["speech"].startswith("8 alarms at Garden today: ")
    assert many.speech["plain"]["speech"].endswith(" and 3 more.")
    zh_many = await _handle_alarm_intent(
        hass, "VolcengineListAlarms", language="zh-Hans", camera="Garden"
    )
    assert zh_many.speech["plain"]["speech"].endswith("，另有3次。")  # noqa: RUF001
    # A camera whose device reports no alarms (an RTMP stream has no device).
    with pytest.raises(intent.IntentHandleError, match="does not report alarms"):
        await _handle_alarm_intent(
            hass, "VolcengineListAlarms", camera="tea-garden-east"
        )
    with pytest.raises(intent.IntentHandleError, match="不上报报警"):
        await _handle_alarm_intent(
            hass, "VolcengineListAlarms", language="zh-Hans", camera="tea-garden-east"
        )
    # The cloud failing, and the player refusing.
    emulator.faults.add(FaultRule("http_error", status=403, action="ListDeviceAlarms"))
    with pytest.raises(intent.IntentHandleError):
        await _handle_alarm_intent(hass, "VolcengineListAlarms", camera="Garden")
    emulator.faults.clear()
    emulator.faults.add(FaultRule("http_error", status=403, action="CloudRecordPlay"))
    with pytest.raises(intent.IntentHandleError):
        await _handle_alarm_intent(
            hass, "VolcenginePlayAlarm", camera="Garden", media_player="Living Room TV"
        )


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("en", "what happened at the garden today", "list"),
        (
            "en",
            "show me the last alarm of the garden camera on the living room tv",
            "play",
        ),
        ("zh-Hans", "Garden今天发生了什么", "list"),
        ("zh-Hans", "在Living Room TV上播放Garden最近一次报警", "play"),
    ],
)
@pytest.mark.usefixtures("assist")
async def test_alarm_sentences(
    hass: HomeAssistant,
    emulator: Emulator,
    plays: list[ServiceCall],
    language: str,
    text: str,
    kind: str,
) -> None:
    from emulator.alarms import trigger

    trigger(stream_titled(emulator, "Garden"), emulator.now())
    response = await _converse(hass, text, language)
    if kind == "list":
        assert response.response_type is intent.IntentResponseType.QUERY_ANSWER, (
            response.as_dict()
        )
        assert "Garden" in response.speech["plain"]["speech"]
    else:
        assert response.response_type is intent.IntentResponseType.ACTION_DONE, (
            response.as_dict()
        )
        assert len(plays) == 1
