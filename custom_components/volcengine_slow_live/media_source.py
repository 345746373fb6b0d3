"""Where Home Assistant finds the integration's media source (see `media.source`)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .media.source import SlowLiveMediaSource


async def async_get_media_source(hass: HomeAssistant) -> SlowLiveMediaSource:
    """The media source Home Assistant loads from this platform."""
    return SlowLiveMediaSource(hass)
