"""Voice and LLM for the cameras' alarms.

* VolcengineListAlarms ("what happened at the front gate today?"): the camera's alarms
  of today, newest first, said as times and kinds (five at most, then how many more);
  no links.
* VolcenginePlayAlarm ("show me the last alarm of the gate camera on the TV"): the
  recording around the camera's latest alarm (of the last seven days), through the
  play_recording action with `event:`, so the same checks and errors apply.

Cameras and players are found as VolcenginePlayRecording finds them (intent.py). The
answer is in Chinese when the request was, else in English.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..alarms.watcher import has_alarms
from ..api.errors import ApiError
from ..api.models import DeviceAlarm
from ..const import DOMAIN
from ..media.alarms import DAYS, async_alarms
from ..media.ids import MediaId
from ..media.titles import MediaTitles
from ..services import ATTR_EVENT, ATTR_MEDIA_PLAYER, SERVICE_PLAY_RECORDING
from ..targets import CameraTarget, resolve_camera
from .slots import (
    PREFERENCES,
    SLOT_CAMERA,
    SLOT_MEDIA_PLAYER,
    SLOT_PREFERRED_AREA,
    SLOT_PREFERRED_FLOOR,
    ZH_COLON,
    ZH_COMMA,
    camera_of,
    chinese,
    find_entity,
    response_target,
    said_name,
    slot_value,
)

INTENT_LIST_ALARMS: Final = "VolcengineListAlarms"
INTENT_PLAY_ALARM: Final = "VolcenginePlayAlarm"
SAID = 5  # alarms said one by one; the rest are counted


async def _titles(intent_obj: intent.Intent) -> MediaTitles:
    return await MediaTitles.async_load(
        intent_obj.hass, "zh-Hans" if chinese(intent_obj.language) else "en"
    )


async def _alarms(
    intent_obj: intent.Intent, camera: State, name: str
) -> tuple[CameraTarget, list[DeviceAlarm]]:
    """The camera's channel and its alarms, newest first (refused if it has none)."""
    target = resolve_camera(intent_obj.hass, camera.entity_id)
    if not has_alarms(target.channel):
        raise intent.IntentHandleError(
            f"{name} does not report alarms"
            if not chinese(intent_obj.language)
            else f"{name}不上报报警"
        )
    try:
        return target, await async_alarms(target.entry, target.channel)
    except ApiError as err:
        raise intent.IntentHandleError(str(err)) from err


def _said(alarm: DeviceAlarm, titles: MediaTitles) -> tuple[str, str]:
    """(local time, kind) of an alarm, as it is spoken."""
    return (
        f"{dt_util.as_local(alarm.at):%H:%M}",
        titles.say(f"alarm_{alarm.kind.value}"),
    )


