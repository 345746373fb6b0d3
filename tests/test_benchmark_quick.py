"""The benchmark keeps working: `benchmarks/run.py --quick` runs and reports every figure.

A smoke run, not a timed test: timings are only checked to be plausible, the counts
(429s, requests per refresh, cloud calls per still) exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent

KEYS = (
    "setup_seconds",
    "setup_bound_seconds",
    "setup_to_bound_ratio",
    "setup_strict_bound_seconds",
    "setup_to_strict_bound_ratio",
    "setup_requests",
    "setup_minimum_requests",
    "setup_complete_seconds",
    "throttled_responses",
    "list_pages",
    "requests_per_refresh",
    "requests_per_refresh_100",
    "refresh_cpu_ms_1000",
    "refresh_cpu_ms_100",
    "refresh_cpu_ratio_1000_100",
    "play_p50_ms",
    "play_p99_ms",
    "bare_p50_ms",
    "play_to_bare_ratio",
    "check_p50_ms",
    "play_cached_to_bare_ratio",
    "still_requests_per_camera",
    "sign_us",
    "sdk_sign_us",
    "sign_to_sdk_ratio",
    "memory_bytes_per_channel",
    "alarms_callback_to_event_p50_ms",
    "alarms_callback_to_event_p99_ms",
    "alarms_poll_requests_per_hour",
)


def test_quick_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", "benchmarks.run", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "| Setup / bound |" in done.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))

    assert not [key for key in KEYS if key not in figures]
    for key in KEYS:
        value = figures[key]
        assert isinstance(value, int | float), key
        assert math.isfinite(value), key
        assert value >= 0, key

    assert figures["quick"] is True
    assert figures["throttled_responses"] == 0
    # Counts are exact: a refresh reads list pages only, a still costs one call.
    assert figures["requests_per_refresh"] == figures["list_pages"]
    assert figures["requests_per_refresh_100"] == figures["list_pages_100"]
    assert figures["setup_requests"] >= figures["setup_minimum_requests"]
    assert figures["still_requests_per_camera"] == 1
    assert figures["still_images_served"] > 0
    # Timings only need to make sense (the machine may be busy).
    latency_s = figures["latency_ms"] / 1000
    assert latency_s <= figures["setup_seconds"] < 60
    assert figures["setup_bound_seconds"] > figures["setup_strict_bound_seconds"]
    assert figures["bare_p50_ms"] >= figures["latency_ms"]
    assert figures["play_p50_ms"] >= figures["latency_ms"]
    assert figures["play_p99_ms"] >= figures["play_p50_ms"]
    assert 0 < figures["sign_us"] < 10_000
    assert 0 < figures["sdk_sign_us"] < 10_000
    assert 0 < figures["refresh_cpu_ms_100"] <= 10_000
    assert 100 < figures["memory_bytes_per_channel"] < 1_000_000
    # Alarms: five through the webhook, each within a second; polls at half the limit.
    assert figures["alarms_callback_alarms"] == 5
    assert figures["alarms_callback_to_event_p99_ms"] < 1000
    assert figures["alarms_throttled_responses"] == 0
    assert figures["alarms_poll_share_of_limit"] == 0.5
    assert "| Callback → event entity, p50 / p99" in done.stdout
