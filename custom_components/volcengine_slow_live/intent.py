"""Voice and LLM: "play the front gate camera from 10 minutes ago on the living room TV".

One intent, VolcenginePlayRecording. Its slots are the camera, the media player and two
optional numbers of minutes, which decide the range:

- `minutes_ago` only: from that many minutes ago until now;
- `duration` only: the last `duration` minutes;
- both: `duration` minutes starting `minutes_ago` minutes ago (never past now);
- neither: the last DEFAULT_MINUTES minutes.

Names are matched the way Home Assistant's own intents match them (entity names and
aliases, then areas; only entities exposed to the assistant that asks), the camera only
among this integration's cameras. The recording is played through the play_recording
action, so voice gets the same checks, errors and player call as automations do. The
answer is spoken in Chinese when the request was, else in English; the links are in the
response's speech slots.

This module is also the integration's `intent` platform: the intent integration calls
async_setup_intents for it once both are loaded. async_setup calls it as well, so the
intent exists wherever the integration does; whichever call comes second does nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.llm import LLMTools
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    config_validation as cv,
    intent,
    llm,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import DOMAIN
from .ptz.intent import CameraPresetIntentHandler, MoveCameraIntentHandler
from .services import (
    ATTR_DURATION,
    ATTR_END,
    ATTR_MEDIA_PLAYER,
    ATTR_START,
    SERVICE_PLAY_RECORDING,
)
from .voice.alarms import ListAlarmsIntentHandler, PlayAlarmIntentHandler
from .voice.slots import (
    SLOT_CAMERA,
    SLOT_DURATION,
    SLOT_MEDIA_PLAYER,
    SLOT_MINUTES_AGO,
    SLOT_PREFERRED_AREA,
    SLOT_PREFERRED_FLOOR,
    find_camera,
    find_entity,
    our_cameras,
    response_target,
    said_name,
    slot_value,
)

INTENT_PLAY_RECORDING: Final = "VolcenginePlayRecording"
# The alarm intents (voice/alarms.py) and the PTZ intents (ptz/intent.py), offered
# to LLMs beside it.
_ALARM_INTENTS: Final = ("VolcengineListAlarms", "VolcenginePlayAlarm")
_PTZ_INTENTS: Final = ("VolcengineMoveCamera", "VolcengineCameraPreset")
_TOOL_TITLES: Final = {
    INTENT_PLAY_RECORDING: "Play a camera recording",
    "VolcengineListAlarms": "List a camera's alarms of today",
    "VolcenginePlayAlarm": "Play a camera's latest alarm",
    "VolcengineMoveCamera": "Pan, tilt or zoom a camera",
    "VolcengineCameraPreset": "Turn a camera to a saved preset",
}

DEFAULT_MINUTES: Final = 5
# The cloud serves at most a day per playback request.
MAX_MINUTES: Final = 24 * 60

_MINUTES = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_MINUTES))
SLOT_SCHEMA: Final[dict[Any, Any]] = {
    vol.Required(
        SLOT_CAMERA,
        description="Name, alias or area of the Volcengine Slow Live camera",
    ): intent.non_empty_string,
    vol.Required(
        SLOT_MEDIA_PLAYER,
        description="Name, alias or area of the media player to play it on",
    ): intent.non_empty_string,
    vol.Optional(
        SLOT_MINUTES_AGO,
        description="Start of the recording, in minutes before now",
    ): _MINUTES,
    vol.Optional(
        SLOT_DURATION,
        description="How many minutes to play (default: until now)",
    ): _MINUTES,
    vol.Optional(SLOT_PREFERRED_AREA): cv.string,
    vol.Optional(SLOT_PREFERRED_FLOOR): cv.string,
}
DESCRIPTION: Final = (
    "Plays the cloud recording of a Volcengine Slow Live (慢直播) camera on a media "
    "player, for requests such as 'show me the front gate camera from 10 minutes ago "
    "on the living room TV' or 'play the last 5 minutes of the garden camera on the "
    "kitchen display'. minutes_ago is where playback starts (minutes before now); "
    "duration is how many minutes to play. Without duration it plays until now; "
    "without minutes_ago it plays the last duration minutes; with neither, the last "
    f"{DEFAULT_MINUTES} minutes."
)


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents, once (async_setup and the intent platform both call)."""
    if any(h.intent_type == INTENT_PLAY_RECORDING for h in intent.async_get(hass)):
        return
    for handler in (
        PlayRecordingIntentHandler(),
        ListAlarmsIntentHandler(),
        PlayAlarmIntentHandler(),
        MoveCameraIntentHandler(),
        CameraPresetIntentHandler(),
    ):
        intent.async_register(hass, handler)


