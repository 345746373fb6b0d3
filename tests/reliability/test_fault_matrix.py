"""The fault matrix: every way the cloud fails, in every phase that talks to it.

Phases: setup (the first refresh), the periodic refresh, the `get_recording` action,
browsing and resolving recordings in the media browser, and the renewal of a
camera's live pull URL. Each row of `FAULTS` injects one fault into the emulator and
names the phases it is driven through; what must happen follows from the fault's
`Expect` class (see `_check_*`):

* setup: loads (OK), or ConfigEntryNotReady and a retry that loads once the cloud is
  back (DOWN, ACCOUNT, CLOCK; the last two with their repair issue, cleared after),
  or SETUP_ERROR with exactly one reauth flow that, completed, loads (AUTH);
* refresh: entities stay available (OK); a cloud that cannot be used for now (DOWN)
  leaves them their last data through two failed refreshes, said once, and makes
  them unavailable at the third, the failure logged once and "recovered" logged
  once when the cloud is back, without a reload; AUTH starts exactly one reauth
  flow however many refreshes fail; ACCOUNT and CLOCK make them unavailable at
  once and raise their repair issue, cleared after; a channel deleted in the cloud
  (GONE) loses its entities while the others stay;
* action, browse, resolve: succeed (OK), or fail with the translated `cloud_error`
  naming the API code and the RequestId (when the cloud sent one);
* renewal: renews (OK), or keeps the current URL and tries again later.

One emulator and one config entry per row: the run-time phases are driven together
(concurrently) so that a row costs one retry backoff (~2 s), not one per phase.
`test_partial_paging` adds the lists that span pages (a 150-channel space, a day of
2500 recordings) with page 2 failing. No test may leave a traceback or an unexpected
error in the log (`_no_tracebacks`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, auto
import logging
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
from homeassistant.components.media_player import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    Unresolvable,
    async_browse_media,
    async_resolve_media,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.volcengine_slow_live.const import (
    CONF_ACCESS_KEY_ID,
    CONF_SECRET_ACCESS_KEY,
    DOMAIN,
)
from custom_components.volcengine_slow_live.coordinator import TOLERATED_FAILURES
from custom_components.volcengine_slow_live.live import source as live
from emulator import Emulator, FaultRule, Fleet
from tests.common import client_settings, entry_data, live_url, stream_titled
from tests.conftest import EmulatorFactory

# The client's per-request timeout, lowered from 10 s so that a hung cloud costs a
# second; SLOW answers take more than half of it and must still work. (With 0.5 and
# 0.3 s, a loaded CI machine let one slow answer pass the timeout now and then.)
TIMEOUT = 1.0
SLOW = 0.6
# The camera every run-time phase works on: an online GB channel of the demo fleet
# that records continuously.
CAMERA = "Back Door"
REFRESH_FAILED = "Error fetching volcengine_slow_live data"
# The integration's own line when a refresh fails while the entities keep their data.
KEPT = "Refreshing failed; the entities keep their last data"
WORKS_AGAIN = "Refreshing works again"
AUTH_FAILED = "Authentication failed while fetching volcengine_slow_live data"
RECOVERED = "Fetching volcengine_slow_live data recovered"
# Which API action each phase calls (setup calls every list action: None).
ACTIONS = {
    "refresh": "ListSpaces",
    "action": "CloudRecordPlay",
    "browse": "ListStreamRecords",
    "resolve": "CloudRecordPlay",
    "renewal": "GetStream",
}
RUNTIME = ("refresh", "action", "browse", "resolve", "renewal")
ALL = frozenset({"setup", *RUNTIME})
# Keys dropped by `missing_fields`: an identifier or required value of every Result
# the phases read (spaces, streams, playback links, recording times).
REQUIRED_KEYS = ["SpaceID", "StreamID", "HLS", "ID", "StartTime"]


# --------------------------------------------------------------------------------------
# Log hygiene


# Log records that betray an unhandled exception, wherever they come from.
_BAD_TEXT = (
    "Traceback",
    "Unexpected error",
    "Exception in",
    "Task exception was never retrieved",
)


def _is_allowed(record: logging.LogRecord) -> bool:
    """A DEBUG record whose traceback is expected, not an unhandled exception.

    * Home Assistant follows its one-line message about a refresh that failed
      ("Error fetching ...", "Authentication failed ...") or a setup that will be
      retried ("... not ready yet") with the full error at DEBUG level, which only
      shows when debugging: the UpdateFailed, ConfigEntryNotReady and
      ConfigEntryAuthFailed the integration raises on purpose.
    * asyncio, in the debug mode tests run the loop in, notes at DEBUG level a
      socket the peer reset or closed while it was reading (an OSError it handles
      by closing the transport): what the timeout and reset faults do on purpose.
    """
    if record.levelno != logging.DEBUG or record.exc_info is None:
        return False
    error = record.exc_info[1]
    if record.name == "asyncio":
        return isinstance(error, OSError) and "Fatal read error" in record.getMessage()
    return record.msg in ("Full error:", "Full exception") and isinstance(
        error, UpdateFailed | ConfigEntryNotReady | ConfigEntryAuthFailed
    )


@pytest.fixture(autouse=True)
def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if anything logged an exception or a traceback."""
    yield
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    # What the fixtures torn down before this one (Home Assistant's stop) logged.
    records += caplog.records
    bad = [
        f"{record.name} {record.levelname}: {record.getMessage()[:300]}"
        for record in records
        if not _is_allowed(record)
        and (
            record.exc_info is not None
            or record.exc_text
            or any(
                text in record.getMessage() or text in (record.exc_text or "")
                for text in _BAD_TEXT
            )
        )
    ]
    assert not bad, "\n".join(bad)


