"""A real browser against a real `hass` and the emulator, as a person uses them.

Home Assistant and the emulator run as processes (like tests/e2e, from the test
environment's Python, so each supported release is tested); Debian's Chromium is
driven by Playwright (`CHROMIUM`, default /usr/bin/chromium; never a downloaded
browser). What the tests check is what the page shows, read through shadow roots.
A failing test leaves a screenshot of each of its pages in `.venv/browser-shots/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
import json
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any

from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright
import pytest
import pytest_socket

from tests.e2e import provision
from tests.e2e.test_hass_process import free_port, running, wait_for_port

from .ui import Seen, Stack

REPO = provision.REPO
CHROMIUM = shutil.which(os.environ.get("CHROMIUM", "chromium")) or "/usr/bin/chromium"
SHOTS = REPO / ".venv" / "browser-shots"
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
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a browser test (`-m "not browser"` skips them)."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker."""
    config.addinivalue_line(
        "markers", "browser: a real browser against real hass and emulator processes"
    )


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Every browser test talks to the processes over the loopback interface."""


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Home Assistant (onboarded, no Volcengine entry yet) and the emulator."""
    # Set up before the first test's own `socket_enabled` (session fixtures come first).
    pytest_socket.enable_socket()
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium package "
            "(scripts/setup does as root), or point CHROMIUM at one"
        )
    tmp = tmp_path_factory.mktemp("browser")
    ha_port, emulator_port = free_port(), free_port()
    base = f"http://127.0.0.1:{ha_port}"
    emulator = f"http://127.0.0.1:{emulator_port}"
    config = tmp / "config"
    provision.prepare(config)
    env = {**os.environ, "SETUP_PORT": str(ha_port), "PYTHONUNBUFFERED": "1"}
    python = sys.executable
    with (
        (tmp / "emulator.out").open("wb") as emulator_out,
        (tmp / "hass.out").open("wb") as hass_out,
        running(
            [
                *(python, "-m", "emulator", "--host", "127.0.0.1"),
                *("--port", str(emulator_port), "--fleet", "demo", "--no-outages"),
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
        deadline = time.monotonic() + STARTUP_TIMEOUT
        wait_for_port(emulator_port, emulator_process, deadline)
        provision.wait_for_onboarding(base, deadline)
        tokens = provision.create_owner(base, "dev", "dev")
        # It runs an event loop of its own: in a thread, beside the test's loop.
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
        )


@pytest.fixture
def with_entry(stack: Stack) -> Stack:
    """The emulator's entry exists (added through the UI by the first test, or here)."""
    if not stack.our_entries():
        from emulator.accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

        provision.add_emulator_entry(
            stack.base,
            stack.token,
            emulator=stack.emulator,
            access_key=DEFAULT_ACCESS_KEY,
            secret_key=DEFAULT_SECRET_KEY,
        )
    deadline = time.monotonic() + 60
    provision.wait_for_cameras(stack.base, stack.token, deadline)
    return stack


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium for the test, on the test's event loop.

    Playwright's async API: its sync API runs an event loop of its own in the main
    thread, which Home Assistant's test plugin cannot share.
    """
    async with async_playwright() as driver:
        instance = await driver.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            await instance.close()


@pytest.fixture
def seen() -> Seen:
    """Console errors and failed requests of the test's pages."""
    return Seen()


@pytest.fixture
async def open_page(
    browser: Browser, stack: Stack, seen: Seen, request: pytest.FixtureRequest
) -> AsyncIterator[Callable[..., Awaitable[Page]]]:
    """Open a logged-in page of Home Assistant at a path, in a UI language."""

    async def open_(path: str, *, language: str = "en") -> Page:
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, locale=language
        )
        # The frontend keeps its tokens in localStorage: log in as the owner by
        # putting a long-lived token there before the app starts.
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
        )
        page = await context.new_page()
        page.on("console", lambda message: _console(seen, message))
        page.on(
            "requestfailed",
            lambda req: seen.failed_requests.append(f"{req.method} {req.url}"),
        )
        page.on(
            "response",
            lambda resp: (
                seen.failed_requests.append(f"{resp.status} {resp.url}")
                if resp.status >= 400
                else None
            ),
        )
        seen.pages.append(page)
        await page.goto(f"{stack.base}{path}")
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(seen.pages):
            name = f"{request.node.name}-{number}.png".replace("/", "_")
            # A page that closed has nothing more to show.
            with contextlib.suppress(Exception):
                await page.screenshot(path=str(SHOTS / name), full_page=True)
    for page in seen.pages:
        await page.context.close()


def _console(seen: Seen, message: ConsoleMessage) -> None:
    if message.type == "error":
        seen.console_errors.append(message.text)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, for the screenshots above."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
