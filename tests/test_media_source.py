"""Media browser: cameras, days and recordings; only playing asks CloudRecordPlay."""

from __future__ import annotations

from datetime import timedelta
import io
import re
import time

import aiohttp
import av
from homeassistant.components.media_player import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    PlayMedia,
    Unresolvable,
    async_browse_media,
    async_resolve_media,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.volcengine_slow_live import recorded
from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.media import nodes
from custom_components.volcengine_slow_live.playback import MIME_HLS
from emulator import Emulator, FaultRule, Fleet

from .common import entry_data, setup_integration, stream_titled
from .conftest import EmulatorFactory

PREFIX = f"media-source://{DOMAIN}"
DAY_TITLE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
)
DASH = "\u2013"  # en dash
RECORDING_TITLE = re.compile(rf"(\d\d:\d\d){DASH}(\d\d:\d\d) · (\d+) (s|min)")
GROUP_TITLE = re.compile(rf"\d\d:\d\d{DASH}\d\d:\d\d · (\d+) recordings?")


@pytest.fixture(autouse=True)
async def _media_source(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "media_source", {})


async def _browse(hass: HomeAssistant, identifier: str = "") -> BrowseMediaSource:
    node = await async_browse_media(
        hass, f"{PREFIX}/{identifier}" if identifier else PREFIX
    )
    assert isinstance(node, BrowseMediaSource)
    return node


async def _resolve(
    hass: HomeAssistant, identifier: str, player: str | None = None
) -> PlayMedia:
    """Resolve as the web browser's own player (None) or for a media player."""
    return await async_resolve_media(hass, f"{PREFIX}/{identifier}", player)


def _children(node: BrowseMediaSource) -> list[BrowseMediaSource]:
    assert node.children is not None
    children = [c for c in node.children if isinstance(c, BrowseMediaSource)]
    assert len(children) == len(node.children) <= nodes.MAX_CHILDREN
    return children


def _child(node: BrowseMediaSource, title: str) -> BrowseMediaSource:
    return next(c for c in _children(node) if c.title == title)


def _identifier(node: BrowseMediaSource) -> str:
    assert node.identifier is not None
    return node.identifier


def _range(node: BrowseMediaSource) -> tuple[int, int]:
    lo, hi = _identifier(node).rsplit("/", 1)[1].split("-")
    return int(lo), int(hi)


def _count(group: BrowseMediaSource) -> int:
    """The number of recordings a group's title announces."""
    match = GROUP_TITLE.fullmatch(group.title)
    assert match is not None, group.title
    return int(match[1])


def _yesterday() -> str:
    return (dt_util.now().date() - timedelta(days=1)).isoformat()


async def _walk(
    hass: HomeAssistant, node: BrowseMediaSource
) -> list[BrowseMediaSource]:
    """Every playable item below a node (browsing each folder on the way)."""
    found: list[BrowseMediaSource] = []
    for child in _children(node):
        if child.can_expand:
            found += await _walk(hass, await _browse(hass, _identifier(child)))
        else:
            found.append(child)
    return found


async def _first_segment(url: str) -> bytes:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200
            playlist = await response.text()
        line = next(x for x in playlist.splitlines() if x and not x.startswith("#"))
        async with session.get(URL(url).join(URL(line, encoded=True))) as response:
            assert response.status == 200
            return await response.read()


