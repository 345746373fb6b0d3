"""A stable live source per camera: what go2rtc, or anything else that pulls, is handed.

Home Assistant's go2rtc integration (Home Assistant OS and the container image)
gives go2rtc the camera's `stream_source()` once per WebRTC offer, and go2rtc keeps
that URL for as long as the session runs, reconnecting to it after a failure. A
signed pull URL given that way stops playing when it expires (see
docs/live-view-go2rtc.md, measured with go2rtc 1.9.14), so go2rtc is handed this
relay's address instead, which stays valid for as long as the camera exists:

* `…/<id>.m3u8?token=…` answers each read with the current media playlist of the
  stream, its URIs made absolute: segments come straight from the CDN, each with
  the token of the playlist it was listed in. go2rtc and FFmpeg re-read the
  playlist every segment or so, so the signed URL behind it can change at any time.
  A redirect would not do: go2rtc resolves relative segment URIs against the
  address it asked, not the redirect's target.
* `…/<id>.flv?token=…` answers with a redirect to the current HTTP-FLV URL (one long
  response whose token is checked once; a reconnect is redirected anew).

The cloud is asked only while something reads the relay (the first read of an
on-demand stream invites it), never by the question which kind of source a camera
has. RTMP cannot be relayed over HTTP: its URL is handed out as it is.

Each camera's relay has a random id and a 256-bit token, both new at every start;
the view answers 404 to anything else, and fetches only what the cloud listed for
that camera: it is no open proxy. The token is a `token` query parameter, which
every log line has masked (`api.redact`). The address is Home Assistant's internal
URL, so a go2rtc add-on on the same network reaches it as well.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from typing import TYPE_CHECKING

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util.hass_dict import HassKey

from ..api.errors import ApiError, Unavailable
from ..api.models import Protocol
from ..const import DOMAIN, LOGGER
from .playlist import (
    PlaylistError,
    absolute_media_playlist,
    first_variant,
    is_master,
)
from .source import PROBE_AGAIN, NoLiveUrlError

if TYPE_CHECKING:
    from ..api.client import AiotVideoClient
    from .source import LiveSource

RELAY_PATH = f"/api/{DOMAIN}/live"
HLS_TYPE = "application/vnd.apple.mpegurl"
_EXTENSIONS = {Protocol.HLS: "m3u8", Protocol.FLV: "flv"}
# Pullers retry a failed read by themselves (go2rtc after 1, 5, 10 s).
_RETRY_AFTER = "2"
DATA_RELAYS: HassKey[dict[str, LiveRelay]] = HassKey(f"{DOMAIN}_live_relays")


@callback
def async_setup_relays(hass: HomeAssistant) -> None:
    """Serve the relays (once per Home Assistant; the cameras add theirs)."""
    if DATA_RELAYS not in hass.data:
        hass.data[DATA_RELAYS] = {}
        hass.http.register_view(LiveRelayView())


class LiveRelay:
    """The stable address of one camera's live stream; see the module's docstring."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: AiotVideoClient,
        live: LiveSource,
        protocol: Protocol,
    ) -> None:
        """A relay for `live`'s stream in `protocol` (none for RTMP: see `url`)."""
        self._hass = hass
        self._client = client
        self._live = live
        self.extension = _EXTENSIONS.get(protocol)
        self.relay_id = secrets.token_hex(8)
        self._token = secrets.token_urlsafe(32)

    def url(self) -> str | None:
        """Where pullers find the stream; None for RTMP or without a known address."""
        if self.extension is None:
            return None
        try:
            base = get_url(self._hass, allow_cloud=False, prefer_external=False)
        except NoURLAvailableError:
            return None
        return (
            f"{base}{RELAY_PATH}/{self.relay_id}.{self.extension}?token={self._token}"
        )

    def authorized(self, token: str) -> bool:
        """Whether `token` is this relay's (compared in constant time)."""
        return hmac.compare_digest(token.encode(), self._token.encode())

    @callback
    def async_register(self) -> None:
        """Answer at `url()` from now on."""
        self._hass.data.setdefault(DATA_RELAYS, {})[self.relay_id] = self

    @callback
    def async_unregister(self) -> None:
        """Stop answering: the camera is going away."""
        self._hass.data.get(DATA_RELAYS, {}).pop(self.relay_id, None)

    async def async_flv_url(self) -> str:
        """The current signed HTTP-FLV URL (no probe: its reader reports failures)."""
        return (await self._live.async_relay_url()).url

    async def async_playlist(self) -> str:
        """The current media playlist, URIs absolute; raises ApiError, NoLiveUrlError.

        A playlist the CDN refuses (an expired or revoked token, a stream the cloud
        stopped pulling) is asked for once more with a fresh URL, the stream invited
        again if it pulls on demand, waiting a moment for the CDN to have it.
        """
        url = await self._live.async_relay_url()
        try:
            return await self._async_fetch(url.url)
        except Unavailable:
            raise  # the CDN fails: a fresh URL would not help
        except (ApiError, PlaylistError) as err:
            LOGGER.debug("The relayed live playlist was refused: %s", err)
        fresh = await self._live.async_relay_url(refused=url.url)
        for delay in PROBE_AGAIN:
            try:
                return await self._async_fetch(fresh.url)
            except Unavailable:
                raise
            except (ApiError, PlaylistError) as err:
                LOGGER.debug("The fresh live playlist was refused: %s", err)
            await asyncio.sleep(delay)
        return await self._async_fetch(fresh.url)

    async def _async_fetch(self, url: str) -> str:
        final, text = await self._client.fetch_playlist(url)
        if is_master(text):
            final, text = await self._client.fetch_playlist(first_variant(text, final))
        return absolute_media_playlist(text, final)


class LiveRelayView(HomeAssistantView):
    """Answers for every camera's relay (see the module's docstring)."""

    url = RELAY_PATH + "/{relay_id}.{extension}"
    name = f"api:{DOMAIN}:live"
    # Pullers (go2rtc, FFmpeg) have no Home Assistant session: the relay's own
    # token authorises them.
    requires_auth = False

    async def get(
        self, request: web.Request, relay_id: str, extension: str
    ) -> web.StreamResponse:
        """The playlist, or a redirect to the FLV stream; 404 to anyone else."""
        hass = request.app[KEY_HASS]
        relay = hass.data.get(DATA_RELAYS, {}).get(relay_id)
        if (
            relay is None
            or extension != relay.extension
            or not relay.authorized(request.query.get("token", ""))
        ):
            return web.Response(status=404)
        try:
            if extension == "flv":
                return web.Response(
                    status=302, headers={"Location": await relay.async_flv_url()}
                )
            text = await relay.async_playlist()
        except (ApiError, NoLiveUrlError, PlaylistError) as err:
            LOGGER.debug("No live stream to relay now: %s", err)
            return web.Response(status=503, headers={"Retry-After": _RETRY_AFTER})
        return web.Response(
            text=text, content_type=HLS_TYPE, headers={"Cache-Control": "no-cache"}
        )
