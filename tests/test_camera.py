"""Cameras: live URLs (renewed before expiry), on-demand start, stills from cache."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.camera import (
    async_get_image,
    async_get_stream_source,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.volcengine_slow_live.const import (
    CONF_LIVE_PROTOCOL,
    CONF_STILL_TTL,
    DOMAIN,
)
from custom_components.volcengine_slow_live.coordinator import TOLERATED_FAILURES
from emulator import Emulator, FaultRule, Fleet

from .common import (
    enable_sub_stream,
    entry_data,
    fail_refreshes,
    live_url,
    no_screenshots,
    setup_integration,
    stream_titled,
)
from .conftest import EmulatorFactory


def _entity_id(hass: HomeAssistant, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("camera", DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


def _camera(hass: HomeAssistant, entity_id: str):  # type: ignore[no-untyped-def]
    return hass.data["camera"].get_entity(entity_id)


async def _fetch(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        await response.read()
        return response.status


async def test_stream_source_is_the_relay_and_asks_nothing(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Asked which source a camera has, it answers without a cloud or CDN request."""
    before = len(emulator.requests()), emulator.cdn_count("live_m3u8")
    for title in ("Front Gate", "Barn"):
        entity_id = _entity_id(hass, stream_titled(emulator, title).stream_id)
        url = await async_get_stream_source(hass, entity_id)
        assert url is not None
        assert url.startswith("http://10.10.10.10:8123/api/volcengine_slow_live/live/")
        assert ".m3u8?token=" in url
        assert "volcTime" not in url
        assert await async_get_stream_source(hass, entity_id) == url
    assert (len(emulator.requests()), emulator.cdn_count("live_m3u8")) == before


