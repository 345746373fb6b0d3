"""Camera entities: a main camera per channel, and a sub-stream camera where there is one.

Live view plays the channel's pull URL (HLS by default). Home Assistant's own stream
gets a signed URL proven to play, renewed before it expires while the stream runs
(`live.source`, `live.guard`). `stream_source()`, which Home Assistant and its go2rtc
integration ask without starting anything (which kind of source? WebRTC possible?),
answers with the camera's relay (`live.relay`): an address that stays valid and asks
the cloud only while something pulls it. Stills come from the cloud's newest
screenshot when a screenshot template is bound, else from go2rtc when it provides the
live view, else from a keyframe of the stream, and are cached so that dashboards cost
at most one cloud call per channel per TTL. URLs never appear in state attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from homeassistant.components.camera import Camera, CameraEntityFeature
from homeassistant.components.stream import Stream
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api.errors import ApiError
from .api.models import Protocol
from .api.redact import redact_url
from .const import (
    CONF_LIVE_PROTOCOL,
    CONF_STILL_TTL,
    CONF_STREAM_QUALITY,
    DEFAULT_LIVE_PROTOCOL,
    DEFAULT_STILL_TTL,
    DEFAULT_STREAM_QUALITY,
    LOGGER,
    StreamQuality,
)
from .coordinator import ChannelData, SlowLiveCoordinator
from .data import SlowLiveConfigEntry
from .entity import SlowLiveEntity, async_add_channel_entities
from .live.guard import StreamGuard
from .live.relay import LiveRelay
from .live.source import LiveSource, NoLiveUrlError
from .live.stills import StillCache, offline_picture

# Entities only read the coordinator's data; live URLs and stills are fetched per
# request and throttled by the client's rate limiter.
PARALLEL_UPDATES = 0

# Screenshots are taken every minute or so; look a little further back than that.
SCREENSHOT_LOOKBACK = timedelta(minutes=15)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SlowLiveConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Cameras for every channel, now and as channels appear."""
    quality = StreamQuality(
        entry.options.get(CONF_STREAM_QUALITY, DEFAULT_STREAM_QUALITY)
    )

    def build(
        coordinator: SlowLiveCoordinator, channel: ChannelData
    ) -> Iterable[SlowLiveEntity]:
        main_index = 1 if quality is StreamQuality.SUB and channel.has_sub_stream else 0
        yield SlowLiveCamera(coordinator, channel.key, streaming_index=main_index)
        if channel.has_sub_stream:
            yield SlowLiveCamera(coordinator, channel.key, streaming_index=1, sub=True)

    async_add_channel_entities(entry, async_add_entities, build)


