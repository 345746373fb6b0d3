"""Tokens are masked even in other components' log lines."""

from __future__ import annotations

import logging
from urllib.parse import quote

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.api import redact
from custom_components.volcengine_slow_live.api.redact import register_secret
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


SIGNATURE = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        # a dict's repr: only `redact_text` knows the quoted spelling
        ("request headers: %s", ({"X-Security-Token": "STS2abcdef0123456789"},)),
        ("unexpected body %s", ({"Signature": SIGNATURE},)),
        # a media URL passed on to a proxy, percent-encoded
        (
            "proxy %s",
            ("https://p/?u=x.m3u8%3FStreamID%3D1%26Signature%3D" + SIGNATURE,),
        ),
        ("proxy %s", ("https://p/?u=x.m3u8%3FvolcSecret%3D0123456789abcdef",)),
        # HTTP/2 and aiohttp write header names in lower case
        ("sent %s", ("x-security-token: STS2abcdef0123456789",)),
    ],
)
def test_filter_masks_every_spelling(msg: str, args: tuple[object, ...]) -> None:
    record = logging.LogRecord("other", logging.DEBUG, __file__, 1, msg, args, None)
    assert TokenRedactingFilter().filter(record)
    text = record.getMessage()
    assert "STS2abcdef" not in text
    assert "0123456789abcdef" not in text
    assert "**REDACTED**" in text


def test_filter_masks_registered_secrets_in_any_record() -> None:
    secret = "ZmlsdGVyLXRlc3Qtc2VjcmV0=="
    before = set(redact._secrets)
    register_secret(secret)
    try:
        record = logging.LogRecord(
            "aiohttp.client",
            logging.DEBUG,
            __file__,
            1,
            "GET /?k=%s",
            (quote(secret, safe=""),),
            None,
        )
        assert TokenRedactingFilter().filter(record)
        assert secret.rstrip("=") not in record.getMessage()
    finally:
        redact._secrets.intersection_update(before)
