"""Setup, unload, failures at setup, reauth, dynamic and stale devices."""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.coordinator import TOLERATED_FAILURES
from custom_components.volcengine_slow_live.diagnostics import (
    async_get_config_entry_diagnostics,
)
from emulator import Emulator, FaultRule

from .common import entry_data

SCAN = timedelta(seconds=60)
# What is logged when refreshes start and stop failing: the integration's own lines
# while the entities keep their data, Home Assistant's once they are unavailable.
KEPT = "Refreshing failed; the entities keep their last data"
WORKS_AGAIN = "Refreshing works again"
UNAVAILABLE = f"Error fetching {DOMAIN} data"
RECOVERED = f"Fetching {DOMAIN} data recovered"


def _cameras(hass: HomeAssistant, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    return [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "camera"
    ]


async def test_setup_and_unload(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    assert setup_entry.state is ConfigEntryState.LOADED
    main = [
        s for s in emulator.fleet.main_streams() if s.space_id in emulator.fleet.spaces
    ]
    cameras = _cameras(hass, setup_entry)
    assert {c.unique_id for c in cameras if not c.unique_id.endswith("_sub")} == {
        s.stream_id for s in main
    }
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert setup_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (FaultRule(kind="http_error", status=503), ConfigEntryState.SETUP_RETRY),
        (FaultRule(kind="reset_connection"), ConfigEntryState.SETUP_RETRY),
        (FaultRule(kind="revoked_credentials"), ConfigEntryState.SETUP_ERROR),
    ],
)
async def test_setup_failures(
    hass: HomeAssistant, emulator: Emulator, rule: FaultRule, state: ConfigEntryState
) -> None:
    emulator.faults.add(rule)
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=emulator.access_key, data=entry_data(emulator)
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is state
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    if state is ConfigEntryState.SETUP_ERROR:
        assert [f["context"]["source"] for f in flows] == ["reauth"]
    else:
        assert not flows


async def test_setup_retry_recovers(hass: HomeAssistant, emulator: Emulator) -> None:
    await emulator.stop()
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=emulator.access_key, data=entry_data(emulator)
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    await emulator.start()
    await _advance(hass, timedelta(minutes=2))
    assert entry.state is ConfigEntryState.LOADED


async def _advance(hass: HomeAssistant, delta: timedelta) -> None:
    """Run the timers due within `delta`, in real time.

    The freezer would stop the event loop's clock too, and then the client's retry
    backoff (a real sleep) would never end.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + delta)
    # Coordinator refreshes and setup retries run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


async def _refresh(hass: HomeAssistant) -> None:
    await _advance(hass, SCAN)


def _said(caplog: pytest.LogCaptureFixture, start: str) -> int:
    """How many lines at INFO or above started with this text."""
    return sum(
        1
        for record in caplog.records
        if record.levelno >= logging.INFO and record.getMessage().startswith(start)
    )


def _states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """The state of every entity of the entry (the disabled ones have none)."""
    return {
        e.entity_id: state.state
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if (state := hass.states.get(e.entity_id)) is not None
    }


async def test_keys_revoked_later_start_reauth_once(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No grace for a refused key: reauthentication at once, the entities unavailable."""
    camera = _cameras(hass, setup_entry)[0].entity_id
    emulator.revoke(emulator.access_key)
    await _refresh(hass)
    assert setup_entry.runtime_data.coordinator.failed_refreshes == 1
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert hass.states.get(camera).state == "unavailable"
    await _refresh(hass)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert _said(caplog, KEPT) == 0


