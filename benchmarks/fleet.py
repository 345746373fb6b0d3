"""Benchmark: a very large fleet within Home Assistant's limit of enabled entities.

    python -m benchmarks.fleet [--channels 10000] [--entries 1] [--spaces 5]
                               [--latency-ms 20] [--rate 10] [--limit N]
                               [--json PATH]

(or `python benchmarks/fleet.py ...`), with the test virtual environment's Python.

Home Assistant adds at most `MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY` (10,000) enabled
entities to one config entry and refuses the rest with one warning ("Reached the
maximum of 10000 enabled entities ..."). This sets up a generated fleet (the emulator
in a child process, as `benchmarks.run` does) in `--entries` entries of the same
account, the spaces dealt out between them, and reports after setup and once the
channel details read in the background (PTZ controls come with them) are in:

* every channel's main camera present (a state), per entry and in all;
* enabled and disabled entities per entry, by platform;
* warnings Home Assistant logged about the limit (there must be none), the
  integration's repair issues, and the cloud's 429 answers (the entries of one key
  share its rate limit);
* setup time (entry setup → every camera of the entry has a state; entries one
  after the other), the time until the background reading ends, and the process's
  resident memory before and after.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass
import json
import logging
import os
from pathlib import Path
import platform
import sys
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/fleet.py` puts benchmarks/ there
    sys.path.insert(0, str(ROOT))

# Home Assistant aliases voluptuous at import; import it before anything else does.
import homeassistant  # noqa: E402, F401  # isort: skip

from benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from benchmarks.run import (  # noqa: E402
    _quiet,
    _session,
    _space_ids,
    home_assistant,
    new_event_loop,
)

DOMAIN = "volcengine_slow_live"
LIMIT_WARNING = "Reached the maximum of"


@dataclass(frozen=True, slots=True)
class Options:
    """What to run."""

    channels: int = 10_000
    entries: int = 1
    spaces: int = 5
    latency: float = 0.02
    rate: float = 10.0
    seed: int = 1
    # Home Assistant's limit of enabled entities per entry, made smaller (None:
    # its own), to see a small fleet meet it.
    limit: int | None = None


class _Warnings(logging.Handler):
    """Every record about Home Assistant's entity limit, whoever logs it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if LIMIT_WARNING in message:
            self.seen.append(message)


