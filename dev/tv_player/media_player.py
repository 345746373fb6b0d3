"""The development TV: `media_player.tv` (YAML: `media_player: - platform: tv_player`).

What it does with a link, so that a person (and a test) can see what a real TV would:
- a media-source item is resolved for this player, like any player does;
- it shows at once what it loads (buffering, with the title), then
- the link is fetched: an HLS playlist must list segments and its first segment must
  answer with MPEG-TS, an MP4 must start with an `ftyp` box, anything else must answer
  200 — otherwise the play_media call fails with the reason (never the link: links
  carry tokens) and it goes on with what it showed;
- it then "plays": state, title, duration and a position that advances, as the
  frontend's media cards show them, and goes idle at the end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from homeassistant.components import media_source
from homeassistant.components.media_player import (
    ATTR_MEDIA_EXTRA,
    PLATFORM_SCHEMA as MEDIA_PLAYER_PLATFORM_SCHEMA,
    BrowseMedia,
    MediaPlayerEntity,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    async_process_play_media_url,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from homeassistant.util import dt as dt_util
import voluptuous as vol

PLATFORM_SCHEMA = MEDIA_PLAYER_PLATFORM_SCHEMA.extend(
    {vol.Optional(CONF_NAME, default="TV"): cv.string}
)

TIMEOUT = aiohttp.ClientTimeout(total=20)
TS_SYNC = 0x47  # the first byte of every MPEG-TS packet


class NothingToPlayError(HomeAssistantError):
    """The link answered, but not with video."""


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the TV."""
    async_add_entities([TvPlayer(config[CONF_NAME])])


class TvPlayer(MediaPlayerEntity):
    """A TV that plays only what has video behind it."""

    _attr_should_poll = False
    _attr_supported_features = (
        MediaPlayerEntityFeature.PLAY_MEDIA
        | MediaPlayerEntityFeature.BROWSE_MEDIA
        | MediaPlayerEntityFeature.PLAY
        | MediaPlayerEntityFeature.PAUSE
        | MediaPlayerEntityFeature.STOP
    )

    def __init__(self, name: str) -> None:
        """Idle, nothing loaded."""
        self._attr_name = name
        self._attr_unique_id = f"tv_player_{name.lower()}"
        self._attr_state = MediaPlayerState.IDLE
        self._end: CALLBACK_TYPE | None = None
        self._titles: dict[str, str] = {}

    async def async_browse_media(
        self, media_content_type: str | None = None, media_content_id: str | None = None
    ) -> BrowseMedia:
        """Everything the media sources offer that a TV can show."""
        folder = await media_source.async_browse_media(
            self.hass,
            media_content_id,
            content_filter=lambda item: item.media_content_type.startswith(
                ("video/", "application/")
            ),
        )
        # The frontend plays an item by its id alone; a TV shows its title (with its
        # folder's: "Front Gate · Last hour").
        self._titles.update(
            (child.media_content_id, f"{folder.title} · {child.title}")
            for child in folder.children or ()
        )
        return folder

    async def async_play_media(
        self, media_type: str, media_id: str, **kwargs: Any
    ) -> None:
        """Check the link, then play it."""
        title = (kwargs.get(ATTR_MEDIA_EXTRA) or {}).get("title")
        if media_source.is_media_source_id(media_id):
            title = title or await self._async_title(media_id)
            item = await media_source.async_resolve_media(
                self.hass, media_id, self.entity_id
            )
            media_id, media_type = item.url, item.mime_type
        url = async_process_play_media_url(self.hass, media_id)
        # As a TV does: it shows what it is loading at once, then plays it, or says
        # it cannot (the refusal raised to the caller) and goes on with what it
        # showed before.
        before = (self._attr_state, self._attr_media_title, self._attr_media_duration)
        self._attr_state = MediaPlayerState.BUFFERING
        self._attr_media_title = title or _describe(url)
        self.async_write_ha_state()
        try:
            duration = await self._async_check(url, media_type)
        except HomeAssistantError:
            self._attr_state, self._attr_media_title, self._attr_media_duration = before
            self.async_write_ha_state()
            raise
        self._cancel_end()
        self._attr_media_content_id = url
        self._attr_media_content_type = media_type
        self._attr_media_duration = round(duration) if duration else None
        self._play_from(0)

    async def _async_title(self, media_id: str) -> str | None:
        """What a media-source item is titled.

        What the item says of itself (a source that names whose and when it is),
        else its title beside its folder's as they were browsed.
        """
        try:
            item = await media_source.async_browse_media(self.hass, media_id)
        except HomeAssistantError:
            item = None
        if item is not None and not item.can_expand and item.title:
            return item.title
        return self._titles.get(media_id)

    async def async_media_play(self) -> None:
        """Resume where it was paused."""
        if self._attr_state == MediaPlayerState.PAUSED:
            self._play_from(self._attr_media_position or 0)

    async def async_media_pause(self) -> None:
        """Pause, keeping the position."""
        if self._attr_state == MediaPlayerState.PLAYING:
            self._cancel_end()
            self._attr_media_position = round(self._position_now())
            self._attr_media_position_updated_at = dt_util.utcnow()
            self._attr_state = MediaPlayerState.PAUSED
            self.async_write_ha_state()

    async def async_media_stop(self) -> None:
        """Stop: idle, nothing loaded."""
        self._cancel_end()
        self._attr_state = MediaPlayerState.IDLE
        self._attr_media_content_id = self._attr_media_title = None
        self._attr_media_position = self._attr_media_duration = None
        self._attr_media_position_updated_at = None
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """No timer outlives the entity."""
        self._cancel_end()

    # ---------------------------------------------------------------- playing
    def _play_from(self, position: int) -> None:
        self._attr_state = MediaPlayerState.PLAYING
        self._attr_media_position = position
        self._attr_media_position_updated_at = dt_util.utcnow()
        if self._attr_media_duration:
            self._end = async_call_later(
                self.hass, max(0.0, self._attr_media_duration - position), self._ended
            )
        self.async_write_ha_state()

    @callback
    def _ended(self, _now: datetime) -> None:
        self._end = None
        self._attr_state = MediaPlayerState.IDLE
        self._attr_media_position = self._attr_media_duration
        self._attr_media_position_updated_at = dt_util.utcnow()
        self.async_write_ha_state()

    def _position_now(self) -> float:
        since = self._attr_media_position_updated_at or dt_util.utcnow()
        elapsed = (dt_util.utcnow() - since).total_seconds()
        return (self._attr_media_position or 0.0) + elapsed

    def _cancel_end(self) -> None:
        if self._end is not None:
            self._end()
            self._end = None

    # ---------------------------------------------------------------- checking
    async def _async_check(self, url: str, media_type: str) -> float | None:
        """Raise unless `url` has video behind it; the length in seconds if known."""
        session = async_get_clientsession(self.hass)
        try:
            if "mpegurl" in media_type.lower() or urlsplit(url).path.endswith(".m3u8"):
                return await _async_check_hls(session, url)
            if media_type.lower() == "video/mp4":
                head = await _async_get(session, url, {"Range": "bytes=0-63"}, 64)
                if head[4:8] != b"ftyp":
                    raise NothingToPlayError(
                        "The MP4 link answered without a video file"
                    )
                return None
            await _async_get(session, url, {}, 1)
        except (aiohttp.ClientError, TimeoutError) as err:
            raise NothingToPlayError(
                f"The link could not be fetched: {err!r}"
            ) from None
        return None


