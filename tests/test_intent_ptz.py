"""The PTZ intents: moves and presets by voice and LLM, against the emulator over HTTP.

What the cloud received is read from the emulator's command log (`Stream.ptz_log`):
every intent goes through the real ptz / ptz_preset actions, the real controller and
the real HTTP client.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    intent,
    llm,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_intent,
)

from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.intent import async_get_llm_tools
from custom_components.volcengine_slow_live.ptz.intent import (
    INTENT_CAMERA_PRESET,
    INTENT_MOVE_CAMERA,
    MOVE_DESCRIPTION,
    MOVES,
    PRESET_DESCRIPTION,
)
from emulator import Emulator, FaultRule

from .common import camera_entity, stream_titled
from .test_intent import (  # noqa: F401  # assist: the fixture, shared
    _SENTENCE_FILES,
    ASSISTANT,
    _assist_api,
    _call_tool,
    _converse,
    _expose_everything,
    _llm_context,
    _openapi,
    assist,
)

LEFT_STEP = [("PTZControl", "left", 128), ("PTZControl", "stop", 0)]


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A config directory of the test's own: custom sentences are copied into it."""
    return hass_tmp_config_dir


def _commands(emulator: Emulator, title: str) -> list[tuple[str, str, int]]:
    return [(a, c, p) for _, a, c, p in stream_titled(emulator, title).ptz_log]


def _clear(emulator: Emulator) -> None:
    for stream in emulator.fleet.main_streams():
        stream.ptz_log.clear()


async def _handle(
    hass: HomeAssistant, intent_type: str, language: str = "en", **slots: Any
) -> intent.IntentResponse:
    return await intent.async_handle(
        hass,
        "test",
        intent_type,
        {name: {"value": value} for name, value in slots.items()},
        language=language,
    )


async def _move(
    hass: HomeAssistant, language: str = "en", **slots: Any
) -> intent.IntentResponse:
    return await _handle(hass, INTENT_MOVE_CAMERA, language, **slots)


async def _go(
    hass: HomeAssistant, language: str = "en", **slots: Any
) -> intent.IntentResponse:
    return await _handle(hass, INTENT_CAMERA_PRESET, language, **slots)


async def _save(hass: HomeAssistant, entity_id: str, name: str) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "ptz_preset",
        {"entity_id": entity_id, "operation": "save", "preset": name},
        blocking=True,
        return_response=True,
    )


def _rename(hass: HomeAssistant, emulator: Emulator, **names: str) -> None:
    """Give cameras the names a Chinese household uses (title=name)."""
    registry = er.async_get(hass)
    for title, name in names.items():
        registry.async_update_entity(
            camera_entity(hass, emulator, title.replace("_", " ")), name=name
        )


def _speech(response: intent.IntentResponse) -> str:
    return str(response.speech["plain"]["speech"])


