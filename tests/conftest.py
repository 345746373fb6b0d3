"""Shared fixtures: the aiotvideo emulator, reached over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
import json
import logging
from pathlib import Path
import re
from typing import Any
from urllib.parse import quote

import aiohttp
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.volcengine_slow_live import diagnostics
from custom_components.volcengine_slow_live.api import errors, redact
from custom_components.volcengine_slow_live.logs import TokenRedactingFilter
from emulator import Emulator, EmulatorConfig, Fleet
from emulator.accounts import DEFAULT_SECRET_KEY, AccountStore
from emulator.auth import KeyPair

from .common import setup_integration

TESTS = Path(__file__).parent

type EmulatorFactory = Callable[..., Awaitable[Emulator]]


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncIterator[Emulator]:
    """A started emulator with the demo fleet on a free port.

    Its continuous cameras record without random outages, so that "the last minutes"
    are always recorded; tests that need gaps place them (`set_recording(pauses=)`).
    """
    fleet = Fleet.demo(outages=False)
    emu = Emulator(EmulatorConfig(host="127.0.0.1", port=0, fleet=fleet))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def emulator_factory(socket_enabled: None) -> AsyncIterator[EmulatorFactory]:
    """Start emulators with a custom config (or EmulatorConfig keyword arguments).

    `await emulator_factory(fleet=Fleet.generate(channels=1000))`; all are stopped
    when the test ends. Without a fleet it serves the demo fleet without random
    outages, like `emulator`: a test's result must not depend on the time of day.
    """
    started: list[Emulator] = []

    async def factory(
        config: EmulatorConfig | None = None, **overrides: Any
    ) -> Emulator:
        if config is None:
            overrides.setdefault("host", "127.0.0.1")
            overrides.setdefault("port", 0)
            overrides.setdefault("fleet", Fleet.demo(outages=False))
            config = EmulatorConfig(**overrides)
        emu = Emulator(config)
        await emu.start()
        started.append(emu)
        return emu

    try:
        yield factory
    finally:
        for emu in started:
            await emu.stop()


# --------------------------------------------------------------------------------------
# No secret anywhere, in any test: logs at debug level, exceptions, diagnostics and
# entity attributes are checked after every test of the suite.

# Our code and the emulator: their records are checked as they were logged, before
# the integration's token filter could mask anything.
_OWN_LOGGERS = ("custom_components.volcengine_slow_live", "emulator")
_DEBUG_LOGGERS = ("", *_OWN_LOGGERS, "homeassistant.components.stream")
# Secrets the tests use without an emulator (tests/api/test_signer.py's vectors).
_CONSTANT_SECRETS = frozenset({DEFAULT_SECRET_KEY, "ZXhhbXBsZVNlY3JldEtleQ=="})
_MIN_SECRET = 8
_MARKERS = ("volcSecret", "X-JWT-Token", "X-Security-Token", "Signature")
_NOT_MASKED = r"(?!\*\*REDACTED\*\*)"
# A name starts a word, or follows a percent-encoded `?` or `&` (`%3FvolcSecret%3D…`).
_NAME_START = r"(?:\b|(?<=%[0-9A-F]{2}))"
# `name=value`, percent-encoded, or `name: value` (headers, JSON, a dict's repr).
_SEPARATOR = r"(?:=|%3D|['\"]?\s*:\s*['\"]?)"
# Token *values*: `volcSecret=**REDACTED**` is fine, `volcSecret=0a1b...` is not.
_TOKEN_VALUE = re.compile(
    rf"{_NAME_START}(?:volcSecret|X-JWT-Token|X-Security-Token)"
    rf"{_SEPARATOR}{_NOT_MASKED}[^&\s,;'\"<>]{{4,}}"
    rf"|{_NAME_START}(?:X-)?Signature{_SEPARATOR}{_NOT_MASKED}[0-9A-Fa-f]{{16,}}"
    rf"|\bAuthorization['\"]?\s*[:=]\s*['\"]?{_NOT_MASKED}HMAC-SHA256",
    re.IGNORECASE,
)


@dataclass
class _Sightings:
    """What a test showed: log lines, exception texts, diagnostics, attributes."""

    logs: list[tuple[str, str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    diagnostics: list[Any] = field(default_factory=list)
    attributes: list[tuple[str, Any]] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


_SIGHTINGS = pytest.StashKey[_Sightings]()


def _record_text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a broken format string is not ours to judge here
        text = f"{record.msg!r} {record.args!r}"
    # A formatter prints `exc_text` when it is set (the token filter sets it).
    if record.exc_text:
        text += "\n" + record.exc_text
    elif record.exc_info and record.exc_info[1] is not None:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


class _LogWatch(logging.Handler):
    """First root handler: sees each record before any filter (and ignores filters).

    Our loggers' records are kept as logged: our code must not rely on the token
    filter. Other components' records are kept as the filter, which the integration
    installs on the root handlers in production, leaves them.
    """

    def __init__(self, seen: list[tuple[str, str]]) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def handle(self, record: logging.LogRecord) -> bool:
        """Record without filters or locks (install_token_filter adds one to us too)."""
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's text for the check at the end of the test."""
        name = record.name
        text = _record_text(record)
        # (Registered secrets too: the webhook's id appears in Home Assistant's own
        # access and webhook debug lines, which the filter masks.)
        if not name.startswith(_OWN_LOGGERS) and (
            any(m in text for m in _MARKERS) or any(s in text for s in redact._secrets)
        ):
            clone = logging.makeLogRecord(vars(record))
            clone.exc_text = None
            TokenRedactingFilter().filter(clone)
            text = _record_text(clone)
        self.seen.append((name, text))


