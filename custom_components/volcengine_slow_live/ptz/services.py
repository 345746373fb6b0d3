"""The PTZ actions: `ptz` (move a step, or stop) and `ptz_preset` (go to, save, remove).

Targets are our cameras, as for the recording actions. A camera named directly that
cannot move is refused with a translated error; one reached through an area or a
device is skipped, so "the garden area" moves the domes there and ignores the bullets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from ..const import DOMAIN
from ..refusals import invalid
from ..targets import CameraTarget, targeted_cameras
from .controller import (
    DEFAULT_SPEED,
    DEFAULT_STEP,
    MAX_DURATION,
    MAX_PRESET,
    MAX_SPEED,
    MIN_DURATION,
    MIN_PRESET,
    MIN_SPEED,
    Move,
    PresetOperation,
    has_ptz,
)

SERVICE_PTZ = "ptz"
SERVICE_PTZ_PRESET = "ptz_preset"
ATTR_MOVE = "move"
ATTR_SPEED = "speed"
ATTR_DURATION = "duration"
ATTR_OPERATION = "operation"
ATTR_PRESET = "preset"
ATTR_NUMBER = "number"
STOP = "stop"

PTZ_SCHEMA = cv.make_entity_service_schema(
    {
        vol.Required(ATTR_MOVE): vol.In([*(str(m) for m in Move), STOP]),
        vol.Optional(ATTR_SPEED, default=DEFAULT_SPEED): vol.All(
            vol.Coerce(int), vol.Range(min=MIN_SPEED, max=MAX_SPEED)
        ),
        vol.Optional(ATTR_DURATION, default=DEFAULT_STEP): vol.All(
            vol.Coerce(float), vol.Range(min=MIN_DURATION, max=MAX_DURATION)
        ),
    }
)
PRESET_SCHEMA = vol.All(
    cv.make_entity_service_schema(
        {
            vol.Required(ATTR_OPERATION): vol.In([str(o) for o in PresetOperation]),
            vol.Optional(ATTR_PRESET): cv.string,
            vol.Optional(ATTR_NUMBER): vol.All(
                vol.Coerce(int), vol.Range(min=MIN_PRESET, max=MAX_PRESET)
            ),
        }
    ),
    cv.has_at_least_one_key(ATTR_PRESET, ATTR_NUMBER),
)


def _ptz_cameras(hass: HomeAssistant, call: ServiceCall) -> list[CameraTarget]:
    named, reached = targeted_cameras(hass, call)
    for target in named:
        if not has_ptz(target.channel):
            raise invalid("ptz_unsupported", entity_id=target.entity_id)
    targets = named + [t for t in reached if has_ptz(t.channel)]
    if not targets:
        raise invalid("no_ptz_camera")
    # A camera and its sub-stream entity are one camera: move it once.
    unique: dict[str, CameraTarget] = {}
    for target in targets:
        unique.setdefault(target.channel.key, target)
    return list(unique.values())


async def _async_ptz(call: ServiceCall) -> None:
    targets = _ptz_cameras(call.hass, call)
    move = call.data[ATTR_MOVE]

    async def one(target: CameraTarget) -> None:
        ptz = target.entry.runtime_data.ptz
        if move == STOP:
            await ptz.async_stop(target.channel)
        else:
            await ptz.async_move(
                target.channel,
                Move(move),
                speed=call.data[ATTR_SPEED],
                duration=call.data[ATTR_DURATION],
            )

    await _all(one(target) for target in targets)


async def _async_preset(call: ServiceCall) -> ServiceResponse:
    targets = _ptz_cameras(call.hass, call)
    operation = PresetOperation(call.data[ATTR_OPERATION])
    done: dict[str, Any] = {}

    async def one(target: CameraTarget) -> None:
        name, number = await target.entry.runtime_data.ptz.async_preset(
            target.channel,
            operation,
            name=call.data.get(ATTR_PRESET),
            number=call.data.get(ATTR_NUMBER),
        )
        done[target.entity_id] = {ATTR_PRESET: name, ATTR_NUMBER: number}

    await _all(one(target) for target in targets)
    return done


async def _all(calls: Iterable[Awaitable[None]]) -> None:
    """Run every camera's command; the first failure is raised once all ended."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


@callback
def async_setup_ptz_services(hass: HomeAssistant) -> None:
    """Register the PTZ actions."""
    hass.services.async_register(DOMAIN, SERVICE_PTZ, _async_ptz, schema=PTZ_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_PTZ_PRESET,
        _async_preset,
        schema=PRESET_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
