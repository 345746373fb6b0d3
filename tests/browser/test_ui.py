"""What a person sees in the browser: adding the integration, the dashboard's live
video, recordings in the media browser, the actions' form, and the Chinese UI.

The tests run in this order on one Home Assistant: the first adds the integration
through the UI; the others take the entry it made (or make it, when run alone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
import time
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page

from benchmarks import first_frame
from emulator.accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from tests.e2e import provision

from .ui import (
    VIDEO_STATE,
    Seen,
    Stack,
    camera_pictures,
    click_text,
    device_rows,
    more_info,
    no_errors_of_ours,
    page_text,
    type_into,
    video_plays,
    wait_for_text,
)

PLAYER = "media_player.tv"  # the development TV (dev/tv_player)


async def test_add_the_integration_through_the_ui(
    stack: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    if stack.our_entries():  # run after the others: nothing to add
        return
    page = await open_page("/config/integrations/dashboard")
    await wait_for_text(page, "Add integration")
    await click_text(page, "Add integration")
    # Into the dialog's search field once it is there (typed earlier, keys are lost).
    await wait_for_text(page, "Select brand")
    search = page.locator("dialog-add-integration input >> visible=true").first
    await search.fill("Volcengine")
    await wait_for_text(page, "Volcengine Slow Live")
    await click_text(page, "Volcengine Slow Live")
    await wait_for_text(page, "AccessKey ID")
    await type_into(page, "access_key_id", DEFAULT_ACCESS_KEY)
    await type_into(page, "secret_access_key", "not-the-secret")
    await click_text(page, "Advanced")
    await wait_for_text(page, "API endpoint")
    await type_into(page, "endpoint", stack.emulator)
    await click_text(page, "Submit")
    await wait_for_text(page, "refused")  # the translated error, not a raw key
    await type_into(page, "secret_access_key", DEFAULT_SECRET_KEY)
    await click_text(page, "Submit")
    await wait_for_text(page, "Home")  # the spaces step lists the account's spaces
    await click_text(page, "Submit")
    # The page stays open until the entry is set up: the frontend's request for
    # this step is what runs the setup, and closing the page (the end of the test)
    # would cancel a setup still under way on a busy machine.
    deadline = time.monotonic() + 60
    while [e["state"] for e in stack.our_entries()] != ["loaded"]:
        assert time.monotonic() < deadline, stack.our_entries()
        await page.wait_for_timeout(250)
    no_errors_of_ours(seen, stack)


async def _browse_to(page: Page, *titles: str) -> None:
    """Click through the media browser from its start, one title after the other."""
    for title in ("Volcengine Slow Live", *titles):
        await wait_for_text(page, title)
        await click_text(page, title)


async def _open_a_recording_of_today(stack: Stack, page: Page, camera: str) -> None:
    """Camera → Today → a whole recording; through an hour's folder when the day
    has more recordings than one page shows (late in the day). In the first minutes
    after midnight no recording of today is whole yet: Yesterday then."""
    zone = ZoneInfo(stack.api("GET", "/api/config")["time_zone"])
    now = datetime.now(zone)
    day = "Yesterday" if now.hour == 0 and now.minute < 15 else "Today"
    await _browse_to(page, camera, day)
    deadline = time.monotonic() + 20
    while "· 10 min" not in (said := await page_text(page)):
        if "· 6 recordings" in said:
            await click_text(page, "· 6 recordings")  # a whole hour of the day
            break
        assert time.monotonic() < deadline, said[:3000]
        await page.wait_for_timeout(250)
    await wait_for_text(page, "· 10 min")
    await click_text(page, "· 10 min")


async def test_media_browser_plays_recordings_in_the_browser(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    page = await open_page("/media-browser/browser")
    await _open_a_recording_of_today(with_entry, page, "Front Gate")
    await video_plays(page)
    assert "does not support" not in await page_text(page)

    page = await open_page("/media-browser/browser")
    await _browse_to(page, "Front Gate", "Last hour")
    await video_plays(page)
    assert "does not support" not in await page_text(page)

    # A camera that recorded nothing says so, and offers nothing to play.
    page = await open_page("/media-browser/browser")
    await _browse_to(page, "Garage")
    await wait_for_text(page, "No recordings in the last 30 days")
    no_errors_of_ours(seen, with_entry)


async def test_the_player_picker_plays_a_recording_on_the_tv(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    # Idle first: a TV still playing an earlier test's replay would pass for ours.
    with_entry.api(
        "POST", "/api/services/media_player/media_stop", {"entity_id": PLAYER}
    )
    page = await open_page("/media-browser/browser")
    await wait_for_text(page, "Volcengine Slow Live")
    # The player bar's picker: "Web browser" → the TV.
    await click_text(page, "Web browser")
    await page.locator("ha-combo-box-item >> text=TV >> visible=true").first.click()
    await page.wait_for_url(f"**/media-browser/{PLAYER}**")
    await _browse_to(page, "Front Gate", "Last hour")
    # The TV fetched the link and plays it; the bar shows what it plays.
    deadline = time.monotonic() + 20
    while (state := with_entry.state(PLAYER))["state"] != "playing":
        assert time.monotonic() < deadline, state
        await page.wait_for_timeout(250)
    title = state["attributes"]["media_title"]
    assert title.startswith("Front Gate · Last hour · "), title
    assert state["attributes"]["media_content_id"].startswith(with_entry.emulator)
    await wait_for_text(page, title)
    no_errors_of_ours(seen, with_entry)


# Home Assistant stops a stream nobody has asked for in 30 s; then a little more.
STREAM_IDLE = 35_000
# Past the cloud's on-demand invite (the emulator's: 300 s), as if that long passed.
INVITE_LAPSED = 400.0
DIALOG = "ha-more-info-dialog"


async def test_the_dashboard_shows_live_video(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    page = await open_page("/lovelace/0")
    # The tiles play live video; the offline camera shows a picture, not an error.
    await video_plays(page)
    pictures = await camera_pictures(page)
    assert [p for p in pictures if p["src"].endswith("camera.attic")], pictures
    said = await page_text(page)
    assert "Unavailable" in said
    # A camera's dialog plays live video.
    await more_info(page, "camera.front_gate")
    await video_plays(page, inside=DIALOG)
    await page.keyboard.press("Escape")
    # The offline camera's dialog says so, and shows no player waiting forever.
    await more_info(page, "camera.attic")
    await page.wait_for_timeout(2000)
    assert await page.evaluate(VIDEO_STATE, DIALOG) is None
    no_errors_of_ours(seen, with_entry)


async def test_an_on_demand_camera_plays_after_idle(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    """Barn pulls on demand: opened, left alone past the invite, opened again.

    From a page without live tiles, so that nothing else keeps Barn's stream pulled.
    """
    page = await open_page("/media-browser/browser")
    await wait_for_text(page, "Volcengine Slow Live")
    await more_info(page, "camera.barn")
    await video_plays(page, inside=DIALOG)
    await page.keyboard.press("Escape")
    await page.wait_for_timeout(STREAM_IDLE)
    try:
        with_entry.emulator_api("POST", "/_emulator/clock", {"offset": INVITE_LAPSED})
        invites = with_entry.emulator_count("StartStream")
        await more_info(page, "camera.barn")
        await video_plays(page, inside=DIALOG)
        assert with_entry.emulator_count("StartStream") == invites + 1
    finally:
        with_entry.emulator_api("POST", "/_emulator/clock", {"offset": 0})
    no_errors_of_ours(seen, with_entry)


async def _action_form(page: Page, action: str) -> None:
    """Developer tools → Actions with `action` chosen in its picker."""
    picker = page.locator("ha-service-picker >> visible=true").first
    await picker.click()
    search = page.locator("ha-service-picker input >> visible=true").first
    await search.fill(action)
    await page.wait_for_timeout(500)
    await page.keyboard.press("Enter")


async def test_the_play_recording_form_and_its_answer(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    page = await open_page("/developer-tools/action")
    await _action_form(page, "volcengine_slow_live.play_recording")
    said = await wait_for_text(page, "Strict")
    for text in ("Media player", "Duration", "Link validity", "Perform action"):
        assert text in said, text
    # Called (in YAML mode), it plays on the TV and shows its answer.
    await click_text(page, "YAML mode")
    editor = page.locator("ha-code-editor .cm-content >> visible=true").first
    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(
        "action: volcengine_slow_live.play_recording\n"
        "target:\n  entity_id: camera.front_gate\n"
        f"data:\n  media_player: {PLAYER}\n  duration: '00:02:00'\n"
    )
    await click_text(page, "Perform action")
    said = await wait_for_text(page, "requested")
    assert "gaps" in said
    state = with_entry.state(PLAYER)
    assert state["state"] == "playing"
    assert state["attributes"]["media_content_id"].startswith(with_entry.emulator)
    no_errors_of_ours(seen, with_entry)


async def test_the_chinese_ui_shows_our_texts_in_chinese(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    # The action's form.
    page = await open_page("/developer-tools/action", language="zh-Hans")
    await _action_form(page, "volcengine_slow_live.play_recording")
    said = await wait_for_text(page, "严格")
    assert "媒体播放器" in said
    # The integration's name and its configuration form.
    page = await open_page("/config/integrations/dashboard", language="zh-Hans")
    await wait_for_text(page, "火山引擎慢直播")
    # The dashboard's stream states (Barn is standby or, watched lately, live).
    page = await open_page("/lovelace/0", language="zh-Hans")
    said = await wait_for_text(page, "离线")  # Attic
    assert "直播中" in said
    states = said[said.index("Stream status") :].splitlines()
    assert not {"Live", "Offline"} & set(states), states
    assert not [s for s in states if s.startswith("Standby")], states
    no_errors_of_ours(seen, with_entry)


async def test_the_blueprints_are_offered(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    page = await open_page("/config/blueprint/dashboard")
    said = await wait_for_text(page, "Replay a Slow Live camera on motion")
    assert "Replay a Slow Live camera by voice" in said
    assert "Replay a camera's own alarm on a media player" in said
    no_errors_of_ours(seen, with_entry)


async def test_the_first_frame_benchmark_runs(with_entry: Stack) -> None:
    """benchmarks/first_frame.py measures every figure (one sample each here).

    A smoke run: the times depend on the machine; that each was measured (a frame
    was decoded, or it raises) and the table shows it, does not.
    """
    figures = await first_frame.measure(with_entry, runs=1)
    for key in (
        "live_cold",
        "live_warm",
        "live_direct",
        "rec",
        "rec_direct",
        "resolve",
    ):
        assert 0 < figures[f"{key}_ms"] < first_frame.LIMIT_MS, figures
        assert len(figures["samples"][key]) == 1
    assert figures["rec_ratio"] == round(
        figures["rec_ms"] / figures["rec_direct_ms"], 2
    )
    shown = first_frame.table(figures)
    assert f"| {figures['live_cold_ms']:.0f} |" in shown


async def _registry_entry(stack: Stack, entity_id: str) -> dict[str, Any]:
    answer = await asyncio.to_thread(
        provision.websocket_command,
        stack.base,
        stack.token,
        {"type": "config/entity_registry/get", "entity_id": entity_id},
    )
    assert answer["success"], answer
    result: dict[str, Any] = answer["result"]
    return result


# The device page lists a card's rows sorted by name in the UI's language: the PTZ
# controls are named so that this reads as a pad (stop, the four turns side by side,
# zoom in and out; in Chinese zoom, stop, the turns), never as an A-Z of
# "Move down, Move left, …, Move up". The preset select first says where the camera
# stands: at none of its presets yet, in words, not "unknown".
PAD = {
    "en": [
        "Preset",
        "Stop moving",
        "Tilt down",
        "Tilt up",
        "Turn left",
        "Turn right",
        "Zoom in",
        "Zoom out",
    ],
    "zh-Hans": [
        "放大",
        "缩小",
        "停止转动",
        "向上转",
        "向下转",
        "向右转",
        "向左转",
        "预置位",
    ],
}
CONTROLS = {"en": "Controls", "zh-Hans": "控制"}
NOT_AT_PRESET = {"en": "Not at a preset", "zh-Hans": "不在预置位"}
UNKNOWN = ("Unknown", "unknown", "未知")
# What the preset select's field shows (its label and chosen option), one per line.
PRESET_FIELD = """() => {
  const walk = (root, tag) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === tag) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot, tag); if (found) return found; }
    }
    return null;
  };
  const row = walk(document, 'HUI-SELECT-ENTITY-ROW');
  const field = row && walk(row.shadowRoot, 'HA-PICKER-FIELD');
  if (!field) return [];
  const parts = [];
  const texts = (root) => {
    for (const node of root.querySelectorAll('*')) {
      if (node.tagName === 'STYLE') continue;
      if (node.shadowRoot) texts(node.shadowRoot);
      for (const child of node.childNodes) {
        if (child.nodeType === 3 && child.textContent.trim()) parts.push(child.textContent.trim());
      }
    }
  };
  texts(field.shadowRoot);
  return parts;
}"""


async def _controls(page: Page, language: str) -> list[dict[str, str]]:
    """The device page's controls once all are shown and each says its name."""
    deadline = time.monotonic() + 20
    while True:
        rows = await device_rows(page, CONTROLS[language])
        if len(rows) >= len(PAD[language]) and all(_names(rows, language)):
            return rows
        assert time.monotonic() < deadline, rows
        await page.wait_for_timeout(250)


