"""Alarm lists are complete: a busy week in the media browser and by voice, every alarm
counted, with the cloud's calls counted too; and each alarm's own picture."""

from __future__ import annotations

from datetime import timedelta
import math
import time
from typing import Any

from homeassistant.components.media_source import (
    BrowseMediaSource,
    async_browse_media,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.alarms import history as alarm_history
from custom_components.volcengine_slow_live.const import DOMAIN
from emulator import Emulator, FaultRule

from .common import stream_titled

PREFIX = f"media-source://{DOMAIN}"
WEEK_ALARMS = 843
SPACING = 700  # s between two alarms: 843 of them span 6.8 days


@pytest.fixture(autouse=True)
async def _media_source(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "media_source", {})


async def _browse(hass: HomeAssistant, identifier: str) -> BrowseMediaSource:
    node = await async_browse_media(hass, f"{PREFIX}/{identifier}")
    assert isinstance(node, BrowseMediaSource)
    return node


def _children(node: BrowseMediaSource) -> list[BrowseMediaSource]:
    assert node.children is not None
    children = [c for c in node.children if isinstance(c, BrowseMediaSource)]
    assert len(children) <= 100  # no folder is too long to look through
    return children


async def _items(hass: HomeAssistant, node: BrowseMediaSource) -> list[Any]:
    """Every alarm below a node, opening each folder on the way."""
    found: list[BrowseMediaSource] = []
    for child in _children(node):
        if child.can_expand:
            assert child.identifier is not None
            found += await _items(hass, await _browse(hass, child.identifier))
        else:
            found.append(child)
    return found


def _busy_week(emulator: Emulator) -> list[Any]:
    """Front Gate's week: `WEEK_ALARMS` alarms, the newest a minute ago."""
    from emulator.alarms import trigger

    front = stream_titled(emulator, "Front Gate")
    front.alarms_per_hour = 0
    front.triggered_alarms.clear()
    now = emulator.now()
    return [trigger(front, now - 60 - n * SPACING) for n in range(WEEK_ALARMS)]


async def test_a_busy_week_is_listed_and_counted_in_full(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alarms = _busy_week(emulator)
    front = stream_titled(emulator, "Front Gate")
    camera = f"{setup_entry.entry_id}/{front.stream_id}"
    today = dt_util.now().date()
    of_today = [
        a
        for a in alarms
        if dt_util.as_local(dt_util.utc_from_timestamp(a.at)).date() == today
    ]

    calls = emulator.count("ListDeviceAlarms")
    week = await _browse(hass, f"{camera}/alarms")
    # Every page of the week, once: 100 a page.
    assert emulator.count("ListDeviceAlarms") - calls == math.ceil(WEEK_ALARMS / 100)
    assert (
        week.title == f"Front Gate · Alarms of the last 7 days · {WEEK_ALARMS} alarms"
    )
    days = _children(week)
    # Too many to list as they are: by day, newest first, each with its count.
    counts = [int(d.title.rsplit(" · ", 1)[1].split()[0]) for d in days]
    assert sum(counts) == WEEK_ALARMS
    assert days[0].title == f"Today · {len(of_today)} alarms"
    assert days[1].title.startswith("Yesterday · ")
    assert len(days) in (7, 8)

    # Opening every day (and its hours) lists each alarm once, and asks nothing
    # more: the days follow from the week just read.
    calls = emulator.count("ListDeviceAlarms")
    items = await _items(hass, week)
    assert len({i.identifier for i in items}) == WEEK_ALARMS
    assert emulator.count("ListDeviceAlarms") == calls
    # A day of more than 100 is grouped by hour, newest first.
    assert days[1].identifier is not None
    yesterday = await _browse(hass, days[1].identifier)
    hours = _children(yesterday)
    assert counts[1] > 100
    assert hours[0].title.startswith("23:00")
    assert yesterday.title == f"Front Gate · Alarms · Yesterday · {counts[1]} alarms"

    # By voice: today's count is the whole day's, said by one call for what is new.
    assert await async_setup_component(hass, "homeassistant", {})
    calls = emulator.count("ListDeviceAlarms")
    said = await intent.async_handle(
        hass,
        "test",
        "VolcengineListAlarms",
        {"camera": {"value": "Front Gate"}},
        language="en",
    )
    assert said.speech["plain"]["speech"].startswith(
        f"{len(of_today)} alarms at Front Gate today: "
    )
    assert len(said.speech_slots["alarms"]) == len(of_today)
    assert emulator.count("ListDeviceAlarms") == calls + 1
    zh = await intent.async_handle(
        hass,
        "test",
        "VolcengineListAlarms",
        {"camera": {"value": "Front Gate"}},
        language="zh-Hans",
    )
    assert zh.speech["plain"]["speech"].startswith(
        f"Front Gate今天有{len(of_today)}次报警"
    )

    # A new alarm: the next opening reads only what is new (one call) and has it.
    from emulator.alarms import trigger

    trigger(front, emulator.now())
    calls = emulator.count("ListDeviceAlarms")
    week = await _browse(hass, f"{camera}/alarms")
    assert emulator.count("ListDeviceAlarms") == calls + 1
    assert f" · {WEEK_ALARMS + 1} alarms" in week.title

    # The cloud failing: an error, and what was read before is kept for later.
    emulator.faults.add(FaultRule("http_error", status=403, action="ListDeviceAlarms"))
    with pytest.raises(Exception, match=r"(?i)refused|denied|access|403"):
        await _browse(hass, f"{camera}/alarms")
    emulator.faults.clear()
    calls = emulator.count("ListDeviceAlarms")
    week = await _browse(hass, f"{camera}/alarms")
    assert emulator.count("ListDeviceAlarms") == calls + 1
    assert f" · {WEEK_ALARMS + 1} alarms" in week.title

    # A late alarm (a device that was cut off sends it when it is back, with the
    # time it happened) is beyond an update's reach; the week read again every hour
    # brings it.
    late = trigger(front, emulator.now() - 3 * 3600)
    week = await _browse(hass, f"{camera}/alarms")
    assert f" · {WEEK_ALARMS + 1} alarms" in week.title
    hour_later = time.monotonic() + alarm_history.REREAD
    monkeypatch.setattr(alarm_history, "monotonic", lambda: hour_later)
    calls = emulator.count("ListDeviceAlarms")
    week = await _browse(hass, f"{camera}/alarms")
    assert f" · {WEEK_ALARMS + 2} alarms" in week.title
    assert emulator.count("ListDeviceAlarms") - calls == math.ceil(
        (WEEK_ALARMS + 2) / 100
    )
    assert late.at in {int(i.identifier.rsplit("/", 1)[1].split("-")[0]) + 10 for i in await _items(hass, week)}  # fmt: skip

    # Days later: the alarms that left the window are gone from the list.
    later = dt_util.utcnow() + timedelta(days=3)
    history = setup_entry.runtime_data.alarms
    assert front.device_id is not None
    kept = await history.async_alarms(front.device_id, front.stream_id, later)
    assert all(a.at >= later - timedelta(days=7) for a in kept)
    assert 0 < len(kept) < WEEK_ALARMS


async def test_days_and_parts_the_folder_does_not_offer(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    from homeassistant.components.media_player import BrowseError

    front = stream_titled(emulator, "Front Gate")
    camera = f"{setup_entry.entry_id}/{front.stream_id}/alarms"
    today = dt_util.now().date()
    for bad in (
        f"{today - timedelta(days=8)}",
        f"{today + timedelta(days=1)}",
        "2026-02-30",
        f"{today}/1-2",
        f"{today}/2000000000-2000000100",
    ):
        with pytest.raises(BrowseError):
            await _browse(hass, f"{camera}/{bad}")


async def test_each_alarm_has_its_own_picture(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client: Any,
) -> None:
    """The first screenshot after the alarm, served by Home Assistant; a listing of
    screenshots per hour, not per alarm."""
    from emulator.alarms import trigger

    front = stream_titled(emulator, "Front Gate")
    front.alarms_per_hour = 0
    base = (int(emulator.now()) // 3600 - 2) * 3600  # a settled hour
    raised = [trigger(front, base + 600 + n * 130) for n in range(5)]
    client = await hass_client()
    camera = f"{setup_entry.entry_id}/{front.stream_id}"
    shots = emulator.count("ListStreamScreenshots")
    pictures = []
    for alarm in raised:
        response = await client.get(
            f"/api/{DOMAIN}/alarm_picture/{camera}/{alarm.at}.jpg"
        )
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/jpeg"
        assert "max-age" in response.headers["Cache-Control"]
        pictures.append(await response.read())
    # One a minute: the five alarms, 130 s apart, got five different pictures.
    assert len(set(pictures)) == len(raised)
    assert all(p.startswith(b"\xff\xd8") for p in pictures)
    # One listing for the hour they all fall in.
    assert emulator.count("ListStreamScreenshots") == shots + 1
    # The screenshot taken at or after each alarm (one a minute), not the one before.
    channel = setup_entry.runtime_data.coordinator.data.channels[front.stream_id]
    for alarm in raised:
        url = await setup_entry.runtime_data.pictures._async_url(
            channel, dt_util.utc_from_timestamp(alarm.at)
        )
        assert url is not None
        first_after = -(-alarm.at // 60) * 60
        assert f"/{front.stream_id}/{first_after}.jpg" in url

    # Not ours, unknown, or without login: nothing.
    assert (
        await client.get(f"/api/{DOMAIN}/alarm_picture/nope/{front.stream_id}/1.jpg")
    ).status == 404
    assert (
        await client.get(f"/api/{DOMAIN}/alarm_picture/{setup_entry.entry_id}/x/1.jpg")
    ).status == 404
    # Long ago: no screenshot near it and no recording: no picture.
    assert (
        await client.get(f"/api/{DOMAIN}/alarm_picture/{camera}/1000000000.jpg")
    ).status == 404
    # The cloud failing: try again later, not an error page.
    emulator.faults.add(
        FaultRule("http_error", status=403, action="ListStreamScreenshots")
    )
    response = await client.get(
        f"/api/{DOMAIN}/alarm_picture/{camera}/{base - 7200}.jpg"
    )
    assert response.status == 503


async def test_pictures_are_kept_and_listings_reused(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A settled alarm's picture is read once; an hour's screenshots are listed once
    when it is over and again once a listing of a filling hour is old; both caches
    stay small; a camera with neither screenshots nor recordings has no picture."""
    from custom_components.volcengine_slow_live.alarms import pictures as module

    front = stream_titled(emulator, "Front Gate")
    runtime = setup_entry.runtime_data
    channel = runtime.coordinator.data.channels[front.stream_id]
    pictures = runtime.pictures
    hour = int(emulator.now()) // 3600 - 2
    at = dt_util.utc_from_timestamp(hour * 3600 + 900)
    shots = emulator.count("ListStreamScreenshots")
    first = await pictures.async_picture(channel, at)
    assert first is not None
    assert await pictures.async_picture(channel, at) == first  # kept
    assert emulator.count("ListStreamScreenshots") == shots + 1

    # A listing made while its hour was filling is read again once it is old.
    key = (channel.key, hour)
    _, listed = pictures._hours[key]
    pictures._hours[key] = ((hour + 1) * 3600 - module.FRESH - 1, listed)
    pictures._pictures.clear()
    assert await pictures.async_picture(channel, at) == first
    assert emulator.count("ListStreamScreenshots") == shots + 2

    # Both caches keep only the newest entries.
    monkeypatch.setattr(module, "KEPT", 1)
    monkeypatch.setattr(module, "PICTURES_KEPT", 1)
    earlier = dt_util.utc_from_timestamp((hour - 1) * 3600 + 900)
    assert await pictures.async_picture(channel, earlier) is not None
    assert len(pictures._hours) == 1
    assert len(pictures._pictures) == 1

    # Neither screenshots nor recordings: nothing to show, nothing asked.
    home = next(s for s in emulator.fleet.spaces.values() if s.name == "Home")
    home.screenshot_template = None
    home.record_template = None
    await runtime.coordinator.async_refresh()
    bare = runtime.coordinator.data.channels[front.stream_id]
    shots = emulator.count("ListStreamScreenshots")
    other = dt_util.utc_from_timestamp(hour * 3600 + 1500)
    assert await pictures.async_picture(bare, other) is None
    assert emulator.count("ListStreamScreenshots") == shots