# ---------------------------------------------------------------------- handlers
async def test_registered_once_beside_the_others(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    types = [h.intent_type for h in intent.async_get(hass)]
    assert types.count(INTENT_MOVE_CAMERA) == 1
    assert types.count(INTENT_CAMERA_PRESET) == 1


async def test_move_is_a_step_then_a_stop(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Left at the default speed for the default step, ended by a stop; a said
    duration lasts that long; a stop stops at once."""
    barn = camera_entity(hass, emulator, "Barn")
    response = await _move(hass, camera="Barn camera", move="left")
    assert _commands(emulator, "Barn") == LEFT_STEP
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert _speech(response) == "Turning the Barn left."
    assert [(t.id, t.name) for t in response.success_results] == [(barn, "Barn")]
    assert [s.entity_id for s in response.matched_states] == [barn]
    assert response.speech_slots == {"camera": "Barn", "move": "left", "duration": 0.5}
    log = stream_titled(emulator, "Barn").ptz_log
    assert 0.4 <= log[1][0] - log[0][0] <= 1.5

    _clear(emulator)
    # The LLM and hassil may give the duration as a string or an integer.
    response = await _move(hass, camera="barn", move="up", duration="1.5")
    assert _commands(emulator, "Barn") == [
        ("PTZControl", "up", 128),
        ("PTZControl", "stop", 0),
    ]
    assert 1.4 <= log[1][0] - log[0][0] <= 2.5
    assert response.speech_slots["duration"] == 1.5

    _clear(emulator)
    response = await _move(hass, camera="Barn", move="stop", duration=9)
    assert _commands(emulator, "Barn") == [("PTZControl", "stop", 0)]
    assert _speech(response) == "Stopped the Barn."
    assert response.speech_slots == {"camera": "Barn", "move": "stop", "duration": None}


async def test_every_move_said_in_both_languages(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    _rename(hass, emulator, Garden="花园")
    said = {}
    for move in MOVES:
        english = await _move(hass, camera="花园", move=move, duration=0.1)
        chinese = await _move(
            hass, language="zh-Hans", camera="花园摄像头", move=move, duration=0.1
        )
        said[move] = (_speech(english), _speech(chinese))
    assert said == {
        "up": ("Turning the 花园 up.", "正在让花园向上转。"),
        "down": ("Turning the 花园 down.", "正在让花园向下转。"),
        "left": ("Turning the 花园 left.", "正在让花园向左转。"),
        "right": ("Turning the 花园 right.", "正在让花园向右转。"),
        "up_left": ("Turning the 花园 up and left.", "正在让花园向左上转。"),
        "up_right": ("Turning the 花园 up and right.", "正在让花园向右上转。"),
        "down_left": ("Turning the 花园 down and left.", "正在让花园向左下转。"),
        "down_right": ("Turning the 花园 down and right.", "正在让花园向右下转。"),
        "zoom_in": ("Zooming the 花园 in.", "正在让花园放大。"),
        "zoom_out": ("Zooming the 花园 out.", "正在让花园缩小。"),
        "focus_near": ("Focusing the 花园 nearer.", "正在让花园向近处对焦。"),
        "focus_far": ("Focusing the 花园 farther.", "正在让花园向远处对焦。"),
        "iris_open": ("Opening the 花园's iris.", "正在开大花园的光圈。"),
        "iris_close": ("Closing the 花园's iris.", "正在关小花园的光圈。"),
        "stop": ("Stopped the 花园.", "花园已停止转动。"),
    }
    # Each move reached the cloud as its own command, each followed by its stop.
    sent = _commands(emulator, "Garden")
    assert sent[:2] == [("PTZControl", "up", 128), ("PTZControl", "stop", 0)]
    assert ("PTZControl", "zoomin", 8) in sent
    assert ("FiControl", "irisin", 128) in sent
    assert sent[-2:] == [("PTZControl", "stop", 0), ("PTZControl", "stop", 0)]


async def test_cameras_that_cannot_move_are_refused_in_words(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    _rename(hass, emulator, Garage="车库")
    with pytest.raises(
        intent.IntentHandleError, match=r"^The Front Gate cannot pan or tilt\.$"
    ):
        await _move(hass, camera="Front Gate", move="left")
    with pytest.raises(intent.IntentHandleError, match=r"^车库不能转动。$"):
        await _move(hass, language="zh-Hans", camera="车库", move="zoom_in")
    # A preset of a fixed camera: the camera is what is wrong, not the name.
    with pytest.raises(
        intent.IntentHandleError, match=r"^The Front Gate cannot pan or tilt\.$"
    ):
        await _go(hass, camera="front gate camera", preset="Gate")
    with pytest.raises(intent.IntentHandleError, match=r"^车库不能转动。$"):
        await _go(hass, language="zh", camera="车库", preset="3")
    assert all(not s.ptz_log for s in emulator.fleet.main_streams())


async def test_presets_by_name(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    living = camera_entity(hass, emulator, "Living Room")
    assert await _save(hass, living, "Gate") == {
        living: {"preset": "Gate", "number": 1}
    }
    await _save(hass, living, "Fish pond")
    _clear(emulator)

    response = await _go(hass, camera="Living Room", preset="gate")
    assert _speech(response) == "Turning the Living Room to Gate."
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert [t.id for t in response.success_results] == [living]
    assert response.speech_slots == {
        "camera": "Living Room",
        "preset": "Gate",
        "number": 1,
    }
    # The words around a name, as a wildcard or an LLM passes them along.
    response = await _go(hass, camera="Living Room", preset="the fish  POND preset")
    assert _speech(response) == "Turning the Living Room to Fish pond."
    assert _commands(emulator, "Living Room") == [
        ("PresetControl", "goto", 1),
        ("PresetControl", "goto", 2),
    ]
    # A number: a preset saved elsewhere (in the camera's own app) has no name here.
    await setup_entry.runtime_data.client.cloud_control(
        stream_titled(emulator, "Living Room").stream_id,
        action="PresetControl",
        command="set",
        param=7,
    )
    _clear(emulator)
    response = await _go(hass, camera="Living Room", preset="7")
    assert _speech(response) == "Turning the Living Room to preset 7."
    assert response.speech_slots["preset"] is None
    response = await _go(hass, camera="Living Room", preset="preset 2")
    assert _speech(response) == "Turning the Living Room to Fish pond."
    assert _commands(emulator, "Living Room") == [
        ("PresetControl", "goto", 7),
        ("PresetControl", "goto", 2),
    ]

    # Chinese: the name as saved, said back with the words around it.
    _rename(hass, emulator, Living_Room="客厅")
    await _save(hass, living, "大门")
    _clear(emulator)
    response = await _go(hass, language="zh-Hans", camera="客厅", preset="大门预置位")
    assert _speech(response) == "正在让客厅转到大门预置位。"
    response = await _go(hass, language="zh-Hans", camera="客厅", preset="7号")
    assert _speech(response) == "正在让客厅转到7号预置位。"
    assert _commands(emulator, "Living Room") == [
        ("PresetControl", "goto", 3),
        ("PresetControl", "goto", 7),
    ]


async def test_unknown_presets_name_the_saved_ones(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    living = camera_entity(hass, emulator, "Living Room")
    _rename(hass, emulator, Barn="谷仓")
    # None saved yet.
    with pytest.raises(intent.IntentHandleError) as none:
        await _go(hass, camera="谷仓", preset="the moon preset")
    assert str(none.value) == (
        'The 谷仓 has no preset called "moon"; it has none saved yet.'
    )
    with pytest.raises(intent.IntentHandleError) as none_zh:
        await _go(hass, language="zh-Hans", camera="谷仓", preset="月亮预置位")
    assert str(none_zh.value) == (
        "谷仓没有叫\u201c月亮\u201d的预置位，还没有保存任何预置位。"  # noqa: RUF001
    )
    # Some saved: they are listed, in number order.
    await _save(hass, living, "Gate")
    await _save(hass, living, "Fish pond")
    with pytest.raises(intent.IntentHandleError) as some:
        await _go(hass, camera="Living Room", preset="Moon")
    assert str(some.value) == (
        'The Living Room has no preset called "Moon". Its presets: Gate, Fish pond.'
    )
    with pytest.raises(intent.IntentHandleError) as some_zh:
        await _go(hass, language="zh-Hans", camera="Living Room", preset="月亮")
    assert str(some_zh.value) == (
        "Living Room没有叫\u201c月亮\u201d的预置位。"
        "已保存的预置位\uff1aGate\u3001Fish pond。"
    )
    # A number out of the cloud's range is a name nobody saved.
    with pytest.raises(intent.IntentHandleError, match='no preset called "300"'):
        await _go(hass, camera="Living Room", preset="300")
    assert _commands(emulator, "Living Room") == [
        ("PresetControl", "set", 1),
        ("PresetControl", "set", 2),
    ]


async def test_other_failures_keep_the_actions_message(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    living = camera_entity(hass, emulator, "Living Room")
    await _save(hass, living, "Gate")
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=403,
            code="OperationDeny.AccountOverdue",
            action="CloudControl",
        )
    )
    with pytest.raises(
        intent.IntentHandleError, match=r"OperationDeny\.AccountOverdue"
    ):
        await _move(hass, camera="Living Room", move="left")
    with pytest.raises(
        intent.IntentHandleError, match=r"OperationDeny\.AccountOverdue"
    ):
        await _go(hass, camera="Living Room", preset="Gate")
    emulator.faults.clear()
    # Unloaded, the camera is still there: the action and the preset look-up say why.
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(intent.IntentHandleError, match="not loaded"):
        await _move(hass, camera="Living Room", move="left")
    with pytest.raises(intent.IntentHandleError, match="not loaded"):
        await _go(hass, camera="Living Room", preset="Gate")


async def test_invalid_slots_and_unknown_cameras(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    for slots in (
        {"camera": "Barn"},
        {"camera": "Barn", "move": "sideways"},
        {"camera": "Barn", "move": "left", "duration": 0},
        {"camera": "Barn", "move": "left", "duration": 61},
        {"camera": " ", "move": "left"},
    ):
        with pytest.raises(intent.InvalidSlotInfo):
            await _move(hass, **slots)
    for slots in ({"camera": "Barn"}, {"camera": "Barn", "preset": "  "}):
        with pytest.raises(intent.InvalidSlotInfo):
            await _go(hass, **slots)
    with pytest.raises(intent.MatchFailedError):
        await _move(hass, camera="Moon Base", move="left")
    with pytest.raises(intent.MatchFailedError):
        await _go(hass, camera="Moon Base", preset="Gate")
    assert all(not s.ptz_log for s in emulator.fleet.main_streams())


# --------------------------------------------------------------------------- LLM
async def test_llm_tools(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    await _expose_everything(hass)
    tools = async_get_llm_tools(hass, _llm_context(), llm.LLM_API_ASSIST)
    assert tools is not None
    by_name = {t.name.removeprefix(f"{DOMAIN}__"): t for t in tools.tools}
    assert {INTENT_MOVE_CAMERA, INTENT_CAMERA_PRESET} <= set(by_name)
    if hasattr(llm, "ToolAnnotations"):
        assert by_name[INTENT_MOVE_CAMERA].title == "Pan, tilt or zoom a camera"
        assert not by_name[INTENT_CAMERA_PRESET].annotations.destructive

    api = await _assist_api(hass)
    move = next(t for t in api.tools if t.name.endswith(INTENT_MOVE_CAMERA))
    assert move.description == MOVE_DESCRIPTION
    assert "zoom_in" in move.description
    parameters = _openapi(move.parameters)
    assert set(parameters["properties"]) == {"camera", "move", "duration"}
    assert set(parameters["required"]) == {"camera", "move"}
    assert list(parameters["properties"]["move"]["enum"]) == list(MOVES)
    assert parameters["properties"]["duration"]["maximum"] == 60
    assert "description" in parameters["properties"]["camera"]
    preset = next(t for t in api.tools if t.name.endswith(INTENT_CAMERA_PRESET))
    assert preset.description == PRESET_DESCRIPTION
    parameters = _openapi(preset.parameters)
    assert set(parameters["properties"]) == {"camera", "preset"}
    assert set(parameters["required"]) == {"camera", "preset"}

    result = await _call_tool(api, move.name, {"camera": "Barn", "move": "left"})
    assert result["response_type"] == "action_done"
    assert result["speech"]["plain"]["speech"] == "Turning the Barn left."
    assert _commands(emulator, "Barn") == LEFT_STEP
    living = camera_entity(hass, emulator, "Living Room")
    await _save(hass, living, "Gate")
    result = await _call_tool(
        api, preset.name, {"camera": "Living Room", "preset": "Gate"}
    )
    assert result["speech"]["plain"]["speech"] == "Turning the Living Room to Gate."
    assert _commands(emulator, "Living Room")[-1] == ("PresetControl", "goto", 1)


# ------------------------------------------------------------- custom sentences
async def _check_sentences(
    hass: HomeAssistant,
    language: str,
    cases: list[tuple[str, str, dict[str, Any], str]],
) -> None:
    """Each sentence reaches its intent, with these speech slots and this answer."""
    for text, intent_type, slots, speech in cases:
        response = await _converse(hass, text, language)
        assert response.response_type is intent.IntentResponseType.ACTION_DONE, (
            text,
            response.as_dict(),
        )
        assert response.intent is not None
        assert response.intent.intent_type == intent_type, text
        assert {k: response.speech_slots.get(k) for k in slots} == slots, text
        assert _speech(response) == speech, text


_MOVE = INTENT_MOVE_CAMERA
_PRESET = INTENT_CAMERA_PRESET


@pytest.mark.usefixtures("assist")
async def test_english_sentences(hass: HomeAssistant, emulator: Emulator) -> None:
    living = camera_entity(hass, emulator, "Living Room")
    await _save(hass, living, "Gate")
    await _save(hass, camera_entity(hass, emulator, "Barn"), "Feeder")
    _clear(emulator)
    await _check_sentences(
        hass,
        "en",
        [
            (
                "turn the barn camera left",
                _MOVE,
                {"camera": "Barn", "move": "left", "duration": 0.5},
                "Turning the Barn left.",
            ),
            (
                "pan the garden right for 2 seconds",
                _MOVE,
                {"camera": "Garden", "move": "right", "duration": 2.0},
                "Turning the Garden right.",
            ),
            (
                "turn the garden to the left for 1 second",
                _MOVE,
                {"move": "left", "duration": 1.0},
                "Turning the Garden left.",
            ),
            (
                "tilt the living room camera up a bit",
                _MOVE,
                {"move": "up"},
                "Turning the Living Room up.",
            ),
            (
                "move the barn down and left",
                _MOVE,
                {"move": "down_left"},
                "Turning the Barn down and left.",
            ),
            (
                "zoom in on the living room camera",
                _MOVE,
                {"camera": "Living Room", "move": "zoom_in"},
                "Zooming the Living Room in.",
            ),
            (
                "zoom the barn out",
                _MOVE,
                {"move": "zoom_out"},
                "Zooming the Barn out.",
            ),
            ("stop the barn camera", _MOVE, {"move": "stop"}, "Stopped the Barn."),
            (
                "stop moving the garden",
                _MOVE,
                {"move": "stop"},
                "Stopped the Garden.",
            ),
            (
                "go to preset gate on the living room camera",
                _PRESET,
                {"camera": "Living Room", "preset": "Gate", "number": 1},
                "Turning the Living Room to Gate.",
            ),
            (
                "turn the living room to preset gate",
                _PRESET,
                {"preset": "Gate"},
                "Turning the Living Room to Gate.",
            ),
            (
                "point the barn at the feeder preset",
                _PRESET,
                {"camera": "Barn", "preset": "Feeder"},
                "Turning the Barn to Feeder.",
            ),
        ],
    )
    assert _commands(emulator, "Barn")[:2] == LEFT_STEP
    assert ("PTZControl", "leftdown", 128) in _commands(emulator, "Barn")
    assert ("PresetControl", "goto", 1) in _commands(emulator, "Living Room")


@pytest.mark.usefixtures("assist")
async def test_chinese_sentences(hass: HomeAssistant, emulator: Emulator) -> None:
    _rename(hass, emulator, Barn="谷仓", Living_Room="客厅", Garden="花园")
    await hass.async_block_till_done()
    living = camera_entity(hass, emulator, "Living Room")
    await _save(hass, living, "大门")
    await _save(hass, camera_entity(hass, emulator, "Barn"), "喂食器")
    _clear(emulator)
    await _check_sentences(
        hass,
        "zh-Hans",
        [
            (
                "把谷仓摄像头向左转",
                _MOVE,
                {"camera": "谷仓", "move": "left", "duration": 0.5},
                "正在让谷仓向左转。",
            ),
            (
                "花园向右转2秒",
                _MOVE,
                {"camera": "花园", "move": "right", "duration": 2.0},
                "正在让花园向右转。",
            ),
            ("让谷仓向左上转一点", _MOVE, {"move": "up_left"}, "正在让谷仓向左上转。"),
            ("把花园往下边移动一下", _MOVE, {"move": "down"}, "正在让花园向下转。"),
            (
                "客厅摄像头放大",
                _MOVE,
                {"camera": "客厅", "move": "zoom_in"},
                "正在让客厅放大。",
            ),
            ("把客厅拉远一点", _MOVE, {"move": "zoom_out"}, "正在让客厅缩小。"),
            ("谷仓摄像头停止转动", _MOVE, {"move": "stop"}, "谷仓已停止转动。"),
            ("让花园停下来", _MOVE, {"move": "stop"}, "花园已停止转动。"),
            (
                "把客厅摄像头转到大门预置位",
                _PRESET,
                {"camera": "客厅", "preset": "大门", "number": 1},
                "正在让客厅转到大门预置位。",
            ),
            ("客厅转到大门", _PRESET, {"preset": "大门"}, "正在让客厅转到大门预置位。"),
            (
                "谷仓转到喂食器",
                _PRESET,
                {"camera": "谷仓", "preset": "喂食器"},
                "正在让谷仓转到喂食器预置位。",
            ),
        ],
    )
    assert _commands(emulator, "Barn")[:2] == LEFT_STEP
    assert _commands(emulator, "Living Room")[-1] == ("PresetControl", "goto", 1)


@pytest.mark.usefixtures("assist")
async def test_sentences_of_hidden_or_fixed_cameras(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Recognised, and refused for what is wrong: hidden from Assist, cannot move."""
    # The agent speaks a sentence of the files for these (not the error's message).
    response = await _converse(hass, "turn the front gate left", "en")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == "That camera cannot pan or tilt."
    response = await _converse(hass, "Front Gate向左转", "zh-Hans")
    assert _speech(response) == "这个摄像头不能转动。"
    response = await _converse(hass, "go to preset moon on the barn", "en")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == "That camera has no preset by that name."
    response = await _converse(hass, "把Barn转到月亮", "zh-Hans")
    assert _speech(response) == "这个摄像头没有这个名称的预置位。"
    async_expose_entity(hass, ASSISTANT, camera_entity(hass, emulator, "Barn"), False)
    response = await _converse(hass, "turn the barn left", "en")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert response.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert all(not s.ptz_log for s in emulator.fleet.main_streams())


@pytest.mark.usefixtures("assist")
async def test_sentences_by_area_need_the_word_camera(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """An area is a camera's only when "camera" follows it."""
    porch = ar.async_get(hass).async_create("Porch")
    entry = er.async_get(hass).async_get(camera_entity(hass, emulator, "Barn"))
    assert entry is not None
    assert entry.device_id is not None
    dr.async_get(hass).async_update_device(entry.device_id, area_id=porch.id)
    await _check_sentences(
        hass,
        "en",
        [
            (
                "turn the porch camera left",
                _MOVE,
                {"camera": "Barn"},
                "Turning the Barn left.",
            )
        ],
    )
    await _check_sentences(
        hass,
        "zh-Hans",
        [("Porch摄像头放大", _MOVE, {"move": "zoom_in"}, "正在让Barn放大。")],
    )
    response = await _converse(hass, "turn the porch left", "en")
    assert response.intent is None or response.intent.intent_type != _MOVE
    assert len(_commands(emulator, "Barn")) == 4


@pytest.mark.usefixtures("assist")
async def test_sentences_leave_other_devices_alone(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """Other devices' commands that look like ours stay theirs: names count only
    when they are cameras'."""
    docked = async_mock_intent(hass, "HassLawnMowerDock")
    speeds = async_mock_intent(hass, "HassFanSetSpeed")
    hass.states.async_set("lawn_mower.robomow", "mowing", {"friendly_name": "Robomow"})
    hass.states.async_set(
        "fan.ceiling", "on", {"friendly_name": "风扇", "supported_features": 1}
    )
    for entity_id in ("lawn_mower.robomow", "fan.ceiling"):
        async_expose_entity(hass, ASSISTANT, entity_id, True)
    await _converse(hass, "stop the robomow", "en")
    assert len(docked) == 1
    await _converse(hass, "把风扇调到50%", "zh-Hans")
    assert len(speeds) == 1
    assert all(not s.ptz_log for s in emulator.fleet.main_streams())


def test_examples_in_the_headers_are_tested() -> None:
    """The files' header examples are the sentences the tests above say."""
    english = _SENTENCE_FILES["en"].read_text(encoding="utf-8")
    chinese = _SENTENCE_FILES["zh-Hans"].read_text(encoding="utf-8")
    for example in (
        "turn the barn camera left",
        "zoom in on the living room camera",
        "go to preset gate on the living room camera",
        "point the barn at the feeder preset",
        "stop the barn camera",
        "pan the garden right for 2 seconds",
    ):
        assert f"#   {example}" in english
    for example in (
        "把谷仓摄像头向左转",
        "客厅摄像头放大",
        "把客厅摄像头转到大门预置位",
        "谷仓摄像头停止转动",
        "花园向右转2秒",
        "谷仓转到喂食器",
    ):
        assert f"#   {example}" in chinese
