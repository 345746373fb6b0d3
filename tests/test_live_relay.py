"""The live relay: the stable source go2rtc is handed (see live/relay.py).

Read through Home Assistant's HTTP server as go2rtc would (no session, the relay's
own token), the playlist's segments fetched from the emulator's CDN.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from homeassistant.components.camera import async_get_stream_source
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.volcengine_slow_live.api.redact import redact_text
from custom_components.volcengine_slow_live.const import CONF_LIVE_PROTOCOL, DOMAIN
from custom_components.volcengine_slow_live.live import playlist
from emulator import Emulator, FaultRule

from .common import camera_entity, setup_integration

HLS = "application/vnd.apple.mpegurl"


async def _relay_path(hass: HomeAssistant, entity_id: str) -> str:
    url = await async_get_stream_source(hass, entity_id)
    assert url is not None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _read(client: Any, path: str) -> tuple[int, str, Any]:
    response = await client.get(path, allow_redirects=False)
    return response.status, await response.text(), response.headers


async def _relay_of_failing(
    hass: HomeAssistant, emulator: Emulator, title: str, **cdn_error: Any
) -> str:
    """The relay path of a camera whose CDN answers as `cdn_error` says."""
    entity_id = camera_entity(hass, emulator, title)
    stream_id = hass.data["camera"].get_entity(entity_id).channel.key
    emulator.faults.add(
        FaultRule(
            kind="cdn_error", action="live", match={"StreamID": stream_id}, **cdn_error
        )
    )
    return await _relay_path(hass, entity_id)


def _uris(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


async def test_the_relay_serves_the_current_playlist_with_absolute_uris(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The segments come straight from the CDN; the listing's URL costs no call."""
    client = await hass_client_no_auth()
    path = await _relay_path(hass, camera_entity(hass, emulator, "Front Gate"))
    before = len(emulator.requests())
    status, text, headers = await _read(client, path)
    assert status == 200
    assert headers["Content-Type"].startswith(HLS)
    assert headers["Cache-Control"] == "no-cache"
    assert text.startswith("#EXTM3U\n")
    segments = _uris(text)
    assert segments
    for uri in segments:
        assert uri.startswith(f"{emulator.base_url}/live/")
        assert "volcTime=" in uri
    async with (
        aiohttp.ClientSession() as session,
        session.get(segments[-1]) as response,
    ):
        assert response.status == 200
        assert response.content_type == "video/mp2t"
    assert len(emulator.requests()) == before
    # Read again (as a puller does every segment): the same URL, no call.
    assert (await _read(client, path))[0] == 200
    assert len(emulator.requests()) == before


