"""Start Home Assistant and the emulator as processes, and open logged-in pages.

Shared by the browser tests (conftest.py) and the time-to-first-frame benchmark
(benchmarks/first_frame.py), so both measure the same setup.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
from contextlib import contextmanager
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time

from playwright.async_api import Browser, Page, Playwright

from tests.e2e import go2rtc as go2rtc_server, provision
from tests.e2e.test_hass_process import free_port, running, wait_for_port

from .ui import Stack

CHROMIUM = shutil.which(os.environ.get("CHROMIUM", "chromium")) or "/usr/bin/chromium"
STARTUP_TIMEOUT = 120.0
# What a headless Chromium on a machine without a network needs (and no sandbox: CI
# runs as root).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    # WebRTC (go2rtc) on a machine whose only network is the loopback interface:
    # candidates on it, and not hidden behind mDNS names.
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


@contextmanager
def running_stack(
    tmp: Path, *, go2rtc: str | None = None, url_ttl: int | None = None
) -> Iterator[Stack]:
    """Home Assistant (onboarded, no Volcengine entry yet) and the emulator.

    `go2rtc`: a go2rtc binary; Home Assistant then plays live view over WebRTC
    through it, as Home Assistant OS does. `url_ttl`: how long the emulator's URLs
    stay valid (seconds).
    """
    ha_port, emulator_port = free_port(), free_port()
    base = f"http://127.0.0.1:{ha_port}"
    emulator = f"http://127.0.0.1:{emulator_port}"
    config = tmp / "config"
    provision.prepare(config)
    env = {**os.environ, "SETUP_PORT": str(ha_port), "PYTHONUNBUFFERED": "1"}
    python = sys.executable
    ttl = ("--url-ttl", str(url_ttl)) if url_ttl else ()
    go2rtc_url: str | None = None
    with contextlib.ExitStack() as extra:
        if go2rtc is not None:
            go2rtc_url = extra.enter_context(go2rtc_server.running(go2rtc, tmp))
            provision.use_go2rtc(config, go2rtc_url, internal_url=base)
        with _processes(tmp, python, emulator_port, ttl, env) as emulator_process:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            wait_for_port(emulator_port, emulator_process, deadline)
            provision.wait_for_onboarding(base, deadline)
            tokens = provision.create_owner(base, "dev", "dev")
            # It runs an event loop of its own: in a thread, beside a caller's loop.
            with ThreadPoolExecutor(1) as pool:
                token = pool.submit(
                    provision.long_lived_token, base, tokens["access_token"], "browser"
                ).result()
            yield Stack(
                base=base,
                emulator=emulator,
                token=token,
                config=config,
                access_token=tokens["access_token"],
                go2rtc=go2rtc_url,
            )


@contextmanager
def _processes(
    tmp: Path,
    python: str,
    emulator_port: int,
    ttl: tuple[str, ...],
    env: dict[str, str],
) -> Iterator[subprocess.Popen[bytes]]:
    """The emulator and Home Assistant, for the block; the emulator's process."""
    config = tmp / "config"
    with (
        (tmp / "emulator.out").open("wb") as emulator_out,
        (tmp / "hass.out").open("wb") as hass_out,
        running(
            [
                *(python, "-m", "emulator", "--host", "127.0.0.1"),
                *("--port", str(emulator_port), "--fleet", "demo", "--no-outages"),
                # As scripts/develop: footage reaches storage seconds after it was
                # filmed, as with the cloud.
                *("--storage-lag", "8"),
                *ttl,
            ],
            emulator_out,
        ) as emulator_process,
        running(
            # -P: not the repository's custom_components/ (the working directory)
            # but the configuration's, which also links the development TV.
            [python, "-P", "-m", "homeassistant", "-c", str(config), "--skip-pip"],
            hass_out,
            env,
        ),
    ):
        yield emulator_process


def add_entry(stack: Stack) -> None:
    """The emulator's entry, unless one exists; returns once its cameras exist."""
    if not stack.our_entries():
        from emulator.accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

        provision.add_emulator_entry(
            stack.base,
            stack.token,
            emulator=stack.emulator,
            access_key=DEFAULT_ACCESS_KEY,
            secret_key=DEFAULT_SECRET_KEY,
        )
    provision.wait_for_cameras(stack.base, stack.token, time.monotonic() + 60)


def missing_chromium() -> str | None:
    """Why there is no browser to drive, if there is none."""
    if Path(CHROMIUM).exists():
        return None
    return (
        f"no Chromium at {CHROMIUM}: install Debian's chromium package "
        "(scripts/setup does as root), or point CHROMIUM at one"
    )


async def launch(driver: Playwright) -> Browser:
    """Debian's Chromium, headless (never a downloaded browser)."""
    return await driver.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )


async def logged_in_page(
    browser: Browser, stack: Stack, *, language: str = "en"
) -> Page:
    """A new page (own context) logged in as the owner, in a UI language."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale=language
    )
    # The frontend keeps its tokens in localStorage: log in as the owner by putting
    # a long-lived token there before the app starts.
    tokens = {
        "access_token": stack.token,
        "token_type": "Bearer",
        "expires_in": 10**9,
        "hassUrl": stack.base,
        "clientId": f"{stack.base}/",
        "expires": 10**15,
        "refresh_token": "",
    }
    await context.add_init_script(
        f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))});"
        "localStorage.setItem('selectedLanguage', "
        f"{json.dumps(json.dumps(language))});"
        # What the page fetched is how a test sees it getting on (ui.PLAYBACK_STEP):
        # room for a long live stream's segments beside the frontend's own files.
        "performance.setResourceTimingBufferSize(20000);"
    )
    return await context.new_page()
