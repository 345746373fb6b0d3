"""Camera alarms: how fast one reaches its event entity, and what polling costs.

    .venv/new/bin/python -m benchmarks.alarms [--alarms 50] [--json FILE]

* Callback → event: Home Assistant and the emulator run as processes (as the browser
  tests do), the entry has *Receive alarms instantly* on, so the emulator POSTs each
  alarm to Home Assistant's webhook. Timed from the admin request that raises the
  alarm (the emulator posts at once) until Home Assistant's websocket reports the
  event entity's new state: the webhook, one ListDeviceAlarms read and the event.
* Poll mode: the ListDeviceAlarms requests an hour for a fleet of 1,000 channels
  whose ~300 devices all report alarms, at the default interval: computed from the
  integration's own batch rule (at most half of the action's limit), and the share of
  the documented limit that leaves for everything else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: python benchmarks/alarms.py
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from custom_components.volcengine_slow_live.alarms.watcher import POLL_SHARE  # noqa: E402
from custom_components.volcengine_slow_live.api.client import (  # noqa: E402
    DEFAULT_RATE_LIMIT,
)
from custom_components.volcengine_slow_live.const import (  # noqa: E402
    ALARM_POLL_INTERVAL,
)
from emulator.fleet import Fleet  # noqa: E402
from tests.browser.stack import add_entry, running_stack  # noqa: E402
from tests.browser.ui import Stack  # noqa: E402
from tests.e2e import provision  # noqa: E402

ENTITY = "event.garden_alarm"  # Garden raises no alarms of its own in the demo


def _percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def _callback_latencies(stack: Stack, count: int) -> list[float]:
    """Milliseconds from raising an alarm to its event entity's new state."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{stack.base}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": stack.token})
        await ws.receive_json()
        await ws.send_json(
            {
                "id": 1,
                "type": "subscribe_trigger",
                "trigger": {"platform": "state", "entity_id": ENTITY},
            }
        )
        await ws.receive_json()  # the subscription's result
        latencies: list[float] = []
        for _ in range(count):
            started = time.perf_counter()
            async with session.post(
                f"{stack.emulator}/_emulator/alarms", json={"stream": "Garden"}
            ) as response:
                response.raise_for_status()
            async with asyncio.timeout(10):
                while True:
                    message = await ws.receive_json()
                    if message.get("type") == "event":
                        break
            latencies.append((time.perf_counter() - started) * 1000)
            # Alarms of one channel a second apart at most, as a camera raises them.
            await asyncio.sleep(1.05)
        return latencies


def poll_cost(channels: int = 1000) -> dict[str, Any]:
    """ListDeviceAlarms requests an hour in poll mode for a fleet of `channels`."""
    fleet = Fleet.generate(channels=channels)
    devices = sum(1 for d in fleet.devices.values() if d.channels)
    interval = ALARM_POLL_INTERVAL.total_seconds()
    batch = max(1, int(DEFAULT_RATE_LIMIT * POLL_SHARE * interval))
    per_poll = min(devices, batch)
    per_hour = per_poll * 3600 / interval
    return {
        "poll_devices": devices,
        "poll_requests_per_hour": round(per_hour),
        "poll_share_of_limit": round(per_hour / 3600 / DEFAULT_RATE_LIMIT, 2),
        "poll_device_every_s": round(interval * max(1.0, devices / batch)),
    }


async def run(count: int) -> dict[str, Any]:
    """Everything, measured once."""
    with (
        tempfile.TemporaryDirectory(prefix="alarms-") as tmp,
        running_stack(Path(tmp)) as stack,
    ):
        await asyncio.to_thread(add_entry, stack)
        entry_id = stack.our_entries()[0]["entry_id"]
        await asyncio.to_thread(
            provision.set_options,
            stack.base,
            stack.token,
            entry_id,
            {"instant_alarms": True},
        )
        provision.wait_for_cameras(stack.base, stack.token, time.monotonic() + 60)
        await asyncio.sleep(2)  # the reloaded entry wrote the spaces' CallbackURL
        latencies = await _callback_latencies(stack, count)
        throttled = int(stack.emulator_api("GET", "/_emulator/stats")["throttled"])
    return {
        "callback_to_event_p50_ms": round(statistics.median(latencies), 1),
        "callback_to_event_p99_ms": round(_percentile(latencies, 99), 1),
        "callback_alarms": count,
        "throttled_responses": throttled,
        **poll_cost(),
    }


def table(figures: dict[str, Any]) -> str:
    """The figures as Markdown."""
    callback = (
        f"| Callback → event entity, p50 / p99 ({figures['callback_alarms']} alarms) "
        f"| {figures['callback_to_event_p50_ms']} / "
        f"{figures['callback_to_event_p99_ms']} ms |"
    )
    poll = (
        f"| Poll mode, {figures['poll_devices']} reporting devices (1,000 channels): "
        f"ListDeviceAlarms an hour | {figures['poll_requests_per_hour']} "
        f"({figures['poll_share_of_limit']:.0%} of the 10/s limit; each device "
        f"every {figures['poll_device_every_s']} s) |"
    )
    rows = ["| Alarms | |", "|---|---|", callback]
    rows += [f"| 429 responses | {figures['throttled_responses']} |", poll]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alarms")
    parser.add_argument("--alarms", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.alarms))
    print(table(figures))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
