"""Live view that never dies: Home Assistant's real stream worker against the emulator.

Each test opens a camera's live view as the frontend does (`camera/stream`: the
stream is created or restarted, an HLS output added), checks that segments are
decoded, breaks what the cloud serves in one of the ways it does, and measures how
long until segments arrive again, on the same playlist URL the player already has.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import time
from typing import Any

from homeassistant.components.camera import async_request_stream
from homeassistant.components.stream import Stream
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from emulator import Emulator, FaultRule

from .common import camera_entity, setup_integration, stream_titled

# Segments arrive again within this long after the cloud serves the stream again
# (the player then shows frames after its own buffering of one segment or two).
BOUND = 12.0
# A stream whose worker does not fail (every request refused, the reader keeps
# asking) is noticed after three segments without a new one (6 s) and switched.
STALLED = 6.0 + BOUND
# The emulator drops an on-demand stream nobody pulled for this long (the cloud:
# about 5 minutes).
INVITE_TIMEOUT = 5.0

pytestmark = pytest.mark.parametrize("expected_lingering_timers", [True])


@pytest.fixture
async def stream_component(hass: HomeAssistant) -> AsyncIterator[None]:
    """Home Assistant's stream integration; every stream stopped at the end."""
    assert await async_setup_component(hass, "stream", {})
    yield
    for camera in hass.data["camera"].entities:
        if camera.stream is not None:
            await camera.stream.stop()


def _camera(hass: HomeAssistant, entity_id: str) -> Any:
    return hass.data["camera"].get_entity(entity_id)


class Viewer:
    """A live view as the frontend holds it: one playlist URL, asked again and again."""

    def __init__(self, hass: HomeAssistant, client: Any, entity_id: str) -> None:
        self.hass = hass
        self.client = client
        self.entity_id = entity_id
        self.url = ""

    async def open(self) -> None:
        """`camera/stream`, then the master playlist (what starts the output)."""
        self.url = await async_request_stream(self.hass, self.entity_id, "hls")
        response = await self.client.get(self.url)
        assert response.status == 200, response.status

    async def watch(self) -> None:
        """Open the live view and see its first segments."""
        await self.open()
        await self.segments_within(BOUND)

    @property
    def camera(self) -> Any:
        """The camera entity."""
        return _camera(self.hass, self.entity_id)

    @property
    def stream(self) -> Stream:
        stream = _camera(self.hass, self.entity_id).stream
        assert stream is not None
        return stream

    async def segments_within(self, seconds: float) -> float:
        """Seconds until a new segment is decoded and the player's playlist lists it."""
        started = time.monotonic()
        first = self.stream.outputs().get("hls")
        before = first.last_sequence if first else -1
        while True:
            output = self.stream.outputs().get("hls")
            fresh = output is not None and (
                output is not first or output.last_sequence > before
            )
            if fresh and output is not None and output.last_sequence >= 0:
                # The same URL the player has: the stream kept its token.
                media = self.url.replace("master_playlist", "playlist")
                response = await self.client.get(media)
                if response.status == 200 and "#EXTINF" in await response.text():
                    return time.monotonic() - started
            elapsed = time.monotonic() - started
            assert elapsed < seconds, f"no new segment within {seconds} s"
            await asyncio.sleep(0.2)

    async def leave(self) -> None:
        """Nobody watches any more: what the stream's idle timer does."""
        for provider in list(self.stream.outputs().values()):
            await self.stream.remove_provider(provider)


@pytest.fixture
async def viewer(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    setup_entry: MockConfigEntry,
    stream_component: None,
) -> Any:
    """Make a viewer of a demo camera by its title."""
    client = await hass_client_no_auth()

    def make(emulator: Emulator, title: str) -> Viewer:
        return Viewer(hass, client, camera_entity(hass, emulator, title))

    return make