class PlayRecordingIntentHandler(intent.IntentHandler):
    """Play one of our cameras' recordings on a media player, both named in words."""

    intent_type = INTENT_PLAY_RECORDING
    description = DESCRIPTION

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The slots; the LLM API turns them into the tool's parameters."""
        return SLOT_SCHEMA

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Find the camera and the player, play, and say what is playing."""
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        preferences = intent.MatchTargetsPreferences(
            area_id=slot_value(slots, SLOT_PREFERRED_AREA),
            floor_id=slot_value(slots, SLOT_PREFERRED_FLOOR),
        )
        camera = find_camera(intent_obj, slot_value(slots, SLOT_CAMERA), preferences)
        player = find_entity(
            intent_obj,
            [slot_value(slots, SLOT_MEDIA_PLAYER)],
            Platform.MEDIA_PLAYER,
            preferences,
            None,
        )
        minutes_ago: int | None = slot_value(slots, SLOT_MINUTES_AGO)
        duration: int | None = slot_value(slots, SLOT_DURATION)
        try:
            result = await hass.services.async_call(
                DOMAIN,
                SERVICE_PLAY_RECORDING,
                {
                    ATTR_ENTITY_ID: camera.entity_id,
                    ATTR_MEDIA_PLAYER: [player.entity_id],
                    **_range_data(minutes_ago, duration),
                },
                blocking=True,
                return_response=True,
                context=intent_obj.context,
            )
        except HomeAssistantError as err:
            # The action's message (translated, naming the cloud's code) is what the
            # LLM and the logs need; the voice agent answers with its own words.
            raise intent.IntentHandleError(str(err)) from err

        response = intent_obj.create_response()
        response.response_type = intent.IntentResponseType.ACTION_DONE
        response.async_set_results(
            success_results=[response_target(camera), response_target(player)]
        )
        response.async_set_states([camera, player])
        response.async_set_speech(
            _speech(
                intent_obj.language,
                said_name(hass, camera, slot_value(slots, SLOT_CAMERA)),
                said_name(hass, player, slot_value(slots, SLOT_MEDIA_PLAYER)),
                minutes_ago,
                duration,
            )
        )
        # What was played and when, but not the links: they carry tokens, and an
        # LLM's conversation may be sent to a third party.
        played = (result or {}).get(camera.entity_id)
        recording = (
            {
                key: played[key]
                for key in ("start", "end", "expires", "stream", "media_players")
                if key in played
            }
            if isinstance(played, dict)
            else {}
        )
        response.async_set_speech_slots(
            {
                SLOT_CAMERA: camera.name,
                SLOT_MEDIA_PLAYER: player.name,
                "recording": recording,
            }
        )
        return response


def _range_data(minutes_ago: int | None, duration: int | None) -> dict[str, Any]:
    """The play_recording fields for the range (see the module's docstring)."""
    if minutes_ago is None:
        return {ATTR_DURATION: {"minutes": duration or DEFAULT_MINUTES}}
    start = dt_util.utcnow() - timedelta(minutes=minutes_ago)
    data = {ATTR_START: start.isoformat()}
    if duration is not None:
        # The action stops at now if this lies in the future.
        data[ATTR_END] = (start + timedelta(minutes=duration)).isoformat()
    return data


# -------------------------------------------------------------------------- speech
def _speech(
    language: str,
    camera: str,
    player: str,
    minutes_ago: int | None,
    duration: int | None,
) -> str:
    if language.casefold().startswith("zh"):
        return _speech_zh(camera, player, minutes_ago, duration)
    if not camera.casefold().endswith("camera"):
        camera = f"{camera} camera"
    if minutes_ago is None:
        length = _minutes(duration or DEFAULT_MINUTES)
        return f"Playing the last {length} of the {camera} on the {player}."
    if duration is None:
        return f"Playing the {camera} from {_minutes(minutes_ago)} ago on the {player}."
    return (
        f"Playing {_minutes(duration)} of the {camera} "
        f"from {_minutes(minutes_ago)} ago on the {player}."
    )


def _minutes(count: int) -> str:
    return "1 minute" if count == 1 else f"{count} minutes"


def _speech_zh(
    camera: str, player: str, minutes_ago: int | None, duration: int | None
) -> str:
    if not camera.endswith(("摄像头", "摄像机")):
        camera = f"{camera}摄像头"
    if minutes_ago is None:
        what = f"最近{duration or DEFAULT_MINUTES}分钟的录像"
    elif duration is None:
        what = f"{minutes_ago}分钟前的录像"
    else:
        what = f"{minutes_ago}分钟前起{duration}分钟的录像"
    return f"正在{player}上播放{camera}{what}。"


# ----------------------------------------------------------------------------- LLM
@callback
def async_get_llm_tools(
    hass: HomeAssistant, llm_context: llm.LLMContext, api_id: str
) -> LLMTools | None:
    """The intent as an Assist API tool, for the integration's `llm` platform.

    Offered only while one of our cameras is exposed to the assistant: the tool
    could not find any other.
    """
    if api_id != llm.LLM_API_ASSIST:
        return None
    handlers = [
        h
        for h in intent.async_get(hass)
        if h.intent_type in (INTENT_PLAY_RECORDING, *_ALARM_INTENTS, *_PTZ_INTENTS)
    ]
    if not handlers or not any(
        async_should_expose(hass, llm_context.assistant, state.entity_id)
        for state in our_cameras(hass)
    ):
        return None
    return LLMTools(tools=[_intent_tool(handler) for handler in handlers])


def _intent_tool(handler: intent.IntentHandler) -> llm.Tool:
    annotations = getattr(llm, "ToolAnnotations", None)
    if annotations is None:
        # Before 2026.10 an intent tool is named exactly like its intent: the name is
        # what it calls.
        return llm.IntentTool(handler.intent_type, handler)
    # From 2026.10 tools are named "<domain>__<name>" and say who provides them and
    # what they do: playing changes a player's state and moving turns a camera, but
    # neither destroys anything, and both reach the cloud.
    extra: dict[str, Any] = {
        "title": _TOOL_TITLES.get(handler.intent_type, handler.intent_type),
        "integration": DOMAIN,
        "annotations": annotations(destructive=False, open_world=True),
    }
    return llm.IntentTool(f"{DOMAIN}__{handler.intent_type}", handler, **extra)
