"""Secrets never survive redaction, whatever form they appear in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import re
from urllib.parse import quote, quote_plus

from hypothesis import assume, given, settings, strategies as st
import pytest
from yarl import URL

from custom_components.volcengine_slow_live.api import redact
from custom_components.volcengine_slow_live.api.redact import (
    MASK,
    is_secret_key,
    redact_access_key,
    redact_data,
    redact_headers,
    redact_mapping,
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


# --------------------------------------------------------------------------------------
# Every spelling a token or secret is met in: reprs, encoded URLs, objects, odd keys.

HEX = "0123456789abcdef" * 4  # a 64-hex signature: nothing marks it as secret
JWT = "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    "text",
    [
        # a dict's repr: single quotes
        "{'X-Security-Token': 'STS2abcdef0123456789'}",
        "{'volcSecret': 'STS2abcdef0123456789', 'volcTime': '1'}",
        f"{{'Signature': 'STS2abcdef0123456789{HEX}'}}",
        "{'x-jwt-token': 'STS2abcdef0123456789'}",
        # a dataclass repr, JSON inside a JSON string, spaces around `=`
        "Stream(url='x', token='STS2abcdef0123456789')",
        '{"body": "{\\"volcSecret\\": \\"STS2abcdef0123456789\\"}"}',
        "X-Security-Token = STS2abcdef0123456789",
        # header names arrive lower-cased over HTTP/2 and from aiohttp dumps
        "x-security-token: STS2abcdef0123456789",
        "{'authorization': 'HMAC-SHA256 Credential=AK/x, Signature=STS2abcdef0123456789'}",
        "access_token=STS2abcdef0123456789&expires_in=3600",
    ],
)
def test_quoted_and_repr_forms(text: str) -> None:
    assert "STS2abcdef" not in redact_text(text)
    assert MASK in redact_text(text)


def test_a_repr_keeps_what_follows_the_token() -> None:
    text = "{'volcSecret': 'abcdef0123456789', 'volcTime': '1700000000'}"
    assert redact_text(text) == f"{{'volcSecret': '{MASK}', 'volcTime': '1700000000'}}"
    header = "{'Authorization': 'HMAC-SHA256 Signature=abc', 'X-Date': '20260101'}"
    assert redact_text(header) == f"{{'Authorization': '{MASK}', 'X-Date': '20260101'}}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a media URL passed as a query parameter (players, proxies)
        (
            f"https://proxy/play?src={quote(LIVE, safe='')}&volume=1",
            (
                "https://proxy/play?src=http%3A%2F%2Fpull.example.com%2Flive%2Fapp"
                "%2F3402_3402.m3u8%3FvolcTime%3D1700000000%26volcSecret%3D"
                f"{MASK}&volume=1"
            ),
        ),
        (
            (
                "https://proxy/?u=https%3A%2F%2Fcdn%2Fx.m3u8%3FvolcSecret%3Dabcdef"
                "%26volcTime%3D123"
            ),
            (
                f"https://proxy/?u=https%3A%2F%2Fcdn%2Fx.m3u8%3FvolcSecret%3D{MASK}"
                "%26volcTime%3D123"
            ),
        ),
        (
            f"u=x.m3u8%3FStreamID%3Dabc%26X-JWT-Token%3D{JWT}%26Format%3Dm3u8",
            f"u=x.m3u8%3FStreamID%3Dabc%26X-JWT-Token%3D{MASK}%26Format%3Dm3u8",
        ),
        (
            f"q=a%3D1%26Signature%3D{HEX}%26b%3D2",
            f"q=a%3D1%26Signature%3D{MASK}%26b%3D2",
        ),
        # lower-case escapes, and a URL inside a URL inside a URL
        (
            "u=x%3fvolcsecret%3dabcdef0123%26volcTime%3d1",
            f"u=x%3fvolcsecret%3d{MASK}%26volcTime%3d1",
        ),
        (
            "u=x%253FvolcSecret%253Dabcdef0123%2526volcTime%253D1",
            f"u=x%253FvolcSecret%253D{MASK}%2526volcTime%253D1",
        ),
        # an encoded STS token keeps its own escapes inside the value
        (
            "u=x%3FX-Security-Token%3DSTS2ab%252Bcd%252Fef%26a%3D1",
            f"u=x%3FX-Security-Token%3D{MASK}%26a%3D1",
        ),
    ],
)
def test_percent_encoded_urls(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "plain line, nothing to hide",
        "InvalidAuthorization: The Authorization header is malformed",
        "MissingSignature: the request has no signature",
        "TokenValid=3600&SpaceID=abc",
        "GetStreamToken returned nothing",
    ],
)
def test_nothing_to_mask_gives_the_same_text_back(text: str) -> None:
    # The same object, not an equal copy: the log filter relies on it.
    assert redact_text(text) is text


def _lower_escapes(text: str) -> str:
    """`%2F` as some encoders write it: `%2f`."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), text)


