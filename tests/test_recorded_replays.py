"""Replays that always play: only recorded footage ever reaches a player.

Against the emulator over real HTTP. Gaps are placed with the record schedule's
pauses; the storage lag is the emulator's own (`EmulatorConfig.storage_lag`). Every
link a player receives is fetched by the `play_media` fixture.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import time
from typing import Any

from homeassistant.components.media_source import (
    BrowseMediaSource,
    async_browse_media,
    async_resolve_media,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live import recorded
from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.recorded import (
    Coverage,
    TimeRange,
    merge,
)
from emulator import Emulator, FaultRule, Fleet

from .common import camera_entity, setup_integration, stream_titled
from .conftest import EmulatorFactory, assert_link_plays

TV = "media_player.living_room_tv"


@pytest.fixture
def tv(hass: HomeAssistant, play_media: list[ServiceCall]) -> list[ServiceCall]:
    """The living room TV; every link it is handed is fetched (see conftest)."""
    hass.states.async_set(TV, "idle", {"friendly_name": "Living Room TV"})
    return play_media


def _now() -> int:
    return int(time.time())


def _pause(emulator: Emulator, title: str, *pauses: tuple[int, int]) -> str:
    """Pause a continuous camera's recording in these spans; its stream ID."""
    stream_id: str = stream_titled(emulator, title).stream_id
    emulator.fleet.set_recording(
        stream_id, "continuous", outages=False, pauses=list(pauses)
    )
    return stream_id


async def _call(hass: HomeAssistant, service: str, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def _at(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _clock(unix: int) -> str:
    """How replies say a time: with its date when that is not today."""
    local = dt_util.as_local(dt_util.utc_from_timestamp(unix))
    text = local.strftime("%H:%M:%S" if local.second else "%H:%M")
    if local.date() != dt_util.now().date():
        text = f"{local.date().isoformat()} {text}"
    return text


# -- nothing recorded ------------------------------------------------------------------


async def test_empty_range_names_the_nearest_recordings(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    tv: list[ServiceCall],
) -> None:
    now = _now()
    pause = (now - 2400, now - 1200)
    _pause(emulator, "Front Gate", pause)
    camera = camera_entity(hass, emulator, "Front Gate")
    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass,
            "play_recording",
            entity_id=camera,
            media_player=TV,
            start=now - 1900,
            end=now - 1800,
        )
    err = caught.value
    assert err.translation_key == "no_recording_around"
    placeholders = err.translation_placeholders or {}
    assert placeholders["camera"] == "Front Gate"
    # Times carry their date when not today (run just after midnight they do).
    # (an end says its date only when its start is on another day)
    assert placeholders["before"].endswith(_clock(pause[0]).rsplit(" ", 1)[-1])
    assert placeholders["after"].startswith(_clock(pause[1]))
    message = str(err)
    assert "Nothing was recorded at Front Gate" in message
    assert placeholders["before"] in message
    assert placeholders["after"] in message
    assert not tv
    assert emulator.count("CloudRecordPlay") <= 1  # asked early, never handed out


async def test_empty_range_with_recordings_only_before(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    now = _now()
    _pause(emulator, "Front Gate", (now - 600, now + 3600))
    camera = camera_entity(hass, emulator, "Front Gate")
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "get_recording", entity_id=camera, duration=60)
    assert caught.value.translation_key == "no_recording_before"
    assert (caught.value.translation_placeholders or {})["before"].endswith(
        _clock(now - 600).rsplit(" ", 1)[-1]
    )


async def test_empty_range_with_recordings_only_after(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    now = _now()
    stream_id = stream_titled(emulator, "Front Gate").stream_id
    emulator.fleet.set_recording(
        stream_id, "continuous", outages=False, since=now - 1200
    )
    camera = camera_entity(hass, emulator, "Front Gate")
    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass, "get_recording", entity_id=camera, start=now - 3000, end=now - 2900
        )
    assert caught.value.translation_key == "no_recording_after"
    first_file = -(-(now - 1200) // 600) * 600  # files start on a 10-minute grid
    assert (caught.value.translation_placeholders or {})["after"].startswith(
        _clock(first_file)
    )


async def test_a_camera_that_records_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    tv: list[ServiceCall],
) -> None:
    # Garage's space has a recording template, but nothing was ever stored.
    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass,
            "play_recording",
            entity_id=camera_entity(hass, emulator, "Garage"),
            media_player=TV,
            duration="00:01:00",
        )
    assert caught.value.translation_key == "no_recording"
    assert (caught.value.translation_placeholders or {})["hours"] == "24"
    # Barn's space has none: refused before any request.
    listed = emulator.count("ListStreamRecords")
    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass,
            "play_recording",
            entity_id=camera_entity(hass, emulator, "Barn"),
            media_player=TV,
            duration="00:01:00",
        )
    assert caught.value.translation_key == "not_recorded"
    assert "recording template" in str(caught.value)
    assert emulator.count("ListStreamRecords") == listed
    assert not tv


