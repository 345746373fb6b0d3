"""Tokens are masked even in other components' log lines."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.logs import (
    TokenRedactingFilter,
    install_token_filter,
)

URL = "http://cdn/live/a/b.m3u8?volcTime=1&volcSecret=0123456789abcdef0123456789abcdef"


async def test_stream_component_lines_are_masked(
    hass: HomeAssistant, setup_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    install_token_filter()  # caplog's handler came after setup; attach to it too
    logger = logging.getLogger("homeassistant.components.stream.worker")
    logger.error("Error from stream worker: Error opening stream %s", URL)
    try:
        raise ValueError(URL)
    except ValueError:
        logger.exception("worker crashed")
    assert "0123456789abcdef" not in caplog.text
    assert "volcSecret=**REDACTED**" in caplog.text
    assert "worker crashed" in caplog.text


def test_filter_keeps_clean_records() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "plain %s", ("text",), None
    )
    assert TokenRedactingFilter().filter(record)
    assert record.getMessage() == "plain text"
    assert record.args == ("text",)