async def test_the_relay_plays_on_across_expired_urls(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """URLs expired (or revoked) under a running puller: the next read has new ones."""
    client = await hass_client_no_auth()
    path = await _relay_path(hass, camera_entity(hass, emulator, "Garden"))
    first = _uris((await _read(client, path))[1])
    emulator.faults.add(FaultRule(kind="expire_urls"))
    async with aiohttp.ClientSession() as session, session.get(first[-1]) as response:
        assert response.status == 403
    before = emulator.count("GetStream")
    status, text, _ = await _read(client, path)
    assert status == 200
    assert emulator.count("GetStream") == before + 1
    renewed = _uris(text)
    assert renewed[-1].split("?")[1] != first[-1].split("?")[1]
    async with (
        aiohttp.ClientSession() as session,
        session.get(renewed[-1]) as response,
    ):
        assert response.status == 200


async def test_an_on_demand_stream_is_invited_when_read(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Barn pulls on demand: no StartStream until the relay is read."""
    client = await hass_client_no_auth()
    entity_id = camera_entity(hass, emulator, "Barn")
    before = emulator.count("StartStream")
    path = await _relay_path(hass, entity_id)
    await hass.data["camera"].get_entity(entity_id).async_refresh_providers()
    assert emulator.count("StartStream") == before
    status, text, _ = await _read(client, path)
    assert status == 200
    assert _uris(text)
    assert emulator.count("StartStream") == before + 1


async def test_strangers_get_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A wrong token, id or kind, or no token: 404, and nothing is asked of the cloud."""
    client = await hass_client_no_auth()
    path = await _relay_path(hass, camera_entity(hass, emulator, "Front Gate"))
    relay, token = path.split("?token=")
    before = len(emulator.requests()), emulator.cdn_count()
    for wrong in (
        relay,
        f"{relay}?token=",
        f"{relay}?token={token[:-1]}x",
        f"{relay.replace('.m3u8', '.flv')}?token={token}",
        f"/api/{DOMAIN}/live/0123456789abcdef.m3u8?token={token}",
    ):
        assert (await _read(client, wrong))[0] == 404, wrong
    assert (len(emulator.requests()), emulator.cdn_count()) == before
    # A second camera's relay has another id and token.
    other = await _relay_path(hass, camera_entity(hass, emulator, "Garden"))
    assert other.split("?token=")[1] != token


async def test_the_relay_says_try_again_while_nothing_plays(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """CDN and cloud both fail: 503 with Retry-After, and the cloud is left alone."""
    client = await hass_client_no_auth()
    path = await _relay_of_failing(hass, emulator, "Garage")
    emulator.faults.add(
        FaultRule(
            kind="http_error", status=404, code="NotFound.Stream", action="GetStream"
        )
    )
    status, _, headers = await _read(client, path)
    assert status == 503
    assert headers["Retry-After"] == "2"
    calls = emulator.count("GetStream")
    for _ in range(5):  # a puller retrying at once: no call per read
        assert (await _read(client, path))[0] == 503
    assert emulator.count("GetStream") == calls


async def test_a_cdn_that_fails_is_not_a_reason_to_renew(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A 5xx from the CDN: try again later, the URL stays."""
    client = await hass_client_no_auth()
    path = await _relay_of_failing(hass, emulator, "Garage", status=502, times=1)
    before = emulator.count("GetStream")
    assert (await _read(client, path))[0] == 503
    assert (await _read(client, path))[0] == 200
    assert emulator.count("GetStream") == before


async def test_the_flv_relay_redirects_to_the_current_url(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await setup_integration(hass, emulator, options={CONF_LIVE_PROTOCOL: "flv"})
    client = await hass_client_no_auth()
    path = await _relay_path(hass, camera_entity(hass, emulator, "Garden"))
    assert ".flv?token=" in path
    status, _, headers = await _read(client, path)
    assert status == 302
    assert headers["Location"].startswith(f"{emulator.base_url}/live/")
    assert ".flv?volcTime=" in headers["Location"]


async def test_rtmp_is_handed_out_as_it_is(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """No relay over HTTP for RTMP: the signed URL that plays now."""
    await setup_integration(hass, emulator, options={CONF_LIVE_PROTOCOL: "rtmp"})
    url = await async_get_stream_source(hass, camera_entity(hass, emulator, "Garden"))
    assert url is not None
    assert url.startswith("rtmp://")


async def test_the_relay_ends_with_its_camera(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await hass_client_no_auth()
    path = await _relay_path(hass, camera_entity(hass, emulator, "Front Gate"))
    assert (await _read(client, path))[0] == 200
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    assert (await _read(client, path))[0] == 404


async def test_the_token_never_reaches_a_log(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await hass_client_no_auth()
    path = await _relay_path(hass, camera_entity(hass, emulator, "Front Gate"))
    token = path.split("?token=")[1]
    await _read(client, path)
    emulator.faults.add(FaultRule(kind="expire_urls"))
    await _read(client, path)
    assert token not in caplog.text
    assert token not in redact_text(f"go2rtc: GET http://ha:8123{path} failed")


def test_playlists_become_absolute() -> None:
    """Segments, maps and keys; a master playlist names the variant to follow."""
    base = "https://cdn.example/live/app/cam.m3u8?volcTime=1&volcSecret=ab"
    text = (
        '#EXTM3U\n#EXT-X-MAP:URI="init.mp4?t=1"\n'
        '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k"\n\n'
        "#EXTINF:2.000,\ncam/7.ts?volcTime=1&volcSecret=ab\n"
        "#EXTINF:2.000,\n/other/8.ts\n"
    )
    assert playlist.absolute_media_playlist(text, base).splitlines() == [
        "#EXTM3U",
        '#EXT-X-MAP:URI="https://cdn.example/live/app/init.mp4?t=1"',
        '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k"',
        "#EXTINF:2.000,",
        "https://cdn.example/live/app/cam/7.ts?volcTime=1&volcSecret=ab",
        "#EXTINF:2.000,",
        "https://cdn.example/other/8.ts",
    ]
    master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n\nhd/index.m3u8?x=1\n"
    assert playlist.is_master(master)
    assert not playlist.is_master(text)
    assert (
        playlist.first_variant(master, base)
        == "https://cdn.example/live/app/hd/index.m3u8?x=1"
    )
    with pytest.raises(playlist.PlaylistError):
        playlist.first_variant("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", base)
    with pytest.raises(playlist.PlaylistError):
        playlist.absolute_media_playlist("<html>", base)


async def test_a_lapsed_invite_is_renewed_on_the_next_read(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Barn's invite ends under a running puller (the cloud dropped it): invited again."""
    client = await hass_client_no_auth()
    entity_id = camera_entity(hass, emulator, "Barn")
    path = await _relay_path(hass, entity_id)
    assert (await _read(client, path))[0] == 200
    invites = emulator.count("StartStream")
    barn = emulator.fleet.streams[hass.data["camera"].get_entity(entity_id).channel.key]
    emulator.fleet.stop_session(barn, emulator.now())
    status, text, _ = await _read(client, path)
    assert status == 200
    assert _uris(text)
    assert emulator.count("StartStream") == invites + 1


async def test_a_fresh_url_is_given_the_cdn_s_time(
    hass: HomeAssistant,
    emulator: Emulator,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Refused twice (the CDN catching up with a new URL): the read still plays."""
    client = await hass_client_no_auth()
    path = await _relay_of_failing(hass, emulator, "Garage", status=404, times=2)
    before = emulator.count("GetStream")
    status, text, _ = await _read(client, path)
    assert status == 200
    assert _uris(text)
    assert emulator.count("GetStream") == before + 1


async def test_without_an_address_the_signed_url_is_handed_out(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """Home Assistant knows no URL of its own: no relay, the URL that plays now."""
    hass.config.api = None
    url = await async_get_stream_source(hass, camera_entity(hass, emulator, "Garden"))
    assert url is not None
    assert "volcTime=" in url
