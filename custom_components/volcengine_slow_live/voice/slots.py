"""What every voice intent of the integration shares: slots, names, answers.

The slot names and their schema parts, how a spoken camera name becomes one of our
cameras (entity names and aliases, then areas, among the entities exposed to the
assistant that asks, preferring its area), and the small helpers of the answers.
The intents (`intent.py`, `voice.alarms`, `ptz.intent`) build on it.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import config_validation as cv, entity_registry as er, intent
import voluptuous as vol

from ..const import DOMAIN

SLOT_CAMERA: Final = "camera"
SLOT_MEDIA_PLAYER: Final = "media_player"
SLOT_MINUTES_AGO: Final = "minutes_ago"
SLOT_DURATION: Final = "duration"
# Filled in by the conversation agent and the LLM API from the asking device's area,
# to tell apart two entities with the same name.
SLOT_PREFERRED_AREA: Final = "preferred_area_id"
SLOT_PREFERRED_FLOOR: Final = "preferred_floor_id"

# Words people say after a camera's name ("the front gate camera", "前门摄像头") that
# are rarely part of the name itself.
_CAMERA_WORDS = ("camera", "摄像头", "摄像机", "监控")
# Failures that only say "nothing is called that"; any other failure found the entity
# or area and explains better why it cannot be used.
_NOTHING_BY_THAT_NAME = (
    intent.MatchFailedReason.NAME,
    intent.MatchFailedReason.INVALID_AREA,
)

# The preferred area and floor slots, for the intents built on this module.
PREFERENCES: Final[dict[Any, Any]] = {
    vol.Optional(SLOT_PREFERRED_AREA): cv.string,
    vol.Optional(SLOT_PREFERRED_FLOOR): cv.string,
}
# Chinese punctuation, named: full-width comma and colon.
ZH_COMMA: Final = "\uff0c"
ZH_COLON: Final = "\uff1a"


def slot_value(slots: dict[str, Any], name: str) -> Any:
    """The value of a validated slot, None when it was not given."""
    return slots.get(name, {}).get("value")


def chinese(language: str) -> bool:
    """Whether to answer in Chinese (the request was; any Chinese variant)."""
    return language.casefold().startswith("zh")


def camera_of(intent_obj: intent.Intent, slots: dict[str, Any]) -> State:
    """The camera the validated slots name, preferring the asker's area."""
    return find_camera(
        intent_obj,
        slot_value(slots, SLOT_CAMERA),
        intent.MatchTargetsPreferences(
            area_id=slot_value(slots, SLOT_PREFERRED_AREA),
            floor_id=slot_value(slots, SLOT_PREFERRED_FLOOR),
        ),
    )


# --------------------------------------------------------------------------- names
def our_cameras(hass: HomeAssistant) -> list[State]:
    """The states of this integration's cameras."""
    registry = er.async_get(hass)
    return [
        state
        for state in hass.states.async_all(Platform.CAMERA)
        if (entry := registry.async_get(state.entity_id)) is not None
        and entry.platform == DOMAIN
    ]


def _camera_names(spoken: str) -> list[str]:
    """What was said, then without a trailing "camera" if it was added."""
    names = [spoken]
    folded = spoken.casefold().rstrip()
    for word in _CAMERA_WORDS:
        if folded.endswith(word) and (bare := spoken.rstrip()[: -len(word)].strip()):
            names.append(bare)
            break
    return names


def said_name(hass: HomeAssistant, state: State, spoken: str | None) -> str:
    """The name to answer with: the alias the person said, else the entity's name.

    Asked about "前门", the answer says 前门, not the camera's English name: an
    alias is how the person calls it (a name they said that is the entity's name, or
    matched it otherwise, an area, leaves the entity's name).
    """
    if spoken:
        entry = er.async_get(hass).async_get(state.entity_id)
        aliases = [
            a for a in (entry.aliases if entry else ()) if isinstance(a, str) and a
        ]
        for name in _camera_names(spoken):
            folded = name.strip().casefold()
            for alias in aliases:
                if alias.strip().casefold() == folded:
                    return alias.strip()
    return state.name


def find_camera(
    intent_obj: intent.Intent, spoken: str, preferences: intent.MatchTargetsPreferences
) -> State:
    """One of our cameras; says so when the name is a camera that is not ours."""
    hass = intent_obj.hass
    names = _camera_names(spoken)
    ours = our_cameras(hass)
    try:
        return find_entity(intent_obj, names, Platform.CAMERA, preferences, ours)
    except intent.MatchFailedError as err:
        if err.result.no_match_reason not in _NOTHING_BY_THAT_NAME:
            raise
        # Another integration's camera: matching it is no use (the action refuses
        # it), but naming the reason beats "no camera is called that".
        for name in names:
            other = intent.async_match_targets(
                hass,
                intent.MatchTargetsConstraints(name=name, domains={Platform.CAMERA}),
            )
            if other.is_match:
                raise intent.IntentHandleError(
                    f"{other.states[0].name} is not a Volcengine Slow Live camera"
                ) from err
        raise


def find_entity(
    intent_obj: intent.Intent,
    names: list[str],
    domain: str,
    preferences: intent.MatchTargetsPreferences,
    states: list[State] | None,
) -> State:
    """The one entity called one of `names` (name or alias), else in such an area.

    `states` limits the candidates (None: every entity of the domain).
    """
    attempts = [_constraints(intent_obj, domain, name=name) for name in names] + [
        _constraints(intent_obj, domain, area=name) for name in names
    ]
    if states is not None and not states:
        # async_match_targets would read an empty list as "every entity".
        raise intent.MatchFailedError(
            result=intent.MatchTargetsResult(False, intent.MatchFailedReason.DOMAIN),
            constraints=attempts[0],
            preferences=preferences,
        )
    failures: list[tuple[intent.MatchTargetsConstraints, intent.MatchTargetsResult]]
    failures = []
    for constraints in attempts:
        result = intent.async_match_targets(
            intent_obj.hass, constraints, preferences, states
        )
        if result.is_match:
            return result.states[0]
        failures.append((constraints, result))
    # The first attempt that found something it could not use explains best (not
    # exposed, two of that name, two in that area); else the words as they were said.
    constraints, result = next(
        (
            (constraints, result)
            for constraints, result in failures
            if result.no_match_reason not in _NOTHING_BY_THAT_NAME
        ),
        failures[0],
    )
    raise intent.MatchFailedError(
        result=result, constraints=constraints, preferences=preferences
    )


def _constraints(
    intent_obj: intent.Intent,
    domain: str,
    *,
    name: str | None = None,
    area: str | None = None,
) -> intent.MatchTargetsConstraints:
    return intent.MatchTargetsConstraints(
        name=name,
        area_name=area,
        domains={domain},
        assistant=intent_obj.assistant,
        single_target=True,
    )


def response_target(state: State) -> intent.IntentResponseTarget:
    """The entity an intent response names as its target."""
    return intent.IntentResponseTarget(
        type=intent.IntentResponseTargetType.ENTITY,
        name=state.name,
        id=state.entity_id,
    )