@pytest.fixture(autouse=True)
def _integration(_no_tracebacks: None, enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ (tests/conftest.py skips subfolders).

    `_no_tracebacks` first: set up before Home Assistant, it is torn down after it
    and so also sees what stopping Home Assistant logs.
    """


# --------------------------------------------------------------------------------------
# The table


class Expect(Enum):
    """What a fault means for the user."""

    OK = auto()  # invisible: retried within the bound, or merely slow
    DOWN = auto()  # the cloud cannot be used for now: retry later
    AUTH = auto()  # the key was refused: reauthentication
    ACCOUNT = auto()  # the account cannot use the service: repair issue
    CLOCK = auto()  # the local clock is off: repair issue
    GONE = auto()  # the channel was deleted in the cloud


_ISSUES = {Expect.ACCOUNT: "account_not_ready", Expect.CLOCK: "clock_skew"}


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Injected:
    """An active fault: how to cure it, and the emulator rules it added."""

    heal: Callable[[], Awaitable[None]] = _nothing
    rules: list[FaultRule] = field(default_factory=list)
    # The key pair to reauthenticate with, once healed (default: the entry's own).
    credentials: dict[str, str] = field(default_factory=dict)


class Injector(Protocol):
    """Injects a fault for some actions (None: every action)."""

    def __call__(
        self, emulator: Emulator, actions: Sequence[str | None]
    ) -> Awaitable[Injected]: ...


def _rule(**fields: Any) -> Injector:
    """A FaultRule per action, with these fields; healed by removing them."""

    async def inject(emulator: Emulator, actions: Sequence[str | None]) -> Injected:
        rules = [FaultRule(action=action, **fields) for action in actions]
        for rule in rules:
            emulator.faults.add(rule)

        async def heal() -> None:
            for rule in rules:
                emulator.faults.remove(rule.id)

        return Injected(heal, rules)

    return inject


async def _refuse_connections(
    emulator: Emulator, actions: Sequence[str | None]
) -> Injected:
    await emulator.stop()
    return Injected(emulator.start)


async def _expire_urls(emulator: Emulator, actions: Sequence[str | None]) -> Injected:
    emulator.faults.add(FaultRule(kind="expire_urls"))
    return Injected()


async def _revoke_key(emulator: Emulator, actions: Sequence[str | None]) -> Injected:
    """The key is revoked for good; the cure is a new key of the same account."""
    emulator.revoke(emulator.access_key)
    credentials: dict[str, str] = {}

    async def heal() -> None:
        access_key, secret_key = emulator.add_key()
        credentials.update(
            {CONF_ACCESS_KEY_ID: access_key, CONF_SECRET_ACCESS_KEY: secret_key}
        )

    return Injected(heal, credentials=credentials)


async def _delete_channel(
    emulator: Emulator, actions: Sequence[str | None]
) -> Injected:
    emulator.fleet.remove_stream(stream_titled(emulator, CAMERA).stream_id)
    return Injected()


async def _delete_channel_slowly(
    emulator: Emulator, actions: Sequence[str | None]
) -> Injected:
    """Deleted, and the cloud is slow to say so: the refresh removes it first."""
    emulator.faults.add(FaultRule(kind="latency", action="GetStream", seconds=SLOW))
    return await _delete_channel(emulator, actions)


@dataclass(frozen=True)
class Fault:
    """One row: a fault, the phases it is driven through, what it must cause."""

    id: str
    inject: Injector
    expect: Expect
    phases: frozenset[str] = ALL
    # The API code the action and the media browser must name (Expect != OK).
    code: str = ""
    # Whether the cloud answered, so that its RequestId can be named.
    request_id: bool = True
    # Fail a second refresh too, to show the failure is logged (or reauth started)
    # once. Costs another retry backoff for retried faults: only some rows do it.
    twice: bool = False
    # Expired links: the old ones are refused (403), the new ones play.
    expires_links: bool = False
    # Requests one failing call makes (the browse's ListStreamRecords): 1 + the
    # client's 3 retries for what is worth retrying, 2 for an answer that cannot be
    # read (asked for once more), 1 for the rest.
    attempts: int = 1


FAULTS = [
    Fault(
        "connection_refused",
        _refuse_connections,
        Expect.DOWN,
        code="ConnectionError",
        request_id=False,
        twice=True,
        attempts=0,  # nothing reaches the emulator
    ),
    Fault(
        "timeout",
        _rule(kind="timeout", seconds=5),
        Expect.DOWN,
        code="Timeout",
        request_id=False,
        attempts=4,
    ),
    Fault("slow_under_timeout", _rule(kind="latency", seconds=SLOW), Expect.OK),
    # Every 5xx is the same Unavailable to the client; 503 goes through every phase
    # twice, the other statuses once through the run-time phases.
    Fault(
        "http_503",
        _rule(kind="http_error", status=503),
        Expect.DOWN,
        code="ServiceUnavailableTemp",
        twice=True,
        attempts=4,
    ),
    *(
        Fault(
            f"http_{status}",
            _rule(kind="http_error", status=status),
            Expect.DOWN,
            phases=frozenset(RUNTIME),
            code=code,
            attempts=4,
        )
        for status, code in (
            (500, "InternalError"),
            (502, "FailToConnect"),
            (504, "InternalServiceTimeout"),
        )
    ),
    Fault(
        "rate_limited_beyond_retries",
        _rule(kind="rate_limit"),
        Expect.DOWN,
        code="FlowLimitExceeded",
        attempts=4,
    ),
    # Transient faults: retried within the bound (3 retries), invisible.
    Fault("transient_503_x2", _rule(kind="http_error", status=503, times=2), Expect.OK),
    Fault("transient_429_burst_x3", _rule(kind="rate_limit", times=3), Expect.OK),
    Fault("transient_reset_x1", _rule(kind="reset_connection", times=1), Expect.OK),
    Fault("transient_timeout_x1", _rule(kind="timeout", times=1, seconds=5), Expect.OK),
    # Answers the client cannot read: asked for once more, then an error.
    Fault(
        "malformed_json",
        _rule(kind="malformed_json"),
        Expect.DOWN,
        code="InvalidResponse",
        request_id=False,
        twice=True,
        attempts=2,
    ),
    Fault(
        "missing_fields",
        _rule(kind="missing_fields", fields=REQUIRED_KEYS),
        Expect.DOWN,
        code="InvalidResponse",
        twice=True,
        attempts=2,
    ),
    Fault(
        "wrong_types",
        _rule(kind="wrong_types"),
        Expect.DOWN,
        code="InvalidResponse",
        twice=True,
        attempts=2,
    ),
    Fault(
        "key_revoked",
        _rule(kind="revoked_credentials"),
        Expect.AUTH,
        code="InvalidAccessKey",
        twice=True,
    ),
    Fault(
        "key_revoked_for_good",
        _revoke_key,
        Expect.AUTH,
        phases=frozenset(RUNTIME),
        code="InvalidAccessKey",
        twice=True,
    ),
    Fault(
        "signature_mismatch",
        _rule(kind="http_error", status=401, code="SignatureDoesNotMatch"),
        Expect.AUTH,
        code="SignatureDoesNotMatch",
        twice=True,
    ),
    Fault(
        "clock_skew",
        _rule(kind="clock_skew", seconds=-3600),
        Expect.CLOCK,
        code="InvalidTimestamp",
        twice=True,
    ),
    Fault(
        "account_overdue",
        _rule(kind="http_error", status=403, code="OperationDeny.AccountOverdue"),
        Expect.ACCOUNT,
        code="OperationDeny.AccountOverdue",
        twice=True,
    ),
    Fault(
        "channel_deleted",
        _delete_channel,
        Expect.GONE,
        phases=frozenset(RUNTIME),
        code="NotFound.Stream",
    ),
    Fault(
        "channel_deleted_while_renewing",
        _delete_channel_slowly,
        Expect.GONE,
        phases=frozenset(RUNTIME),
        code="NotFound.Stream",
    ),
    Fault(
        "urls_expired",
        _expire_urls,
        Expect.OK,
        phases=frozenset({"refresh", "action", "resolve", "renewal"}),
        expires_links=True,
    ),
]


# --------------------------------------------------------------------------------------
# Drivers


@dataclass
class World:
    """One row's Home Assistant, emulator, entry and the camera the phases use."""

    hass: HomeAssistant
    emulator: Emulator
    entry: MockConfigEntry
    caplog: pytest.LogCaptureFixture
    stream_id: str = ""
    camera_id: str = ""
    sensor_id: str = ""
    live: Any = None  # the camera's LiveSource
    live_url: str = ""
    expires: datetime | None = None
    link: str = ""
    log_mark: int = 0

    @property
    def coordinator(self) -> Any:
        return self.entry.runtime_data.coordinator

    @property
    def base_id(self) -> str:
        return f"{self.entry.entry_id}/{quote(self.stream_id, safe='')}"

    def entry_state(self) -> ConfigEntryState:
        """The entry's state now (a call: type checkers must not narrow it)."""
        state: ConfigEntryState = self.entry.state
        return state

    def mark(self) -> None:
        self.log_mark = len(self.caplog.records)

    def logged(self, text: str) -> int:
        """How many messages starting with `text` were logged since the mark."""
        return sum(
            1
            for record in self.caplog.records[self.log_mark :]
            if record.getMessage().startswith(text)
        )

    def warnings(self) -> list[str]:
        """Warnings and errors Home Assistant or the integration logged since the mark.

        (asyncio's debug-mode "Executing ... took 0.1 seconds" on a busy machine is
        not something the user sees.)
        """
        return [
            f"{record.name}: {record.getMessage()}"
            for record in self.caplog.records[self.log_mark :]
            if record.levelno >= logging.WARNING
            and record.name.startswith(("homeassistant", "custom_components"))
        ]

    def flows(self) -> list[str]:
        return [
            flow["context"]["source"]
            for flow in self.hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ]

    def issue(self, kind: str) -> ir.IssueEntry | None:
        return ir.async_get(self.hass).async_get_issue(
            DOMAIN, f"{kind}_{self.entry.entry_id}"
        )

    def states(self) -> list[str]:
        """The states of the camera and its connectivity sensor."""
        return [
            state.state if (state := self.hass.states.get(entity_id)) else "missing"
            for entity_id in (self.camera_id, self.sensor_id)
        ]


@pytest.fixture
async def world(
    hass: HomeAssistant,
    emulator_factory: EmulatorFactory,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    """The demo fleet, media_source, and a config entry not yet set up."""
    client_settings(monkeypatch, timeout=TIMEOUT)
    emulator = await emulator_factory(fleet=Fleet.demo())
    assert await async_setup_component(hass, "media_source", {})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Slow Live fault matrix",
        unique_id=emulator.access_key,
        data=entry_data(emulator),
    )
    return World(hass=hass, emulator=emulator, entry=entry, caplog=caplog)


async def _advance(hass: HomeAssistant, delta: timedelta) -> None:
    """Run the timers due within `delta`, in real time (retry backoffs must sleep)."""
    async_fire_time_changed(hass, dt_util.utcnow() + delta)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _fetch(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        await response.read()
        return response.status


# -- setup ---------------------------------------------------------------------------


async def _setup(world: World, fault: Fault) -> None:
    """Set up the entry, through the fault when the row has the setup phase."""
    hass, entry = world.hass, world.entry
    entry.add_to_hass(hass)
    if "setup" not in fault.phases:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return
    world.mark()
    injected = await fault.inject(world.emulator, [None])
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    expect = fault.expect
    if expect is Expect.OK:
        assert world.entry_state() is ConfigEntryState.LOADED
        assert not world.flows()
        assert not world.warnings()
        _check_consumed(injected)
        await injected.heal()
        return
    if expect is Expect.AUTH:
        assert world.entry_state() is ConfigEntryState.SETUP_ERROR
        assert world.flows() == ["reauth"]
        await injected.heal()
        await _complete_reauth(world, injected)
        return
    assert world.entry_state() is ConfigEntryState.SETUP_RETRY
    assert not world.flows()
    if kind := _ISSUES.get(expect):
        issue = world.issue(kind)
        assert issue is not None
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["code"] == fault.code
    await injected.heal()
    # Retried by Home Assistant on its own (10 s after the first failure).
    await _advance(hass, timedelta(minutes=2))
    assert world.entry_state() is ConfigEntryState.LOADED
    for kind in _ISSUES.values():
        assert world.issue(kind) is None


async def _complete_reauth(world: World, injected: Injected) -> None:
    """Confirm a working key in the reauth flow; the entry reloads."""
    hass = world.hass
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        injected.credentials
        or {
            CONF_ACCESS_KEY_ID: world.emulator.access_key,
            CONF_SECRET_ACCESS_KEY: world.emulator.secret_key,
        },
    )
    assert result.get("reason") == "reauth_successful", result
    await hass.async_block_till_done()
    assert world.entry_state() is ConfigEntryState.LOADED
    assert not world.flows()


def _check_consumed(injected: Injected) -> None:
    """A transient fault really happened, as often as it was meant to."""
    for rule in injected.rules:
        assert rule.hits >= 1
        assert rule.times in (0, None)


# -- the run-time phases -------------------------------------------------------------


async def _prepare(world: World) -> None:
    """Find the camera, give it a live URL (and a renewal timer), get a link."""
    hass = world.hass
    world.stream_id = stream_titled(world.emulator, CAMERA).stream_id
    registry = er.async_get(hass)
    camera_id = registry.async_get_entity_id("camera", DOMAIN, world.stream_id)
    sensor_id = registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{world.stream_id}_stream"
    )
    assert camera_id is not None
    assert sensor_id is not None
    world.camera_id, world.sensor_id = camera_id, sensor_id
    url = await live_url(hass, camera_id)
    assert url is not None
    world.live_url = url
    world.live = hass.data["camera"].get_entity(camera_id)._live
    world.expires = world.live.expires_at
    assert world.expires is not None
    world.link = (await _get_recording(world))["hls"]
    assert world.states() == ["streaming", "on"]


