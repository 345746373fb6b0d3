"""The Slow Live card on a dashboard, as a person uses it.

The development dashboard's "Timeline" view has the card for every camera (added
from YAML; the integration serves and loads its JavaScript). Front Gate's card is the
first: it plays live video, its timeline draws the spans get_recording reports for
the same window, and a tap on the timeline plays the recording from that moment in
the card (read off the burned-in clock of the emulator's frames).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
import itertools
import time
from typing import Any

from playwright.async_api import Page

from .clock import look
from .ui import Seen, Stack, no_errors_of_ours, video_plays, wait_for_text

CARD = "volcengine-slow-live-card"
CAMERA = "camera.front_gate"
VIEW = "/lovelace/timeline"
GARDEN = "camera.garden"
PLAYER = "media_player.tv"  # the development TV (dev/tv_player)

# The first card's state and drawing, read through its shadow root.
CARD_STATE = """(camera) => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'VOLCENGINE-SLOW-LIVE-CARD' && el._config?.entity === camera) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  const card = walk(document);
  if (!card || !card._timeline) return null;
  const root = card.shadowRoot;
  const bar = root.querySelector('.timeline').getBoundingClientRect();
  return {
    timeline: card._timeline,
    view: card._view,
    playback: card._playback ?? null,
    frame: card._frame ?? null,
    bar: {left: bar.left, top: bar.top, width: bar.width, height: bar.height},
    spans: [...root.querySelectorAll('.span')].map(
      (s) => ({start: s.dataset.start, end: s.dataset.end})),
    alarms: root.querySelectorAll('.alarm').length,
    clock: root.querySelector('.clock')?.textContent ?? null,
    player: root.querySelector('ha-hls-player, video, ha-camera-stream')?.tagName ?? null,
    text: root.textContent,
  };
}"""
FIRST_CARD = """() => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'VOLCENGINE-SLOW-LIVE-CARD') return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  const card = walk(document);
  const video = card.shadowRoot.querySelector('ha-hls-player, video, ha-camera-stream');
  return card._config.entity + ' ' + (video ? video.tagName : 'none');
}"""
PLAY_ON = """([camera, player]) => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'VOLCENGINE-SLOW-LIVE-CARD' && el._config?.entity === camera) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  const select = walk(document).shadowRoot.querySelector('select.play-on');
  select.value = player;
  select.dispatchEvent(new Event('change'));
}"""
PICK_YESTERDAY = """(camera) => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'VOLCENGINE-SLOW-LIVE-CARD' && el._config?.entity === camera) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  const input = walk(document).shadowRoot.querySelector('input.date');
  const now = new Date();
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  const pad = (n) => String(n).padStart(2, '0');
  input.value = `${yesterday.getFullYear()}-${pad(yesterday.getMonth() + 1)}-${pad(yesterday.getDate())}`;
  input.dispatchEvent(new Event('change'));
  return {start: yesterday.getTime(), min: input.min};
}"""
PICKER = """() => {
  const hass = document.querySelector('home-assistant').hass;
  const card = customElements.get('volcengine-slow-live-card');
  const entry = (window.customCards || []).find(c => c.type === 'volcengine-slow-live-card');
  return {entry, stub: card.getStubConfig(hass),
          editor: card.getConfigElement().tagName.toLowerCase()};
}"""
ZOOM = """(camera) => {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'VOLCENGINE-SLOW-LIVE-CARD' && el._config?.entity === camera) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  walk(document).shadowRoot.querySelector('button.zoom').click();
}"""


async def _card(
    page: Page, within: float = 30.0, camera: str = CAMERA
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while (state := await page.evaluate(CARD_STATE, camera)) is None:
        assert time.monotonic() < deadline, "the card drew no timeline"
        await page.wait_for_timeout(250)
    result: dict[str, Any] = state
    return result


def _unix(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


async def test_the_card_plays_live_and_replays_a_tapped_moment(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    page = await open_page(VIEW)
    await video_plays(page, inside=CARD)
    state = await _card(page)
    timeline = state["timeline"]
    # An alarm now, with the card open: it appears without a reload (checked below,
    # once the alarm watcher's poll has fired the camera's event).
    raised = with_entry.emulator_api(
        "POST", "/_emulator/alarms", {"stream": "Front Gate", "method": 5, "kind": 6}
    )
    # The spans drawn are what get_recording reports for the same window (its newest
    # seconds aside: the footage stored since the card asked).
    answer = with_entry.api(
        "POST",
        "/api/services/volcengine_slow_live/get_recording?return_response",
        {"entity_id": CAMERA, "start": timeline["start"], "end": timeline["end"]},
    )
    recorded = answer["service_response"][CAMERA]["recorded"]
    drawn = state["spans"]
    assert len(drawn) == len(recorded), (drawn, recorded)
    assert drawn[:-1] == [{"start": r["start"], "end": r["end"]} for r in recorded[:-1]]
    assert drawn[-1]["start"] == recorded[-1]["start"]
    assert abs(_unix(drawn[-1]["end"]) - _unix(recorded[-1]["end"])) <= 15
    # Zoomed to an hour, a tap on a moment plays the recording from it.
    await page.evaluate(ZOOM, CAMERA)
    state = await _card(page)
    view = state["view"]
    assert view["end"] - view["start"] == 3_600_000
    span = max(state["spans"], key=lambda s: _unix(s["end"]) - _unix(s["start"]))
    # The moment under a whole pixel of the bar (a person taps pixels): the middle
    # of the longest recording in view.
    middle = (
        max(_unix(span["start"]), view["start"] / 1000)
        + min(_unix(span["end"]), view["end"] / 1000)
    ) / 2
    bar = state["bar"]
    length = view["end"] - view["start"]
    x = round(bar["left"] + (middle * 1000 - view["start"]) / length * bar["width"])
    wanted = (view["start"] + (x - bar["left"]) / bar["width"] * length) / 1000
    await page.mouse.click(x, bar["top"] + bar["height"] / 2)
    deadline = time.monotonic() + 30
    while (state := await _card(page))["player"] != "HA-HLS-PLAYER":
        assert time.monotonic() < deadline, state
        await page.wait_for_timeout(250)
    assert state["playback"]["url"], state["playback"]
    await video_plays(page, inside=CARD)
    assert abs(_unix(state["playback"]["start"]) - wanted) <= 5
    first = await page.evaluate(FIRST_CARD)
    assert first == CAMERA + " HA-HLS-PLAYER", first
    # What the video shows is that moment (read off its burned-in clock), and the
    # card's time over it says the same.
    reading = await look(page, CARD, near=wanted + 30)
    assert reading is not None
    assert reading.shown is not None, reading
    assert abs(reading.shown - wanted) <= 5, (reading, wanted)
    state = await _card(page)
    assert state["frame"] is not None
    assert abs(state["frame"] / 1000 - reading.shown) <= 3, (state["frame"], reading)
    assert state["clock"]
    # "Play on…" the TV: it plays from the picture shown to the end of the link.
    await page.evaluate(PLAY_ON, [CAMERA, PLAYER])
    deadline = time.monotonic() + 20
    while (tv := with_entry.state(PLAYER))["state"] != "playing":
        assert time.monotonic() < deadline, tv
        await page.wait_for_timeout(250)
    assert tv["attributes"]["media_title"].startswith("Front Gate "), tv
    assert tv["attributes"]["media_content_id"].startswith(with_entry.emulator)
    await wait_for_text(page, "Sent to TV.")
    deadline = time.monotonic() + 60
    while raised["AlarmNotifyID"] not in [
        alarm["id"] for alarm in (await _card(page))["timeline"]["alarms"]
    ]:
        assert time.monotonic() < deadline, "the new alarm did not appear"
        await page.wait_for_timeout(500)
    no_errors_of_ours(seen, with_entry)


async def test_the_card_speaks_chinese(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    page = await open_page(VIEW, language="zh-Hans")
    timeline_start = (await _card(page))["timeline"]["start"]
    said = await wait_for_text(page, "1 小时")
    assert "在…上播放" in said
    # What the card picker offers: the card, with a preview and an editor, and a
    # stub config for one of our cameras.
    picker = await page.evaluate(PICKER)
    assert picker["entry"]["preview"] is True, picker
    assert picker["entry"]["name"], picker
    assert picker["editor"] == "volcengine-slow-live-card-editor"
    stub = picker["stub"]["entity"]
    assert with_entry.api("GET", f"/api/states/{stub}")["entity_id"] == stub
    assert stub.startswith("camera."), picker
    # Garden records clips on events: a tap in the widest gap between them says
    # nothing was recorded then (and plays, or offers, the closest recording).
    garden = await _card(page, camera=GARDEN)
    spans, view, bar = garden["spans"], garden["view"], garden["bar"]
    gaps = [(_unix(a["end"]), _unix(b["start"])) for a, b in itertools.pairwise(spans)]
    start, end = max(gaps, key=lambda gap: gap[1] - gap[0])
    assert end - start > 600, gaps
    part = ((start + end) / 2 * 1000 - view["start"]) / (view["end"] - view["start"])
    await page.mouse.click(
        round(bar["left"] + part * bar["width"]), bar["top"] + bar["height"] / 2
    )
    deadline = time.monotonic() + 20
    while "没有录像" not in (text := (await _card(page, camera=GARDEN))["text"]):
        assert time.monotonic() < deadline, text
        await page.wait_for_timeout(250)
    # The date picker, limited to the 30 days the cloud keeps: yesterday, whole.
    picked = await page.evaluate(PICK_YESTERDAY, CAMERA)
    deadline = time.monotonic() + 20
    while (day := await _card(page))["timeline"]["start"] == timeline_start:
        assert time.monotonic() < deadline, day
        await page.wait_for_timeout(250)
    assert _unix(day["timeline"]["start"]) == picked["start"] / 1000
    assert _unix(day["timeline"]["end"]) == picked["start"] / 1000 + 86400
    retention = _unix(day["timeline"]["retention"]["recordings"])
    assert time.gmtime(retention)[:3] <= tuple(map(int, picked["min"].split("-")))
    no_errors_of_ours(seen, with_entry)