def _leaks(text: str, secrets: set[str]) -> list[str]:
    found = [f"secret {s[:4]}…" for s in secrets if s in text]
    found += [m.group(0)[:60] for m in _TOKEN_VALUE.finditer(text)]
    return found


@pytest.fixture(autouse=True)
def _no_secret_leaks(
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """Fail a test whose logs, errors, diagnostics or attributes show a secret.

    Debug logging is on for every test. Secrets are every key pair an emulator
    created during the test, every secret a client registered for redaction, and the
    tests' constant secrets; tokens are found by their values (`volcSecret=…`,
    `X-JWT-Token=…`, `X-Security-Token…`, `Signature=<hex>`, `Authorization: HMAC…`).
    `@pytest.mark.allow_secrets("reason")` turns the check off for one test.
    """
    for name in _DEBUG_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    seen = _Sightings()
    request.node.stash[_SIGHTINGS] = seen

    add_key = AccountStore.add_key

    def watched_add_key(store: AccountStore, *args: Any, **kwargs: Any) -> KeyPair:
        pair = add_key(store, *args, **kwargs)
        seen.secrets.update(filter(None, (pair.secret_key, pair.session_token)))
        return pair

    def watch_init[E: BaseException](cls: type[E]) -> None:
        init = cls.__init__

        def watched_init(exc: E, *args: Any, **kwargs: Any) -> None:
            init(exc, *args, **kwargs)
            seen.errors.append(exc)

        monkeypatch.setattr(cls, "__init__", watched_init)

    redact_mapping = diagnostics.redact_mapping

    def watched_redact_mapping(data: Any) -> dict[str, Any]:
        result = redact_mapping(data)
        seen.diagnostics.append(result)
        return result

    monkeypatch.setattr(AccountStore, "add_key", watched_add_key)
    watch_init(errors.ApiError)
    watch_init(HomeAssistantError)
    monkeypatch.setattr(diagnostics, "redact_mapping", watched_redact_mapping)
    root = logging.getLogger()
    watch = _LogWatch(seen.logs)
    root.handlers.insert(0, watch)
    try:
        yield
    finally:
        root.removeHandler(watch)
    marker = request.node.get_closest_marker("allow_secrets")
    if marker is not None:
        if not (marker.args and isinstance(marker.args[0], str) and marker.args[0]):
            pytest.fail("@pytest.mark.allow_secrets needs a reason")
        return
    secrets = {
        form
        for s in seen.secrets | redact._secrets | _CONSTANT_SECRETS
        if len(s) >= _MIN_SECRET
        for form in (s, quote(s, safe=""))  # as it is, and in a query string
    }
    places: list[tuple[str, str]] = [
        *((f"log {name}", text) for name, text in seen.logs),
        *(
            (
                f"{type(err).__name__}",
                f"{err.args!r} {getattr(err, 'translation_placeholders', None)!r}",
            )
            for err in seen.errors
        ),
        *(("diagnostics", json.dumps(d, default=str)) for d in seen.diagnostics),
        *(
            (f"attributes of {eid}", json.dumps(a, default=str))
            for eid, a in seen.attributes
        ),
    ]
    # One pass over everything; only a hit is worth finding again, place by place.
    # (Neither a secret nor a token value spans a newline.)
    if not _leaks("\n".join(text for _, text in places), secrets):
        return
    problems = [
        f"{where}: {', '.join(found)}"
        for where, text in places
        if (found := _leaks(text, secrets))
    ]
    pytest.fail("secrets leaked:\n" + "\n".join(problems[:20]), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body, while Home Assistant still runs: keep every attribute."""
    result = yield
    hass = getattr(item, "funcargs", {}).get("hass")
    seen = item.stash.get(_SIGHTINGS, None)
    if isinstance(hass, HomeAssistant) and seen is not None:
        seen.attributes.extend(
            (state.entity_id, dict(state.attributes))
            for state in hass.states.async_all()
        )
    return result


def pytest_configure(config: pytest.Config) -> None:
    """Register the opt-out marker of the secrets check."""
    config.addinivalue_line(
        "markers",
        "allow_secrets(reason): this test shows secrets on purpose; skip the check",
    )


# --------------------------------------------------------------------------------------
# The integration, set up against the emulator.


@pytest.fixture(autouse=True)
def _integration_tests_load_custom_components(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load custom_components/ in the integration's tests.

    The client's and the emulator's own tests (in subfolders) need no Home Assistant
    instance, so they do not get one.
    """
    if request.node.path.parent == TESTS:
        request.getfixturevalue("enable_custom_integrations")


async def assert_link_plays(url: str, content_type: str) -> None:
    """The link a player was handed has footage behind it (fetched over HTTP).

    HLS: the playlist answers 200, lists at least one segment, and that segment
    answers 200 with data; MP4: the first bytes answer.
    """
    async with aiohttp.ClientSession() as session:
        if content_type == "video/mp4":
            async with session.get(url, headers={"Range": "bytes=0-1023"}) as response:
                assert response.status in (200, 206), response.status
                assert await response.read()
            return
        async with session.get(url) as response:
            text = await response.text()
            assert response.status == 200, f"playlist HTTP {response.status}: {text}"
            base = response.url
        segments = [line for line in text.splitlines() if line and line[0] != "#"]
        assert text.startswith("#EXTM3U"), text[:80]
        assert segments, "the playlist lists no segment"
        async with session.get(base.join(URL(segments[0]))) as response:
            assert response.status == 200, f"segment HTTP {response.status}"
            assert await response.read()


@pytest.fixture
def play_media(hass: HomeAssistant) -> Iterator[list[ServiceCall]]:
    """`media_player.play_media` of a test's players: fetches every link it is handed.

    A call is recorded once its link proved to have footage behind it; a link with
    nothing behind it fails the call and the test.
    """
    calls: list[ServiceCall] = []
    failures: list[str] = []

    async def play(call: ServiceCall) -> None:
        try:
            await assert_link_plays(
                call.data["media_content_id"], call.data["media_content_type"]
            )
        except AssertionError as err:
            failures.append(redact.redact_text(f"{err}"))
            raise
        calls.append(call)

    hass.services.async_register("media_player", "play_media", play)
    yield calls
    assert not failures, (
        f"players were handed links with nothing behind them: {failures}"
    )


@pytest.fixture
async def setup_entry(hass: HomeAssistant, emulator: Emulator) -> MockConfigEntry:
    """A loaded config entry for the emulator's default account, all spaces selected."""
    entry: MockConfigEntry = await setup_integration(hass, emulator)
    return entry
