"""Live view through a real go2rtc, driven by Home Assistant's go2rtc integration.

Home Assistant OS and the container image play camera live view through go2rtc.
These tests run the go2rtc binary found on PATH (scripts/test reports loudly when
there is none; `.ci/run` makes one available and fails instead of skipping, through
SLOW_LIVE_REQUIRE_GO2RTC) with the modules Home Assistant's managed go2rtc enables,
plus `mp4`, whose stream consumer stands in for a WebRTC viewer here (the browser
tests watch WebRTC itself). go2rtc reads the cameras' relays through Home
Assistant's HTTP server, as it does in a real installation.
"""

from __future__ import annotations

from collections.abc import Iterator
import itertools
from pathlib import Path
import time
from typing import Any

import aiohttp
from homeassistant.components.camera import (
    async_get_image,
    async_get_stream_source,
)
from homeassistant.components.go2rtc.util import get_camera_identifier
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.volcengine_slow_live.const import CONF_LIVE_PROTOCOL, DOMAIN
from custom_components.volcengine_slow_live.live.stills import StillCache
from emulator import Emulator, FaultRule, Fleet

from .common import camera_entity, no_screenshots, setup_integration
from .conftest import EmulatorFactory
from .e2e import go2rtc as go2rtc_server


@pytest.fixture
def go2rtc_binary() -> str:
    """go2rtc on PATH; a loud skip without it, a failure where it is required."""
    if (program := go2rtc_server.binary()) is None:
        if go2rtc_server.required():
            pytest.fail(go2rtc_server.MISSING)
        pytest.skip(go2rtc_server.MISSING)
    return program


@pytest.fixture
def go2rtc(go2rtc_binary: str, tmp_path: Path, socket_enabled: None) -> Iterator[str]:
    """A go2rtc server (its API URL), configured as Home Assistant configures one."""
    with go2rtc_server.running(go2rtc_binary, tmp_path) as url:
        yield url


@pytest.fixture
async def served(
    hass: HomeAssistant, go2rtc: str, hass_client_no_auth: ClientSessionGenerator
) -> str:
    """Home Assistant with the go2rtc integration using `go2rtc` (its URL)."""
    await _serve(hass, go2rtc, hass_client_no_auth)
    return go2rtc


async def _serve(
    hass: HomeAssistant, go2rtc: str, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Home Assistant uses that go2rtc, and listens where go2rtc reaches it.

    Every view is registered before Home Assistant's server starts (the relays'
    with the integration's set-up, before any entry).
    """
    assert await async_setup_component(hass, "go2rtc", {"go2rtc": {"url": go2rtc}})
    for domain in (DOMAIN, "image"):  # the platforms' components that serve views
        assert await async_setup_component(hass, domain, {})
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    hass.config.internal_url = f"http://127.0.0.1:{client.server.port}"


def _camera(hass: HomeAssistant, entity_id: str) -> Any:
    return hass.data["camera"].get_entity(entity_id)


async def _consume(
    go2rtc: str, camera: Any, seconds: float, during: Any = None
) -> list[float]:
    """Read go2rtc's MP4 stream of the camera; the arrival time of each chunk."""
    arrivals: list[float] = []
    began = time.monotonic()
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{go2rtc}/api/stream.mp4",
            params={"src": get_camera_identifier(camera)},
            timeout=aiohttp.ClientTimeout(total=seconds + 30),
        ) as response,
    ):
        assert response.status == 200
        async for _chunk in response.content.iter_any():
            now = time.monotonic() - began
            arrivals.append(now)
            if during is not None:
                during = await during(now)
            if now > seconds:
                break
    return arrivals


def _gaps(arrivals: list[float]) -> float:
    return max(b - a for a, b in itertools.pairwise(arrivals))


async def test_webrtc_is_offered_and_nobody_is_invited(
    hass: HomeAssistant,
    emulator: Emulator,
    served: str,
) -> None:
    """Asking which cameras go2rtc can play starts nothing, on-demand Barn included."""
    await setup_integration(hass, emulator)
    for title in ("Front Gate", "Barn"):
        camera = _camera(hass, camera_entity(hass, emulator, title))
        assert camera.webrtc_provider is not None, title
        assert camera.webrtc_provider.domain == "go2rtc"
    assert emulator.count("StartStream") == 0
    assert emulator.count("GetStream") == 0
    assert emulator.cdn_count("live_m3u8") == 0


async def test_live_view_plays_on_across_url_expiry(
    hass: HomeAssistant,
    emulator_factory: EmulatorFactory,
    served: str,
) -> None:
    """URLs valid 15 s, and all of them revoked once: go2rtc's stream never stops.

    Before the relay, go2rtc kept the signed URL it was handed and stopped at its
    expiry, retrying it (403) for good.
    """
    emulator = await emulator_factory(fleet=Fleet.demo(outages=False), url_ttl=15)
    await setup_integration(hass, emulator)
    entity_id = camera_entity(hass, emulator, "Garden")
    camera = _camera(hass, entity_id)
    # A still through go2rtc hands it the camera's source, as a WebRTC offer does.
    image = await camera.webrtc_provider.async_get_image(camera)
    assert image is not None
    assert image.startswith(b"\xff\xd8")
    expired = False

    async def revoke_once(now: float) -> Any:
        nonlocal expired
        if now > 20 and not expired:
            emulator.faults.add(FaultRule(kind="expire_urls"))
            expired = True
        return revoke_once

    before = emulator.count("GetStream")
    arrivals = await _consume(served, camera, 40, revoke_once)
    assert arrivals[-1] > 40
    assert _gaps(arrivals) < 6, arrivals
    # Renewed on the relay's reads: at each expiry and after the revocation.
    assert emulator.count("GetStream") >= before + 3
    assert emulator.count("StartStream") == 0


