"""Helpers for the browser tests: the stack's API, and reading what a page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
import time
from typing import Any

from playwright.async_api import Page

from tests.e2e import provision

# Finds the first <video> anywhere in the page (or inside the first element named
# `inside`, e.g. the more-info dialog), through every open shadow root.
VIDEO_STATE = """(inside) => {
  const walk = (root, tag) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === tag) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot, tag); if (found) return found; }
    }
    return null;
  };
  const within = inside ? walk(document, inside.toUpperCase()) : document;
  if (!within) return null;
  const video = walk(within.shadowRoot || within, 'VIDEO');
  return video && {readyState: video.readyState, currentTime: video.currentTime,
                   error: video.error ? video.error.code : null};
}"""
# How far a page has got towards playing video: the frontend's connection, the
# playlists asked for and the segments received (HLS through Home Assistant or from
# the cloud), and the first <video>'s state (as VIDEO_STATE). Resource timing counts
# what the page fetched (its buffer is enlarged when the page opens: logged_in_page).
PLAYBACK_STEP = (
    """(inside) => {
  const hass = document.querySelector('home-assistant')?.hass;
  const fetched = performance.getEntriesByType('resource').filter(
    (e) => e.responseEnd > 0 && !(e.responseStatus >= 400));
  const count = (match) => fetched.filter((e) => match.test(e.name)).length;
  return {
    connected: Boolean(hass && hass.connected),
    playlists: count(/\\.m3u8(\\?|$)/),
    segments: count(/(\\/segment\\/|\\.ts(\\?|$)|\\.m4s(\\?|$)|init\\.mp4)/),
    video: ("""
    + VIDEO_STATE
    + """)(inside),
  };
}"""
)
# video_plays waits while the page gets on; this long without any step, it fails.
STALLED = 45.0
AT_MOST = 180.0
# The camera pictures (<img> of camera_proxy) anywhere in the page, and whether each
# has loaded a picture.
CAMERA_IMAGES = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'IMG' && (el.src || '').includes('/api/camera_proxy/')) {
        found.push({src: el.src.split('?')[0], loaded: el.complete && el.naturalWidth > 0});
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}"""
# Open an entity's more-info dialog, as a click on its card does.
MORE_INFO = """(entityId) => {
  document.querySelector('home-assistant').dispatchEvent(new CustomEvent(
    'hass-more-info', {detail: {entityId}, bubbles: true, composed: true}));
}"""
# The text a person sees (shadow roots included), for "does the page say X".
PAGE_TEXT = """() => {
  const parts = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') continue;
      if (el.shadowRoot) walk(el.shadowRoot);
      for (const node of el.childNodes) {
        if (node.nodeType === 3 && node.textContent.trim()) parts.push(node.textContent.trim());
      }
      if (el.getAttribute && el.getAttribute('label')) parts.push(el.getAttribute('label'));
    }
  };
  walk(document);
  return parts.join('\\n');
}"""

# The entity rows of the device page's cards, in the order shown: the card's header,
# each row's entity and what it says (text and labels, shadow roots included).
DEVICE_ROWS = """() => {
  const cards = [];
  const walk = (root, found, match) => {
    for (const el of root.querySelectorAll('*')) {
      if (match(el)) { found.push(el); continue; }
      if (el.shadowRoot) walk(el.shadowRoot, found, match);
    }
    return found;
  };
  const said = (el) => {
    const parts = [];
    const texts = (root) => {
      for (const node of root.querySelectorAll('*')) {
        if (node.tagName === 'STYLE') continue;
        if (node.shadowRoot) texts(node.shadowRoot);
        if (node.getAttribute('label')) parts.push(node.getAttribute('label'));
        for (const child of node.childNodes) {
          if (child.nodeType === 3 && child.textContent.trim()) parts.push(child.textContent.trim());
        }
      }
    };
    texts(el.shadowRoot || el);
    return parts.join('\\n');
  };
  // A row (hui-button-entity-row…) lays out a hui-generic-entity-row, which knows
  // the entity, around what the row shows (a select's field, a state).
  const isRow = (el) => /^HUI-.*-ENTITY-ROW$/.test(el.tagName)
    && el.tagName !== 'HUI-GENERIC-ENTITY-ROW';
  const isGeneric = (el) => el.tagName === 'HUI-GENERIC-ENTITY-ROW';
  walk(document, cards, (el) => el.tagName === 'HA-DEVICE-ENTITIES-CARD');
  return cards.map((card) => ({
    header: card.header,
    rows: walk(card.shadowRoot, [], isRow).map((row) => {
      const generic = walk(row.shadowRoot || row, [], isGeneric)[0];
      return {entity: generic && generic.config ? generic.config.entity : null, says: said(row)};
    }),
  }));
}"""


@dataclass
class Stack:
    """The running Home Assistant and emulator, and how to reach them."""

    base: str
    emulator: str
    token: str
    config: Path
    access_token: str
    go2rtc: str | None = None  # its API, when Home Assistant plays live view through it

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Home Assistant's REST API as the owner."""
        return provision.request(
            method, f"{self.base}{path}", token=self.token, json_body=body
        )

    def state(self, entity_id: str) -> dict[str, Any]:
        """An entity's state object."""
        state: dict[str, Any] = self.api("GET", f"/api/states/{entity_id}")
        return state

    def emulator_api(self, method: str, path: str, body: Any = None) -> Any:
        """The emulator's admin API (`/_emulator/...`)."""
        return provision.request(method, f"{self.emulator}{path}", json_body=body)

    def emulator_count(self, action: str) -> int:
        """How many requests of an action the emulator has answered."""
        return len(self.emulator_api("GET", f"/_emulator/requests?action={action}"))

    def our_entries(self) -> list[dict[str, Any]]:
        """The integration's config entries."""
        entries: list[dict[str, Any]] = self.api(
            "GET", "/api/config/config_entries/entry?domain=volcengine_slow_live"
        )
        return entries


