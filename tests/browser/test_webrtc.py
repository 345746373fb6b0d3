"""Live view over WebRTC through go2rtc, as Home Assistant OS and its container play it.

A Home Assistant of its own, told to use a go2rtc server (tests/e2e/go2rtc.py),
with the emulator's URLs valid for only `URL_TTL` seconds: the dialog's player is
the frontend's `ha-web-rtc-player`, and what it shows is read off the video's
burned-in clock (clock.py): a view that froze shows a clock that stopped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
import time
import urllib.request

from playwright.async_api import Page
import pytest
import pytest_socket

from tests.e2e import go2rtc as go2rtc_server, provision

from .clock import Reading, look
from .stack import running_stack
from .ui import Seen, Stack, more_info, no_errors_of_ours, wait_for_text

DIALOG = "ha-more-info-dialog"
# Short-lived URLs: the view must outlive a few of them. (Longer than the 30 s
# Home Assistant gives an unwatched stream output: its own stream, which the
# frontend starts beside WebRTC, ends between two renewals.)
URL_TTL = 40
# The frontend starts Home Assistant's own (HLS) stream beside WebRTC when a dialog
# opens, and keeps the one that has video; Home Assistant ends the other's output
# 30 s after its last request (stream's OUTPUT_IDLE_TIMEOUT), and its URL is renewed
# no more 10 s later (live.source.WANTED_FOR).
HLS_GONE_AFTER = 30 + 10 + 5
# A WebRTC session needs a few seconds to connect on a busy machine.
FIRST_FRAME_WITHIN = 60.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """This module's Home Assistant: live view through go2rtc (overrides conftest's)."""
    # Set up before the first test's own `socket_enabled`, like conftest's stack.
    pytest_socket.enable_socket()
    if (program := go2rtc_server.binary()) is None:
        if go2rtc_server.required():
            pytest.fail(go2rtc_server.MISSING)
        pytest.skip(go2rtc_server.MISSING)
    with running_stack(
        tmp_path_factory.mktemp("webrtc"), go2rtc=program, url_ttl=URL_TTL
    ) as started:
        yield started


async def _first_frame(page: Page) -> Reading:
    """The dialog's first readable picture, over WebRTC."""
    deadline = time.monotonic() + FIRST_FRAME_WITHIN
    while True:
        reading = await look(page, DIALOG)
        if reading is not None and reading.shown is not None:
            assert reading.webrtc, "the dialog does not play over WebRTC"
            return reading
        assert time.monotonic() < deadline, f"no picture over WebRTC: {reading}"
        await page.wait_for_timeout(250)


async def test_the_view_stays_live_across_url_expiry(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    """Open across two URL expiries and a revocation of every URL: it never freezes.

    Each look, five seconds apart, shows a later second of the burned-in clock
    than the one before, and more decoded frames.
    """
    page = await open_page("/config/integrations/integration/volcengine_slow_live")
    await wait_for_text(page, "Volcengine Slow Live")
    await more_info(page, "camera.garden")
    last = await _first_frame(page)
    began = time.monotonic()
    revoked = False
    while time.monotonic() - began < 2 * URL_TTL + 5:
        await page.wait_for_timeout(5000)
        if not revoked and time.monotonic() - began > 1.25 * URL_TTL:
            with_entry.emulator_api(
                "POST", "/_emulator/faults", {"kind": "expire_urls"}
            )
            revoked = True
        reading = await look(page, DIALOG)
        assert reading is not None
        assert reading.webrtc
        assert reading.shown is not None, "the picture is unreadable"
        assert last.shown is not None
        assert reading.shown > last.shown, (last, reading)
        assert reading.frames > last.frames, (last, reading)
        last = reading
    # The view is about as live as the picture: it trails by the CDN's segments.
    assert last.behind is not None
    assert last.behind < 15, last
    no_errors_of_ours(seen, with_entry)


async def test_an_on_demand_camera_is_invited_only_while_watched(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    """Barn: no StartStream at start-up (go2rtc asked which cameras it can play);
    one when its dialog opens; nothing renewed or invited once it has closed and
    the streams behind it have ended."""
    assert with_entry.emulator_count("StartStream") == 0
    page = await open_page("/config/integrations/integration/volcengine_slow_live")
    await wait_for_text(page, "Volcengine Slow Live")
    await more_info(page, "camera.barn")
    await _first_frame(page)
    assert with_entry.emulator_count("StartStream") == 1
    await page.keyboard.press("Escape")
    await page.wait_for_timeout(HLS_GONE_AFTER * 1000)
    reads = with_entry.emulator_count("GetStream")
    await page.wait_for_timeout(URL_TTL * 1000)
    # Closed: go2rtc stopped reading, Home Assistant's stream has ended, and the
    # URLs that expired meanwhile were not renewed.
    assert with_entry.emulator_count("StartStream") == 1
    assert with_entry.emulator_count("GetStream") == reads
    no_errors_of_ours(seen, with_entry)


def test_a_still_comes_from_go2rtc(with_entry: Stack) -> None:
    """No screenshot to show: the camera's picture is go2rtc's JPEG of its stream."""
    assert with_entry.go2rtc is not None
    before = set(provision.request("GET", f"{with_entry.go2rtc}/api/streams"))
    rule = with_entry.emulator_api(
        "POST",
        "/_emulator/faults",
        {
            "kind": "http_error",
            "status": 404,
            "code": "NotFound.Stream",
            "action": "ListStreamScreenshots",
        },
    )
    try:
        request = urllib.request.Request(  # noqa: S310  # the local stack
            f"{with_entry.base}/api/camera_proxy/camera.garage",
            headers={"Authorization": f"Bearer {with_entry.token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            assert response.headers["Content-Type"] == "image/jpeg"
            assert response.read().startswith(b"\xff\xd8")
    finally:
        with_entry.emulator_api("DELETE", f"/_emulator/faults/{rule['id']}")
    # go2rtc was handed Garage's relay to take it: a stream it did not have before.
    after = set(provision.request("GET", f"{with_entry.go2rtc}/api/streams"))
    new = after - before
    assert len(new) == 1, (before, after)
    assert next(iter(new)).startswith("volcengine_slow_live_")