async def test_neighbours_unreadable_still_refuses_clearly(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    now = _now()
    _pause(emulator, "Front Gate", (now - 2400, now - 1200))
    camera = camera_entity(hass, emulator, "Front Gate")
    # The range's own listing is at hand; the look for neighbours fails.
    window = TimeRange(
        dt_util.utc_from_timestamp(now - 1900), dt_util.utc_from_timestamp(now - 1800)
    )
    key = stream_titled(emulator, "Front Gate").stream_id
    await setup_entry.runtime_data.recordings.async_coverage(key, window)
    emulator.faults.add(
        FaultRule(
            "http_error",
            status=400,
            code="InvalidParameter",
            action="ListStreamRecords",
        )
    )
    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass, "get_recording", entity_id=camera, start=now - 1900, end=now - 1800
        )
    assert caught.value.translation_key == "no_recording"


# -- partly recorded ---------------------------------------------------------------------


async def test_partly_recorded_is_trimmed_and_strict_refuses(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    tv: list[ServiceCall],
) -> None:
    now = _now()
    pause = (now - 2400, now - 1500)
    _pause(emulator, "Front Gate", pause)
    camera = camera_entity(hass, emulator, "Front Gate")
    start, end = now - 2700, now - 1800
    response = await _call(
        hass, "play_recording", entity_id=camera, media_player=TV, start=start, end=end
    )
    result = response[camera]
    assert (_at(result["requested"]["start"]), _at(result["requested"]["end"])) == (
        start,
        end,
    )
    assert (_at(result["played"]["start"]), _at(result["played"]["end"])) == (
        start,
        pause[0],
    )
    assert (_at(result["start"]), _at(result["end"])) == (start, pause[0])
    assert [(_at(g["start"]), _at(g["end"])) for g in result["gaps"]] == [
        (pause[0], end)
    ]
    assert [r["duration"] for r in result["recorded"]] == [pause[0] - start]
    params = emulator.requests("CloudRecordPlay")[-1].params
    assert (int(params["StartTs"]), int(params["EndTs"])) == (start, pause[0])
    # Automatic validity follows the played clip: 5 minutes plus 30.
    assert int(params["TokenValid"]) == 300 + 1800
    assert len(tv) == 1
    assert tv[0].data["media_content_id"] == result["hls"]

    with pytest.raises(ServiceValidationError) as caught:
        await _call(
            hass,
            "play_recording",
            entity_id=camera,
            media_player=TV,
            start=start,
            end=end,
            strict=True,
        )
    assert caught.value.translation_key == "partly_recorded"
    assert _clock(pause[0]) in (caught.value.translation_placeholders or {})["gaps"]
    assert len(tv) == 1