async def test_on_demand_camera_after_idle(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    """Barn pulls on demand: after nobody watched past the invite, it plays again."""
    emulator.fleet.on_demand_idle = INVITE_TIMEOUT
    barn = stream_titled(emulator, "Barn")
    view = viewer(emulator, "Barn")
    await view.watch()
    await view.leave()
    await asyncio.sleep(INVITE_TIMEOUT + 1)
    assert emulator.fleet.stream_status(barn, emulator.now()) != "online"
    starts = emulator.count("StartStream")

    await view.open()
    assert await view.segments_within(BOUND) < BOUND
    assert emulator.count("StartStream") == starts + 1  # invited again


async def test_the_still_of_an_on_demand_camera_after_idle(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    emulator.fleet.on_demand_idle = INVITE_TIMEOUT
    view = viewer(emulator, "Barn")
    await view.watch()
    await view.leave()
    await asyncio.sleep(INVITE_TIMEOUT + 1)
    client = view.client
    response = await client.get(
        f"/api/camera_proxy/{view.entity_id}",
        headers={"Authorization": f"Bearer {await _token(hass)}"},
    )
    assert response.status == 200
    assert (await response.read()).startswith(b"\xff\xd8")


async def _token(hass: HomeAssistant) -> str:
    user = await hass.auth.async_create_user("viewer")
    refresh = await hass.auth.async_create_refresh_token(user, "http://localhost/")
    return hass.auth.async_create_access_token(refresh)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "expire_urls"}, id="url-expired-early"),
        pytest.param({"kind": "cdn_error", "times": 6}, id="404-burst"),
        pytest.param({"kind": "cdn_error", "status": 403, "times": 6}, id="403-burst"),
    ],
)
async def test_recovers_from_cdn_faults(
    hass: HomeAssistant, emulator: Emulator, viewer: Any, fault: dict[str, Any]
) -> None:
    view = viewer(emulator, "Front Gate")
    await view.watch()
    output = view.stream.outputs()["hls"]
    emulator.faults.add(FaultRule(**fault))
    # Segments stop: once those already read are through (the reader keeps a few
    # seconds ahead), the worker fails or stalls, and the stream must recover.
    sequence = await _last_before_stopping(view, output)
    took = await view.segments_within(STALLED)
    assert took < STALLED, (sequence, took)


async def _last_before_stopping(view: Viewer, output: Any) -> int:
    """The last segment decoded before segments stopped coming (2 s without one)."""
    last, since = output.last_sequence, time.monotonic()
    while time.monotonic() - since < 2.5:
        if view.stream.outputs().get("hls") is not output:
            break  # already restarted
        if output.last_sequence != last:
            last, since = output.last_sequence, time.monotonic()
        await asyncio.sleep(0.1)
    return int(last)


async def _until_unavailable(view: Viewer, within: float = 30.0) -> None:
    """Wait for the worker to notice (it reads a few seconds ahead)."""
    deadline = time.monotonic() + within
    while view.stream.available:
        assert time.monotonic() < deadline, "the stream never failed"
        await asyncio.sleep(0.1)


# The stream's worker retries after 10 s, then 20 s, 30 s...: an outage this long
# puts it into its 20 s wait, so that without the integration's restart a viewer
# would wait up to 20 s more.
OUTAGE = 14.0


async def test_recovers_after_the_cloud_restarts(
    hass: HomeAssistant, emulator: Emulator, viewer: Any, setup_entry: MockConfigEntry
) -> None:
    view = viewer(emulator, "Front Gate")
    await view.watch()
    await emulator.stop()
    await _until_unavailable(view)
    await asyncio.sleep(OUTAGE)
    await emulator.start()
    # The next poll finds the cloud back.
    await setup_entry.runtime_data.coordinator.async_refresh()
    assert await view.segments_within(BOUND) < BOUND


async def test_offline_then_online(
    hass: HomeAssistant,
    emulator: Emulator,
    viewer: Any,
    setup_entry: MockConfigEntry,
) -> None:
    """Offline: unavailable, no tight retry loop; back online: playing within the bound."""
    front = stream_titled(emulator, "Front Gate")
    view = viewer(emulator, "Front Gate")
    await view.watch()
    coordinator = setup_entry.runtime_data.coordinator

    emulator.fleet.set_stream_status(front.stream_id, "offline")
    await _until_unavailable(view)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(view.entity_id).state == "unavailable"
    gets = emulator.count("GetStream")
    await asyncio.sleep(OUTAGE)
    # Each failed try of the worker costs at most one GetStream, and they back off.
    assert emulator.count("GetStream") - gets <= 3

    emulator.fleet.set_stream_status(front.stream_id, None)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(view.entity_id).state == "streaming"
    assert await view.segments_within(BOUND) < BOUND
    assert setup_entry.state is ConfigEntryState.LOADED