class ListAlarmsIntentHandler(intent.IntentHandler):
    """Say what a camera's alarms were today."""

    intent_type = INTENT_LIST_ALARMS
    description = (
        "Tells what alarms (motion, intrusion, line crossing…) a Volcengine Slow Live "
        "camera raised today, newest first. camera: the camera's name or area."
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The camera, by name or area."""
        return {vol.Required(SLOT_CAMERA): cv.string, **PREFERENCES}

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Read today's alarms and say them."""
        slots = self.async_validate_slots(intent_obj.slots)
        camera = camera_of(intent_obj, slots)
        name = said_name(intent_obj.hass, camera, slot_value(slots, SLOT_CAMERA))
        today = dt_util.now().date()
        alarms = [
            a
            for a in (await _alarms(intent_obj, camera, name))[1]
            if dt_util.as_local(a.at).date() == today
        ]
        titles = await _titles(intent_obj)
        said = [_said(alarm, titles) for alarm in alarms]
        response = intent_obj.create_response()
        response.response_type = intent.IntentResponseType.QUERY_ANSWER
        response.async_set_results(success_results=[response_target(camera)])
        response.async_set_speech(_list_speech(intent_obj.language, name, said))
        response.async_set_speech_slots(
            {
                SLOT_CAMERA: camera.name,
                "alarms": [
                    {
                        "time": dt_util.as_local(a.at).isoformat(),
                        "kind": a.kind.value,
                        "priority": a.priority,
                    }
                    for a in alarms
                ],
            }
        )
        return response


class PlayAlarmIntentHandler(intent.IntentHandler):
    """Play the recording around a camera's latest alarm on a media player."""

    intent_type = INTENT_PLAY_ALARM
    description = (
        "Plays the recording of the latest alarm of a Volcengine Slow Live camera on a "
        "media player. camera: the camera's name or area; media_player: the player's "
        "name or area."
    )

    @property
    def slot_schema(self) -> dict[Any, Any]:
        """The camera and the player, by name or area."""
        return {
            vol.Required(SLOT_CAMERA): cv.string,
            vol.Required(SLOT_MEDIA_PLAYER): cv.string,
            **PREFERENCES,
        }

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Find the latest alarm, play it, say which."""
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        camera = camera_of(intent_obj, slots)
        player = find_entity(
            intent_obj,
            [slot_value(slots, SLOT_MEDIA_PLAYER)],
            Platform.MEDIA_PLAYER,
            intent.MatchTargetsPreferences(
                area_id=slot_value(slots, SLOT_PREFERRED_AREA),
                floor_id=slot_value(slots, SLOT_PREFERRED_FLOOR),
            ),
            None,
        )
        name = said_name(hass, camera, slot_value(slots, SLOT_CAMERA))
        target, alarms = await _alarms(intent_obj, camera, name)
        if not alarms:
            raise intent.IntentHandleError(
                f"{name} raised no alarm in the last {DAYS} days"
                if not chinese(intent_obj.language)
                else f"{name}最近{DAYS}天没有报警"
            )
        latest = alarms[0]
        event = MediaId.of_alarm(
            target.entry.entry_id, target.channel.key, latest.at
        ).media_content_id
        try:
            await hass.services.async_call(
                DOMAIN,
                SERVICE_PLAY_RECORDING,
                {
                    ATTR_ENTITY_ID: camera.entity_id,
                    ATTR_MEDIA_PLAYER: [player.entity_id],
                    ATTR_EVENT: event,
                },
                blocking=True,
                context=intent_obj.context,
            )
        except HomeAssistantError as err:
            raise intent.IntentHandleError(str(err)) from err
        time, kind = _said(latest, await _titles(intent_obj))
        player_name = said_name(hass, player, slot_value(slots, SLOT_MEDIA_PLAYER))
        response = intent_obj.create_response()
        response.response_type = intent.IntentResponseType.ACTION_DONE
        response.async_set_results(
            success_results=[response_target(camera), response_target(player)]
        )
        response.async_set_states([camera, player])
        response.async_set_speech(
            f"正在{player_name}上播放{name}{time}的{kind}报警。"
            if chinese(intent_obj.language)
            else f"Playing the {kind.lower()} alarm of {time} at {name} "
            f"on the {player_name}."
        )
        return response


def _list_speech(language: str, camera: str, said: list[tuple[str, str]]) -> str:
    more = len(said) - SAID
    if chinese(language):
        if not said:
            return f"{camera}今天没有报警。"
        items = ZH_COMMA.join(f"{time} {kind}" for time, kind in said[:SAID])
        tail = f"{ZH_COMMA}另有{more}次" if more > 0 else ""
        return f"{camera}今天有{len(said)}次报警{ZH_COLON}{items}{tail}。"
    if not said:
        return f"No alarms at {camera} today."
    parts = [f"{kind.lower()} at {time}" for time, kind in said[:SAID]]
    if more > 0:
        parts.append(f"{more} more")
    listed = (
        parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    )
    count = "1 alarm" if len(said) == 1 else f"{len(said)} alarms"
    return f"{count} at {camera} today: {listed}."