async def test_a_gap_inside_the_range_is_listed(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    now = _now()
    pause = (now - 1500, now - 1200)
    _pause(emulator, "Front Gate", pause)
    camera = camera_entity(hass, emulator, "Front Gate")
    result = (
        await _call(
            hass, "get_recording", entity_id=camera, start=now - 1800, end=now - 900
        )
    )[camera]
    assert (_at(result["played"]["start"]), _at(result["played"]["end"])) == (
        now - 1800,
        now - 900,
    )
    assert [(_at(g["start"]), _at(g["end"])) for g in result["gaps"]] == [pause]
    assert [(_at(r["start"]), _at(r["end"])) for r in result["recorded"]] == [
        (now - 1800, pause[0]),
        (pause[1], now - 900),
    ]


# -- the newest seconds on their way to storage -------------------------------------------


async def _lagging(
    hass: HomeAssistant, emulator_factory: EmulatorFactory, lag: float, **options: Any
) -> tuple[Emulator, str]:
    emulator = await emulator_factory(fleet=Fleet.demo(outages=False), storage_lag=lag)
    await setup_integration(hass, emulator, options=options)
    return emulator, camera_entity(hass, emulator, "Front Gate")


async def test_waits_for_the_newest_seconds_then_plays_them(
    hass: HomeAssistant, emulator_factory: EmulatorFactory, tv: list[ServiceCall]
) -> None:
    emulator, camera = await _lagging(hass, emulator_factory, 3.0)
    began = time.monotonic()
    response = await _call(
        hass,
        "play_recording",
        entity_id=camera,
        media_player=TV,
        duration=30,
        wait_for_footage=True,
    )
    waited = time.monotonic() - began
    result = response[camera]
    assert 1.5 < waited < 10
    assert result["gaps"] == []
    assert result["played"] == result["requested"]
    # Listed again while waiting, never faster than the poll.
    assert 2 <= emulator.count("ListStreamRecords") <= 4
    assert len(tv) == 1


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        # A replay of "the last minute": what is stored plays at once (a person
        # pressed a button), whatever the option says.
        ({}, {}),
        # Asked to wait, with the option at 0: nothing to wait for either.
        ({"recording_wait": 0}, {"wait_for_footage": True}),
    ],
)
async def test_without_waiting_plays_what_is_stored(
    hass: HomeAssistant,
    emulator_factory: EmulatorFactory,
    tv: list[ServiceCall],
    options: dict[str, Any],
    fields: dict[str, Any],
) -> None:
    emulator, camera = await _lagging(hass, emulator_factory, 8.0, **options)
    began = time.monotonic()
    result = (
        await _call(
            hass,
            "play_recording",
            entity_id=camera,
            media_player=TV,
            duration=60,
            **fields,
        )
    )[camera]
    # Feedback at once: the player is handed the link within a second.
    assert time.monotonic() - began < 1.0
    requested_end = _at(result["requested"]["end"])
    played_end = _at(result["played"]["end"])
    assert 6 <= requested_end - played_end <= 10
    assert [(_at(g["start"]), _at(g["end"])) for g in result["gaps"]] == [
        (played_end, requested_end)
    ]
    assert emulator.count("ListStreamRecords") == 1
    assert len(tv) == 1


async def test_the_wait_is_bounded_and_cancellable(
    hass: HomeAssistant, emulator_factory: EmulatorFactory, tv: list[ServiceCall]
) -> None:
    _, camera = await _lagging(hass, emulator_factory, 10.0, recording_wait=2)
    # Bounded: after the option's 2 s, what is stored plays.
    began = time.monotonic()
    result = (
        await _call(
            hass,
            "play_recording",
            entity_id=camera,
            media_player=TV,
            duration=120,
            wait_for_footage=True,
        )
    )[camera]
    assert 1.5 < time.monotonic() - began < 6
    assert len(result["gaps"]) == 1
    assert len(tv) == 1

    # Cancellable: the caller goes away while it waits; nothing is played.
    hass.config_entries.async_update_entry(
        hass.config_entries.async_entries(DOMAIN)[0], options={"recording_wait": 60}
    )
    await hass.async_block_till_done()
    task = hass.async_create_task(
        _call(
            hass,
            "play_recording",
            entity_id=camera,
            media_player=TV,
            duration=120,
            wait_for_footage=True,
        )
    )
    await asyncio.sleep(1.0)
    assert not task.done()
    began = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - began < 0.5
    assert len(tv) == 1