async def test_a_short_outage_keeps_the_last_data(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two failed refreshes: every entity keeps its state; start and end said once."""
    coordinator = setup_entry.runtime_data.coordinator
    states, data = _states(hass, setup_entry), coordinator.data
    succeeded = coordinator.last_success
    assert succeeded is not None
    assert "unavailable" in states.values()  # the offline cameras: as they were
    assert set(states.values()) != {"unavailable"}
    # A burst of 503s on one list, outlasting the client's retries.
    rule = emulator.faults.add(
        FaultRule(kind="http_error", status=503, action="ListStreams")
    )
    for failed in range(1, TOLERATED_FAILURES + 1):
        await _refresh(hass)
        assert coordinator.failed_refreshes == failed
        assert coordinator.data is data
        assert _states(hass, setup_entry) == states
    assert _said(caplog, KEPT) == 1
    # Diagnostics say it, and what the client met.
    entry = (await async_get_config_entry_diagnostics(hass, setup_entry))["entry"]
    assert entry["last_update_success"] is True
    assert entry["failed_refreshes"] == TOLERATED_FAILURES
    assert entry["last_success"] == succeeded.isoformat()
    stats = coordinator.client.stats
    assert entry["requests"] == {
        "requests": stats.requests,
        "retries": stats.retries,
        "malformed": 0,
    }
    # Each failed refresh: the client's three retries of ListStreams.
    assert stats.retries >= 3 * TOLERATED_FAILURES

    emulator.faults.remove(rule)
    await _refresh(hass)
    assert coordinator.failed_refreshes == 0
    assert coordinator.last_success is not None
    assert coordinator.last_success > succeeded
    assert _states(hass, setup_entry) == states
    assert _said(caplog, KEPT) == 1
    assert _said(caplog, WORKS_AGAIN) == 1
    # The entities never changed: Home Assistant had nothing to say.
    assert _said(caplog, UNAVAILABLE) == _said(caplog, RECOVERED) == 0


async def test_outage_makes_entities_unavailable_then_back(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The third failed refresh in a row: unavailable; each change said once."""
    coordinator = setup_entry.runtime_data.coordinator
    camera = _cameras(hass, setup_entry)[0].entity_id
    before = hass.states.get(camera).state
    assert before != "unavailable"
    # (Its first list only: alarm reads, which the polls also make, are not the
    # point here, and each failing one costs a retry backoff.)
    rule = emulator.faults.add(
        FaultRule(kind="http_error", status=502, action="ListSpaces")
    )
    for _ in range(TOLERATED_FAILURES):
        await _refresh(hass)
        assert hass.states.get(camera).state == before
    await _refresh(hass)
    assert coordinator.failed_refreshes == TOLERATED_FAILURES + 1
    assert hass.states.get(camera).state == "unavailable"
    assert set(_states(hass, setup_entry).values()) == {"unavailable"}
    await _refresh(hass)
    assert _said(caplog, KEPT) == 1
    assert _said(caplog, UNAVAILABLE) == 1
    emulator.faults.remove(rule)
    await _refresh(hass)
    assert coordinator.failed_refreshes == 0
    assert hass.states.get(camera).state == before
    assert _said(caplog, RECOVERED) == 1
    assert _said(caplog, WORKS_AGAIN) == 0
    # A new outage starts a new grace, said once again.
    emulator.faults.add(
        FaultRule(kind="http_error", status=502, action="ListSpaces", times=4)
    )
    await _refresh(hass)
    assert hass.states.get(camera).state == before
    assert _said(caplog, KEPT) == 2


async def test_account_problem_raises_and_clears_repair(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
) -> None:
    registry = ir.async_get(hass)
    rule = emulator.faults.add(
        FaultRule(kind="http_error", status=403, code="OperationDeny.AccountOverdue")
    )
    await _refresh(hass)
    issue = registry.async_get_issue(
        DOMAIN, f"account_not_ready_{setup_entry.entry_id}"
    )
    assert issue is not None
    # Not a passing failure: no grace, the entities are unavailable at once.
    assert set(_states(hass, setup_entry).values()) == {"unavailable"}
    assert issue.translation_placeholders["code"] == "OperationDeny.AccountOverdue"
    emulator.faults.remove(rule)
    await _refresh(hass)
    assert (
        registry.async_get_issue(DOMAIN, f"account_not_ready_{setup_entry.entry_id}")
        is None
    )


async def test_clock_skew_raises_and_clears_repair(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
) -> None:
    registry = ir.async_get(hass)
    rule = emulator.faults.add(FaultRule(kind="clock_skew", seconds=-3600))
    await _refresh(hass)
    assert registry.async_get_issue(DOMAIN, f"clock_skew_{setup_entry.entry_id}")
    assert set(_states(hass, setup_entry).values()) == {"unavailable"}
    emulator.faults.remove(rule)
    await _refresh(hass)
    assert not registry.async_get_issue(DOMAIN, f"clock_skew_{setup_entry.entry_id}")


async def test_new_channel_appears_and_removed_one_goes(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
) -> None:
    devices = dr.async_get(hass)
    space_id = next(
        s.space_id for s in emulator.fleet.spaces.values() if s.access_type == "gb28181"
    )
    added = emulator.fleet.add_channel(space_id, name="Back Gate")
    await _refresh(hass)
    device = devices.async_get_device_by_identifier(
        (DOMAIN, added.stream_id), setup_entry.entry_id
    )
    assert device is not None
    assert device.name == "Back Gate"
    assert any(c.unique_id == added.stream_id for c in _cameras(hass, setup_entry))

    emulator.fleet.remove_stream(added.stream_id)
    await _refresh(hass)
    assert (
        devices.async_get_device_by_identifier(
            (DOMAIN, added.stream_id), setup_entry.entry_id
        )
        is None
    )


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_ws_client,  # type: ignore[no-untyped-def]
) -> None:
    assert await async_setup_component(hass, "config", {})
    devices = dr.async_get(hass)
    live = next(
        d
        for d in dr.async_entries_for_config_entry(devices, setup_entry.entry_id)
        if d.via_device_id
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": setup_entry.entry_id,
            "device_id": live.id,
        }
    )
    response = await client.receive_json()
    assert not response["success"]
    # A device the cloud no longer lists may be removed by hand.
    gone = devices.async_get_or_create(
        config_entry_id=setup_entry.entry_id, identifiers={(DOMAIN, "gone")}
    )
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": setup_entry.entry_id,
            "device_id": gone.id,
        }
    )
    response = await client.receive_json()
    assert response["success"]