async def test_live_view_recovers_from_a_cdn_error_burst(
    hass: HomeAssistant, emulator: Emulator, served: str
) -> None:
    """The CDN fails a few requests in a row: go2rtc reads the relay again and plays on."""
    await setup_integration(hass, emulator)
    entity_id = camera_entity(hass, emulator, "Front Gate")
    camera = _camera(hass, entity_id)
    assert await camera.webrtc_provider.async_get_image(camera) is not None
    rule = FaultRule(
        kind="cdn_error",
        action="live",
        status=502,
        times=4,
        match={"StreamID": camera.channel.key},
    )

    async def fail_a_while(now: float) -> Any:
        if now > 6 and not rule.hits and rule not in emulator.faults.rules:
            emulator.faults.add(rule)
        return fail_a_while

    arrivals = await _consume(served, camera, 25, fail_a_while)
    assert rule.hits == 4
    assert arrivals[-1] > 25
    assert _gaps(arrivals) < 15, arrivals


async def test_an_on_demand_camera_is_invited_only_while_watched(
    hass: HomeAssistant,
    emulator: Emulator,
    served: str,
) -> None:
    """Barn: one StartStream when go2rtc first reads it; none once nobody watches."""
    await setup_integration(hass, emulator)
    entity_id = camera_entity(hass, emulator, "Barn")
    camera = _camera(hass, entity_id)
    assert emulator.count("StartStream") == 0
    assert await camera.webrtc_provider.async_get_image(camera) is not None
    arrivals = await _consume(served, camera, 6)
    assert arrivals[-1] > 6
    assert emulator.count("StartStream") == 1
    # go2rtc stops pulling once its last consumer has gone.
    await hass.async_add_executor_job(time.sleep, 3)
    reads = emulator.cdn_count("live_m3u8")
    await hass.async_add_executor_job(time.sleep, 4)
    assert emulator.cdn_count("live_m3u8") == reads
    assert emulator.count("StartStream") == 1


async def test_stills_come_from_go2rtc(
    hass: HomeAssistant,
    emulator: Emulator,
    served: str,
) -> None:
    """No screenshot to show: go2rtc's picture, not Home Assistant's own stream."""
    await setup_integration(hass, emulator)
    no_screenshots(emulator)
    entity_id = camera_entity(hass, emulator, "Garage")
    image = await async_get_image(hass, entity_id, timeout=30)
    assert image.content.startswith(b"\xff\xd8")
    assert _camera(hass, entity_id).stream is None


async def test_a_still_go2rtc_cannot_take_comes_from_elsewhere(
    hass: HomeAssistant,
    emulator: Emulator,
    go2rtc_binary: str,
    tmp_path: Path,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """go2rtc has no picture, or is gone: its answer or error does not escape."""
    no_screenshots(emulator)
    with go2rtc_server.running(go2rtc_binary, tmp_path) as url:
        await _serve(hass, url, hass_client_no_auth)
        await setup_integration(hass, emulator)
        camera = _camera(hass, camera_entity(hass, emulator, "Back Door"))
        emulator.faults.add(
            FaultRule(
                kind="cdn_error", action="live", match={"StreamID": camera.channel.key}
            )
        )
        # Nothing to play: go2rtc answers without a picture; nor has HA's stream.
        assert await camera.async_camera_image() is None
        assert "back_door: go2rtc had no picture" in caplog.text
    camera._stills = StillCache(camera._stills.ttl)  # ask again at once
    # go2rtc stopped: its client's error is logged, and the still is None.
    assert await camera.async_camera_image() is None
    assert "back_door: no still from go2rtc: Go2RtcClientError" in caplog.text


async def test_webrtc_is_offered_once_a_failed_source_works(
    hass: HomeAssistant,
    emulator: Emulator,
    served: str,
) -> None:
    """RTMP (no relay): a source that failed when go2rtc asked is asked again."""
    rules = [
        emulator.faults.add(
            FaultRule(kind="missing_fields", action=action, fields=["PullUrls"])
        )
        for action in ("ListStreams", "GetStream")
    ]
    entry = await setup_integration(
        hass, emulator, options={CONF_LIVE_PROTOCOL: "rtmp"}
    )
    entity_id = camera_entity(hass, emulator, "Garden")
    camera = _camera(hass, entity_id)
    assert camera.webrtc_provider is None
    for rule in rules:
        emulator.faults.remove(rule)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert (await async_get_stream_source(hass, entity_id) or "").startswith("rtmp://")
    await hass.async_block_till_done()
    assert camera.webrtc_provider is not None