async def test_an_alarms_replay_waits_for_its_footage(
    hass: HomeAssistant, emulator_factory: EmulatorFactory, tv: list[ServiceCall]
) -> None:
    """The alarm's moment is the point of its replay: it is waited for by default."""
    from custom_components.volcengine_slow_live.media.ids import MediaId
    from emulator.alarms import trigger

    emulator, camera = await _lagging(hass, emulator_factory, 3.0)
    stream = stream_titled(emulator, "Front Gate")
    alarm = trigger(stream, emulator.now() - 25)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    event = MediaId.recording(
        entry.entry_id, stream.stream_id, alarm.at - 10, alarm.at + 30
    ).media_content_id
    began = time.monotonic()
    result = (await _call(hass, "play_recording", media_player=TV, event=event))[camera]
    assert 1.5 < time.monotonic() - began < 10
    assert result["gaps"] == []
    # Told not to: what is stored, at once.
    began = time.monotonic()
    result = (
        await _call(
            hass,
            "play_recording",
            media_player=TV,
            event=event,
            wait_for_footage=False,
        )
    )[camera]
    assert time.monotonic() - began < 1.0
    assert len(tv) == 2


async def test_an_offline_camera_does_not_wait(
    hass: HomeAssistant, emulator_factory: EmulatorFactory, tv: list[ServiceCall]
) -> None:
    emulator, camera = await _lagging(hass, emulator_factory, 5.0)
    stream = stream_titled(emulator, "Front Gate")
    emulator.fleet.set_device_status(stream.device_id, "offline")
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    await entry.runtime_data.coordinator.async_refresh()
    began = time.monotonic()
    result = (
        await _call(
            hass,
            "get_recording",
            entity_id=camera,
            duration=120,
            wait_for_footage=True,
        )
    )[camera]
    assert time.monotonic() - began < 1.5
    assert len(result["gaps"]) == 1


async def test_a_lag_longer_than_the_wait_is_not_waited_for(
    hass: HomeAssistant, emulator_factory: EmulatorFactory
) -> None:
    # Waiting the default 20 s would not bring footage that is 60 s late.
    _, camera = await _lagging(hass, emulator_factory, 60.0)
    began = time.monotonic()
    result = (
        await _call(
            hass,
            "get_recording",
            entity_id=camera,
            duration=120,
            wait_for_footage=True,
        )
    )[camera]
    assert time.monotonic() - began < 1.5
    assert len(result["gaps"]) == 1


# -- one listing serves -------------------------------------------------------------------


