"""Live view side by side: WebRTC through go2rtc against Home Assistant's own HLS.

    .venv/new/bin/python -m benchmarks.live_view [--runs 3] [--json FILE]

Needs a go2rtc binary on PATH (Home Assistant OS and the container image ship one).
Starts two set-ups one after the other, as the browser tests do (Home Assistant and
the emulator as processes, demo fleet, Debian's Chromium): one plays live view
through Home Assistant's stream (HLS), the other has Home Assistant's go2rtc
integration and a go2rtc server (WebRTC). For each, from a camera's dialog opened by
the person:

* first frame, cold: a camera nobody watched (a different one each run), until the
  player's <video> (`ha-hls-player` or `ha-web-rtc-player`) has a decoded frame;
* first frame, warm: the same dialog closed and opened again at once;
* behind: how far the picture trails the wall clock, read off the emulator's
  burned-in clock (tests/browser/clock.py) ten seconds into playing, the median of
  five looks (glass-to-glass latency, to within a second).
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
if str(ROOT) not in sys.path:  # run as a file: python benchmarks/live_view.py
    sys.path.insert(0, str(ROOT))

from playwright.async_api import Page, async_playwright  # noqa: E402

from benchmarks.first_frame import FIRST_FRAME, LIMIT_MS, OPEN_CAMERA  # noqa: E402
from tests.browser.clock import look  # noqa: E402
from tests.browser.stack import (  # noqa: E402
    add_entry,
    launch,
    logged_in_page,
    missing_chromium,
    running_stack,
)
from tests.browser.ui import wait_for_text  # noqa: E402
from tests.e2e import go2rtc as go2rtc_server  # noqa: E402

CAMERAS = ["camera.front_gate", "camera.garden", "camera.back_door", "camera.garage"]
WARM_UP = "camera.living_room"  # loads the player's code once, outside the figures
DIALOG = "ha-more-info-dialog"
PLAYERS = {"hls": "ha-hls-player", "webrtc": "ha-web-rtc-player"}


async def _first_frame(page: Page, entity_id: str, player: str) -> float:
    await page.evaluate(OPEN_CAMERA, entity_id)
    took = await page.evaluate(FIRST_FRAME, {"find": player, "limit": LIMIT_MS})
    if took is None:
        raise RuntimeError(f"no frame within {LIMIT_MS} ms ({player}, {entity_id})")
    return float(took) / 1000


async def _behind(page: Page) -> float:
    looks: list[float] = []
    await page.wait_for_timeout(10_000)
    for _ in range(5):
        reading = await look(page, DIALOG)
        if reading is not None and reading.behind is not None:
            looks.append(reading.behind)
        await page.wait_for_timeout(1000)
    if not looks:
        raise RuntimeError("the burned-in clock could not be read")
    return statistics.median(looks)


async def _close(page: Page) -> None:
    await page.keyboard.press("Escape")
    await page.wait_for_timeout(500)


async def measure(mode: str, runs: int, tmp: Path) -> dict[str, Any]:
    """Cold and warm first frames and the latency of one set-up."""
    program = go2rtc_server.binary() if mode == "webrtc" else None
    if mode == "webrtc" and program is None:
        raise RuntimeError(go2rtc_server.MISSING)
    player = PLAYERS[mode]
    cold: list[float] = []
    warm: list[float] = []
    behind: list[float] = []
    with running_stack(tmp / mode, go2rtc=program) as stack:
        add_entry(stack)
        async with async_playwright() as driver:
            browser = await launch(driver)
            page = await logged_in_page(browser, stack)
            await page.goto(f"{stack.base}/config/integrations/dashboard")
            await wait_for_text(page, "Volcengine Slow Live")
            await _first_frame(page, WARM_UP, player)
            await _close(page)
            for entity_id in CAMERAS[:runs]:
                cold.append(await _first_frame(page, entity_id, player))
                behind.append(await _behind(page))
                await _close(page)
                warm.append(await _first_frame(page, entity_id, player))
                await _close(page)
            await browser.close()
    return {
        "first_frame_cold_s": round(statistics.median(cold), 2),
        "first_frame_warm_s": round(statistics.median(warm), 2),
        "behind_s": round(statistics.median(behind), 1),
        "samples": {"cold": cold, "warm": warm, "behind": behind},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Measure both set-ups and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.live_view")
    parser.add_argument("--runs", type=int, default=3, help="cameras per figure (≤ 4)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if (missing := missing_chromium()) is not None:
        print(missing, file=sys.stderr)
        return 2
    runs = max(1, min(args.runs, len(CAMERAS)))
    with tempfile.TemporaryDirectory(prefix="live-view-") as tmp:
        figures = {
            mode: asyncio.run(measure(mode, runs, Path(tmp))) for mode in PLAYERS
        }
    print("| live view | first frame, cold | first frame, warm | behind the camera |")
    print("| --- | --- | --- | --- |")
    for mode, label in (("webrtc", "WebRTC (go2rtc)"), ("hls", "HLS (Home Assistant)")):
        f = figures[mode]
        print(
            f"| {label} | {f['first_frame_cold_s']} s | {f['first_frame_warm_s']} s "
            f"| {f['behind_s']} s |"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
