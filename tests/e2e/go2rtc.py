"""A go2rtc server as Home Assistant OS runs one, for the tests and the demo.

Home Assistant OS and the container image start the go2rtc binary themselves; on
other installations (and here) Home Assistant's go2rtc integration is given the URL
of one that runs (`go2rtc: url:`). The configuration enables the modules Home
Assistant's managed go2rtc enables (homeassistant/components/go2rtc/server.py), plus
`mp4`, whose stream consumer the tests read without a browser, and names the
static FFmpeg of the `imageio-ffmpeg` wheel for snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys
import time

MODULES = "api, exec, ffmpeg, http, mjpeg, mp4, onvif, rtmp, rtsp, srtp, webrtc, ws"
MISSING = (
    "go2rtc is not on PATH: the live-view tests through go2rtc cannot run "
    "(put a go2rtc 1.9.14 binary on PATH; see README, Development)"
)
REQUIRED = "SLOW_LIVE_REQUIRE_GO2RTC"
STARTUP_TIMEOUT = 20.0


def binary() -> str | None:
    """The go2rtc on PATH, if any."""
    return shutil.which("go2rtc")


def required() -> bool:
    """Whether a missing go2rtc fails the tests (CI) rather than skipping them."""
    return bool(os.environ.get(REQUIRED))


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ffmpeg() -> str:
    """The static FFmpeg of the imageio-ffmpeg wheel (go2rtc's snapshots need one)."""
    import imageio_ffmpeg  # only go2rtc needs it

    path: str = imageio_ffmpeg.get_ffmpeg_exe()
    return path


def config_text(api_port: int, webrtc_port: int) -> str:
    """go2rtc's configuration: local API, WebRTC over TCP on loopback, no RTSP."""
    path = ffmpeg()
    return (
        f"app:\n  modules: [{MODULES}]\n"
        f'api:\n  listen: "127.0.0.1:{api_port}"\n'
        f"exec:\n  allow_paths: [{path}]\n"
        f"ffmpeg:\n  bin: {path}\n"
        'rtsp:\n  listen: ""\n'
        f'webrtc:\n  listen: "127.0.0.1:{webrtc_port}/tcp"\n'
        f'  candidates: ["127.0.0.1:{webrtc_port}"]\n'
        "  ice_servers: []\n"
        "log:\n  level: debug\n"
    )


@contextlib.contextmanager
def running(program: str, workdir: Path) -> Iterator[str]:
    """A go2rtc process for the block; its API's URL. Its log: workdir/go2rtc.log."""
    api = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "go2rtc.yaml"
    config.write_text(config_text(api, free_port()))
    log_path = workdir / "go2rtc.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  # go2rtc from PATH
            [program, "-config", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while True:
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", api), timeout=0.2),
                ):
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"go2rtc ended: {log_path.read_text()}")
                if time.monotonic() > deadline:
                    raise RuntimeError("go2rtc did not start")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{api}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.e2e.go2rtc serve DIR`: run go2rtc until stopped (scripts/develop).

    Writes DIR/go2rtc.yaml and DIR/go2rtc.log, and the Home Assistant package
    CONFIG/packages/go2rtc.yaml (`--package CONFIG`) that points Home Assistant at it.
    """
    import argparse  # the command line only
    import signal

    parser = argparse.ArgumentParser(prog="python -m tests.e2e.go2rtc")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--package", type=Path, required=True)
    args = parser.parse_args(argv)
    if (program := binary()) is None:
        sys.stderr.write(MISSING + "\n")
        return 1
    stop = False

    def stopping(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    package = args.package / "packages" / "go2rtc.yaml"
    with running(program, args.workdir) as url:
        package.parent.mkdir(parents=True, exist_ok=True)
        package.write_text(
            "# Written by scripts/develop while go2rtc runs: live view over WebRTC.\n"
            f"go2rtc:\n  url: {url}\n"
        )
        sys.stdout.write(url + "\n")
        sys.stdout.flush()
        try:
            while not stop:
                time.sleep(0.2)
        finally:
            package.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
