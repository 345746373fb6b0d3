"""The large-fleet benchmark keeps working: `benchmarks/fleet.py`, small, runs and counts.

60 channels against a limit of 40 enabled entities per entry (the benchmark sets
Home Assistant's own), split over two entries of one key: no entry could hold the
fleet, two do, with every camera, no warning about the limit, no repair issue and
no 429 (the two entries share the key's rate windows).
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent


def test_fleet_benchmark_split_over_two_entries(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    done = subprocess.run(  # noqa: S603 - our interpreter, our module
        [
            sys.executable,
            "-m",
            "benchmarks.fleet",
            "--channels",
            "60",
            "--spaces",
            "4",
            "--entries",
            "2",
            "--limit",
            "40",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["entity_limit"] == 40
    assert figures["fleet_channels"] == 60
    assert figures["cameras"] == 60
    assert figures["limit_warnings"] == 0
    assert figures["issues"] == []
    assert figures["throttled_responses"] == 0
    for census in figures["final"]:
        assert census["cameras"] == census["channels"]
        assert census["enabled"] <= 40
    assert "main cameras present: 60 of 60 channels" in done.stdout
