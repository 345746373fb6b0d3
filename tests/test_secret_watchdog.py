"""The secrets watchdog of `tests/conftest.py` fails a leaking test, and only one.

`_no_secret_leaks` guards every test of the suite, so nothing there can show that it
would ever fail: a check that cannot fail proves nothing. Here a small inner suite, one
tiny test per kind of leak (and per look-alike that is no leak), runs in a separate
pytest process under the project's real conftest, and each test's outcome and failure
message are checked.

How it is wired, and why:

* `pytester` comes from `pytest_plugins` in this test module. pytest refuses that
  variable in a conftest it finds during collection (a subfolder's: it would act on the
  whole suite, not just below it), but a test module may still name plugins. pytester,
  once loaded, adds fixtures and options that no other test uses, so nothing changes
  for the rest of the suite and the wiring sits in this one file: no `-p pytester` in
  the project's addopts, no extra conftest.
* The inner run's root conftest has `pytest_plugins = ["tests.conftest"]`: the project's
  conftest itself, with its underscore fixtures and its hooks, is the plugin under test,
  not a copy. The inner ini puts the repository on `sys.path` (`pythonpath`), so
  `tests`, `custom_components` and `emulator` import, and turns on asyncio's auto mode
  as pyproject does, which Home Assistant's `hass` fixture needs.
* The run is a subprocess (`runpytest_subprocess`). Tried in-process, the inner run
  shares this interpreter with the outer one: its `hass` fixture cannot start
  (`mock_storage` specs a method the outer `hass` already mocked, the time zone the
  outer instance set fails its clean-up check), and its leaks are logged into the outer
  test's watchdog too, which then fails the outer test.
* One run holds every case, since each pytest start imports Home Assistant (seconds);
  each case is then checked on its own. A leak fails the fixture after the test body,
  so a leaking test reports `ERROR at teardown`, not `FAILED`. `--show-capture=no`
  hides the captured logs, so the whole secret must appear nowhere in the output: the
  watchdog's own message names it by its first four characters only.
"""

from __future__ import annotations

from pathlib import Path
import re
from textwrap import dedent

import pytest

from emulator.accounts import DEFAULT_SECRET_KEY

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent

# Inner tests. Hex tokens are long enough for the watchdog's `Signature=<16+ hex>`
# and `volcSecret=<4+ chars>`; the constant secret is one the fixture always watches.
CASES = dedent(
    '''
    """One leak (or harmless look-alike) per test, for tests/test_secret_watchdog.py."""

    import logging
    from urllib.parse import quote

    from homeassistant.core import HomeAssistant
    from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
    import pytest
    from yarl import URL

    from custom_components.volcengine_slow_live import diagnostics
    from custom_components.volcengine_slow_live.api import errors
    from custom_components.volcengine_slow_live.api.redact import MASK, register_secret
    from emulator.accounts import DEFAULT_SECRET_KEY

    OWN = logging.getLogger("custom_components.volcengine_slow_live.x")
    STREAM = logging.getLogger("homeassistant.components.stream")
    SIGNATURE = "0123456789abcdef" * 4
    JWT = "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"


    async def test_clean_with_hass(hass: HomeAssistant) -> None:
        OWN.debug("refreshed %d channels", 3)
        hass.states.async_set("sensor.x", "on", {"url": "https://cdn/x.m3u8?volcTime=1"})


    def test_secret_in_own_debug_log() -> None:
        OWN.debug("signing with %s", DEFAULT_SECRET_KEY)


    def test_encoded_secret_in_own_log() -> None:
        OWN.debug("GET /?sk=%s", quote(DEFAULT_SECRET_KEY, safe=""))


    def test_registered_secret_in_emulator_log() -> None:
        register_secret("registered-secret-0042")
        logging.getLogger("emulator.x").info("key pair registered-secret-0042")


    def test_token_in_stream_log_masked_by_filter() -> None:
        STREAM.error(
            "Error opening stream (%s)",
            "https://cdn/x.m3u8?volcSecret=0123456789abcdef&volcTime=1",
        )


    def test_quoted_token_in_stream_log() -> None:
        STREAM.debug("request headers: %s", {"X-Security-Token": "STS2abcdef0123456789"})


    def test_encoded_token_in_stream_log() -> None:
        STREAM.error(
            "Error opening stream (%s)",
            "https://proxy/?src=https%3A%2F%2Fcdn%2Fx.m3u8%3FvolcSecret%3D0123456789abcdef",
        )


    def test_quoted_token_in_own_log() -> None:
        OWN.debug("request headers: %s", {"X-Security-Token": "STS2abcdef0123456789"})


    def test_encoded_token_in_own_log() -> None:
        OWN.debug(
            "playing %s",
            "https://proxy/?src=https%3A%2F%2Fcdn%2Fx.m3u8%3FvolcSecret%3D0123456789abcdef",
        )


    def test_secret_in_unraised_ha_error() -> None:
        HomeAssistantError(f"cannot sign with {DEFAULT_SECRET_KEY}")


    def test_token_in_error_placeholders() -> None:
        ServiceValidationError(
            translation_domain="volcengine_slow_live",
            translation_key="stream_failed",
            translation_placeholders={"url": f"https://cdn/x.m3u8?X-JWT-Token={JWT}"},
        )


    def test_signature_in_api_error_message_is_redacted() -> None:
        error = errors.AuthError(f"bad Signature={SIGNATURE}", code="SignatureDoesNotMatch")
        assert SIGNATURE not in str(error)


    def test_quoted_signature_in_api_error_message() -> None:
        errors.InvalidResponse(f"unexpected body {{'Signature': '{SIGNATURE}'}}")


    def test_url_object_in_diagnostics() -> None:
        diagnostics.redact_mapping(
            {"stream": {"url": URL(f"https://cdn/x.m3u8?X-JWT-Token={JWT}")}}
        )


    def test_signature_field_in_diagnostics() -> None:
        diagnostics.redact_mapping({"request": {"X-Signature": SIGNATURE}})


    def test_diagnostics_redacted() -> None:
        result = diagnostics.redact_mapping(
            {
                "secret_access_key": DEFAULT_SECRET_KEY,
                "stream": {"url": f"https://cdn/x.m3u8?X-JWT-Token={JWT}"},
            }
        )
        assert result["secret_access_key"] == MASK


    async def test_token_in_attributes(hass: HomeAssistant) -> None:
        hass.states.async_set(
            "sensor.x", "on", {"url": "https://cdn/x.m3u8?volcSecret=abcdef0123&volcTime=1"}
        )


    def test_authorization_in_log() -> None:
        OWN.debug(
            "headers: Authorization: HMAC-SHA256 Credential=AKLTexample/20260101/"
            "cn-north-1/aiotvideo/request, SignedHeaders=host;x-date, Signature=%s",
            SIGNATURE,
        )


    @pytest.mark.allow_secrets("shows it on purpose")
    def test_allowed_with_reason() -> None:
        OWN.debug("signing with %s", DEFAULT_SECRET_KEY)


    @pytest.mark.allow_secrets
    def test_allowed_without_reason() -> None:
        OWN.debug("nothing to see")


    def test_masked_token_in_log() -> None:
        OWN.debug("pull url https://cdn/x.m3u8?volcSecret=**REDACTED**&volcTime=1")
    '''
)

PASS = "passed"
LEAK = "error"


def leaked(*places: str) -> tuple[str, tuple[str, ...]]:
    """A leak: the watchdog's message, and what it must say about each place."""
    return LEAK, ("secrets leaked:", *places)