async def _async_check_hls(session: aiohttp.ClientSession, url: str) -> float:
    text = (await _async_get(session, url, {}, 1 << 20)).decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise NothingToPlayError("The link answered without an HLS playlist")
    if any(line.startswith("#EXT-X-STREAM-INF") for line in lines):
        # A multivariant playlist: a TV picks a variant; the first one will do.
        variant = next(line for line in lines if not line.startswith("#"))
        return await _async_check_hls(session, urljoin(url, variant))
    segments = [line for line in lines if not line.startswith("#")]
    if not segments:
        raise NothingToPlayError("The HLS playlist lists no segment")
    first = await _async_get(session, urljoin(url, segments[0]), {}, 188)
    if not first or first[0] != TS_SYNC:
        raise NothingToPlayError("The first HLS segment is not MPEG-TS video")
    return sum(
        float(line.split(":", 1)[1].split(",", 1)[0])
        for line in lines
        if line.startswith("#EXTINF:")
    )


async def _async_get(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], size: int
) -> bytes:
    async with session.get(url, headers=headers, timeout=TIMEOUT) as response:
        if response.status not in (200, 206):
            reason = (await response.text(errors="replace"))[:200].strip()
            raise NothingToPlayError(
                f"Nothing to play: the link answered HTTP {response.status}"
                + (f" ({reason})" if reason else "")
            )
        data = b""
        while len(data) < size:
            chunk = await response.content.read(size - len(data))
            if not chunk:
                break
            data += chunk
        return data


def _describe(url: str) -> str:
    """A title without the link's query (its token)."""
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path.rsplit('/', 1)[0]}/…"
