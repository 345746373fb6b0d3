"""Voice and LLM for the cameras that move: "turn the barn camera left", "客厅摄像头放大".

* VolcengineMoveCamera ("turn the barn left", "zoom in on the living room camera",
  "stop the garden camera"): one step of a move, or a stop, through the `ptz` action.
  A step lasts `duration` seconds (the action's short default when not said) and
  always ends with a stop, so a misheard command never leaves a camera turning.
* VolcengineCameraPreset ("go to preset gate on the living room camera"): to a preset
  saved under that name (or that number), through the `ptz_preset` action.

Both go through the actions, so voice gets the same checks as automations: a camera
that cannot move and a preset that does not exist are refused there; here they are
only said again in words, in Chinese when the request was, else in English. Cameras
are found as VolcenginePlayRecording finds them (intent.py).
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import ServiceResponse, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
import voluptuous as vol

from ..const import DOMAIN
from ..targets import CameraTarget, resolve_camera
from ..voice.slots import (
    PREFERENCES,
    SLOT_CAMERA,
    SLOT_DURATION,
    ZH_COLON,
    ZH_COMMA,
    camera_of,
    chinese,
    response_target,
    said_name,
    slot_value,
)
from .controller import (
    DEFAULT_STEP,
    MAX_DURATION,
    MAX_PRESET,
    MIN_DURATION,
    MIN_PRESET,
    Move,
)
from .services import (
    ATTR_DURATION,
    ATTR_MOVE,
    ATTR_NUMBER,
    ATTR_OPERATION,
    ATTR_PRESET,
    SERVICE_PTZ,
    SERVICE_PTZ_PRESET,
    STOP,
)

INTENT_MOVE_CAMERA: Final = "VolcengineMoveCamera"
INTENT_CAMERA_PRESET: Final = "VolcengineCameraPreset"
SLOT_MOVE: Final = "move"
SLOT_PRESET: Final = "preset"
# What the `ptz` action accepts, in the order the LLM reads them.
MOVES: Final = (*(str(move) for move in Move), STOP)
# The default conversation agent speaks its own text for a failed intent, not the
# error's message: the custom sentence files give it these two (a fixed sentence
# each, as it renders them without the error's details).
ERROR_CANNOT_MOVE: Final = "volcengine_slow_live_cannot_move"
ERROR_UNKNOWN_PRESET: Final = "volcengine_slow_live_unknown_preset"

# Words people say around a preset's name ("the gate preset", "大门预置位") that are
# rarely part of the name itself; sentence wildcards and LLMs both pass them along.
_PRESET_WORDS = ("preset", "position", "预置位", "预置点", "预设位", "预设", "位置")
# Chinese punctuation, named: quotation marks, enumeration comma.
_ZH_OPEN_QUOTE = "\u201c"
_ZH_CLOSE_QUOTE = "\u201d"
_ZH_LIST_COMMA = "\u3001"

# What is said while a camera moves: (English, Chinese); {camera} is its name.
_SAID: Final[dict[str, tuple[str, str]]] = {
    Move.UP: ("Turning the {camera} up.", "正在让{camera}向上转。"),
    Move.DOWN: ("Turning the {camera} down.", "正在让{camera}向下转。"),
    Move.LEFT: ("Turning the {camera} left.", "正在让{camera}向左转。"),
    Move.RIGHT: ("Turning the {camera} right.", "正在让{camera}向右转。"),
    Move.UP_LEFT: ("Turning the {camera} up and left.", "正在让{camera}向左上转。"),
    Move.UP_RIGHT: ("Turning the {camera} up and right.", "正在让{camera}向右上转。"),
    Move.DOWN_LEFT: (
        "Turning the {camera} down and left.",
        "正在让{camera}向左下转。",
    ),
    Move.DOWN_RIGHT: (
        "Turning the {camera} down and right.",
        "正在让{camera}向右下转。",
    ),
    Move.ZOOM_IN: ("Zooming the {camera} in.", "正在让{camera}放大。"),
    Move.ZOOM_OUT: ("Zooming the {camera} out.", "正在让{camera}缩小。"),
    Move.FOCUS_NEAR: ("Focusing the {camera} nearer.", "正在让{camera}向近处对焦。"),
    Move.FOCUS_FAR: ("Focusing the {camera} farther.", "正在让{camera}向远处对焦。"),
    Move.IRIS_OPEN: ("Opening the {camera}'s iris.", "正在开大{camera}的光圈。"),
    Move.IRIS_CLOSE: ("Closing the {camera}'s iris.", "正在关小{camera}的光圈。"),
    STOP: ("Stopped the {camera}.", "{camera}已停止转动。"),
}

_CAMERA_SLOT: Final = vol.Required(
    SLOT_CAMERA,
    description="Name, alias or area of the Volcengine Slow Live camera to move",
)

MOVE_SLOT_SCHEMA: Final[dict[Any, Any]] = {
    _CAMERA_SLOT: intent.non_empty_string,
    vol.Required(
        SLOT_MOVE,
        description="Which way to move: " + ", ".join(MOVES),
    ): vol.In(MOVES),
    vol.Optional(
        SLOT_DURATION,
        description=(
            f"Seconds to keep moving before stopping (default {DEFAULT_STEP}, a "
            f"small step); up to {MAX_DURATION:g}"
        ),
    ): vol.All(vol.Coerce(float), vol.Range(min=MIN_DURATION, max=MAX_DURATION)),
    **PREFERENCES,
}
MOVE_DESCRIPTION: Final = (
    "Moves a Volcengine Slow Live (慢直播) camera that can pan, tilt and zoom, for "
    "requests such as 'turn the barn camera left', 'zoom in on the living room "
    "camera' or 'stop the garden camera'. camera: the camera's name, alias or area. "
    f"move: one of {', '.join(MOVES)}; 'stop' ends a move at once. Every move is "
    f"one step: the camera moves for duration seconds (default {DEFAULT_STEP}, "
    f"about 15 degrees when panning; at most {MAX_DURATION:g}) and then stops. "
    "Use a longer duration for 'a lot'. Fixed cameras cannot move."
)

PRESET_SLOT_SCHEMA: Final[dict[Any, Any]] = {
    _CAMERA_SLOT: intent.non_empty_string,
    vol.Required(
        SLOT_PRESET,
        description="Name of the saved preset (as it was saved), or its number",
    ): intent.non_empty_string,
    **PREFERENCES,
}
PRESET_DESCRIPTION: Final = (
    "Turns a Volcengine Slow Live camera that can move to one of its saved preset "
    "positions, for requests such as 'go to preset gate on the living room camera' "
    "or 'point the barn at the feeder preset'. camera: the camera's name, alias or "
    "area. preset: the preset's name as it was saved (case does not matter), or its "
    f"number ({MIN_PRESET}-{MAX_PRESET}). Presets are saved with the ptz_preset "
    "action or the camera's preset select; an unknown name is answered with the "
    "names that exist."
)


def _done(
    intent_obj: intent.Intent, camera: State, speech: str, slots: dict[str, Any]
) -> intent.IntentResponse:
    response = intent_obj.create_response()
    response.response_type = intent.IntentResponseType.ACTION_DONE
    response.async_set_results(success_results=[response_target(camera)])
    response.async_set_states([camera])
    response.async_set_speech(speech)
    response.async_set_speech_slots({SLOT_CAMERA: camera.name, **slots})
    return response


async def _call(
    intent_obj: intent.Intent,
    camera: State,
    service: str,
    data: dict[str, Any],
    *,
    name: str,
    presets: list[str] | None = None,
) -> ServiceResponse:
    """Call one of the PTZ actions for the camera; its refusals said in words.

    `name`: the camera as the person called it; `presets`: the camera's preset
    names, to say which exist when the action does not know the one asked for.
    """
    zh = chinese(intent_obj.language)
    try:
        return await intent_obj.hass.services.async_call(
            DOMAIN,
            service,
            {ATTR_ENTITY_ID: camera.entity_id, **data},
            blocking=True,
            return_response=service == SERVICE_PTZ_PRESET,
            context=intent_obj.context,
        )
    except HomeAssistantError as err:
        # The two refusals people meet by voice get a sentence of their own, in
        # their language; any other (the cloud failing, the entry unloaded) keeps
        # the action's message, which names the cloud's code for the logs and LLMs.
        if err.translation_key == "ptz_unsupported":
            raise intent.IntentHandleError(
                f"{name}不能转动。" if zh else f"The {name} cannot pan or tilt.",
                response_key=ERROR_CANNOT_MOVE,
            ) from err
        if err.translation_key in ("unknown_preset", "no_presets_saved"):
            asked = (err.translation_placeholders or {}).get("name", "")
            raise intent.IntentHandleError(
                _unknown_preset(zh, name, asked, presets or []),
                response_key=ERROR_UNKNOWN_PRESET,
            ) from err
        raise intent.IntentHandleError(str(err)) from err


def _unknown_preset(zh: bool, camera: str, asked: str, presets: list[str]) -> str:
    if zh:
        quoted = f"{_ZH_OPEN_QUOTE}{asked}{_ZH_CLOSE_QUOTE}"
        if not presets:
            return f"{camera}没有叫{quoted}的预置位{ZH_COMMA}还没有保存任何预置位。"
        listed = _ZH_LIST_COMMA.join(presets)
        return f"{camera}没有叫{quoted}的预置位。已保存的预置位{ZH_COLON}{listed}。"
    if not presets:
        return f'The {camera} has no preset called "{asked}"; it has none saved yet.'
    return (
        f'The {camera} has no preset called "{asked}". '
        f"Its presets: {', '.join(presets)}."
    )


class MoveCameraIntentHandler(intent.IntentHandler):
    """Move one of our cameras a step (pan, tilt, zoom, focus, iris), or stop it."""

    intent_type = INTENT_MOVE_CAMERA
    description = MOVE_DESCRIPTION

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The camera, the move and how long; the LLM API makes them parameters."""
        return MOVE_SLOT_SCHEMA

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Move (or stop) through the ptz action and say so."""
        slots = self.async_validate_slots(intent_obj.slots)
        camera = camera_of(intent_obj, slots)
        name = said_name(intent_obj.hass, camera, slot_value(slots, SLOT_CAMERA))
        move: str = slot_value(slots, SLOT_MOVE)
        duration: float | None = slot_value(slots, SLOT_DURATION)
        data: dict[str, Any] = {ATTR_MOVE: move}
        if duration is not None and move != STOP:
            data[ATTR_DURATION] = duration
        await _call(intent_obj, camera, SERVICE_PTZ, data, name=name)
        english, in_chinese = _SAID[move]
        said = in_chinese if chinese(intent_obj.language) else english
        return _done(
            intent_obj,
            camera,
            said.format(camera=name),
            {
                SLOT_MOVE: move,
                SLOT_DURATION: None
                if move == STOP
                else data.get(ATTR_DURATION, DEFAULT_STEP),
            },
        )


class CameraPresetIntentHandler(intent.IntentHandler):
    """Turn one of our cameras to a preset, by the name it was saved under."""

    intent_type = INTENT_CAMERA_PRESET
    description = PRESET_DESCRIPTION

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The camera and the preset's name."""
        return PRESET_SLOT_SCHEMA

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Go to the preset through the ptz_preset action and say where."""
        slots = self.async_validate_slots(intent_obj.slots)
        camera = camera_of(intent_obj, slots)
        name = said_name(intent_obj.hass, camera, slot_value(slots, SLOT_CAMERA))
        target = _resolve(intent_obj, camera)
        presets = target.entry.runtime_data.ptz
        key = target.channel.key
        spoken = _preset_names(slot_value(slots, SLOT_PRESET))
        # The first way of hearing it that names a saved preset; else a number; else
        # the bare name, which the action refuses (after any refusal of the camera).
        found = next(
            (hit for name in spoken if (hit := presets.find_preset(key, name))),
            None,
        )
        data: dict[str, Any] = {ATTR_OPERATION: "go_to"}
        if found is not None:
            data[ATTR_PRESET] = found[0]
        elif (numbered := _preset_number(spoken[-1])) is not None:
            data[ATTR_NUMBER] = numbered
        else:
            data[ATTR_PRESET] = spoken[-1]
        result = await _call(
            intent_obj,
            camera,
            SERVICE_PTZ_PRESET,
            data,
            name=name,
            presets=list(presets.presets(key)),
        )
        # The action answers per camera with the preset as saved, and its number.
        done: Any = (result or {})[camera.entity_id]
        preset: str | None = done[ATTR_PRESET]
        number: int = done[ATTR_NUMBER]
        return _done(
            intent_obj,
            camera,
            _preset_speech(chinese(intent_obj.language), name, preset, number),
            {SLOT_PRESET: preset, ATTR_NUMBER: number},
        )


def _resolve(intent_obj: intent.Intent, camera: State) -> CameraTarget:
    """The camera's entry and channel, to read its preset names."""
    try:
        return resolve_camera(intent_obj.hass, camera.entity_id)
    except HomeAssistantError as err:
        # Its entry is not loaded (or the channel left the account): the action
        # would refuse the same way.
        raise intent.IntentHandleError(str(err)) from err


def _preset_names(spoken: str) -> list[str]:
    """What was said, then without a leading "the" and a trailing "preset"."""
    bare = spoken.strip()
    if bare.casefold().startswith("the "):
        bare = bare[4:].lstrip()
    folded = bare.casefold()
    for word in _PRESET_WORDS:
        if folded.endswith(word) and (rest := bare[: -len(word)].strip()):
            bare = rest
            break
    return [spoken] if bare == spoken else [spoken, bare]


def _preset_number(name: str) -> int | None:
    """The number in "2", "preset 2", "#2" or "2号", if a preset can have it."""
    digits = name.strip()
    for word in (*_PRESET_WORDS, "#"):
        if digits.casefold().startswith(word):
            digits = digits[len(word) :].strip()
            break
    digits = digits.removesuffix("号").strip()
    if not digits.isdecimal() or not MIN_PRESET <= int(digits) <= MAX_PRESET:
        return None
    return int(digits)


def _preset_speech(zh: bool, camera: str, name: str | None, number: int) -> str:
    if zh:
        return f"正在让{camera}转到{name or f'{number}号'}预置位。"
    return f"Turning the {camera} to {name or f'preset {number}'}."
