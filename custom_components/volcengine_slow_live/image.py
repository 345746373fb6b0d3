"""A "Last alarm" image per GB channel that reports alarms: what the camera saw then.

The picture is the one `alarm_pictures` finds: the cloud's first screenshot after
the alarm, else the cover of the recording that holds it, read once per alarm and kept
(a dashboard showing it costs nothing more). Before the first alarm since Home Assistant started, and when the cloud has no picture of that
moment, there is none. Its attributes are Home Assistant's own (its access token):
no cloud URL, so no URL token, ever appears.
"""

from __future__ import annotations

from homeassistant.components.image import ImageEntity
from homeassistant.core import callback

from .alarms import Alarm, AlarmEntity, has_alarms
from .api.errors import ApiError
from .api.models import DeviceAlarm
from .const import LOGGER
from .coordinator import SlowLiveCoordinator
from .data import runtime_data
from .entity import channel_platform
from .live.stills import offline_picture

PARALLEL_UPDATES = 1


class LastAlarmImage(AlarmEntity, ImageEntity):
    """The picture of a camera's last alarm."""

    _attr_translation_key = "last_alarm"
    _attr_content_type = "image/jpeg"

    def __init__(self, coordinator: SlowLiveCoordinator, key: str) -> None:
        """One per channel whose device reports alarms."""
        AlarmEntity.__init__(self, coordinator, key)
        ImageEntity.__init__(self, coordinator.hass)
        self._attr_unique_id = f"{key}_last_alarm"
        self._alarm: DeviceAlarm | None = None
        self._image: bytes | None = None

    @callback
    def _alarm_raised(self, alarm: Alarm) -> None:
        self._alarm, self._image = alarm.alarm, None
        self._attr_image_last_updated = alarm.alarm.at
        self.async_write_ha_state()

    @property
    def entity_picture(self) -> str | None:
        """None before the first alarm: there is no picture to fetch yet.

        Home Assistant answers a picture request for an image entity without one
        with a 500, which device pages and cards would show as a broken picture.
        """
        return None if self._alarm is None else super().entity_picture

    async def async_image(self) -> bytes | None:
        """The picture nearest the last alarm (read once, then kept).

        When the cloud has none of that moment, a crossed-out camera: a card then
        shows that there is no picture rather than a broken one.
        """
        if self._image is None and (alarm := self._alarm) is not None:
            self._image = await self._async_fetch(
                alarm
            ) or await self.hass.async_add_executor_job(offline_picture)
        return self._image

    async def _async_fetch(self, alarm: DeviceAlarm) -> bytes | None:
        channel = self.channel
        if channel is None:
            return None
        pictures = runtime_data(self.coordinator.config_entry).pictures
        try:
            return await pictures.async_picture(channel, alarm.at)
        except ApiError as err:
            LOGGER.debug("%s: no picture of the alarm: %s", self.entity_id, err)
            return None


# A "Last alarm" image for every channel whose device reports alarms.
async_setup_entry = channel_platform(LastAlarmImage, only=has_alarms)