async def test_root_camera_day_recording_resolve(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    root = await _browse(hass)
    assert root.title == "Volcengine Slow Live"
    cameras = _children(root)
    channels = setup_entry.runtime_data.coordinator.data.channels
    assert sorted(c.title for c in cameras) == sorted(
        ch.name for ch in channels.values()
    )

    key = stream_titled(emulator, "Front Gate").stream_id
    entity_id = er.async_get(hass).async_get_entity_id("camera", DOMAIN, key)
    camera = await _browse(hass, f"{setup_entry.entry_id}/{key}")
    assert camera.title == "Front Gate"
    assert camera.thumbnail == f"/api/camera_proxy/{entity_id}"
    assert _child(root, "Front Gate").thumbnail == camera.thumbnail
    days = _children(camera)
    assert days[0].title.startswith("Last hour · ")
    # Its device reports alarms: their folder comes next.
    assert days.pop(1).title == "Alarms"
    assert [d.title for d in days[1:3]] == ["Today", "Yesterday"]
    assert len(days) == 1 + recorded.DAYS
    assert all(DAY_TITLE.fullmatch(d.title) for d in days[3:])
    assert _identifier(days[2]).endswith(f"/day/{_yesterday()}")

    # Continuous 10-minute files: 144 a day, so the day is grouped by hour.
    day = await _browse(hass, _identifier(days[2]))
    assert day.title == "Front Gate · Yesterday"
    hours = _children(day)
    assert 20 <= len(hours) <= 25
    assert all(_count(h) for h in hours)
    # Newest first, as the days are: the hour someone is after is usually the last.
    starts = [_range(h)[0] for h in hours]
    assert starts == sorted(starts, reverse=True)
    hour = await _browse(hass, _identifier(hours[12]))
    # Opened, the hour says whose and which day (a player titles from it).
    assert hour.title == f"Front Gate · Yesterday {hours[12].title}"
    recordings = _children(hour)
    assert _count(hours[12]) == len(recordings)
    assert [_range(r) for r in recordings] == sorted(
        (_range(r) for r in recordings), reverse=True
    )
    item = recordings[0]
    assert RECORDING_TITLE.fullmatch(item.title)
    assert item.title.endswith(" · 10 min")
    assert item.can_play
    assert not item.can_expand
    assert item.media_class == "video"
    assert item.media_content_type == MIME_HLS
    assert item.thumbnail is not None
    assert "/record_cover/" in item.thumbnail
    # Opened on its own (what a player asks): the camera and the day too.
    leaf = await _browse(hass, _identifier(item))
    assert (leaf.title, leaf.can_play, leaf.children) == (
        f"Front Gate · Yesterday · {item.title}",
        True,
        None,
    )
    assert emulator.count("CloudRecordPlay") == 0

    # The browser's own player takes HLS only by this name; a TV by the registered one.
    played = await _resolve(hass, _identifier(item))
    assert played.mime_type == "application/x-mpegURL"
    assert (await _resolve(hass, _identifier(item), "media_player.tv")).mime_type == (
        MIME_HLS
    )
    params = emulator.requests("CloudRecordPlay")[-1].params
    start, end = _range(item)
    assert (int(params["StartTs"]), int(params["EndTs"])) == (start, end)
    assert end - start == 600
    assert params["StreamID"] == key

    segment = await _first_segment(played.url)
    with av.open(io.BytesIO(segment), mode="r") as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert next(container.decode(video)).width > 0


async def test_event_clips_are_listed_with_their_duration(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    key = stream_titled(emulator, "Garden").stream_id
    day = await _browse(hass, f"{setup_entry.entry_id}/{key}/day/{_yesterday()}")
    clips = _children(day)
    assert 40 <= len(clips) <= 56  # 48 a UTC day; a local day takes from two
    for clip in clips:
        match = RECORDING_TITLE.fullmatch(clip.title)
        assert match is not None, clip.title
        start, end = _range(clip)
        local = dt_util.as_local(dt_util.utc_from_timestamp(start))
        assert match[1] == local.strftime("%H:%M")
        length = end - start
        if length < 60:
            assert (match[3], match[4]) == (str(length), "s")
        else:
            assert (match[3], match[4]) == (str(round(length / 60)), "min")
    assert any(c.title.endswith(" s") for c in clips)
    # Newest first.
    assert [_range(c) for c in clips] == sorted(
        (_range(c) for c in clips), reverse=True
    )
    assert emulator.count("CloudRecordPlay") == 0


async def test_last_hour_plays_the_hour_before_now(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    key = stream_titled(emulator, "East Terrace").stream_id
    camera = await _browse(hass, f"{setup_entry.entry_id}/{key}")
    last_hour = _children(camera)[0]
    assert last_hour.can_play
    assert last_hour.media_content_type == MIME_HLS
    assert _identifier(last_hour) == f"{setup_entry.entry_id}/{key}/last_hour"
    leaf = await _browse(hass, _identifier(last_hour))
    assert leaf.can_play
    assert not leaf.children
    # Opened on its own (what a player asks): whose it is.
    assert leaf.title == f"{camera.title} · {last_hour.title}"
    assert emulator.count("CloudRecordPlay") == 0

    played = await _resolve(hass, _identifier(last_hour))
    assert played.mime_type == "application/x-mpegURL"
    params = emulator.requests("CloudRecordPlay")[-1].params
    start, end = int(params["StartTs"]), int(params["EndTs"])
    assert end - start == 3600
    assert abs(end - time.time()) < 60
    assert await _first_segment(played.url)


@pytest.mark.parametrize(("per_day", "depth"), [(1000, 2), (5000, 3)])
async def test_crowded_days_are_split_until_each_node_fits(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    per_day: int,
    depth: int,
) -> None:
    # In UTC a local day is one of the emulator's days: exactly `per_day` clips.
    await hass.config.async_set_time_zone("UTC")
    key = stream_titled(emulator, "Garage").stream_id
    emulator.fleet.set_recording(key, "events", events_per_day=per_day)
    day = await _browse(hass, f"{setup_entry.entry_id}/{key}/day/{_yesterday()}")
    listed = emulator.count("ListStreamRecords")
    groups = _children(day)
    assert len(groups) == 24
    assert groups[0].title.startswith(f"23:00{DASH}00:00 · ")
    assert groups[-1].title.startswith(f"00:00{DASH}01:00 · ")
    assert sum(_count(g) for g in groups) == per_day

    items = await _walk(hass, day)
    assert len({_identifier(i) for i in items}) == per_day
    assert all(i.can_play for i in items)
    # Opening the hours (and their parts) reused the day's listing.
    assert emulator.count("ListStreamRecords") == listed
    assert emulator.count("CloudRecordPlay") == 0
    part = await _browse(hass, _identifier(groups[5]))
    nested = 0
    while (child := _children(part)[0]).can_expand:
        nested += 1
        part = await _browse(hass, _identifier(child))
    assert nested + 2 == depth


async def test_a_page_and_a_replay_cost_one_listing(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = stream_titled(emulator, "Garden").stream_id
    camera = f"{setup_entry.entry_id}/{key}"
    day = f"{camera}/day/{_yesterday()}"
    await _browse(hass, camera)
    listed = emulator.count("ListStreamRecords")
    # Opening a day and playing one of its clips reuse the camera's listing.
    clips = _children(await _browse(hass, day))
    await _browse(hass, day)
    played = await _resolve(hass, _identifier(clips[3]))
    assert await _first_segment(played.url)
    assert emulator.count("ListStreamRecords") == listed
    assert emulator.count("CloudRecordPlay") == 1
    # An expired listing is listed again.
    monkeypatch.setattr(recorded, "LISTING_TTL", 0.0)
    await _browse(hass, camera)
    assert emulator.count("ListStreamRecords") > listed


async def test_several_accounts_add_an_account_level(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    fleet = Fleet.demo(seed=7)
    key, secret = emulator.add_account("other", fleet)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Other account",
        unique_id=key,
        data=entry_data(
            emulator, access_key=key, secret_key=secret, spaces=list(fleet.spaces)
        ),
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()

    accounts = _children(await _browse(hass))
    assert sorted(a.title for a in accounts) == sorted(
        [setup_entry.title, "Other account"]
    )
    assert all(a.can_expand and a.children is None for a in accounts)
    account = await _browse(hass, other.entry_id)
    cameras = _children(account)
    assert len(cameras) == len(other.runtime_data.coordinator.data.channels)
    barn = next(c for c in cameras if c.title == "Barn")
    assert _identifier(barn).startswith(f"{other.entry_id}/")
    # Barn's space has no recording template: its title says so, above nothing
    # to click (the browser would play a child it cannot open).
    opened = await _browse(hass, _identifier(barn))
    assert opened.title == "Barn · No cloud recording (no recording template)"
    assert opened.children == []
    # An identifier of the line that used to say so: a reason, never an id.
    with pytest.raises(Unresolvable) as unplayable:
        await _resolve(hass, f"{_identifier(barn)}/none")
    assert unplayable.value.translation_key == "media_not_playable"
    assert "/" not in str(unplayable.value)

    # The other account's cameras are not reachable through the first one.
    barn_key = _identifier(barn).split("/")[1]
    with pytest.raises(BrowseError) as err:
        await _browse(hass, f"{setup_entry.entry_id}/{barn_key}")
    assert err.value.translation_key == "media_unknown_camera"

    assert await hass.config_entries.async_unload(other.entry_id)
    cameras = _children(await _browse(hass))
    assert all(_identifier(c).count("/") == 1 for c in cameras)
    with pytest.raises(BrowseError) as err:
        await _browse(hass, other.entry_id)
    assert err.value.translation_key == "media_entry_unavailable"


def _fill(template: str, entry_id: str, key: str) -> str:
    today = dt_util.now().date()
    day_lo = int(dt_util.start_of_local_day(today).timestamp())
    past = int(time.time()) - 2 * 86400
    return template.format(
        entry=entry_id,
        key=key,
        today=today.isoformat(),
        old=(today - timedelta(days=recorded.DAYS)).isoformat(),
        lo=day_lo,
        hi=day_lo + 3600,
        before=day_lo - 1,
        past=past,
        soon=past + 600,
        far=past + 86401,
        future=int(time.time()) + 3600,
    )


BAD_BROWSE = [
    ("nope", "media_entry_unavailable"),
    ("nope/{key}", "media_entry_unavailable"),
    ("{entry}/nope", "media_unknown_camera"),
    ("{entry}/", "media_invalid_identifier"),
    ("{entry}/{key}/", "media_invalid_identifier"),
    ("{entry}/{key}/day", "media_invalid_identifier"),
    ("{entry}/{key}/days/{today}", "media_invalid_identifier"),
    ("{entry}/{key}/day/{today}/{lo}-{hi}/x", "media_invalid_identifier"),
    ("{entry}/{key}/day/{old}", "media_day_out_of_range"),
    ("{entry}/{key}/day/2999-01-01", "media_day_out_of_range"),
    ("{entry}/{key}/day/2026-02-30", "media_day_out_of_range"),
    ("{entry}/{key}/day/yesterday", "media_day_out_of_range"),
    ("{entry}/{key}/day/{today}/abc", "media_invalid_identifier"),
    ("{entry}/{key}/day/{today}/{hi}-{lo}", "media_invalid_identifier"),
    ("{entry}/{key}/day/{today}/{lo}-{lo}", "media_invalid_identifier"),
    ("{entry}/{key}/day/{today}/{before}-{hi}", "media_invalid_identifier"),
    ("{entry}/{key}/day/{today}/-{lo}-{hi}", "media_invalid_identifier"),
    ("{entry}/{key}/rec/{past}", "media_invalid_identifier"),
    ("{entry}/{key}/rec/{past}-{far}", "range_too_long"),
    ("{entry}/{key}/rec/{soon}-{past}", "end_before_start"),
    ("{entry}/{key}/rec/{future}-{future}9", "media_invalid_identifier"),
    ("{entry}/{key}/last_hour/x", "media_invalid_identifier"),
    ("{entry}/{key}/whatever", "media_invalid_identifier"),
]

BAD_RESOLVE = [
    ("", "media_not_playable"),
    ("{entry}", "media_not_playable"),
    ("{entry}/{key}", "media_not_playable"),
    ("{entry}/{key}/day/{today}", "media_not_playable"),
    ("{entry}/{key}/rec", "media_invalid_identifier"),
    ("{entry}/{key}/last_hour/", "media_invalid_identifier"),
    ("nope/{key}/last_hour", "media_entry_unavailable"),
    ("{entry}/nope/rec/{past}-{soon}", "media_unknown_camera"),
    ("{entry}/{key}/rec/abc", "media_invalid_identifier"),
    ("{entry}/{key}/rec/{past}-", "media_invalid_identifier"),
    ("{entry}/{key}/rec/{soon}-{past}", "end_before_start"),
    ("{entry}/{key}/rec/{past}-{far}", "range_too_long"),
    ("{entry}/{key}/rec/{future}-{future}", "start_in_future"),
]


@pytest.mark.parametrize(("template", "translation_key"), BAD_BROWSE)
async def test_bad_identifiers_refuse_browsing(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    template: str,
    translation_key: str,
) -> None:
    key = stream_titled(emulator, "Front Gate").stream_id
    identifier = _fill(template, setup_entry.entry_id, key)
    with pytest.raises(BrowseError) as err:
        await _browse(hass, identifier)
    _assert_translated(err.value, translation_key)
    assert emulator.count("ListStreamRecords") == 0


@pytest.mark.parametrize(("template", "translation_key"), BAD_RESOLVE)
async def test_bad_identifiers_refuse_playing(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    template: str,
    translation_key: str,
) -> None:
    key = stream_titled(emulator, "Front Gate").stream_id
    identifier = _fill(template, setup_entry.entry_id, key)
    with pytest.raises(Unresolvable) as err:
        await async_resolve_media(
            hass, f"{PREFIX}/{identifier}" if identifier else PREFIX, None
        )
    _assert_translated(err.value, translation_key)
    assert emulator.count("CloudRecordPlay") == 0


async def test_entry_of_another_integration_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    foreign = MockConfigEntry(domain="demo")
    foreign.add_to_hass(hass)
    with pytest.raises(BrowseError) as err:
        await _browse(hass, foreign.entry_id)
    _assert_translated(err.value, "media_entry_unavailable")


async def test_cloud_failure_while_browsing(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    emulator.faults.add(
        FaultRule(kind="http_error", status=500, action="ListStreamRecords")
    )
    key = stream_titled(emulator, "Front Gate").stream_id
    with pytest.raises(BrowseError) as err:
        await _browse(hass, f"{setup_entry.entry_id}/{key}/day/{_yesterday()}")
    _assert_translated(err.value, "cloud_error")
    assert (err.value.translation_placeholders or {}).get("code")
    # A failure is not cached: the next attempt asks again, and succeeds.
    emulator.faults.clear()
    calls = emulator.count("ListStreamRecords")
    await _browse(hass, f"{setup_entry.entry_id}/{key}/day/{_yesterday()}")
    assert emulator.count("ListStreamRecords") > calls


async def test_cloud_failure_while_playing(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=400,
            code="InvalidParameter",
            action="CloudRecordPlay",
        )
    )
    key = stream_titled(emulator, "Front Gate").stream_id
    with pytest.raises(Unresolvable) as err:
        await _resolve(hass, f"{setup_entry.entry_id}/{key}/last_hour")
    _assert_translated(err.value, "cloud_error")
    placeholders = err.value.translation_placeholders or {}
    assert placeholders["code"] == "InvalidParameter"


def _assert_translated(err: HomeAssistantError, translation_key: str) -> None:
    assert err.translation_domain == DOMAIN
    assert err.translation_key == translation_key
    message = str(err)
    assert message
    assert translation_key not in message
    assert "{" not in message


@pytest.mark.parametrize("spaces", [2, 3])
async def test_many_cameras_are_grouped_by_space(
    hass: HomeAssistant, emulator_factory: EmulatorFactory, spaces: int
) -> None:
    """An account with 250 channels: spaces, then hundreds; no node over 100."""
    assert await async_setup_component(hass, "media_source", {})
    fleet = Fleet.generate(spaces=spaces, channels=250)
    emulator = await emulator_factory(fleet=fleet)
    await setup_integration(hass, emulator)
    root = await _browse(hass)
    assert 1 < len(root.children) <= 100
    seen: set[str] = set()
    for folder in root.children:
        assert folder.can_expand
        node = await _browse(hass, folder.identifier)
        assert 0 < len(node.children) <= 100
        seen.update(child.identifier for child in node.children)
    assert len(seen) == 250
    entry_id = root.children[0].identifier.split("/")[0]
    big = max(
        fleet.spaces,
        key=lambda s: sum(1 for st in fleet.main_streams() if st.space_id == s),
    )
    for bad in (
        "spaces",
        "spaces/nope",
        "spaces/x/y/z",
        "spaces/x/notanumber",
        f"spaces/{big}/9",
        *([f"spaces/{big}"] if spaces == 2 else []),
    ):
        with pytest.raises(BrowseError):
            await _browse(hass, f"{entry_id}/{bad}")


async def test_an_offline_camera_has_no_live_thumbnail(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    # Its still cannot be fetched: the tile shows the folder icon, not a broken image.
    root = await _browse(hass)
    attic = next(c for c in _children(root) if c.title == "Attic")
    assert attic.thumbnail is None
    front = next(c for c in _children(root) if c.title == "Front Gate")
    assert front.thumbnail is not None


async def test_titles_follow_home_assistants_language(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    await hass.config.async_update(language="zh-Hans")
    root = await _browse(hass)
    assert root.title == "火山引擎慢直播"
    key = stream_titled(emulator, "Front Gate").stream_id
    titles = [
        c.title for c in _children(await _browse(hass, f"{setup_entry.entry_id}/{key}"))
    ]
    assert titles[0].startswith("最近一小时 · ")
    assert titles[1:4] == ["报警", "今天", "昨天"]
    assert re.fullmatch(r"\d{1,2}月\d{1,2}日 周[一二三四五六日]", titles[4]), titles[4]
    garage = stream_titled(emulator, "Garage").stream_id
    garage_node = await _browse(hass, f"{setup_entry.entry_id}/{garage}")
    assert garage_node.title == "Garage · 最近 30 天没有录像"
    assert garage_node.children == []
    day = await _browse(hass, f"{setup_entry.entry_id}/{key}/day/{_yesterday()}")
    assert day.title == "Front Gate · 昨天"


async def test_a_cameras_alarms(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Newest first, titled with kind and time, playing the recording around each,
    each with its own picture; one listing a folder once the week was read."""
    from emulator.alarms import trigger

    # None lately: the folder's title says so, above nothing to click.
    back = stream_titled(emulator, "Back Door")
    back.alarms_per_hour = 0
    empty = await _browse(hass, f"{setup_entry.entry_id}/{back.stream_id}/alarms")
    assert empty.title == "Back Door · No alarms in the last 7 days"
    assert empty.children == []
    front = stream_titled(emulator, "Front Gate")
    front.alarms_per_hour = 0
    camera = f"{setup_entry.entry_id}/{front.stream_id}"
    raised = trigger(front, emulator.now() - 120, method=5, kind=6)
    other = trigger(front, emulator.now() - 2 * 86400)
    folder = await _browse(hass, f"{camera}/alarms")
    assert folder.title == "Front Gate · Alarms of the last 7 days · 2 alarms"
    intrusion, older = _children(folder)  # few: listed as they are, newest first
    assert _identifier(intrusion).endswith(f"/rec/{raised.at - 10}-{raised.at + 30}")
    when = dt_util.as_local(dt_util.utc_from_timestamp(raised.at))
    today = when.date() == dt_util.now().date()
    expected = f"{when:%H:%M}" if today else f"{when:%m-%d %H:%M}"
    assert intrusion.title == f"Intrusion · {expected}"
    then = dt_util.as_local(dt_util.utc_from_timestamp(other.at))
    assert older.title == f"Motion · {then:%m-%d %H:%M}"
    # Front Gate records all the time.
    assert intrusion.can_play
    assert older.can_play
    # Each its own picture, from Home Assistant (never a cloud URL).
    assert intrusion.thumbnail == (
        f"/api/{DOMAIN}/alarm_picture/{camera}/{raised.at}.jpg"
    )
    assert older.thumbnail != intrusion.thumbnail
    played = await _resolve(hass, _identifier(intrusion))
    assert played.url.startswith(emulator.base_url)
    # Opened again: one call for what is new.
    listed = emulator.count("ListDeviceAlarms")
    await _browse(hass, f"{camera}/alarms")
    assert emulator.count("ListDeviceAlarms") == listed + 1

    # Garden records short clips only: an alarm outside them (its schedule paused
    # around it here) is listed, says so, and has no play button.
    garden = stream_titled(emulator, "Garden")
    at = int(emulator.now()) - 3 * 3600
    emulator.fleet.set_recording(
        garden.stream_id, "events", events_per_day=48, pauses=[(at - 600, at + 600)]
    )
    trigger(garden, at)
    (only,) = _children(
        await _browse(hass, f"{setup_entry.entry_id}/{garden.stream_id}/alarms")
    )
    assert not only.can_play
    assert only.title.endswith(" · not recorded")

    # A camera whose device reports none has no such folder.
    east = stream_titled(emulator, "East Terrace")
    titles = [
        c.title
        for c in _children(
            await _browse(hass, f"{setup_entry.entry_id}/{east.stream_id}")
        )
    ]
    assert "Alarms" not in titles
    with pytest.raises(BrowseError):
        await _browse(hass, f"{setup_entry.entry_id}/{east.stream_id}/alarms")
    # The cloud failing: a browse error, not a traceback.
    emulator.faults.add(FaultRule("http_error", status=403, action="ListDeviceAlarms"))
    with pytest.raises(BrowseError):
        await _browse(hass, f"{camera}/alarms")


async def test_no_file_is_skipped_while_old_ones_leave_retention(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cloud pages by offset: had the 30-day listing begun at the retention edge,
    files expiring while it is paged would shift the pages and skip one file at each
    page boundary. The clock here runs 2 s per request (150 pages: 5 minutes)."""
    from emulator.recordings import iter_files

    stream = stream_titled(emulator, "Garage")
    emulator.fleet.set_recording(stream.stream_id, "events", events_per_day=5000)
    real_now = emulator.now

    def hurried() -> float:
        return real_now() + 2 * emulator.count("ListStreamRecords")

    monkeypatch.setattr(emulator, "now", hurried)
    files = await setup_entry.runtime_data.recordings.async_files(stream.stream_id)
    assert emulator.count("ListStreamRecords") > 100
    listed = [int(f.start.timestamp()) for f in files]
    first, last = listed[0], listed[-1]
    # Everything the cloud keeps between the first and the last file, none skipped.
    expected = [start for start, _ in iter_files(stream, first, last + 1, hurried())]
    assert listed == expected