async def test_a_listing_is_reused_for_the_same_window(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    camera = camera_entity(hass, emulator, "Back Door")
    now = _now()
    span = {"start": now - 3 * 3600, "end": now - 3 * 3600 + 120}
    first = await _call(hass, "get_recording", entity_id=camera, **span)
    listed = emulator.count("ListStreamRecords")
    assert listed == 1
    second = await _call(hass, "get_recording", entity_id=camera, **span)
    assert emulator.count("ListStreamRecords") == listed
    assert second[camera]["recorded"] == first[camera]["recorded"]


# -- the pieces ---------------------------------------------------------------------------


def test_coverage_and_merge() -> None:
    t0 = dt_util.utcnow().replace(microsecond=0)

    def span(a: int, b: int) -> TimeRange:
        return TimeRange(t0 + timedelta(seconds=a), t0 + timedelta(seconds=b))

    window = span(0, 100)
    spans = merge([span(50, 60), span(-10, 20), span(20, 30), span(59, 70)], window)
    assert spans == (span(0, 30), span(50, 70))
    coverage = Coverage(window, spans)
    assert not coverage.complete
    assert coverage.played == span(0, 70)
    assert coverage.gaps == (span(30, 50), span(70, 100))
    assert coverage.missing_tail
    assert Coverage(window, (span(0, 100),)).complete
    assert Coverage(window, ()).played is None
    assert Coverage(window, ()).gaps == (window,)
    assert merge([span(200, 300), span(10, 10)], window) == ()
    assert window.contains(span(10, 20))
    assert not window.contains(span(90, 110))


async def test_expired_listings_are_forgotten(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = setup_entry.runtime_data.recordings
    key = stream_titled(emulator, "Front Gate").stream_id
    now = dt_util.utcnow()
    window = TimeRange(now - timedelta(hours=5), now - timedelta(hours=4))
    monkeypatch.setattr(recorded, "LISTING_TTL", 0.0)
    await index.async_coverage(key, window)
    assert index.cached_coverage(key, window) is None
    await index.async_coverage(key, window)
    assert emulator.count("ListStreamRecords") == 2
    monkeypatch.undo()
    coverage = await index.async_coverage(key, window)
    assert coverage.complete
    assert index.cached_coverage(key, window) == Coverage(window, coverage.spans)
    assert emulator.count("ListStreamRecords") == 3
    # 30 days of 10-minute files take several pages; all are read.
    files = await index.async_files(key)
    assert len(files) > 4000
    assert emulator.count("ListStreamRecords") == 3 + -(-len(files) // 1000)


async def test_listings_do_not_pile_up(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replays every few seconds for hours keep a handful of listings, not thousands."""
    index = setup_entry.runtime_data.recordings
    front = stream_titled(emulator, "Front Gate").stream_id
    back = stream_titled(emulator, "Back Door").stream_id
    now = dt_util.utcnow()
    window = TimeRange(now - timedelta(minutes=5), now - timedelta(minutes=1))
    for _ in range(5):  # the same window polled (waiting for its tail)
        await index.async_coverage(front, window, fresh=True)
    inside = TimeRange(window.start, window.end - timedelta(minutes=1))
    await index.async_coverage(front, inside, fresh=True)
    wider = TimeRange(window.start - timedelta(minutes=1), window.end)
    await index.async_coverage(front, wider, fresh=True)
    # The wider window answers for all the others; they are gone.
    assert [item.window for item in index._listings[front, 0, recorded.SEGMENTS]] == [
        wider
    ]
    assert index.cached_coverage(front, inside) is not None
    # Expired listings, of any camera, go with the next sweep (one per TTL).
    monkeypatch.setattr(recorded, "LISTING_TTL", 0.0)
    await index.async_coverage(back, window, fresh=True)
    assert (back, 0, recorded.SEGMENTS) in index._listings
    index._next_sweep = 0.0
    await index.async_coverage(front, inside, fresh=True)
    assert list(index._listings) == [(front, 0, recorded.SEGMENTS)]


# -- the media browser offers only what exists ------------------------------------------


async def _browse(hass: HomeAssistant, identifier: str) -> BrowseMediaSource:
    return await async_browse_media(hass, f"media-source://{DOMAIN}/{identifier}")


def _kids(node: BrowseMediaSource) -> list[BrowseMediaSource]:
    return [c for c in node.children or [] if isinstance(c, BrowseMediaSource)]


async def test_the_media_browser_offers_only_recorded_items(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    # Each browse reads the cloud anew (the schedule changes between them).
    monkeypatch.setattr(recorded, "LISTING_TTL", 0.0)
    entry_id = setup_entry.entry_id
    now = _now()
    # Garage records nothing: its title says so, instead of empty folders.
    garage = stream_titled(emulator, "Garage").stream_id
    garage_node = await _browse(hass, f"{entry_id}/{garage}")
    assert garage_node.title == "Garage · No recordings in the last 30 days"
    assert garage_node.children == []

    # Front Gate paused for the last 90 minutes and before 40 hours ago.
    front = _pause(emulator, "Front Gate", (0, now - 40 * 3600), (now - 5400, now + 60))
    children = _kids(await _browse(hass, f"{entry_id}/{front}"))
    assert all(c.can_expand for c in children)  # no "Last hour"
    # Its alarms' folder, then the days that were recorded.
    assert children.pop(0).title == "Alarms"
    first_day = dt_util.as_local(dt_util.utc_from_timestamp(now - 40 * 3600)).date()
    last_day = dt_util.as_local(dt_util.utc_from_timestamp(now - 5400)).date()
    assert len(children) == (last_day - first_day).days + 1

    # Part of the last hour recorded: offered with its times, and it plays that part.
    _pause(emulator, "Front Gate", (now - 1800, now + 60))
    last_hour = _kids(await _browse(hass, f"{entry_id}/{front}"))[0]
    assert last_hour.can_play
    assert last_hour.title.startswith("Last hour · ")
    end = dt_util.as_local(dt_util.utc_from_timestamp(now - 1800))
    assert last_hour.title.endswith(end.strftime("%H:%M"))
    played = await async_resolve_media(
        hass, f"media-source://{DOMAIN}/{entry_id}/{front}/last_hour", TV
    )
    params = emulator.requests("CloudRecordPlay")[-1].params
    assert int(params["EndTs"]) == now - 1800
    await assert_link_plays(played.url, played.mime_type)
