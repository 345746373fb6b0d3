"""Large fleets: Home Assistant's limit of enabled entities per entry never costs a camera.

Home Assistant 2026.8 and 2026.10 add at most `MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY`
(10,000) enabled entities to a config entry and refuse the rest with one warning.
Here the limit is made small (as Home Assistant's own check reads it, from its
module) so that the demo fleet (9 channels; 64 entities enabled by default, 16
disabled) meets it: main cameras come first, other kinds follow in order while they
fit in 90 % of the limit, a camera that cannot fit at all raises a repair issue
until there is room, what the user chose stays, and a fleet split over several
entries of one account gets every camera while sharing the account's rate limit.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
import sys
import time

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_platform,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.volcengine_slow_live.budget import entity_limit
from custom_components.volcengine_slow_live.const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_SPACES,
    DOMAIN,
    SECTION_ADVANCED,
)
from emulator import Emulator

from .common import demo_space_ids, entry_data, setup_integration, stream_titled

LIMIT_WARNING = "Reached the maximum"
# What the demo fleet's entities are, enabled and disabled by default.
ALL_ENABLED = {
    "camera": 9,
    "event": 7,
    "image": 6,
    "binary_sensor": 9,
    "sensor": 9,
    "select": 3,
    "button": 21,
}
ALL_DISABLED = {"camera": 4, "button": 12}


def _limit(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setattr(entity_platform, "MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY", limit)


def _entities(
    hass: HomeAssistant, entry: MockConfigEntry
) -> tuple[dict[str, int], dict[str, int]]:
    """Entities of the entry by platform: enabled, disabled."""
    enabled: Counter[str] = Counter()
    disabled: Counter[str] = Counter()
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        (disabled if item.disabled_by else enabled)[item.domain] += 1
    return dict(enabled), dict(disabled)


def _cameras(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    """The channels whose main camera has a state."""
    channels = entry.runtime_data.coordinator.data.channels
    return {
        item.unique_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if item.domain == "camera"
        and item.unique_id in channels
        and hass.states.get(item.entity_id) is not None
    }


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"entity_limit_{entry.entry_id}")


def _warned(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Home Assistant's own warning about the limit: it must never come."""
    return [r.getMessage() for r in caplog.records if LIMIT_WARNING in r.getMessage()]