async def test_refresh_costs_list_pages_not_channels(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
) -> None:
    before = {a: emulator.count(a) for a in ("GetStream", "GetDeviceChannelsV2")}
    total = emulator.count() - emulator.count("ListDeviceAlarms")
    await _refresh(hass)
    # The alarm poll (due at the same moment) is not the refresh's.
    spent = emulator.count() - emulator.count("ListDeviceAlarms") - total
    gb_spaces = sum(
        1 for s in emulator.fleet.spaces.values() if s.access_type == "gb28181"
    )
    # ListSpaces + one ListStreams page per space + one ListDevices page per GB space.
    assert spent == 1 + len(emulator.fleet.spaces) + gb_spaces
    assert emulator.count("GetStream") == before["GetStream"]
    assert emulator.count("GetDeviceChannelsV2") == before["GetDeviceChannelsV2"]


async def test_an_ipc_and_its_channel_are_one_device(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), setup_entry.entry_id
    )
    names = sorted(d.name or "" for d in devices)
    # An IPC is its camera (no "Attic IPC" above "Attic"); the NVR stands above its
    # channels; no two devices share a name.
    assert "Attic IPC" not in names
    assert "Living Room IPC" not in names
    assert "Courtyard NVR" in names
    assert len(names) == len(set(names))
    attic = next(d for d in devices if d.name == "Attic")
    assert attic.via_device_id is None
    gate = next(d for d in devices if d.name == "Front Gate")
    parent = dr.async_get(hass).async_get(gate.via_device_id or "")
    assert parent is not None
    assert parent.name == "Courtyard NVR"