def _names(rows: list[dict[str, str]], language: str) -> list[str]:
    """Each row's name, as it shows it (one of the controls' names)."""
    return [
        next((line for line in row["says"].splitlines() if line in PAD[language]), "")
        for row in rows
    ]


async def _preset_shows(page: Page) -> list[str]:
    """What the preset select's field shows: its name and chosen option's text."""
    shown: list[str] = await page.evaluate(PRESET_FIELD)
    return shown


async def test_a_dome_moves_from_its_device_page(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    """The Living Room dome's device page has its controls in pad order and its
    preset select says it is at no preset; Turn left turns the emulator's camera
    left and stops it; the preset select lists the saved names and turns the
    camera there; the page is translated."""
    camera = await _registry_entry(with_entry, "camera.living_room")
    stream_id = camera["unique_id"]
    ptz_state = f"/_emulator/streams/{stream_id}/ptz"
    page = await open_page(f"/config/devices/device/{camera['device_id']}")
    rows = await _controls(page, "en")
    assert _names(rows, "en") == PAD["en"], rows
    said = "\n".join(row["says"] for row in rows)
    assert not [word for word in UNKNOWN if word in said.split("\n")], said
    shown = await _preset_shows(page)
    assert NOT_AT_PRESET["en"] in shown, shown
    assert not set(UNKNOWN) & set(shown), shown
    with_entry.api(
        "POST",
        "/api/services/volcengine_slow_live/ptz_preset",
        {"entity_id": "camera.living_room", "operation": "save", "preset": "Sofa"},
    )
    before = with_entry.emulator_api("GET", ptz_state)
    # Saved where it stands: the select shows that preset.
    deadline = time.monotonic() + 10
    while "Sofa" not in (shown := await _preset_shows(page)):
        assert time.monotonic() < deadline, shown
        await page.wait_for_timeout(100)
    sent = with_entry.emulator_count("CloudControl")
    row = page.locator("hui-button-entity-row", has_text="Turn left")
    await row.locator("ha-button >> visible=true").first.click()
    deadline = time.monotonic() + 10
    while with_entry.emulator_count("CloudControl") < sent + 2:
        assert time.monotonic() < deadline, "no left and stop reached the cloud"
        await page.wait_for_timeout(100)
    after = with_entry.emulator_api("GET", ptz_state)
    assert after["moving"] is None, after
    assert after["view"]["pan"] != before["view"]["pan"], (before, after)
    # Turned away from the preset saved a moment ago: at none again, in words.
    deadline = time.monotonic() + 10
    while NOT_AT_PRESET["en"] not in (shown := await _preset_shows(page)):
        assert time.monotonic() < deadline, shown
        await page.wait_for_timeout(100)
    # The preset select turns it back.
    select = page.locator("hui-select-entity-row ha-select >> visible=true").first
    await select.click()
    await page.locator("text=Sofa >> visible=true").last.click()
    deadline = time.monotonic() + 10
    while with_entry.state("select.living_room_preset")["state"] != "Sofa":
        assert time.monotonic() < deadline, "the preset was not chosen"
        await page.wait_for_timeout(100)
    back = with_entry.emulator_api("GET", ptz_state)
    assert back["view"] == back["presets"]["1"], back
    # The dialog's live view plays (the camera's picture shows where it points).
    await more_info(page, "camera.living_room")
    await video_plays(page, inside=DIALOG)
    # 简体中文: the action's form (entity names follow the server's language).
    page = await open_page("/developer-tools/action", language="zh-Hans")
    await _action_form(page, "volcengine_slow_live.ptz")
    said = await wait_for_text(page, "速度")
    for text in ("时长", "动作", "转动摄像机"):
        assert text in said, text
    # The device page of a Home Assistant set up in Chinese (the server's language
    # names entities; the entry reloads to take it): the pad in Chinese order, the
    # preset select in words. Back to English afterwards, for the other tests.
    try:
        await _server_language(with_entry, "zh-Hans")
        page = await open_page(
            f"/config/devices/device/{camera['device_id']}", language="zh-Hans"
        )
        rows = await _controls(page, "zh-Hans")
        assert _names(rows, "zh-Hans") == PAD["zh-Hans"], rows
        said = "\n".join(row["says"] for row in rows)
        assert not [word for word in UNKNOWN if word in said.split("\n")], said
        shown = await _preset_shows(page)
        assert NOT_AT_PRESET["zh-Hans"] in shown, shown
        assert not set(UNKNOWN) & set(shown), shown
    finally:
        await _server_language(with_entry, "en")
    no_errors_of_ours(seen, with_entry)


async def _server_language(stack: Stack, language: str) -> None:
    """Home Assistant's own language, and our entities renamed in it (a reload)."""
    answer = await asyncio.to_thread(
        provision.websocket_command,
        stack.base,
        stack.token,
        {"type": "config/core/update", "language": language},
    )
    assert answer["success"], answer
    (entry,) = stack.our_entries()
    stack.api("POST", f"/api/config/config_entries/entry/{entry['entry_id']}/reload")
    name = PAD[language][-1 if language == "zh-Hans" else 0]
    deadline = time.monotonic() + 30
    while (
        not stack.state("select.living_room_preset")["attributes"]
        .get("friendly_name", "")
        .endswith(name)
    ):
        assert time.monotonic() < deadline, stack.state("select.living_room_preset")
        await asyncio.sleep(0.25)