async def _refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def test_a_small_fleet_gets_every_kind(
    hass: HomeAssistant, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await setup_integration(hass, emulator)
    assert _entities(hass, entry) == (ALL_ENABLED, ALL_DISABLED)
    assert len(_cameras(hass, entry)) == 9
    assert _issue(hass, entry) is None
    assert not _warned(caplog)


@pytest.mark.parametrize(
    ("limit", "enabled"),
    [
        # 90 % of 30 is 27: cameras 9, alarm events 16, pictures 22; the
        # connection sensors would make 31.
        (30, {"camera": 9, "event": 7, "image": 6}),
        # 18: the pictures would make 22.
        (20, {"camera": 9, "event": 7}),
        # 10: the alarm events would make 16; none of the later kinds is enabled
        # either, though the three preset selects would fit.
        (12, {"camera": 9}),
    ],
)
async def test_kinds_are_enabled_in_order_while_they_fit(
    hass: HomeAssistant,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    limit: int,
    enabled: dict[str, int],
) -> None:
    _limit(monkeypatch, limit)
    entry = await setup_integration(hass, emulator)
    disabled = {
        domain: ALL_DISABLED.get(domain, 0) + count - enabled.get(domain, 0)
        for domain, count in ALL_ENABLED.items()
        if ALL_DISABLED.get(domain, 0) + count - enabled.get(domain, 0)
    }
    assert _entities(hass, entry) == (enabled, disabled)
    assert len(_cameras(hass, entry)) == 9
    assert _issue(hass, entry) is None
    assert not _warned(caplog)
    assert "are disabled by default for new entities" in caplog.text


async def test_channels_added_later_get_what_their_siblings_have(
    hass: HomeAssistant,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 22 enabled of 27: cameras, alarm events and pictures; no sensors.
    _limit(monkeypatch, 30)
    entry = await setup_integration(hass, emulator)
    registry = er.async_get(hass)
    home = next(iter(emulator.fleet.spaces))

    def state_of(domain: str, unique_id: str) -> str | None:
        entity_id = registry.async_get_entity_id(domain, DOMAIN, unique_id)
        assert entity_id is not None, unique_id
        state = hass.states.get(entity_id)
        return None if state is None else state.state

    one = emulator.fleet.add_channel(home, name="Back Gate")
    await _refresh(hass, entry)
    # Its camera and alarm event (24 enabled), no sensors, though there is room.
    assert state_of("camera", one.stream_id) is not None
    assert state_of("event", f"{one.stream_id}_alarm") is not None
    assert state_of("binary_sensor", f"{one.stream_id}_stream") is None
    assert state_of("sensor", f"{one.stream_id}_stream_state") is None

    # Two cameras make 26; their alarm events would make 28: not one of them is
    # enabled, nor the alarm event of a camera after them, which would fit.
    two = [emulator.fleet.add_channel(home, name=f"Shed {n}") for n in (1, 2)]
    await _refresh(hass, entry)
    three = emulator.fleet.add_channel(home, name="Shed 3")
    await _refresh(hass, entry)
    for stream in (*two, three):
        assert state_of("camera", stream.stream_id) is not None
        assert state_of("event", f"{stream.stream_id}_alarm") is None
    assert _entities(hass, entry)[0] == {"camera": 13, "event": 8, "image": 6}
    assert _issue(hass, entry) is None
    assert not _warned(caplog)


async def test_cameras_past_the_limit_raise_a_repair_until_there_is_room(
    hass: HomeAssistant,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _limit(monkeypatch, 8)
    entry = await setup_integration(hass, emulator)
    channels = entry.runtime_data.coordinator.data.channels
    assert len(_cameras(hass, entry)) == 8
    # Nothing else is enabled: the cameras come first.
    assert _entities(hass, entry)[0] == {"camera": 8}
    (missing,) = set(channels) - _cameras(hass, entry)
    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders == {
        "title": entry.title,
        "missing": "1",
        "channels": "9",
        "limit": "8",
        "names": channels[missing].name,
    }
    # Nothing of it is there: a channel's device comes with its entities.
    assert (
        dr.async_get(hass).async_get_device_by_identifier(
            (DOMAIN, missing), entry.entry_id
        )
        is None
    )
    # Refreshes change nothing while there is no room.
    await _refresh(hass, entry)
    assert missing not in _cameras(hass, entry)

    # A camera leaves the cloud: the next refresh finds room for the missing one.
    emulator.fleet.remove_stream(stream_titled(emulator, "West Slope").stream_id)
    await _refresh(hass, entry)
    await _refresh(hass, entry)
    assert missing in _cameras(hass, entry)
    assert len(_cameras(hass, entry)) == 8
    assert _issue(hass, entry) is None
    assert not _warned(caplog)


async def test_the_repair_goes_with_the_entry(
    hass: HomeAssistant, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _limit(monkeypatch, 3)
    entry = await setup_integration(hass, emulator)
    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["missing"] == "6"
    # Five names at most, in order, then "…".
    names = issue.translation_placeholders["names"].split(", ")
    assert len(names) == 6
    assert names[:5] == sorted(names[:5])
    assert names[5] == "…"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert _issue(hass, entry) is None


async def test_what_the_user_chose_stays(
    hass: HomeAssistant,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _limit(monkeypatch, 30)
    entry = await setup_integration(hass, emulator)
    registry = er.async_get(hass)
    gate = stream_titled(emulator, "Front Gate").stream_id
    garden = stream_titled(emulator, "Garden").stream_id
    sensor = registry.async_get_entity_id("sensor", DOMAIN, f"{gate}_stream_state")
    camera = registry.async_get_entity_id("camera", DOMAIN, garden)
    assert sensor is not None
    assert camera is not None
    assert (
        registry.async_get(sensor).disabled_by is er.RegistryEntryDisabler.INTEGRATION
    )
    # The user wants one stream sensor, and one camera less.
    registry.async_update_entity(sensor, disabled_by=None)
    registry.async_update_entity(camera, disabled_by=er.RegistryEntryDisabler.USER)
    # Home Assistant reloads the entry 30 s after such a change.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done()
    assert hass.states.get(sensor) is not None
    assert hass.states.get(camera) is None

    # However large the budget later, the defaults apply to new entities only.
    _limit(monkeypatch, 10_000)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(sensor) is not None
    assert hass.states.get(camera) is None
    enabled, _ = _entities(hass, entry)
    assert enabled == {"camera": 8, "event": 7, "image": 6, "sensor": 1}
    assert not _warned(caplog)


def test_a_release_without_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert entity_limit() == entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
    monkeypatch.delattr(entity_platform, "MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY")
    assert entity_limit() == sys.maxsize


async def test_a_fleet_split_over_two_entries_gets_every_camera(
    hass: HomeAssistant,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What the repair says to do: reconfigure, then add the account again."""
    _limit(monkeypatch, 8)
    first = await setup_integration(hass, emulator)
    assert _issue(hass, first) is not None
    home, *others = demo_space_ids(emulator)

    result = await first.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCESS_KEY_ID: emulator.access_key,
            CONF_REGION: "cn-north-1",
            SECTION_ADVANCED: {CONF_ENDPOINT: emulator.base_url},
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SPACES: [home]}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCESS_KEY_ID: emulator.access_key,
            CONF_SECRET_ACCESS_KEY: emulator.secret_key,
            CONF_REGION: "cn-north-1",
            SECTION_ADVANCED: {CONF_ENDPOINT: emulator.base_url},
        },
    )
    # Only the spaces the first entry no longer holds are offered, all chosen.
    assert sorted(result["data_schema"]({})[CONF_SPACES]) == sorted(others)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SPACES: others}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    second = result["result"]
    await hass.async_block_till_done()

    assert second.unique_id == f"{emulator.access_key} 2"
    assert first.unique_id == emulator.access_key
    assert second.title != first.title
    cameras = _cameras(hass, first) | _cameras(hass, second)
    assert len(cameras) == 9
    assert _issue(hass, first) is None
    assert _issue(hass, second) is None
    assert not _warned(caplog)


async def test_entries_of_one_key_share_its_rate_limit(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """The cloud counts a key's requests per action, whichever entry sends them."""
    home, *others = demo_space_ids(emulator)
    entries = []
    for index, spaces in enumerate(([home], others)):
        entry = MockConfigEntry(
            domain=DOMAIN,
            unique_id=emulator.access_key + ("" if index == 0 else " 2"),
            data=entry_data(emulator, spaces=spaces),
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        entries.append(entry)
    await hass.async_block_till_done()
    await asyncio.sleep(1.2)  # the setups' requests leave the window
    refused = emulator.count(status=429)
    started = time.perf_counter()
    # Ten requests of one action from each entry: twice what one second allows.
    await asyncio.gather(
        *(
            entry.runtime_data.client.list_spaces()
            for entry in entries
            for _ in range(10)
        )
    )
    assert time.perf_counter() - started >= 1.0
    assert emulator.count(status=429) == refused