# Per inner test: its outcome, and what its teardown message must say.
EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "test_clean_with_hass": (PASS, ()),
    "test_secret_in_own_debug_log": leaked(
        f"log custom_components.volcengine_slow_live.x: secret {DEFAULT_SECRET_KEY[:4]}…"
    ),
    # The watchdog also looks for each secret percent-encoded, as in a query string.
    "test_encoded_secret_in_own_log": leaked(
        f"log custom_components.volcengine_slow_live.x: secret {DEFAULT_SECRET_KEY[:4]}…"
    ),
    "test_registered_secret_in_emulator_log": leaked("log emulator.x: secret regi…"),
    # Other components' records are judged as the integration's TokenRedactingFilter
    # leaves them (production installs it on the root handlers): a plain URL token is
    # masked there, so this is no leak.
    "test_token_in_stream_log_masked_by_filter": (PASS, ()),
    # The filter's `redact_text` also knows a dict's repr (`'name': 'value'`)...
    "test_quoted_token_in_stream_log": (PASS, ()),
    # ...and a percent-encoded URL (`%3FvolcSecret%3D…`), where `\b` finds no word
    # start after `%3F` or `%26`.
    "test_encoded_token_in_stream_log": (PASS, ()),
    # Our own records are judged as written, filter or not: the watchdog itself must
    # know a dict's repr and a percent-encoded URL.
    "test_quoted_token_in_own_log": leaked(
        "log custom_components.volcengine_slow_live.x: X-Security-Token': 'STS2"
    ),
    "test_encoded_token_in_own_log": leaked(
        "log custom_components.volcengine_slow_live.x: volcSecret%3D0123"
    ),
    "test_secret_in_unraised_ha_error": leaked(
        f"HomeAssistantError: secret {DEFAULT_SECRET_KEY[:4]}…"
    ),
    "test_token_in_error_placeholders": leaked(
        "ServiceValidationError: X-JWT-Token=eyJh"
    ),
    # ApiError redacts its message on the way in: `Signature=<hex>` never reaches it.
    "test_signature_in_api_error_message_is_redacted": (PASS, ()),
    # ...nor in a dict's repr (`'Signature': '…'`).
    "test_quoted_signature_in_api_error_message": (PASS, ()),
    # `redact_mapping` masks any value whose `str` shows a token (a yarl URL)...
    "test_url_object_in_diagnostics": (PASS, ()),
    # ...and any value under a key named like a secret (`X-Signature`), hex or not.
    "test_signature_field_in_diagnostics": (PASS, ()),
    "test_diagnostics_redacted": (PASS, ()),
    "test_token_in_attributes": leaked("attributes of sensor.x: volcSecret=abcdef0123"),
    "test_authorization_in_log": leaked(
        "log custom_components.volcengine_slow_live.x: Authorization: HMAC-SHA256",
        "Signature=0123456789abcdef",
    ),
    "test_allowed_with_reason": (PASS, ()),
    "test_allowed_without_reason": (
        LEAK,
        ("@pytest.mark.allow_secrets needs a reason",),
    ),
    "test_masked_token_in_log": (PASS, ()),
}

_HEADER = re.compile(r"^_{3,} ERROR at teardown of (\w+) _{3,}$")
_SECTION_END = re.compile(r"^(?:_{3,}|={3,}) ")


def _teardown_messages(lines: list[str]) -> dict[str, str]:
    """The text under each `ERROR at teardown of <test>` header of the report."""
    messages: dict[str, str] = {}
    current: str | None = None
    for line in lines:
        if header := _HEADER.match(line):
            current = header.group(1)
            messages[current] = ""
        elif _SECTION_END.match(line):
            current = None
        elif current is not None:
            messages[current] += line + "\n"
    return messages


def test_watchdog_fails_each_leak_and_only_leaks(pytester: pytest.Pytester) -> None:
    """Every leak fails its test naming the place; every look-alike passes."""
    pytester.makeini(
        f"""
        [pytest]
        pythonpath = {ROOT}
        asyncio_mode = auto
        asyncio_default_fixture_loop_scope = function
        """
    )
    pytester.makeconftest('pytest_plugins = ["tests.conftest"]\n')
    pytester.makepyfile(test_cases=CASES)

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-rA", "--show-capture=no", "--strict-markers",
        timeout=120,
    )  # fmt: skip

    output = "\n".join(result.outlines + result.errlines)
    messages = _teardown_messages(result.outlines)
    problems: list[str] = []
    for name, (outcome, needles) in EXPECTED.items():
        summary = f"{outcome.upper()} test_cases.py::{name}"
        if not any(line.startswith(summary) for line in result.outlines):
            problems.append(f"{name}: no line {summary!r}")
        message = messages.get(name)
        if outcome == PASS:
            if message is not None:
                problems.append(f"{name}: should pass, failed with {message!r}")
            continue
        message = message or ""
        problems += [
            f"{name}: {needle!r} not in {message!r}"
            for needle in needles
            if needle not in message
        ]
    assert not problems, "\n".join(problems) + "\n\n" + output
    leaks = sum(outcome == LEAK for outcome, _ in EXPECTED.values())
    # A leak fails the fixture after the body: the test itself passed.
    result.assert_outcomes(passed=len(EXPECTED), errors=leaks)
    # Only the first four characters of a secret are ever printed.
    assert DEFAULT_SECRET_KEY not in output
    assert DEFAULT_SECRET_KEY.rstrip("=") not in output
    assert "registered-secret-0042" not in output
