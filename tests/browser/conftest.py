"""A real browser against a real `hass` and the emulator, as a person uses them.

Home Assistant and the emulator run as processes (like tests/e2e, from the test
environment's Python, so each supported release is tested); Debian's Chromium is
driven by Playwright (`CHROMIUM`, default /usr/bin/chromium; never a downloaded
browser). What the tests check is what the page shows, read through shadow roots.
A failing test leaves a screenshot of each of its pages in `.venv/browser-shots/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
import contextlib
import os
from typing import Any

from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright
import pytest
import pytest_socket

from tests.e2e import provision

from .stack import add_entry, launch, logged_in_page, missing_chromium, running_stack
from .ui import Seen, Stack

SHOTS = provision.REPO / ".venv" / "browser-shots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a browser test (`-m "not browser"` skips them)."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Every browser test talks to the processes over the loopback interface."""


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Home Assistant (onboarded, no Volcengine entry yet) and the emulator."""
    # Set up before the first test's own `socket_enabled` (session fixtures come first).
    pytest_socket.enable_socket()
    if (missing := missing_chromium()) is not None:
        pytest.fail(missing)
    with running_stack(tmp_path_factory.mktemp("browser")) as started:
        yield started


@pytest.fixture
def with_entry(stack: Stack) -> Stack:
    """The emulator's entry exists (added through the UI by the first test, or here)."""
    try:
        add_entry(stack)
    except TimeoutError as err:
        # For whoever reads a red CI: what Home Assistant said meanwhile.
        log = (stack.config / "home-assistant.log").read_text(errors="replace")
        said = [line for line in log.splitlines() if " DEBUG " not in line]
        pytest.fail(f"{err}; the log ends with:\n" + "\n".join(said[-60:]))
    return stack


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium for the test, on the test's event loop.

    Playwright's async API: its sync API runs an event loop of its own in the main
    thread, which Home Assistant's test plugin cannot share.
    """
    async with async_playwright() as driver:
        instance = await launch(driver)
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
        page = await logged_in_page(browser, stack, language=language)
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