class SlowLiveCamera(SlowLiveEntity, Camera):
    """Live view of one channel."""

    def __init__(
        self,
        coordinator: SlowLiveCoordinator,
        key: str,
        *,
        streaming_index: int,
        sub: bool = False,
    ) -> None:
        """The main camera takes the device's name; the sub-stream one is named."""
        SlowLiveEntity.__init__(self, coordinator, key)
        Camera.__init__(self)
        self.streaming_index = streaming_index
        options = coordinator.config_entry.options
        if sub:
            self._attr_translation_key = "sub_stream"
            self._attr_unique_id = f"{key}_sub"
            self._attr_entity_registry_enabled_default = False
        else:
            self._attr_name = None
            self._attr_unique_id = key
            # Whatever the size of the fleet, every channel has its camera.
            self.essential = True
        protocol = Protocol(options.get(CONF_LIVE_PROTOCOL, DEFAULT_LIVE_PROTOCOL))
        self._live = LiveSource(
            coordinator.hass,
            coordinator,
            key,
            streaming_index=streaming_index,
            protocol=protocol,
            on_renewed=self._url_renewed,
        )
        self._relay = LiveRelay(
            coordinator.hass, coordinator.client, self._live, protocol
        )
        # A source that could not be given (the WebRTC provider check then picks
        # none): the providers are checked again once one can.
        self._source_failed = False
        self._guard = StreamGuard(
            coordinator.hass,
            self._live,
            lambda: self.entity_id,
            self.async_write_ha_state,
        )
        self._stills = StillCache(options.get(CONF_STILL_TTL, DEFAULT_STILL_TTL))
        self._offline_picture: bytes | None = None
        self._update_attrs()

    def _update_attrs(self) -> None:
        if channel := self.channel:
            # Streaming = online: an on-demand stream starts when it is opened.
            self._attr_is_streaming = channel.online
            # Offer live view only while there is something to play: the frontend
            # then shows the still instead of failing to open a stream.
            self._attr_supported_features = (
                CameraEntityFeature.STREAM if channel.online else CameraEntityFeature(0)
            )
            self._attr_brand = channel.manufacturer
            self._attr_model = channel.model

    @property
    def available(self) -> bool:
        """An offline channel's camera is unavailable: tiles and dialogs say so.

        Its picture is still served (the last still, else `offline_picture`):
        the frontend's cards ask for it whatever the state.
        """
        return super().available and bool(self._attr_is_streaming)

    def _handle_coordinator_update(self) -> None:
        self._update_attrs()
        if self._attr_is_streaming:
            # Back online, or the cloud answers again: a failed stream restarts now
            # rather than at its worker's next (by then long) retry.
            self._guard.channel_online()
            if self._source_failed:
                # Ask for the source again, and with it for a WebRTC provider.
                self.hass.async_create_task(
                    self.async_refresh_providers(),
                    f"check the WebRTC providers of {self.entity_id} again",
                )
        super()._handle_coordinator_update()

    def _shown(self) -> tuple[object, ...]:
        return (
            *super()._shown(),
            self._attr_is_streaming,
            self._attr_supported_features,
            self._attr_brand,
            self._attr_model,
        )

    async def async_added_to_hass(self) -> None:
        """Answer at the relay's address from now on."""
        self._relay.async_register()
        await super().async_added_to_hass()

    async def async_will_remove_from_hass(self) -> None:
        """Stop relaying, renewing URLs and watching the stream."""
        self._relay.async_unregister()
        self._live.async_stop()
        self._guard.async_stop()
        await super().async_will_remove_from_hass()

    @callback
    def _url_renewed(self, url: str) -> None:
        LOGGER.debug("%s: live URL renewed (%s)", self.entity_id, redact_url(url))
        self._guard.url_renewed(url)

    async def async_create_stream(self) -> Stream | None:
        """The camera's stream, its source proven to play before it (re)starts.

        Home Assistant calls this before every start of the stream (see
        live.guard for why this is the hook); None while nothing plays. A new
        stream is made from `stream_source()` and gets its signed URL here too.
        """
        stream = self.stream or await super().async_create_stream()
        if stream is None:
            return None
        try:
            await self._guard.async_before_start(stream)
        except (ApiError, NoLiveUrlError) as err:
            LOGGER.debug("%s: no live URL: %s", self.entity_id, err)
            return None
        self._guard.attach(stream)
        return stream

    async def stream_source(self) -> str | None:
        """The relay's address; None while the channel is offline.

        Cheap and without side effects: Home Assistant and go2rtc ask it to learn
        which kind of source the camera has. Only RTMP (no relay over HTTP), or a
        Home Assistant without a known address, gets a signed URL that plays now.
        """
        channel = self.channel
        if channel is None or not channel.online:
            return None
        if (url := self._relay.url()) is None:
            try:
                url = await self._live.async_url()
            except (ApiError, NoLiveUrlError) as err:
                LOGGER.debug("%s: no live URL: %s", self.entity_id, err)
                self._source_failed = True
                return None
        # Works again: the next coordinator update no longer re-checks providers.
        self._source_failed = False
        return url

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A recent still; Home Assistant scales it to the requested size."""
        image = await self._stills.async_get(self._async_fetch_still)
        if image is None and not self._attr_is_streaming:
            if self._offline_picture is None:
                self._offline_picture = await self.hass.async_add_executor_job(
                    offline_picture
                )
            return self._offline_picture
        return image

    async def _async_fetch_still(self) -> bytes | None:
        channel = self.channel
        if channel is None:
            return None
        if channel.has_screenshots and (image := await self._async_screenshot(channel)):
            return image
        if not channel.online:
            return None
        if image := await self._async_provider_still():
            return image
        try:
            stream = await self.async_create_stream()
        except HomeAssistantError as err:
            # The stream integration is not loaded: no keyframes to take stills from.
            LOGGER.debug("%s: no stream for a still: %s", self.entity_id, err)
            return None
        if stream is None:
            return None
        return await stream.async_get_image(wait_for_next_keyframe=True)

    async def _async_provider_still(self) -> bytes | None:
        """A JPEG from the WebRTC provider (go2rtc) that already pulls the stream.

        go2rtc answers from the stream it is playing in a few hundred milliseconds;
        without its FFmpeg, or when it fails, the still comes from Home Assistant's
        stream as before.
        """
        if (provider := self.webrtc_provider) is None:
            return None
        try:
            image = await provider.async_get_image(self)
        # Another integration's code and its client's own errors: whatever it
        # raises, the still comes from elsewhere.
        except Exception as err:  # noqa: BLE001
            LOGGER.debug(
                "%s: no still from %s: %r", self.entity_id, provider.domain, err
            )
            return None
        if not image:  # go2rtc answers an empty body when it got no frame
            LOGGER.debug("%s: %s had no picture", self.entity_id, provider.domain)
            return None
        return image

    async def _async_screenshot(self, channel: ChannelData) -> bytes | None:
        now = dt_util.utcnow()
        try:
            shots = await self.coordinator.client.list_stream_screenshots(
                channel.key,
                start=now - SCREENSHOT_LOOKBACK,
                end=now,
                space_id=channel.space.space_id,
            )
        except ApiError as err:
            LOGGER.debug("%s: no screenshot list: %s", self.entity_id, err)
            return None
        if not shots:
            return None
        try:
            return await self.coordinator.client.fetch_media(shots[-1].url)
        except ApiError as err:
            LOGGER.debug("%s: screenshot download failed: %s", self.entity_id, err)
            return None
