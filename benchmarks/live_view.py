"""Live view side by side: WebRTC through go2rtc against Home Assistant's own HLS.

    .venv/new/bin/python -m benchmarks.live_view [--runs 3] [--json FILE]
        [--only hls|webrtc] [--protocol hls|flv] [--stream part_duration=0.5 ...]

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

`--protocol` is the entry's *Live view protocol* (the pull URL read: HLS by default,
or HTTP-FLV). `--stream KEY=VALUE` sets Home Assistant's `stream:` configuration
(`ll_hls`, `segment_duration`, `part_duration`) for both set-ups. Home Assistant's
stream serves low-latency HLS (parts) only from a source that is not HLS itself: with
the HLS pull URL it plays whole two-second segments whatever `stream:` says.
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
import time
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
from tests.browser.ui import Stack, wait_for_text  # noqa: E402
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


def _use_protocol(stack: Stack, protocol: str) -> None:
    """The entry's live view protocol, set in its options as a person does."""
    (entry,) = stack.our_entries()
    flow = stack.api(
        "POST",
        "/api/config/config_entries/options/flow",
        {"handler": entry["entry_id"]},
    )
    values = {
        field["name"]: (field.get("description") or {}).get(
            "suggested_value", field.get("default")
        )
        for field in flow["data_schema"]
    }
    done = stack.api(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        {**values, "live_protocol": protocol},
    )
    if done.get("type") != "create_entry":
        raise RuntimeError(f"the options were not saved: {done}")
    # Saving reloads the entry: wait until it has loaded again.
    deadline = time.monotonic() + 60
    while [e["state"] for e in stack.our_entries()] != ["loaded"]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the entry did not load again: {stack.our_entries()}")
        time.sleep(0.25)


async def measure(
    mode: str,
    runs: int,
    tmp: Path,
    stream: dict[str, Any] | None = None,
    protocol: str = "hls",
) -> dict[str, Any]:
    """Cold and warm first frames and the latency of one set-up.

    `stream`: Home Assistant's `stream:` configuration (its defaults when None);
    `protocol`: the entry's live view protocol.
    """
    program = go2rtc_server.binary() if mode == "webrtc" else None
    if mode == "webrtc" and program is None:
        raise RuntimeError(go2rtc_server.MISSING)
    if stream:
        # A package replaces the bare `stream:` of configuration.yaml.
        packages = tmp / mode / "config" / "packages"
        packages.mkdir(parents=True, exist_ok=True)
        # JSON is YAML too.
        (packages / "stream.yaml").write_text(json.dumps({"stream": stream}))
    player = PLAYERS[mode]
    cold: list[float] = []
    warm: list[float] = []
    behind: list[float] = []
    with running_stack(tmp / mode, go2rtc=program) as stack:
        add_entry(stack)
        if protocol != "hls":
            _use_protocol(stack, protocol)
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
    parser.add_argument("--only", choices=sorted(PLAYERS), help="one set-up only")
    parser.add_argument(
        "--protocol", choices=["hls", "flv"], default="hls", help="live view protocol"
    )
    parser.add_argument(
        "--stream",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Home Assistant's stream: configuration, e.g. part_duration=0.5",
    )
    args = parser.parse_args(argv)
    stream = {
        key: json.loads(value)
        for key, _, value in (item.partition("=") for item in args.stream)
    }
    if (missing := missing_chromium()) is not None:
        print(missing, file=sys.stderr)
        return 2
    runs = max(1, min(args.runs, len(CAMERAS)))
    with tempfile.TemporaryDirectory(prefix="live-view-") as tmp:
        figures = {
            mode: asyncio.run(measure(mode, runs, Path(tmp), stream, args.protocol))
            for mode in PLAYERS
            if args.only in (None, mode)
        }
    print("| live view | first frame, cold | first frame, warm | behind the camera |")
    print("| --- | --- | --- | --- |")
    for mode, label in (("webrtc", "WebRTC (go2rtc)"), ("hls", "HLS (Home Assistant)")):
        if (f := figures.get(mode)) is None:
            continue
        print(
            f"| {label} | {f['first_frame_cold_s']} s | {f['first_frame_warm_s']} s "
            f"| {f['behind_s']} s |"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