# -- the guard's other paths, on the same real stream -----------------------------


async def test_a_renewed_url_reaches_the_stream(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    """Stopped: the next start takes it. Running: the worker switches at once."""
    view = viewer(emulator, "Front Gate")
    camera = view.camera
    stream = await camera.async_create_stream()
    assert not stream.outputs()
    camera._url_renewed(stream.source + "&renewed=1")
    assert stream.source.endswith("&renewed=1")
    assert not stream.get_diagnostics().get("update_source")

    await view.watch()
    camera._url_renewed(stream.source.replace("&renewed=1", ""))
    await camera._guard._task
    assert not stream.source.endswith("&renewed=1")
    assert not stream.get_diagnostics().get("update_source")
    assert await view.segments_within(BOUND) < BOUND


async def test_a_restart_keeps_the_stream_watched(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    """A switch to a renewed URL removes the outputs for a moment: a watch that
    looked then (a loaded machine) ended, and with it the renewals and the stall
    check, while the players were back a moment later. One is watching afterwards."""
    view = viewer(emulator, "Front Gate")
    await view.watch()
    guard = view.camera._guard
    stream = view.stream
    # The watch ended while the outputs were away (as it does when it looks then).
    assert guard._watch is not None
    guard._watch.cancel()
    await asyncio.sleep(0)
    view.camera._url_renewed(stream.source + "&renewed=1")
    await guard._task
    assert stream.outputs()
    assert guard._watch is not None
    assert not guard._watch.done()
    # And it keeps the URL wanted: renewals go on.
    wanted = view.camera._live._wanted_until
    await asyncio.sleep(2.5)
    assert view.camera._live._wanted_until > wanted
    assert await view.segments_within(BOUND) < BOUND


async def test_a_stop_right_after_a_renewal_stops(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    """The stream's idle timeout (or Home Assistant stopping) just after a renewal:
    the worker ends. With `update_source()` it would clear the stop and run on."""
    view = viewer(emulator, "Front Gate")
    await view.watch()
    stream = view.stream
    view.camera._url_renewed(stream.source + "&renewed=1")
    async with asyncio.timeout(15):
        await stream.stop()
        if (task := view.camera._guard._task) is not None:
            await task
        await stream.stop()
    assert stream._thread is None or not stream._thread.is_alive()


async def test_no_restart_cuts_a_recording_or_a_kept_alive_stream(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    view = viewer(emulator, "Front Gate")
    camera = view.camera
    await view.open()
    stream = view.stream
    stream.dynamic_stream_settings.preload_stream = True
    output = stream.outputs()["hls"]
    await camera._guard._async_restart(stream, stream.source + "&next=1")
    assert stream.outputs()["hls"] is output  # not stopped
    assert stream.source.endswith("&next=1")  # the worker's next try takes it
    stream.dynamic_stream_settings.preload_stream = False


async def test_a_stall_without_a_playing_url_changes_nothing(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    view = viewer(emulator, "Front Gate")
    camera = view.camera
    await view.watch()
    source = view.stream.source
    emulator.faults.add(FaultRule(kind="cdn_error"))  # every live request: 404
    emulator.faults.add(FaultRule(kind="http_error", status=500, action="GetStream"))
    await camera._guard._async_unstall(view.stream)
    assert view.stream.source == source
    assert view.stream.get_diagnostics().get("update_source") is None


async def test_a_removed_camera_stops_watching(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    view = viewer(emulator, "Front Gate")
    camera = view.camera
    await view.open()
    guard = camera._guard
    watch = guard._watch
    guard.async_stop()
    await asyncio.sleep(0)
    assert watch.cancelled() or watch.done()
    # Nothing to restart any more.
    guard.channel_online()
    guard.url_renewed("http://127.0.0.1:1/none.m3u8")
    assert guard._task is None


async def test_the_guards_edges(
    hass: HomeAssistant, emulator: Emulator, viewer: Any
) -> None:
    """Running: nothing to check before a start; stalled on a revoked token: the
    running worker switches; restarts of an unwatched or healthy stream do nothing."""
    view = viewer(emulator, "Front Gate")
    camera = view.camera
    guard = camera._guard
    await view.watch()
    gets = emulator.count("GetStream")
    assert await camera.async_create_stream() is view.stream  # no check: it runs
    assert emulator.count("GetStream") == gets

    # A stall on a token revoked early: a fresh URL for the running worker.
    emulator.faults.add(FaultRule(kind="expire_urls"))
    source = view.stream.source
    await guard._async_unstall(view.stream)
    assert view.stream.source != source
    assert await view.segments_within(BOUND) < BOUND

    # Healthy: a restart asked for finds nothing to do.
    restarts = emulator.count("GetStream")
    guard._recover()
    assert guard._task is not None
    await guard._task
    assert emulator.count("GetStream") == restarts

    # Nobody watching any more: a restart only sets the next start's source.
    await view.leave()
    await guard._async_restart(view.stream, view.stream.source + "&idle=1")
    assert not view.stream.outputs()
    assert view.stream.source.endswith("&idle=1")

    # Stopped, and the cloud has nothing to play: no stream to hand out.
    emulator.faults.add(FaultRule(kind="cdn_error"))
    emulator.faults.add(FaultRule(kind="http_error", status=500, action="GetStream"))
    assert await camera.async_create_stream() is None

    guard.async_stop()
    guard._stream_changed()  # a late report after the camera went away


# -- an hour's worth of what breaks a live view, in a minute ------------------------

# Pull URLs valid this long, re-signed on every FreshExpiredPull: the integration
# renews each one 60 s before it expires, i.e. every 15 s, and hands the new URL to
# the running worker.
SOAK_URL_TTL = 75
SOAK_CYCLES = 4
WATCH = 8.0


async def test_soak_renewals_lapses_and_bursts(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
    stream_component: None,
) -> None:
    """Front Gate watched throughout while its URL is renewed every 15 s and the CDN
    refuses a few requests now and then; Barn opened, left past its invite and opened
    again, over and over. No gap between two new segments of Front Gate reaches the
    bound, Barn plays within the bound every time, and the cloud is asked only what
    each event needs."""
    emulator.links.url_ttl = SOAK_URL_TTL
    emulator.links.refresh_fraction = 1.0
    emulator.fleet.on_demand_idle = INVITE_TIMEOUT
    await setup_integration(hass, emulator)
    client = await hass_client_no_auth()
    front = Viewer(hass, client, camera_entity(hass, emulator, "Front Gate"))
    barn = Viewer(hass, client, camera_entity(hass, emulator, "Barn"))
    await front.watch()

    gaps: list[float] = []
    done = asyncio.Event()

    async def monitor() -> None:
        """The longest time Front Gate's viewer went without a new segment."""
        last, since = (None, -1), time.monotonic()
        while not done.is_set():
            output = front.stream.outputs().get("hls")
            now = (id(output), output.last_sequence if output else -1)
            if now != last:
                gaps.append(time.monotonic() - since)
                last, since = now, time.monotonic()
            await asyncio.sleep(0.1)
        gaps.append(time.monotonic() - since)

    watching = hass.async_create_background_task(monitor(), "soak monitor")
    renewals = emulator.count("GetStream")
    invites = emulator.count("StartStream")
    barn_took: list[float] = []
    try:
        for cycle in range(SOAK_CYCLES):
            await barn.open()
            barn_took.append(await barn.segments_within(BOUND))
            if cycle % 2:
                # A short burst of refused requests on the CDN (any stream).
                emulator.faults.add(FaultRule(kind="cdn_error", times=2))
            await asyncio.sleep(WATCH)
            await barn.leave()
            await asyncio.sleep(INVITE_TIMEOUT + 1)  # the invite lapses
    finally:
        done.set()
        await watching
    took = SOAK_CYCLES * (WATCH + INVITE_TIMEOUT + 1)

    assert max(gaps) < BOUND, sorted(gaps)[-5:]
    assert max(barn_took) < BOUND, barn_took
    # Front Gate's URL was renewed every 15 s or so (GetStream with FreshExpiredPull).
    assert emulator.count("GetStream") - renewals >= took // 15 - 1
    # Barn was invited again after every lapse, and only then.
    assert emulator.count("StartStream") - invites == SOAK_CYCLES
    # Renewals and restarts cost a handful of GetStream calls, not a loop.
    assert emulator.count("GetStream") - renewals < took / 2
