"""Secrets never survive redaction, whatever form they appear in."""

from __future__ import annotations

from custom_components.volcengine_slow_live.api.redact import (
    MASK,
    redact_access_key,
    redact_data,
    redact_headers,
    redact_text,
    redact_url,
    register_secret,
)

LIVE = (
    "http://pull.example.com/live/app/3402_3402.m3u8"
    "?volcTime=1700000000&volcSecret=0123456789abcdef0123456789abcdef"
)
RECORD = (
    "https://aiot.example.com/media_record/v1/file/index.m3u8?StreamID=abc"
    "&IsLive=0&X-JWT-Token=eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln&Format=m3u8"
)
AUTH = (
    "HMAC-SHA256 Credential=AKLTexample/20241219/cn-north-1/aiotvideo/request, "
    "SignedHeaders=host;x-date, Signature=8ff5074888705dfa6c20d36b4f84c7df20e20edc"
)


def test_url_tokens_are_masked_but_the_url_stays_recognisable() -> None:
    live = redact_url(LIVE)
    assert "0123456789abcdef" not in live
    assert live.endswith(f"volcSecret={MASK}")
    assert "volcTime=1700000000" in live
    record = redact_url(RECORD)
    assert "eyJ" not in record
    assert "StreamID=abc" in record
    assert record.endswith("&Format=m3u8")


def test_authorization_and_signatures() -> None:
    assert "8ff5074888" not in redact_text(f"Authorization: {AUTH}")
    assert "8ff5074888" not in redact_text(AUTH)
    assert "8ff5074888" not in redact_text('{"Authorization": "' + AUTH + '"}')
    assert "TOKEN123456" not in redact_text("X-Security-Token: TOKEN123456")
    assert "TOKEN123456" not in redact_text("x-security-token=TOKEN123456&a=1")


def test_registered_secrets_are_masked_anywhere() -> None:
    register_secret("s3cr3t-Access-Key-Value")
    register_secret("short")  # too short to register: would mask ordinary words
    text = redact_text("key s3cr3t-Access-Key-Value and a short word")
    assert "s3cr3t" not in text
    assert "short word" in text
    assert redact_text("") == ""


def test_headers_and_data() -> None:
    headers = redact_headers(
        {"Authorization": AUTH, "X-Date": "20241219T033133Z", "Location": LIVE}
    )
    assert headers["Authorization"] == MASK
    assert headers["X-Date"] == "20241219T033133Z"
    assert "0123456789abcdef" not in headers["Location"]
    data = redact_data(
        {
            "secret_access_key": "anything",
            "Password": "hunter2",
            "nested": [{"url": RECORD}, ("x", 1)],
            "count": 3,
        }
    )
    assert data["secret_access_key"] == MASK
    assert data["Password"] == MASK
    assert "eyJ" not in data["nested"][0]["url"]
    assert data["nested"][1] == ["x", 1]
    assert data["count"] == 3


def test_access_key_is_partly_shown() -> None:
    assert redact_access_key("AKLTexampleAccessKeyId0000000000") == "AKLT…0000"
    assert redact_access_key("AKLT1234") == MASK