@pytest.fixture
def forget_secrets() -> Iterator[None]:
    """Secrets registered here are dropped after: they would mask later tests' text."""
    before = set(redact._secrets)
    yield
    redact._secrets.intersection_update(before)


@pytest.mark.usefixtures("forget_secrets")
def test_registered_secrets_are_masked_percent_encoded() -> None:
    secret = "ZXhhbXBsZS9rZXkrdmFsdWU=="  # base64: `/`, `+` and padding
    register_secret(secret)
    for form in (
        secret,
        quote(secret, safe=""),  # ...%2F...%2B...%3D%3D
        quote(secret),  # `/` kept
        quote_plus(secret),
        _lower_escapes(quote(secret, safe="")),  # `%3d%3d`
        quote(quote(secret, safe=""), safe=""),  # `%253D%253D`
        secret.rstrip("=") + "%3d=",  # any other spelling of the padding
    ):
        text = redact_text(f"GET /?sk={form}&a=1")
        assert secret.rstrip("=") not in text, form
        assert quote(secret, safe="").rstrip("%3D") not in text, form
        assert text.endswith("&a=1")


def test_data_scrubs_objects_bytes_sets_and_keys() -> None:
    url = URL(f"https://cdn/x.m3u8?X-JWT-Token={JWT}&Format=m3u8")
    clean = URL("https://cdn/x.m3u8?volcTime=1")
    data = redact_data(
        {
            "url": url,
            "clean": clean,
            "body": f"volcSecret={HEX}".encode(),
            "raw": bytearray(b"\xff\xfe token=abcdef0123 \xff"),
            "tags": {f"a?volcSecret={HEX}"},
            "pair": (1, f"X-JWT-Token={JWT}"),
            LIVE: "a URL as a key",
            ("GET", LIVE): "a tuple key",
            "count": 3,
            "ok": True,
            "none": None,
        }
    )
    text = repr(data)
    assert JWT not in text
    assert HEX not in text
    assert "0123456789abcdef0123" not in text
    assert "abcdef0123" not in text
    assert data["url"] == f"https://cdn/x.m3u8?X-JWT-Token={MASK}&Format=m3u8"
    assert data["clean"] is clean  # nothing to hide: the object as it was
    assert data["body"] == f"volcSecret={MASK}".encode()
    assert data["raw"] == b"\xff\xfe token=" + MASK.encode() + b" \xff"
    assert isinstance(data["raw"], bytearray)
    assert data["tags"] == [f"a?volcSecret={MASK}"]
    assert data["pair"] == [1, f"X-JWT-Token={MASK}"]
    assert data[redact_url(LIVE)] == "a URL as a key"
    assert data[f"('GET', '{redact_url(LIVE)}')"] == "a tuple key"
    assert (data["count"], data["ok"], data["none"]) == (3, True, None)


@pytest.mark.parametrize(
    "key",
    [
        "X-Signature",
        "x_signature",
        "SIGNATURE",
        "RequestSignature",
        "X-Security-Token",
        "x-security-token",
        "session_token",
        "SessionToken",
        "access_token",
        "X-JWT-Token",
        "volcSecret",
        "client_secret",
        "Authorization",
        "Proxy-Authorization",
        "secret_access_key",
        "SecretAccessKey",
        "secret-key",
        "X-Credential",
        "password",
        "MainKey",
        "sk",
    ],
)
def test_secret_keys_are_masked_whatever_the_value(key: str) -> None:
    assert is_secret_key(key)
    assert redact_mapping({key: HEX}) == {key: MASK}
    assert redact_data({"nested": [{key: HEX}]}) == {"nested": [{key: MASK}]}
    assert redact_headers({key: HEX}) == {key: MASK}