async def test_live_url_is_a_working_hls_url(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    entity_id = _entity_id(hass, stream_titled(emulator, "Front Gate").stream_id)
    url = await live_url(hass, entity_id)
    assert url is not None
    assert ".m3u8?" in url
    assert "volcTime=" in url
    assert await _fetch(url) == 200
    state = hass.states.get(entity_id)
    assert state.state == "streaming"
    for value in state.attributes.values():
        assert "volcSecret" not in str(value)
        assert emulator.base_url not in str(value)


async def test_live_view_plays_through_a_short_outage(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """The cloud's API fails, its CDN still serves: live view goes on.

    While failed refreshes are ridden out the camera stays available and offers its
    live view, on the URL of the last listing (proven to play); once the cloud
    counts as down, the camera is unavailable.
    """
    entity_id = _entity_id(hass, stream_titled(emulator, "Front Gate").stream_id)
    coordinator = setup_entry.runtime_data.coordinator
    emulator.faults.add(FaultRule(kind="malformed_json"))  # every action
    await fail_refreshes(coordinator, TOLERATED_FAILURES)
    assert hass.states.get(entity_id).state == "streaming"  # type: ignore[union-attr]
    assert await async_get_stream_source(hass, entity_id) is not None
    asked = emulator.count("GetStream")
    url = await live_url(hass, entity_id)
    assert url is not None
    assert await _fetch(url) == 200
    assert emulator.count("GetStream") == asked  # the cloud's API was not needed
    await fail_refreshes(coordinator, 1)
    assert hass.states.get(entity_id).state == "unavailable"  # type: ignore[union-attr]


async def test_flv_option(hass: HomeAssistant, emulator: Emulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=emulator.access_key,
        data=entry_data(emulator),
        options={CONF_LIVE_PROTOCOL: "flv"},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, stream_titled(emulator, "Garden").stream_id)
    url = await async_get_stream_source(hass, entity_id)
    assert url is not None
    assert ".flv?" in url


async def test_offline_channel_has_no_source(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Offline: unavailable, no stream; its picture says offline (never an error)."""
    entity_id = _entity_id(hass, stream_titled(emulator, "Attic").stream_id)
    assert hass.states.get(entity_id).state == "unavailable"
    assert await async_get_stream_source(hass, entity_id) is None
    client = await hass_client()
    for _ in range(2):  # made once
        response = await client.get(f"/api/camera_proxy/{entity_id}")
        assert response.status == 200
        assert response.content_type == "image/jpeg"
        assert (await response.read()).startswith(b"\xff\xd8")


async def test_on_demand_stream_is_started_first(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    barn = stream_titled(emulator, "Barn")
    entity_id = _entity_id(hass, barn.stream_id)
    before = emulator.count("StartStream")
    url = await live_url(hass, entity_id)
    assert url is not None
    assert emulator.count("StartStream") == before + 1
    assert await _fetch(url) == 200


async def test_url_is_renewed_before_expiry_and_stream_updated(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await async_setup_component(hass, "stream", {})
    entity_id = _entity_id(hass, stream_titled(emulator, "Garage").stream_id)
    camera = _camera(hass, entity_id)
    stream = await camera.async_create_stream()
    first = stream.source
    expires = camera._live.expires_at
    assert expires is not None
    before = emulator.count("GetStream")

    freezer.move_to(expires - timedelta(seconds=59))
    camera._live.keep_alive()  # as the guard does every second while it is watched
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert emulator.count("GetStream") == before + 1
    assert stream.source != first
    assert camera._live.expires_at > expires
    assert await _fetch(stream.source) == 200
    await stream.stop()


async def test_renewal_failure_retries(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    entity_id = _entity_id(hass, stream_titled(emulator, "Back Door").stream_id)
    camera = _camera(hass, entity_id)
    await live_url(hass, entity_id)
    expires = camera._live.expires_at
    # Not a retried error: under the freezer a backoff sleep would never end.
    rule = emulator.faults.add(
        FaultRule(
            kind="http_error", status=404, code="NotFound.Stream", action="GetStream"
        )
    )
    freezer.move_to(expires - timedelta(seconds=59))
    camera._live.keep_alive()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert camera._live.expires_at == expires
    emulator.faults.remove(rule)
    freezer.tick(timedelta(seconds=11))
    camera._live.keep_alive()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert camera._live.expires_at > expires


async def test_stills_are_cached_per_ttl(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    entity_id = _entity_id(hass, stream_titled(emulator, "Front Gate").stream_id)
    before = emulator.count("ListStreamScreenshots")
    images = [await async_get_image(hass, entity_id) for _ in range(100)]
    assert images[0].content.startswith(b"\xff\xd8")
    assert all(image.content == images[0].content for image in images)
    assert emulator.count("ListStreamScreenshots") == before + 1
    freezer.tick(timedelta(seconds=61))
    await async_get_image(hass, entity_id)
    assert emulator.count("ListStreamScreenshots") == before + 2


# The stream component leaves its idle timer to expire on its own.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_still_from_stream_keyframe(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """A channel without screenshots gets its still from the live stream.

    Barn's space takes no screenshots and pulls on demand: the stream is started,
    then a keyframe is decoded from the live HLS.
    """
    assert await async_setup_component(hass, "stream", {})
    entity_id = _entity_id(hass, stream_titled(emulator, "Barn").stream_id)
    camera = _camera(hass, entity_id)
    before = emulator.count("ListStreamScreenshots")
    image = await async_get_image(hass, entity_id, timeout=30)
    assert emulator.count("ListStreamScreenshots") == before
    assert image.content.startswith(b"\xff\xd8")
    await camera.stream.stop()


async def test_offline_channel_still(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """A camera that went offline keeps showing its last still."""
    entity_id = _entity_id(hass, stream_titled(emulator, "Garage").stream_id)
    last = await async_get_image(hass, entity_id)
    emulator.fleet.set_stream_status(
        stream_titled(emulator, "Garage").stream_id, "offline"
    )
    await setup_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == "unavailable"  # type: ignore[union-attr]
    assert (await async_get_image(hass, entity_id)).content == last.content


async def test_sub_stream_camera_is_disabled_by_default(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    front = stream_titled(emulator, "Front Gate")
    sub = registry.async_get_entity_id("camera", DOMAIN, f"{front.stream_id}_sub")
    assert sub is not None
    assert registry.async_get(sub).disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert (
        registry.async_get_entity_id(
            "camera", DOMAIN, f"{stream_titled(emulator, 'Living Room').stream_id}_sub"
        )
        is None
    )


async def test_sub_stream_camera_pulls_index_1(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    front = stream_titled(emulator, "Front Gate")
    sub = await enable_sub_stream(hass, setup_entry, emulator, "Front Gate")
    url = await live_url(hass, sub)
    main = await live_url(hass, _entity_id(hass, front.stream_id))
    assert url is not None
    assert url != main
    last = emulator.requests("GetStream")[-1]
    assert str(last.params.get("StreamingIndex")) == "1"
    assert await _fetch(url) == 200


async def test_still_ttl_option(hass: HomeAssistant, emulator: Emulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=emulator.access_key,
        data=entry_data(emulator),
        options={CONF_STILL_TTL: 600},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, stream_titled(emulator, "Front Gate").stream_id)
    assert _camera(hass, entity_id)._stills.ttl == 600


async def test_live_url_is_reused_until_near_expiry(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """The refresh's URL serves until a minute before expiry; then a fresh one.

    (The clock is not moved: the URL's expiry is brought near, since every URL is
    now also asked of the CDN, which a frozen clock would stall.)
    """
    entity_id = _entity_id(hass, stream_titled(emulator, "Front Gate").stream_id)
    camera = _camera(hass, entity_id)
    before = emulator.count("GetStream")
    first = await live_url(hass, entity_id)
    assert await live_url(hass, entity_id) == first
    assert emulator.count("GetStream") == before
    camera._live.async_stop()
    camera._live._url = replace(
        camera._live._url, expires_at=dt_util.utcnow() + timedelta(seconds=30)
    )
    assert await live_url(hass, entity_id) is not None
    assert emulator.count("GetStream") == before + 1


async def test_failures_give_no_live_url(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    entity_id = _entity_id(hass, stream_titled(emulator, "Barn").stream_id)
    rule = emulator.faults.add(
        FaultRule(
            kind="http_error", status=404, code="NotFound.Stream", action="StartStream"
        )
    )
    assert await live_url(hass, entity_id) is None
    emulator.faults.remove(rule)
    emulator.faults.add(
        FaultRule(kind="missing_fields", action="StartStream", fields=["PullUrls"])
    )
    emulator.faults.add(
        FaultRule(kind="missing_fields", action="GetStream", fields=["PullUrls"])
    )
    assert await live_url(hass, entity_id) is None


async def test_renewal_waits_for_a_cloud_that_resigns_only_expired_urls(
    hass: HomeAssistant,
    emulator_factory: EmulatorFactory,
    freezer: FrozenDateTimeFactory,
) -> None:
    emulator = await emulator_factory(fleet=Fleet.demo(), url_refresh_fraction=0.0)
    await setup_integration(hass, emulator)
    entity_id = _entity_id(hass, stream_titled(emulator, "Garage").stream_id)
    camera = _camera(hass, entity_id)
    first = await live_url(hass, entity_id)
    expires = camera._live.expires_at
    freezer.move_to(expires - timedelta(seconds=59))
    camera._live.keep_alive()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert camera._live.expires_at == expires  # same URL: asked again after expiry
    freezer.move_to(expires + timedelta(seconds=2))
    camera._live.keep_alive()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert camera._live.expires_at > expires
    assert await live_url(hass, entity_id) != first


async def test_still_failures(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """No screenshot list and no stream integration: no still, and a clear error."""
    entity_id = _entity_id(hass, stream_titled(emulator, "Front Gate").stream_id)
    no_screenshots(emulator)
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, entity_id)


async def test_concurrent_viewers_share_one_fetch(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    entity_id = _entity_id(hass, stream_titled(emulator, "Garden").stream_id)
    before = emulator.count("ListStreamScreenshots")
    images = await asyncio.gather(
        *(async_get_image(hass, entity_id) for _ in range(20))
    )
    assert len({image.content for image in images}) == 1
    assert emulator.count("ListStreamScreenshots") == before + 1


async def test_removed_channel_has_no_still(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    stream = stream_titled(emulator, "Garden")
    camera = _camera(hass, _entity_id(hass, stream.stream_id))
    emulator.fleet.remove_stream(stream.stream_id)
    await setup_entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert camera.channel is None
    assert await camera.async_camera_image() is None
    assert await camera.stream_source() is None


async def test_an_unwatched_stream_is_not_renewed(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nobody pulls it any more: no GetStream at the renewal time, nor after."""
    entity_id = _entity_id(hass, stream_titled(emulator, "Garage").stream_id)
    camera = _camera(hass, entity_id)
    first = await live_url(hass, entity_id)
    expires = camera._live.expires_at
    before = emulator.count("GetStream")
    freezer.move_to(expires - timedelta(seconds=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    freezer.move_to(expires + timedelta(minutes=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert emulator.count("GetStream") == before
    assert camera._live._unsub_timer is None
    # Opened again: a fresh URL, and renewals while it is watched.
    assert await live_url(hass, entity_id) not in (None, first)
    assert camera._live._unsub_timer is not None


async def test_a_revoked_listing_url_is_replaced_by_a_fresh_one(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """URLs revoked since the last listing: one fresh URL, not four 403s and None."""
    entity_id = _entity_id(hass, stream_titled(emulator, "Back Door").stream_id)
    emulator.faults.add(FaultRule(kind="expire_urls"))
    before = emulator.count("GetStream"), emulator.cdn_count("live_m3u8", 403)
    url = await live_url(hass, entity_id)
    assert url is not None
    assert await _fetch(url) == 200
    assert emulator.count("GetStream") == before[0] + 1
    assert emulator.cdn_count("live_m3u8", 403) == before[1] + 1
