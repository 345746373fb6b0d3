"""The emulator in a child process, reached over HTTP like the real cloud.

The benchmark measures the integration's CPU time with `time.process_time()`; an
emulator in the same process would add its own request handling (rendering pages of
100 streams, signing URLs) to every figure and compete with Home Assistant for the
GIL. In its own process it behaves like the remote cloud it stands for: the
integration's process pays only for what the integration does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import os
from pathlib import Path
import subprocess
import sys
from typing import Any, Self

import aiohttp

from custom_components.volcengine_slow_live.const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_SPACES,
)

ROOT = Path(__file__).resolve().parent.parent
_STARTUP_LINES = 20


@dataclass
class EmulatorProcess:
    """`python -m emulator` with a generated fleet; `start()`, `ready()`, `stop()`."""

    channels: int
    spaces: int = 5
    rate: float = 10.0
    latency: float = 0.0
    seed: int = 1
    base_url: str = ""
    access_key: str = ""
    secret_key: str = ""
    _process: subprocess.Popen[str] | None = field(default=None, repr=False)

    def start(self) -> Self:
        """Launch the child (returns at once; `ready()` waits for it to listen)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "emulator",
                "--port",
                "0",
                "--fleet",
                str(self.channels),
                "--spaces",
                str(self.spaces),
                "--rate",
                f"{self.rate:g}",
                "--latency-ms",
                f"{self.latency * 1000:g}",
                "--seed",
                str(self.seed),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        return self

    def ready(self) -> Self:
        """Read the child's banner: its URL and the key pair it accepts."""
        process = self._process
        if process is None or process.stdout is None:
            raise RuntimeError("start() the emulator first")
        for _ in range(_STARTUP_LINES):
            line = process.stdout.readline()
            if not line:
                break
            text = line.strip()
            if text.startswith("aiotvideo emulator listening on "):
                self.base_url = text.rsplit(" ", 1)[1]
            elif text.startswith("access key:"):
                self.access_key = text.split(":", 1)[1].strip()
            elif text.startswith("secret key:"):
                self.secret_key = text.split(":", 1)[1].strip()
            elif text.startswith("Press Ctrl-C"):
                return self
        self.stop()
        raise RuntimeError("the emulator did not start")

    def stop(self) -> None:
        """Terminate the child (SIGTERM: it shuts down cleanly) and reap it."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def entry_data(self, spaces: list[str]) -> dict[str, Any]:
        """Config entry data for this emulator's key pair and these spaces."""
        return {
            CONF_ACCESS_KEY_ID: self.access_key,
            CONF_SECRET_ACCESS_KEY: self.secret_key,
            CONF_REGION: "cn-north-1",
            CONF_ENDPOINT: self.base_url,
            CONF_SPACES: spaces,
        }

    async def stats(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """The emulator's counters: requests by action and status, CDN fetches."""
        async with session.get(f"{self.base_url}/_emulator/stats") as response:
            response.raise_for_status()
            data: dict[str, Any] = await response.json()
            return data

    async def requests(self, session: aiohttp.ClientSession) -> list[dict[str, Any]]:
        """The request log: one record per API request (`time` is Unix seconds)."""
        async with session.get(f"{self.base_url}/_emulator/requests") as response:
            response.raise_for_status()
            data: list[dict[str, Any]] = await response.json()
            return data


def stats_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What happened between two `stats()` snapshots."""

    def diff(key: str) -> dict[str, int]:
        old, new = before.get(key, {}), after.get(key, {})
        return {k: v - old.get(k, 0) for k, v in new.items() if v - old.get(k, 0)}

    return {
        "requests": after["requests"] - before["requests"],
        "by_action": diff("by_action"),
        "by_status": diff("by_status"),
        "throttled": after["throttled"] - before["throttled"],
        "cdn": diff("cdn"),
    }
