"""`python -m emulator`: arguments, the printed credentials, clean shutdown."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import threading

import aiohttp
import pytest

from emulator.__main__ import build_config, main, parse_args, serve

from .helpers import Client


def test_parse_args() -> None:
    args = parse_args(
        [
            *("--fleet", "300", "--spaces", "3", "--latency-ms", "20", "--rate", "0"),
            *("--storage-lag", "8"),
        ]
    )
    config = build_config(args)
    assert config.storage_lag == 8.0
    assert config.latency == 0.02
    assert config.rate_limit == 0
    assert config.fleet is not None
    assert len(config.fleet.main_streams()) == 300
    assert len(config.fleet.spaces) == 3
    demo = build_config(parse_args([]))
    assert demo.port == 8765
    assert demo.fleet is not None
    assert len(demo.fleet.spaces) == 3
    assert all(s.record_outages for s in demo.fleet.main_streams())
    steady = build_config(parse_args(["--no-outages"]))
    assert steady.fleet is not None
    assert not any(s.record_outages for s in steady.fleet.main_streams())
    for bad in (["--fleet", "lots"], ["--fleet", "-1"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


async def test_serve_prints_credentials(socket_enabled: None) -> None:
    out = io.StringIO()
    stop = asyncio.Event()
    task = asyncio.ensure_future(
        serve(
            [
                "--port",
                "0",
                "--access-key",
                "AKLTcli",
                "--secret-key",
                "c2VjcmV0",
                "--seed",
                "3",
            ],
            stop=stop,
            out=out,
        )
    )
    for _ in range(200):
        if "Ctrl-C" in out.getvalue():
            break
        await asyncio.sleep(0.01)
    text = out.getvalue()
    url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", text)
    assert url, text
    assert "AKLTcli" in text
    assert "c2VjcmV0" in text
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url.group(1)}/_emulator/credentials") as resp:
            creds = await resp.json()
        assert creds["access_key"] == "AKLTcli"
    stop.set()
    assert await task == 0
    assert "emulator stopped" in out.getvalue()


def test_main_stops_on_sigint(
    socket_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() installs SIGINT/SIGTERM handlers and shuts down cleanly."""
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        assert main(["--port", "0"]) == 0
    finally:
        timer.cancel()
        timer.join()
    out = capsys.readouterr().out
    assert "access key:  AKLT" in out
    assert "emulator stopped" in out


def test_module_subprocess(socket_enabled: None) -> None:
    """`python -m emulator --port 0` prints how to reach it and exits on SIGTERM."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            "0",
            "--fleet",
            "20",
            "--spaces",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(6)]
        assert "listening on http://127.0.0.1:" in lines[0]
        assert lines[1].strip().startswith("access key:")
        assert "2 spaces" in lines[4]
        assert "20 channels" in lines[4]
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
        assert process.returncode == 0
        assert "emulator stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


async def test_client_helper_against_cli_config(emulator_factory: object) -> None:
    config = build_config(parse_args(["--port", "0", "--fleet", "demo", "--rate", "0"]))
    emu = await emulator_factory(config)  # type: ignore[operator]
    async with aiohttp.ClientSession() as session:
        assert (await Client(session, emu).call("ListSpaces")).status == 200
