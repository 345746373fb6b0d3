"""Run the emulator from the command line.

    python -m emulator --host 127.0.0.1 --port 8765 --fleet demo|<N channels>
        [--spaces 5] [--access-key AK --secret-key SK] [--rate 10]
        [--latency-ms 0] [--url-ttl 3600] [--seed 1]

Prints the base URL and the credentials it accepts, then serves until Ctrl-C or
SIGTERM (clean shutdown).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TextIO

from .accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from .config import EmulatorConfig
from .fleet import Fleet
from .server import Emulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator", description="Volcengine aiotvideo (慢直播) emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--fleet", default="demo", help="'demo' or a number of channels to generate"
    )
    parser.add_argument(
        "--spaces", type=int, default=5, help="spaces of a generated fleet"
    )
    parser.add_argument("--access-key", default=DEFAULT_ACCESS_KEY)
    parser.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    parser.add_argument(
        "--rate",
        type=float,
        default=10.0,
        help="requests/s per key and action; 0 = off",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--url-ttl", type=int, default=3600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-outages",
        dest="outages",
        action="store_false",
        help="demo cameras record without their random daily outages",
    )
    parser.add_argument(
        "--storage-lag",
        type=float,
        default=0.0,
        help="seconds before new footage is listed and playable",
    )
    parser.add_argument(
        "--public-url", default=None, help="base URL to put into media URLs"
    )
    args = parser.parse_args(argv)
    if args.fleet != "demo":
        try:
            args.channels = int(args.fleet)
        except ValueError:
            parser.error("--fleet must be 'demo' or a number of channels")
        if args.channels < 0:
            parser.error("--fleet must not be negative")
    return args


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    """Turn parsed arguments into an EmulatorConfig."""
    if args.fleet == "demo":
        fleet = Fleet.demo(args.seed, outages=args.outages)
    else:
        fleet = Fleet.generate(
            spaces=args.spaces, channels=args.channels, seed=args.seed
        )
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        fleet=fleet,
        access_key=args.access_key,
        secret_key=args.secret_key,
        rate_limit=args.rate,
        latency=args.latency_ms / 1000.0,
        url_ttl=args.url_ttl,
        seed=args.seed,
        public_url=args.public_url,
        storage_lag=args.storage_lag,
    )


async def serve(
    argv: list[str] | None = None,
    *,
    stop: asyncio.Event | None = None,
    out: TextIO | None = None,
) -> int:
    """Start the emulator, print how to reach it, and serve until `stop` is set.

    Without `stop`, SIGINT/SIGTERM stop it.
    """
    out = out or sys.stdout
    args = parse_args(argv)
    emulator = Emulator(build_config(args))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    try:
        await emulator.start()
        fleet = emulator.fleet
        print(f"aiotvideo emulator listening on {emulator.base_url}", file=out)
        print(f"  access key:  {emulator.access_key}", file=out)
        print(f"  secret key:  {emulator.secret_key}", file=out)
        print(
            f"  region:      {emulator.config.region}  service: {emulator.config.service}",
            file=out,
        )
        print(
            f"  fleet:       {len(fleet.spaces)} spaces, {len(fleet.devices)} devices, "
            f"{len(fleet.main_streams())} channels",
            file=out,
        )
        print("Press Ctrl-C to stop.", file=out, flush=True)
        await stop.wait()
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
        await emulator.stop()
    print("emulator stopped", file=out, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: run `serve` until interrupted."""
    try:
        return asyncio.run(serve(argv))
    except KeyboardInterrupt:  # pragma: no cover - only without signal handlers
        return 0


if __name__ == "__main__":
    sys.exit(main())
