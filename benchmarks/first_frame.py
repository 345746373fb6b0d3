"""Time to first frame in a real browser, against the emulator's own HLS played directly.

    .venv/new/bin/python -m benchmarks.first_frame [--runs 5] [--json FILE]

Starts Home Assistant and the emulator as processes (as the browser tests do, demo
fleet), adds the emulator's entry and drives Debian's Chromium (headless). Each time is
taken inside the page with `performance.now()`, from the person's action to the first
decoded frame of the `<video>` (readyState ≥ HAVE_CURRENT_DATA):

* live, first open: a camera's dialog opened while Home Assistant runs no stream for
  it (a different camera each run): Home Assistant starts its stream worker, which
  must write a first segment before its playlist lists one;
* live, open again: the same dialog reopened at once (the stream still runs);
* live, direct: that camera's HLS pull URL from the cloud (the emulator), played by
  the frontend's own player element (`ha-hls-player`, hls.js) in the same page;
* recording: a click on a camera's "Last hour" in the media browser (resolved by the
  integration, played by the frontend's browser player);
* recording, direct: the same link played directly by `ha-hls-player`;
* resolve: of the recording's time, what Home Assistant takes to resolve the item
  (`media_source/resolve_media`: the integration's recorded check and CloudRecordPlay).

The ratios are against the direct figures of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import json
from pathlib import Path
import statistics
import sys
import tempfile
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: python benchmarks/first_frame.py
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from playwright.async_api import Page, async_playwright  # noqa: E402

from custom_components.volcengine_slow_live.api.client import (  # noqa: E402
    AiotVideoClient,
)
from custom_components.volcengine_slow_live.api.models import Protocol  # noqa: E402
from emulator.accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY  # noqa: E402
from emulator.fleet import Fleet  # noqa: E402
from tests.browser.stack import (  # noqa: E402
    add_entry,
    launch,
    logged_in_page,
    missing_chromium,
    running_stack,
)
from tests.browser.ui import Stack, click_text, wait_for_text  # noqa: E402

# Always-on cameras of the demo fleet, by the title their stream has in it. One per
# "first open" run: Home Assistant keeps a stream 30 s after its last viewer.
CAMERAS = {
    "Front Gate": "camera.front_gate",
    "Garden": "camera.garden",
    "Back Door": "camera.back_door",
    "Living Room": "camera.living_room",
    "East Terrace": "camera.tea_garden_east",
}
WARM_UP = "camera.garage"  # loads the player's code once, outside the figures
GOAL_LIVE = 1.5
GOAL_RECORDING = 1.2
LIMIT_MS = 30_000

# Milliseconds from `window.__t0` until a <video> inside the element found by `find`
# (an element name or an id, through shadow roots) has a decoded frame.
FIRST_FRAME = """async ({find, limit}) => {
  const walk = (root, match) => {
    for (const el of root.querySelectorAll('*')) {
      if (match(el)) return el;
      if (el.shadowRoot) { const found = walk(el.shadowRoot, match); if (found) return found; }
    }
    return null;
  };
  const matchOuter = (el) => !find || el.tagName === find.toUpperCase() || el.id === find;
  while (performance.now() - window.__t0 < limit) {
    const outer = find ? walk(document, matchOuter) : document;
    const video = outer && walk(outer.shadowRoot || outer, (el) => el.tagName === 'VIDEO');
    if (video && video.readyState >= 2) return performance.now() - window.__t0;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return null;
}"""
OPEN_CAMERA = """(entityId) => {
  window.__t0 = performance.now();
  document.querySelector('home-assistant').dispatchEvent(new CustomEvent(
    'hass-more-info', {detail: {entityId}, bubbles: true, composed: true}));
}"""
PLAY_DIRECT = """(url) => {
  document.getElementById('bench-player')?.remove();
  window.__t0 = performance.now();
  const player = document.createElement('ha-hls-player');
  player.id = 'bench-player';
  player.hass = document.querySelector('home-assistant').hass;
  player.muted = true;
  player.autoplay = true;
  player.playsInline = true;
  player.url = url;
  document.body.appendChild(player);
}"""
REMOVE_DIRECT = "() => document.getElementById('bench-player')?.remove()"
# Milliseconds Home Assistant takes to resolve Front Gate's "Last hour" (what the
# integration does for a click: the recorded check and CloudRecordPlay), asked over
# the page's own websocket as the frontend asks.
RESOLVE = """async () => {
  const hass = document.querySelector('home-assistant').hass;
  const browse = (id) => hass.callWS({type: 'media_source/browse_media', media_content_id: id});
  const find = async (id, title, depth) => {
    const folder = await browse(id);
    for (const child of folder.children || []) {
      if (child.title.startsWith(title)) return child;
    }
    if (depth === 0) return null;
    for (const child of folder.children || []) {
      if (child.can_expand) {
        const found = await find(child.media_content_id, title, depth - 1);
        if (found) return found;
      }
    }
    return null;
  };
  const camera = await find('media-source://volcengine_slow_live', 'Front Gate', 1);
  const item = await find(camera.media_content_id, 'Last hour', 0);
  const t0 = performance.now();
  await hass.callWS({type: 'media_source/resolve_media', media_content_id: item.media_content_id});
  return performance.now() - t0;
}"""
# The click that starts a recording starts its clock (capture phase: before anything).
CLICK_CLOCK = """() => document.addEventListener(
  'click', () => { window.__t0 = performance.now(); }, {capture: true, once: true})"""


async def _first_frame(page: Page, find: str | None) -> float:
    elapsed = await page.evaluate(FIRST_FRAME, {"find": find, "limit": LIMIT_MS})
    if elapsed is None:
        raise RuntimeError(f"no frame within {LIMIT_MS} ms ({find or 'page'})")
    return float(elapsed)


async def _open_camera(page: Page, entity_id: str) -> float:
    await page.evaluate(OPEN_CAMERA, entity_id)
    elapsed = await _first_frame(page, "ha-more-info-dialog")
    await page.keyboard.press("Escape")
    await page.wait_for_timeout(500)
    return elapsed


async def _play_direct(page: Page, url: str) -> float:
    await page.evaluate(PLAY_DIRECT, url)
    elapsed = await _first_frame(page, "bench-player")
    await page.evaluate(REMOVE_DIRECT)
    return elapsed


async def _live_urls(stack: Stack, titles: Sequence[str]) -> dict[str, str]:
    """Each camera's HLS pull URL, asked of the cloud as the integration does."""
    ids = {s.title: s.stream_id for s in Fleet.demo().main_streams()}
    async with aiohttp.ClientSession() as session:
        client = AiotVideoClient(
            session,
            DEFAULT_ACCESS_KEY,
            DEFAULT_SECRET_KEY,
            endpoint=stack.emulator,
            rate_limit=0,
        )
        urls: dict[str, str] = {}
        for title in titles:
            stream = await client.get_stream(ids[title])
            pull = stream.pull_url(Protocol.HLS)
            if pull is None:
                raise RuntimeError(f"{title} has no HLS pull URL")
            urls[title] = pull.url
        return urls


async def _recording(page: Page, stack: Stack) -> tuple[float, str]:
    """Click "Last hour" of Front Gate; the time to its first frame, and its link."""
    links: list[str] = []
    page.on(
        "request",
        lambda request: (
            links.append(request.url)
            if request.url.startswith(stack.emulator)
            else None
        ),
    )
    await page.goto(f"{stack.base}/media-browser/browser")
    for title in ("Volcengine Slow Live", "Front Gate"):
        await wait_for_text(page, title)
        await click_text(page, title)
    await wait_for_text(page, "Last hour")
    links.clear()
    await page.evaluate(CLICK_CLOCK)
    await click_text(page, "Last hour")
    elapsed = await _first_frame(page, None)
    await page.keyboard.press("Escape")
    await page.wait_for_timeout(500)
    return elapsed, links[0]


async def measure(stack: Stack, runs: int) -> dict[str, Any]:
    """Every figure, `runs` samples each (at most one first open per camera)."""
    titles = list(CAMERAS)[: max(1, min(runs, len(CAMERAS)))]
    samples: dict[str, list[float]] = {
        key: []
        for key in (
            "live_cold",
            "live_warm",
            "live_direct",
            "rec",
            "rec_direct",
            "resolve",
        )
    }
    async with async_playwright() as driver:
        browser = await launch(driver)
        try:
            page = await logged_in_page(browser, stack)
            await page.goto(f"{stack.base}/media-browser/browser")
            await wait_for_text(page, "Volcengine Slow Live")
            await _open_camera(page, WARM_UP)
            urls = await _live_urls(stack, titles)
            for title in titles:
                samples["live_cold"].append(await _open_camera(page, CAMERAS[title]))
                samples["live_warm"].append(await _open_camera(page, CAMERAS[title]))
                samples["live_direct"].append(await _play_direct(page, urls[title]))
            for _ in range(runs):
                elapsed, link = await _recording(page, stack)
                samples["rec"].append(elapsed)
                samples["rec_direct"].append(await _play_direct(page, link))
                samples["resolve"].append(float(await page.evaluate(RESOLVE)))
        finally:
            await browser.close()
    figures: dict[str, Any] = {
        f"{key}_ms": round(statistics.median(values), 1)
        for key, values in samples.items()
    }
    figures["samples"] = {key: [round(v) for v in vs] for key, vs in samples.items()}
    figures["live_cold_ratio"] = round(
        figures["live_cold_ms"] / figures["live_direct_ms"], 2
    )
    figures["live_warm_ratio"] = round(
        figures["live_warm_ms"] / figures["live_direct_ms"], 2
    )
    figures["rec_ratio"] = round(figures["rec_ms"] / figures["rec_direct_ms"], 2)
    return figures


def table(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table (medians)."""

    def verdict(ratio: float, goal: float) -> str:
        return f"**{ratio:.2f}** {'✅' if ratio <= goal else '❌'}"

    def row(name: str, ms: float, ratio: str, goal: str) -> str:
        return f"| {name} | {ms:.0f} | {ratio} | {goal} |"

    live, rec = f"≤ {GOAL_LIVE}", f"≤ {GOAL_RECORDING}"
    rows = [
        "| Time to first frame (median) | ms | / direct | Goal |",
        "|---|---|---|---|",
        row(
            "Live, first open (Home Assistant starts its stream)",
            figures["live_cold_ms"],
            verdict(figures["live_cold_ratio"], GOAL_LIVE),
            live,
        ),
        row(
            "Live, opened again (its stream runs)",
            figures["live_warm_ms"],
            verdict(figures["live_warm_ratio"], GOAL_LIVE),
            live,
        ),
        row("Live, the cloud's HLS directly", figures["live_direct_ms"], "1", ""),
        row(
            "Recording, click → frame",
            figures["rec_ms"],
            verdict(figures["rec_ratio"], GOAL_RECORDING),
            rec,
        ),
        row("Recording, its link directly", figures["rec_direct_ms"], "1", ""),
        row(
            "… of the click: Home Assistant resolving it (check + CloudRecordPlay)",
            figures["resolve_ms"],
            "",
            "",
        ),
    ]
    return "\n".join(rows)


async def run(runs: int) -> dict[str, Any]:
    """Start everything, measure, stop."""
    with (
        tempfile.TemporaryDirectory(prefix="first-frame-") as tmp,
        running_stack(Path(tmp)) as stack,
    ):
        await asyncio.to_thread(add_entry, stack)
        return await measure(stack, runs)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.first_frame")
    parser.add_argument("--runs", type=int, default=5, help="samples per figure")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if (missing := missing_chromium()) is not None:
        print(missing, file=sys.stderr)
        return 1
    figures = asyncio.run(run(args.runs))
    print(table(figures))
    print("samples (ms):", json.dumps(figures["samples"]))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