@pytest.mark.parametrize(
    "key",
    [
        "TokenValid",
        "token_valid",
        "token_expiry",
        "expires_at",
        "SignedHeaders",
        "access_key_id",
        "SpaceID",
        "signature_version",
    ],
)
def test_other_keys_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert redact_mapping({key: "3600"}) == {key: "3600"}


# --------------------------------------------------------------------------------------
# Properties: no spelling, no surrounding text lets a token or a secret through.

_TOKEN_NAMES = (
    "volcSecret",
    "X-JWT-Token",
    "X-Security-Token",
    "X-Signature",
    "Signature",
    "token",
    "Authorization",
)
# `name`/`value` placeholders: as a URL, a header dump, JSON, reprs, encoded URLs.
_NOTATIONS = (
    "?{n}={v}",
    "&{n}={v}",
    "{n}: {v}",
    '"{n}": "{v}"',
    "'{n}': '{v}'",
    "{n}='{v}'",
    '\\"{n}\\": \\"{v}\\"',
    "%3F{n}%3D{v}",
    "%26{n}%3D{v}",
    "%253F{n}%253D{v}",
)
# What a token value is made of: base64(url), hex, JWT dots, STS escapes.
_VALUE_CHARS = st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-+/="
)
# (A name glued to a word, `m3u8volcSecret`, is another name: left alone.)
_BEFORE = ("", " ", "GET https://cdn/x.m3u8 ", "{", "(", "[", "\n", "a=1 ")
_AFTER = ("", " and more", "&next=1", "%26next%3D1", "%2526next%253D1", ", next", "\n")


def _any_case(name: str, flips: list[bool]) -> str:
    return "".join(
        c.swapcase() if flip else c for c, flip in zip(name, flips, strict=False)
    )


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(_TOKEN_NAMES),
    flips=st.lists(st.booleans(), min_size=16, max_size=16),
    value=st.text(_VALUE_CHARS, min_size=8, max_size=80),
    notation=st.sampled_from(_NOTATIONS),
    before=st.sampled_from(_BEFORE),
    after=st.sampled_from(_AFTER),
)
def test_token_values_never_survive(
    name: str,
    flips: list[bool],
    value: str,
    notation: str,
    before: str,
    after: str,
) -> None:
    """Any token under any name, in any notation and any case, is masked."""
    cased = _any_case(name, flips)
    # A value that is part of what surrounds it ("X-JWT-To" in the name itself,
    # "cdn/x.m3u8" in the URL before it, "REDACTED" in the mask) is still in the
    # text after masking by construction: such draws prove nothing.
    assume(value not in before + notation.format(n=cased, v="\0") + after + MASK)
    text = before + notation.format(n=cased, v=value) + after
    redacted = redact_text(text)
    assert value not in redacted
    assert MASK in redacted
    if name != "Authorization" and "next" in after:
        # the next parameter is not swallowed (an Authorization value runs on)
        assert "next" in redacted
    assert redact_text(redacted) == redacted  # masking twice changes nothing


_SECRET_CHARS = st.characters(
    codec="utf-8", exclude_characters="*", exclude_categories=("Cs", "Cc")
)


@settings(max_examples=300, deadline=None)
@given(
    secret=st.text(_SECRET_CHARS, min_size=8, max_size=40),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
    encode=st.sampled_from(
        (
            lambda s: s,
            lambda s: quote(s, safe=""),
            quote,  # `/` kept
            quote_plus,
            lambda s: _lower_escapes(quote(s, safe="")),
            lambda s: quote(quote(s, safe=""), safe=""),
        )
    ),
)
def test_registered_secrets_never_survive(
    secret: str, before: str, after: str, encode: Callable[[str], str]
) -> None:
    """A registered secret, as written or as a query string has it, is masked.

    (A secret holding `*` could be rebuilt from the mask itself: real keys have none.)
    """
    before_secrets = set(redact._secrets)
    try:
        register_secret(secret)
        form = encode(secret)
        redacted = redact_text(before + form + after)
        assert secret not in redacted
        assert form not in redacted
    finally:
        redact._secrets.intersection_update(before_secrets)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_masks_to_a_fixed_point(text: str) -> None:
    redacted = redact_text(text)
    assert redact_text(redacted) == redacted