async def _get_recording(world: World) -> dict[str, Any]:
    response = await world.hass.services.async_call(
        DOMAIN,
        "get_recording",
        {"entity_id": world.camera_id, "duration": "00:05:00"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    result: dict[str, Any] = response[world.camera_id]  # type: ignore[assignment]
    return result


async def _browse(world: World) -> BrowseMediaSource:
    # Yesterday: a whole day of recordings, whatever the time of day.
    day = (dt_util.now().date() - timedelta(days=1)).isoformat()
    node = await async_browse_media(
        world.hass, f"media-source://{DOMAIN}/{world.base_id}/day/{day}"
    )
    assert isinstance(node, BrowseMediaSource)
    return node


async def _resolve(world: World) -> str:
    media = await async_resolve_media(
        world.hass, f"media-source://{DOMAIN}/{world.base_id}/last_hour", None
    )
    return media.url


async def _outcome(call: Awaitable[Any]) -> Any:
    """The call's result, or the Home Assistant error it raised."""
    try:
        return await call
    except HomeAssistantError as err:
        return err


async def _drive(
    world: World, phases: frozenset[str], fire_at: datetime
) -> dict[str, Any]:
    """Fire the timers due at `fire_at` and make the calls of `phases`, together.

    Returns the outcome of each call (action, browse, resolve): a result or an error.
    """
    hass = world.hass
    calls: dict[str, Awaitable[Any]] = {}
    if "action" in phases:
        calls["action"] = _get_recording(world)
    if "browse" in phases:
        calls["browse"] = _browse(world)
    if "resolve" in phases:
        calls["resolve"] = _resolve(world)
    if world.live is not None:
        # The camera's stream is being watched: its guard says so every second.
        world.live.keep_alive()
    async_fire_time_changed(hass, fire_at)
    results = await asyncio.gather(*(_outcome(call) for call in calls.values()))
    await hass.async_block_till_done(wait_background_tasks=True)
    return dict(zip(calls, results, strict=True))


def _first_run_time(world: World, phases: frozenset[str]) -> datetime:
    """When the renewal timer fires (the refresh is due well before), else a refresh."""
    if "renewal" in phases:
        assert world.expires is not None
        return world.expires - live.RENEW_BEFORE
    return dt_util.utcnow() + timedelta(seconds=61)


def _check_cloud_error(err: object, fault: Fault, kind: type[Exception]) -> None:
    """The translated error naming the API code and the RequestId."""
    assert isinstance(err, kind), repr(err)
    assert isinstance(err, HomeAssistantError)
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_domain == DOMAIN
    assert err.translation_key == "cloud_error"
    placeholders = err.translation_placeholders
    assert placeholders is not None
    assert placeholders["code"] == fault.code
    if fault.request_id:
        assert placeholders["request_id"] not in ("", "-")
    else:
        assert placeholders["request_id"] == "-"


def _check_failed(world: World, fault: Fault, outcomes: dict[str, Any]) -> None:
    """What a run with the fault active must have caused."""
    if "action" in outcomes:
        _check_cloud_error(outcomes["action"], fault, HomeAssistantError)
    if "browse" in outcomes:
        _check_cloud_error(outcomes["browse"], fault, BrowseError)
    if "resolve" in outcomes:
        _check_cloud_error(outcomes["resolve"], fault, Unresolvable)
    expect = fault.expect
    if "renewal" in fault.phases and expect is not Expect.GONE:
        # The URL in hand (still valid) is kept and renewing is tried again later.
        assert world.live.expires_at == world.expires
        assert world.live._unsub_timer is not None
        assert world.live._retry > live.RETRY_MIN
    if "refresh" not in fault.phases:
        return
    if expect is Expect.GONE:
        # The channel's entities went with it, and its renewal timer; the rest stays.
        registry = er.async_get(world.hass)
        assert registry.async_get(world.camera_id) is None
        assert registry.async_get(world.sensor_id) is None
        assert world.live._unsub_timer is None
        assert world.coordinator.last_update_success
        others = [
            state
            for state in world.hass.states.async_all(("camera", "binary_sensor"))
            if state.entity_id not in (world.camera_id, world.sensor_id)
        ]
        assert others
        # Only a camera whose channel is offline is unavailable (it has nothing to
        # show); its connectivity sensor is there and says "off".
        offline = {
            s.object_id.removesuffix("_connection")
            for s in others
            if s.domain == "binary_sensor" and s.state == "off"
        }
        assert all(
            state.state != "unavailable"
            or (state.domain == "camera" and state.object_id in offline)
            for state in others
        )
        return
    assert world.states() == ["unavailable", "unavailable"]
    assert world.entry_state() is ConfigEntryState.LOADED
    if expect is Expect.AUTH:
        assert world.flows() == ["reauth"]
        assert world.logged(AUTH_FAILED) == 1
        assert world.logged(REFRESH_FAILED) == 0
    else:
        assert not world.flows()
        assert world.logged(REFRESH_FAILED) == 1
    # Only a passing failure was ridden out first (`_ride_out`), and said so once.
    assert world.logged(KEPT) == (1 if expect is Expect.DOWN else 0)
    if kind := _ISSUES.get(expect):
        assert world.issue(kind) is not None


def _check_ok(world: World, outcomes: dict[str, Any], *, renewal: bool) -> None:
    """Everything works: the fault was invisible, or it is healed."""
    for phase, outcome in outcomes.items():
        assert not isinstance(outcome, Exception), (phase, outcome)
    if "browse" in outcomes:
        assert isinstance(outcomes["browse"], BrowseMediaSource)
        assert outcomes["browse"].children
    assert world.entry_state() is ConfigEntryState.LOADED
    assert world.states() == ["streaming", "on"]
    assert not world.flows()
    for kind in _ISSUES.values():
        assert world.issue(kind) is None
    if renewal:
        # Renewed (or told the URL is not due yet): nothing left to retry.
        assert world.live._retry == live.RETRY_MIN
        assert world.live._unsub_timer is not None


# -- the test ------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
async def test_fault(world: World, fault: Fault) -> None:
    """Drive one fault through its phases, heal it, and see everything recover."""
    hass, emulator = world.hass, world.emulator
    await _setup(world, fault)
    await _prepare(world)
    world.mark()
    coordinator = world.coordinator
    runtime = frozenset(fault.phases & set(RUNTIME))
    renewal = "renewal" in runtime
    before = emulator.count("GetStream", status=200)
    injected = await fault.inject(emulator, sorted({ACTIONS[p] for p in runtime}))

    if fault.expires_links:
        await _check_links_expired(world, runtime)
        return

    listings = emulator.count("ListStreamRecords")
    answered = emulator.count("ListStreamRecords", status=200)
    outcomes = await _drive(world, runtime, _first_run_time(world, runtime))
    if "browse" in runtime:
        # Retried within the bound, or not at all when retrying cannot help. The
        # action and the resolve list what was recorded too (each call retried on
        # its own), so a listing fault reaches up to four callers.
        made = emulator.count("ListStreamRecords") - listings
        ok = emulator.count("ListStreamRecords", status=200) - answered
        rules = [r for r in injected.rules if r.action == "ListStreamRecords"]
        # (A camera's folder asks for its files and its last hour together: the
        # browse counts as two callers.)
        callers = sum(
            (2 if phase == "browse" else 1) * (phase in runtime)
            for phase in ("action", "browse", "resolve")
        )
        if fault.expect is Expect.OK:
            # The transient failures, then the successes.
            assert made == ok + sum(r.hits for r in rules if r.times is not None)
        else:
            # Counted by the rule: the emulator logs a request the client gave up
            # on only once its handler has been cancelled, a moment later.
            hits = rules[0].hits if rules else made
            assert fault.attempts <= hits <= callers * fault.attempts
    if fault.expect is Expect.OK:
        _check_ok(world, outcomes, renewal=renewal)
        assert not world.warnings()
        _check_consumed(injected)
        if renewal:
            assert emulator.count("GetStream", status=200) == before + 1
        return

    if fault.expect is Expect.DOWN:
        await _ride_out(world)
    _check_failed(world, fault, outcomes)
    if fault.twice:
        if fault.expect is Expect.AUTH:
            # No refresh is scheduled after an auth failure: ask for one.
            await coordinator.async_refresh()
        else:
            world.live.keep_alive()
            await _advance(hass, timedelta(seconds=61))
        _check_failed(world, fault, {})

    await injected.heal()
    if fault.expect is Expect.GONE:
        await _check_gone(world)
        return
    if fault.expect is Expect.AUTH:
        await _complete_reauth(world, injected)
        if injected.credentials:
            assert (
                world.entry.data[CONF_ACCESS_KEY_ID]
                == (injected.credentials[CONF_ACCESS_KEY_ID])
            )
        outcomes = await _drive(
            world, frozenset({"action", "browse", "resolve"}), dt_util.utcnow()
        )
        _check_ok(world, outcomes, renewal=False)
        return
    # Back without a reload (the same coordinator), and said so once.
    outcomes = await _drive(
        world,
        runtime | {"action"},
        dt_util.utcnow() + live.RETRY_MAX + timedelta(seconds=1),
    )
    _check_ok(world, outcomes, renewal=renewal)
    assert world.coordinator is coordinator
    assert world.logged(REFRESH_FAILED) == 1
    assert world.logged(RECOVERED) == 1
    # Home Assistant said it: the integration's own line is for a failure ridden out.
    assert world.logged(WORKS_AGAIN) == 0
    assert await _fetch(outcomes["action"]["hls"]) == 200


async def _ride_out(world: World) -> None:
    """The first refreshes that fail keep the last data, said once; the next does not.

    The first has failed (`_drive`); the others are the next polls, the camera's
    stream watched all along (its guard says so every second).
    """
    for failed in range(1, TOLERATED_FAILURES + 1):
        if failed > 1:
            world.live.keep_alive()
            await _advance(world.hass, timedelta(seconds=61))
        assert world.coordinator.failed_refreshes == failed
        assert world.states() == ["streaming", "on"]
        assert world.logged(KEPT) == 1
        assert world.logged(REFRESH_FAILED) == 0
    world.live.keep_alive()
    await _advance(world.hass, timedelta(seconds=61))
    assert world.coordinator.failed_refreshes == TOLERATED_FAILURES + 1


async def _check_gone(world: World) -> None:
    """After the refresh, the deleted channel's camera is refused as unknown."""
    with pytest.raises(ServiceValidationError) as err:
        await _get_recording(world)
    assert err.value.translation_key == "not_our_camera"
    with pytest.raises(Unresolvable) as unresolvable:
        await _resolve(world)
    assert unresolvable.value.translation_key == "media_unknown_camera"
    assert world.logged(REFRESH_FAILED) == 0
    # A renewal timer that fired between the refresh and the entity's removal finds
    # no channel: nothing is asked, nothing scheduled.
    calls = world.emulator.count("GetStream")
    await world.live._async_renew(dt_util.utcnow())
    assert world.emulator.count("GetStream") == calls
    assert world.live._unsub_timer is None


async def _check_links_expired(world: World, phases: frozenset[str]) -> None:
    """Links issued before the cloud expired them are refused; new ones play."""
    assert await _fetch(world.live_url) == 403
    assert await _fetch(world.link) == 403
    outcomes = await _drive(world, phases, _first_run_time(world, phases))
    _check_ok(world, outcomes, renewal=True)
    renewed = await live_url(world.hass, world.camera_id)
    assert renewed is not None
    assert renewed != world.live_url
    assert await _fetch(renewed) == 200
    assert await _fetch(outcomes["action"]["hls"]) == 200
    assert await _fetch(outcomes["resolve"]) == 200
    assert not world.warnings()


# --------------------------------------------------------------------------------------
# Partial paging: a later page of a list fails


def _campus() -> Fleet:
    """One GB space of 150 channels on three NVRs: ListStreams has two pages.

    Three devices rather than a generated fleet's sixty: their channel details then
    come in one round trip, and the test spends its time on the fault.
    """
    fleet = Fleet(seed=3)
    space = fleet.add_space("Campus", record=True, screenshot=True)
    for nvr in range(3):
        fleet.add_device(
            space.space_id,
            f"Building {nvr + 1} NVR",
            nvr=True,
            channel_names=[f"B{nvr + 1} camera {k + 1:02d}" for k in range(50)],
        )
    return fleet


def _page_two(action: str, times: int | None) -> FaultRule:
    return FaultRule(
        kind="http_error",
        status=503,
        action=action,
        match={"PageNumber": "2"},
        times=times,
    )


@pytest.mark.parametrize("times", [None, 2], ids=["persistent", "transient"])
async def test_partial_paging(
    hass: HomeAssistant,
    emulator_factory: EmulatorFactory,
    caplog: pytest.LogCaptureFixture,
    times: int | None,
) -> None:
    """Page 2 failing never yields half a fleet: all or nothing, then all again."""
    emulator = await emulator_factory(fleet=_campus())
    assert await async_setup_component(hass, "media_source", {})
    persistent = times is None
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=emulator.access_key, data=entry_data(emulator)
    )
    world = World(hass=hass, emulator=emulator, entry=entry, caplog=caplog)
    entry.add_to_hass(hass)
    main = emulator.fleet.main_streams()
    assert len(main) == 150

    # setup
    rule = _page_two("ListStreams", times)
    emulator.faults.add(rule)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    if persistent:
        assert world.entry_state() is ConfigEntryState.SETUP_RETRY
        assert not hass.states.async_entity_ids("camera")
        emulator.faults.remove(rule.id)
        await _advance(hass, timedelta(minutes=2))
    assert rule.hits >= 1
    assert world.entry_state() is ConfigEntryState.LOADED
    cameras = _main_cameras(hass)
    assert len(cameras) == 150

    # refresh
    world.mark()
    rule = _page_two("ListStreams", times)
    emulator.faults.add(rule)
    await _advance(hass, timedelta(seconds=61))
    assert rule.hits >= 1
    states = {hass.states.get(entity_id).state for entity_id in cameras}  # type: ignore[union-attr]
    if persistent:
        # The last data is kept through two failed refreshes, said once...
        assert "unavailable" not in states
        assert world.logged(KEPT) == 1
        assert world.logged(REFRESH_FAILED) == 0
        for _ in range(TOLERATED_FAILURES):
            await _advance(hass, timedelta(seconds=61))
        assert world.coordinator.failed_refreshes == TOLERATED_FAILURES + 1
        # ...then unavailable, but not one camera (or device) removed for a
        # missing page.
        states = {hass.states.get(entity_id).state for entity_id in cameras}  # type: ignore[union-attr]
        assert states == {"unavailable"}
        assert _main_cameras(hass) == cameras
        assert world.logged(REFRESH_FAILED) == 1
        emulator.faults.remove(rule.id)
        await _advance(hass, timedelta(seconds=61))
        assert world.logged(RECOVERED) == 1
    else:
        assert "unavailable" not in states
        assert not world.warnings()
    assert _main_cameras(hass) == cameras
    assert all(
        hass.states.get(entity_id).state != "unavailable"  # type: ignore[union-attr]
        for entity_id in cameras
    )

    # browse: 30 days of 100 clips a day are listed in three pages (of 1000)
    stream = main[0]
    emulator.fleet.set_recording(stream.stream_id, "events", events_per_day=100)
    world.stream_id = stream.stream_id
    rule = _page_two("ListStreamRecords", times)
    emulator.faults.add(rule)
    outcome = await _outcome(_browse(world))
    if persistent:
        fault = Fault("page_two", _rule(), Expect.DOWN, code="ServiceUnavailableTemp")
        _check_cloud_error(outcome, fault, BrowseError)
        emulator.faults.remove(rule.id)
        outcome = await _outcome(_browse(world))
    assert rule.hits >= 1
    assert isinstance(outcome, BrowseMediaSource)
    assert outcome.children
    listed = sum(
        int(child.title.split(" · ")[1].split()[0]) for child in outcome.children
    )
    assert listed > 80  # a local day takes from two UTC days of 100


def _main_cameras(hass: HomeAssistant) -> set[str]:
    registry = er.async_get(hass)
    return {
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == DOMAIN
        and entry.domain == "camera"
        and not entry.unique_id.endswith("_sub")
    }
