"""Serves an alarm's picture (`pictures`) to the media browser's thumbnails.

Behind Home Assistant's login (the frontend fetches thumbnails under /api with the
user's token); the cloud's signed URL never leaves Home Assistant.
"""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..api.errors import ApiError
from ..const import DOMAIN, LOGGER
from ..data import SlowLiveConfigEntry
from .pictures import PICTURE_PATH, SETTLED


@callback
def async_setup_pictures(hass: HomeAssistant) -> None:
    """Serve the alarms' pictures (once per Home Assistant)."""
    hass.http.register_view(AlarmPictureView())


class AlarmPictureView(HomeAssistantView):
    """An alarm's picture, for the media browser's thumbnails."""

    url = PICTURE_PATH + "/{entry_id}/{key}/{at:[0-9]{1,10}}.jpg"
    name = f"api:{DOMAIN}:alarm_picture"

    async def get(
        self, request: web.Request, entry_id: str, key: str, at: str
    ) -> web.Response:
        """The picture, or 404 when the camera or the cloud has none."""
        hass: HomeAssistant = request.app[KEY_HASS]
        entry: SlowLiveConfigEntry | None = hass.config_entries.async_get_entry(
            entry_id
        )
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            return web.Response(status=404)
        channel = entry.runtime_data.coordinator.data.channels.get(unquote(key))
        if channel is None:
            return web.Response(status=404)
        moment = dt_util.utc_from_timestamp(int(at))
        try:
            picture = await entry.runtime_data.pictures.async_picture(channel, moment)
        except ApiError as err:
            LOGGER.debug("No picture of the alarm of %s: %s", channel.name, err)
            return web.Response(status=503, headers={"Retry-After": "10"})
        if picture is None:
            return web.Response(status=404)
        settled = moment < dt_util.utcnow() - SETTLED
        return web.Response(
            body=picture,
            content_type="image/jpeg",
            headers={
                "Cache-Control": "private, max-age=86400" if settled else "no-store"
            },
        )
