"""Helpers shared by the integration tests."""

from __future__ import annotations

from typing import Any

from custom_components.volcengine_slow_live.const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    CONF_SPACES,
)
from emulator import Emulator
from emulator.fleet import PTZ_CAPABLE


def demo_space_ids(emulator: Emulator) -> list[str]:
    """The IDs of the default account's spaces, in the emulator's order."""
    return list(emulator.fleet.spaces)


def entry_data(
    emulator: Emulator,
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    spaces: list[str] | None = None,
) -> dict[str, Any]:
    """Config entry data that points at the emulator."""
    return {
        CONF_ACCESS_KEY_ID: access_key or emulator.access_key,
        CONF_SECRET_ACCESS_KEY: secret_key or emulator.secret_key,
        CONF_REGION: "cn-north-1",
        CONF_ENDPOINT: emulator.base_url,
        CONF_SPACES: spaces if spaces is not None else demo_space_ids(emulator),
    }


def stream_titled(emulator: Emulator, title: str) -> Any:
    """The demo fleet's main stream of the channel (or RTMP stream) with this title."""
    return next(s for s in emulator.fleet.main_streams() if s.title == title)


def record_everything(emulator: Emulator) -> None:
    """Let every demo camera record continuously (tests about names, not recordings).

    The demo leaves some cameras unrecorded (Garage, Barn, West Slope, the offline
    Attic) and Garden records only short clips; tests that pick cameras by name and
    play "the last minutes" of any of them need each to have footage there.
    """
    from emulator.model import Template

    fleet = emulator.fleet
    for space in fleet.spaces.values():
        if space.record_template is None:
            space.record_template = Template("tpl-rec-tests", "tests", 0.0)
    for stream in fleet.main_streams():
        fleet.set_recording(stream.stream_id, "continuous", outages=False)


def has_ptz(emulator: Emulator, stream: Any) -> bool:
    """Whether the emulator would accept PTZ commands for this stream."""
    channel = emulator.fleet.channel_of(stream)
    return channel is not None and channel.ptz_type in PTZ_CAPABLE


async def setup_integration(
    hass: Any, emulator: Emulator, *, options: dict[str, Any] | None = None
) -> Any:
    """Add and set up a config entry for the emulator's default account."""
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.volcengine_slow_live.const import DOMAIN

    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Volcengine Slow Live (cn-north-1)",
        unique_id=emulator.access_key,
        data=entry_data(emulator),
        options=options or {},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def camera_entity(hass: Any, emulator: Emulator, title: str) -> str:
    """The entity id of the main camera of the demo channel with this title."""
    from homeassistant.helpers import entity_registry as er

    from custom_components.volcengine_slow_live.const import DOMAIN

    entity_id: str | None = er.async_get(hass).async_get_entity_id(
        "camera", DOMAIN, stream_titled(emulator, title).stream_id
    )
    assert entity_id is not None, title
    return entity_id


def client_settings(monkeypatch: Any, **settings: Any) -> None:
    """Entries set up from now on get clients with these settings (`rate_limit`,
    `retry`, `timeout`, `now`) instead of the API's documented ones.

    For tests that drive thousands of refreshes, or a hung cloud, against the local
    emulator; everything else keeps the documented limit, backoff and clock.
    """
    from custom_components.volcengine_slow_live import data
    from custom_components.volcengine_slow_live.api.client import AiotVideoClient

    class Client(AiotVideoClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if "rate_limit" in settings:
                # Its own windows at that rate, not those the key's clients share.
                kwargs.pop("limiters", None)
            super().__init__(*args, **{**kwargs, **settings})

    monkeypatch.setattr(data, "AiotVideoClient", Client)


async def fail_refreshes(coordinator: Any, count: int | None = None) -> None:
    """Refresh `count` times while the cloud fails (a fault the caller set up).

    By default enough refreshes in a row for the entities to turn unavailable: the
    coordinator keeps the last data through `TOLERATED_FAILURES` of them. Each must
    fail, or the test is not testing what it says.
    """
    from custom_components.volcengine_slow_live.coordinator import TOLERATED_FAILURES

    count = TOLERATED_FAILURES + 1 if count is None else count
    failed = coordinator.failed_refreshes
    for _ in range(count):
        await coordinator.async_refresh()
    await coordinator.hass.async_block_till_done()
    assert coordinator.failed_refreshes == failed + count


async def live_url(hass: Any, entity_id: str) -> str | None:
    """The signed URL the camera gives Home Assistant's own stream (None: none plays).

    `stream_source()` answers with the camera's relay instead; this is what the
    stream is started on (and what its renewals replace).
    """
    from custom_components.volcengine_slow_live.api.errors import ApiError
    from custom_components.volcengine_slow_live.live.source import NoLiveUrlError

    camera = hass.data["camera"].get_entity(entity_id)
    try:
        url: str = await camera._live.async_url()
    except ApiError, NoLiveUrlError:
        return None
    return url


def no_screenshots(emulator: Emulator) -> None:
    """The cloud lists no screenshots from now on (stills must come from elsewhere)."""
    from emulator import FaultRule

    emulator.faults.add(
        FaultRule(
            kind="http_error",
            status=404,
            code="NotFound.Stream",
            action="ListStreamScreenshots",
        )
    )


async def enable_sub_stream(
    hass: Any, entry: Any, emulator: Emulator, title: str
) -> str:
    """Enable the channel's sub-stream camera (disabled by default); its entity id."""
    from homeassistant.helpers import entity_registry as er

    from custom_components.volcengine_slow_live.const import DOMAIN

    registry = er.async_get(hass)
    unique_id = f"{stream_titled(emulator, title).stream_id}_sub"
    sub = registry.async_get_entity_id("camera", DOMAIN, unique_id)
    assert sub is not None, title
    registry.async_update_entity(sub, disabled_by=None)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return sub