def _rss_mb() -> float:
    """The process's resident memory now (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _deal(spaces: list[str], entries: int) -> list[list[str]]:
    """The spaces dealt out to `entries` entries, in turn."""
    return [spaces[index::entries] for index in range(entries)]


def _census(hass: Any, entry: Any) -> dict[str, Any]:
    """What the entry has: channels, main cameras with a state, entities by kind."""
    from homeassistant.helpers import entity_registry as er

    registry = er.async_get(hass)
    channels = entry.runtime_data.coordinator.data.channels
    enabled: Counter[str] = Counter()
    disabled: Counter[str] = Counter()
    cameras = 0
    for item in er.async_entries_for_config_entry(registry, entry.entry_id):
        (disabled if item.disabled_by else enabled)[item.domain] += 1
        if (
            item.domain == "camera"
            and item.unique_id in channels
            and hass.states.get(item.entity_id) is not None
        ):
            cameras += 1
    return {
        "channels": len(channels),
        "cameras": cameras,
        "enabled": sum(enabled.values()),
        "disabled": sum(disabled.values()),
        "enabled_by_domain": dict(sorted(enabled.items())),
        "disabled_by_domain": dict(sorted(disabled.items())),
    }


async def _setup_entries(
    hass: Any, emulator: EmulatorProcess, opts: Options
) -> list[tuple[Any, float, float]]:
    """Set up the entries one after the other.

    For each: the seconds until its last camera had a state, and until its setup
    returned (every platform's entities added).
    """
    from homeassistant.const import EVENT_STATE_CHANGED
    from homeassistant.core import Event, callback
    from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
        MockConfigEntry,
    )

    session = _session(hass)
    spaces = await _space_ids(session, emulator)
    cameras: list[float] = []

    @callback
    def on_state(event: Event[Any]) -> None:
        if event.data["entity_id"].startswith("camera.") and not event.data.get(
            "old_state"
        ):
            cameras.append(time.perf_counter())

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, on_state)
    done: list[tuple[Any, float, float]] = []
    for index, share in enumerate(_deal(spaces, opts.entries)):
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Fleet {index + 1}",
            unique_id=emulator.access_key
            if index == 0
            else f"{emulator.access_key} {index + 1}",
            data=emulator.entry_data(share),
        )
        entry.add_to_hass(hass)
        # Let the limiter windows of what came before pass.
        await asyncio.sleep(1.2)
        cameras.clear()
        started = time.perf_counter()
        assert await hass.config_entries.async_setup(entry.entry_id)
        returned = time.perf_counter()
        await hass.async_block_till_done()
        # The cameras' states are written as they are added, within the setup.
        last = cameras[-1] if cameras else returned
        done.append((entry, last - started, returned - started))
    unsub()
    return done


async def run(opts: Options) -> dict[str, Any]:
    """Set the fleet up, wait for the background, count."""
    from homeassistant.helpers import entity_platform, issue_registry as ir

    emulator = EmulatorProcess(
        opts.channels, opts.spaces, opts.rate, opts.latency, opts.seed
    ).start()
    warnings = _Warnings()
    logging.getLogger().addHandler(warnings)
    limit = entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
    if opts.limit is not None:
        entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY = opts.limit
    try:
        emulator.ready()
        async with home_assistant() as hass:
            rss_before = _rss_mb()
            started = time.perf_counter()
            entries = await _setup_entries(hass, emulator, opts)
            after_setup = [_census(hass, entry) for entry, _, _ in entries]
            await hass.async_block_till_done()
            # Channel details (and with them PTZ controls) are read in the
            # background, paced by the rate limit; then the cloud hears nothing.
            await hass.async_block_till_done(wait_background_tasks=True)
            await _quiet(_session(hass), emulator, 3.0, limit=3600)
            await hass.async_block_till_done()
            background_seconds = time.perf_counter() - started
            final = [_census(hass, entry) for entry, _, _ in entries]
            throttled = (await emulator.stats(_session(hass)))["throttled"]
            issues = sorted(
                issue.translation_key or issue_id
                for (domain, issue_id), issue in ir.async_get(hass).issues.items()
                if domain == DOMAIN
            )
            rss_after = _rss_mb()
    finally:
        entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY = limit
        logging.getLogger().removeHandler(warnings)
        emulator.stop()
    return {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "home_assistant": _ha_version(),
        "channels": opts.channels,
        "entries": opts.entries,
        "spaces": opts.spaces,
        "entity_limit": opts.limit or limit,
        "cameras": sum(census["cameras"] for census in final),
        "fleet_channels": sum(census["channels"] for census in final),
        "limit_warnings": len(warnings.seen),
        "throttled_responses": throttled,
        "issues": issues,
        "cameras_seconds": [seconds for _, seconds, _ in entries],
        "setup_seconds": [seconds for _, _, seconds in entries],
        "background_seconds": background_seconds,
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
        "after_setup": after_setup,
        "final": final,
    }


def _ha_version() -> str:
    from homeassistant.const import __version__

    return __version__


def report(r: dict[str, Any]) -> str:
    """The figures as lines of text."""
    lines = [
        (
            f"{r['date']} · Python {r['python']} · Home Assistant "
            f"{r['home_assistant']} · {r['channels']:,} channels in {r['spaces']} "
            f"spaces · {r['entries']} entries · limit {r['entity_limit']:,} "
            "enabled entities per entry"
        ),
        f"main cameras present: {r['cameras']:,} of {r['fleet_channels']:,} channels",
        f"'{LIMIT_WARNING} …' warnings: {r['limit_warnings']}",
        f"repair issues: {', '.join(r['issues']) or 'none'}",
        f"429 responses: {r['throttled_responses']}",
        "setup per entry, until every camera has a state / until setup returned: "
        + ", ".join(
            f"{cameras:.1f} / {setup:.1f} s"
            for cameras, setup in zip(
                r["cameras_seconds"], r["setup_seconds"], strict=True
            )
        ),
        f"… until the background reading ended: {r['background_seconds']:.1f} s",
        (
            f"resident memory: {r['rss_before_mb']:.0f} MB before, "
            f"{r['rss_after_mb']:.0f} MB after"
        ),
    ]
    for index, census in enumerate(r["final"]):
        lines.append(
            f"entry {index + 1}: {census['channels']:,} channels, "
            f"{census['cameras']:,} cameras; enabled {census['enabled']:,} "
            f"{census['enabled_by_domain']}; disabled {census['disabled']:,} "
            f"{census['disabled_by_domain']}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> tuple[Options, Path | None]:
    """Options from the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fleet", description=__doc__.split("\n", 1)[0]
    )
    default = Options()
    parser.add_argument("--channels", type=int, default=default.channels)
    parser.add_argument("--entries", type=int, default=default.entries)
    parser.add_argument("--spaces", type=int, default=default.spaces)
    parser.add_argument("--latency-ms", type=float, default=default.latency * 1000)
    parser.add_argument("--rate", type=float, default=default.rate)
    parser.add_argument(
        "--limit", type=int, default=None, help="a smaller entity limit per entry"
    )
    parser.add_argument("--json", type=Path, default=None, help="write figures here")
    args = parser.parse_args(argv)
    opts = Options(
        channels=args.channels,
        entries=args.entries,
        spaces=args.spaces,
        latency=args.latency_ms / 1000,
        rate=args.rate,
        limit=args.limit,
    )
    return opts, args.json


def main(argv: list[str] | None = None) -> int:
    """Run, print, write the JSON."""
    opts, json_path = parse_args(argv)
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        results = runner.run(run(opts))
    print(report(results))
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