@dataclass
class Seen:
    """What the pages of one test showed besides their content."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


async def video_plays(
    page: Page, seconds: float = 5.0, *, inside: str | None = None
) -> dict[str, Any]:
    """Wait for a <video> with data, then check it plays on: 60 % of `seconds`
    of video within twice `seconds` (a frozen or dead video never gets there).

    How long to wait for the first frame is keyed on what the page does, not on
    one deadline from the call: while the frontend connects, asks for playlists
    and receives segments, it is given time; `STALLED` seconds without any of
    that (or `AT_MOST` in all) fail, saying which step was reached. A busy machine
    (both CI runs, a Raspberry Pi) is slow at every step; a dead stream stops.

    The slack after the first frame is for a live stream briefly waiting for its
    next segment on a busy machine; the stream's own timing is checked by the
    live-view tests (`tests/test_live_recovery.py`).

    `inside`: the video of that element (e.g. `ha-more-info-dialog`) only.
    """
    started = last = time.monotonic()
    seen: tuple[bool, bool, int] | None = None
    while True:
        step: dict[str, Any] = await page.evaluate(PLAYBACK_STEP, inside)
        state = step["video"]
        if state and state["readyState"] >= 2:
            break
        now = time.monotonic()
        # A live playlist is asked for again and again: only the first counts.
        progress = (step["connected"], step["playlists"] > 0, step["segments"])
        if progress != seen:
            seen, last = progress, now
        said = f"no playing video after {now - started:.0f} s: {step}"
        assert now - last < STALLED, f"{said}; nothing new for {now - last:.0f} s"
        assert now - started < AT_MOST, said
        await page.wait_for_timeout(250)
    first = state["currentTime"]
    await page.wait_for_timeout(seconds * 1000)
    state = await page.evaluate(VIDEO_STATE, inside)
    deadline = time.monotonic() + seconds
    while state and state["currentTime"] - first < seconds * 0.6:
        if time.monotonic() >= deadline:
            break
        await page.wait_for_timeout(250)
        state = await page.evaluate(VIDEO_STATE, inside)
    assert state is not None
    assert state["error"] is None, state
    assert state["readyState"] >= 2, state
    assert state["currentTime"] - first >= seconds * 0.6, (first, state)
    result: dict[str, Any] = state
    return result


async def camera_pictures(page: Page, within: float = 20.0) -> list[dict[str, Any]]:
    """The page's camera pictures once at least one has loaded."""
    deadline = time.monotonic() + within
    while True:
        found: list[dict[str, Any]] = await page.evaluate(CAMERA_IMAGES)
        if any(p["loaded"] for p in found):
            return found
        assert time.monotonic() < deadline, f"no camera picture loaded: {found}"
        await page.wait_for_timeout(250)


async def more_info(page: Page, entity_id: str) -> None:
    """Open the entity's more-info dialog."""
    await page.evaluate(MORE_INFO, entity_id)


async def page_text(page: Page) -> str:
    """Everything the page says, shadow roots included."""
    text: str = await page.evaluate(PAGE_TEXT)
    return text


async def wait_for_text(page: Page, text: str, within: float = 20.0) -> str:
    """Wait until the page says `text` (up to `within` s); what it says then."""
    deadline = time.monotonic() + within
    while text not in (said := await page_text(page)):
        assert time.monotonic() < deadline, (
            f"{text!r} not shown; the page says:\n{said[:3000]}"
        )
        await page.wait_for_timeout(250)
    return said


async def device_rows(page: Page, header: str) -> list[dict[str, str]]:
    """The entity rows of the device page's card with this header, as shown
    (`entity`, and `says`: its texts one per line); empty until the card is there."""
    cards: list[dict[str, Any]] = await page.evaluate(DEVICE_ROWS)
    for card in cards:
        if card["header"] == header:
            rows: list[dict[str, str]] = card["rows"]
            return rows
    return []


async def click_text(page: Page, text: str) -> None:
    """Click the visible element that shows `text` (Playwright looks into shadow roots)."""
    await page.locator(f"text={text} >> visible=true").first.click()


def no_errors_of_ours(seen: Seen, stack: Stack) -> None:
    """No console error or failed request that this integration or its cloud caused.

    Home Assistant's own (brand icons looked up online) are not
    ours; ours are anything of the emulator, of our cameras' stills, of the
    integration's icons and translations, and media-source items of ours.
    """
    marks = ("volcengine", stack.emulator, "camera_proxy")
    failed = [url for url in seen.failed_requests if any(m in url for m in marks)]
    console = [text for text in seen.console_errors if any(m in text for m in marks)]
    assert not failed, failed
    assert not console, console


async def type_into(page: Page, name: str, text: str) -> None:
    """Type into the form field of this name, replacing what it holds."""
    await page.locator(f'[name="{name}"] >> visible=true').first.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.type(text)
