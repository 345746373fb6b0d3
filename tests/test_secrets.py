"""A whole run at debug level leaves no secret in any log record."""

from __future__ import annotations

from datetime import timedelta
import logging
import re

from homeassistant.components.camera import async_get_image, async_get_stream_source
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.diagnostics import (
    async_get_config_entry_diagnostics,
)
from emulator import Emulator, FaultRule

from .common import camera_entity, setup_integration

# A token's value, as opposed to its masked form.
_LEAKS = (
    re.compile(r"volcSecret=(?!\*\*REDACTED)[0-9a-f]{8}"),
    re.compile(r"X-JWT-Token=(?!\*\*REDACTED)[A-Za-z0-9_-]{8}"),
    re.compile(r"Signature=(?!\*\*REDACTED)[0-9a-f]{16}"),
    re.compile(r"X-Security-Token[=:]\s*(?!\*\*REDACTED)\w{8}"),
)


async def test_debug_logs_of_a_whole_run_hold_no_secret(
    hass: HomeAssistant, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = await setup_integration(hass, emulator)
    cameras = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "camera" and not e.disabled
    ]
    for camera in cameras:
        await async_get_stream_source(hass, camera)
    await async_get_image(hass, cameras[0])
    recorded = camera_entity(hass, emulator, "Front Gate")
    await hass.services.async_call(
        DOMAIN,
        "get_recording",
        {"entity_id": recorded, "duration": "00:05:00"},
        blocking=True,
        return_response=True,
    )
    await async_get_config_entry_diagnostics(hass, entry)
    emulator.faults.add(FaultRule(kind="http_error", status=503, times=1))
    emulator.faults.add(FaultRule(kind="revoked_credentials", action="ListStreams"))
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert len(caplog.records) > 20
    text = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [caplog.text]  # formatted, with tracebacks
    )
    assert emulator.secret_key not in text
    for leak in _LEAKS:
        assert not leak.search(text), leak.pattern
