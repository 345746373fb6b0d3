"""A "Last alarm" image per GB channel that reports alarms: what the camera saw then.

The picture is the one `alarms.pictures` finds: the cloud's first screenshot after
the alarm, else the cover of the recording that holds it, read once per alarm and kept
(a dashboard showing it costs nothing more); an alarm that fires before that
screenshot is taken shows the one before it, then the one after once it exists.
Before the first alarm since Home Assistant started, and when the cloud has no
picture of that moment, there is none. Its attributes are Home Assistant's own (its access token):
no cloud URL, so no URL token, ever appears.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.components.image import ImageEntity
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .alarms.watcher import Alarm, AlarmEntity, has_alarms
from .api.errors import ApiError
from .api.models import DeviceAlarm
from .const import LOGGER
from .coordinator import SlowLiveCoordinator
from .data import runtime_data
from .entity import channel_platform
from .live.stills import offline_picture

PARALLEL_UPDATES = 1
# By then the screenshot after an alarm exists (the cloud takes one a minute).
SHOT_DUE = timedelta(seconds=75)


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
        self._recheck: CALLBACK_TYPE | None = None

    @callback
    def _alarm_raised(self, alarm: Alarm) -> None:
        self._alarm, self._image = alarm.alarm, None
        self._attr_image_last_updated = alarm.alarm.at
        self.async_write_ha_state()
        # An alarm that fires at once (instant alarms) comes before the screenshot
        # after it (one a minute): until then the picture is the one before it, and
        # once that screenshot must exist the picture is read again and shown anew.
        self._cancel_recheck()
        channel = self.channel
        due = (alarm.alarm.at + SHOT_DUE - dt_util.utcnow()).total_seconds()
        if channel is not None and channel.has_screenshots and due > 0:
            self._recheck = async_call_later(self.hass, due, self._picture_due)

    @callback
    def _picture_due(self, _now: datetime) -> None:
        self._recheck = None
        self._image = None
        # The picture changed: the state (when it did) tells cards to fetch it.
        self._attr_image_last_updated = dt_util.utcnow()
        self.async_write_ha_state()

    @callback
    def _cancel_recheck(self) -> None:
        if self._recheck is not None:
            self._recheck()
            self._recheck = None

    async def async_will_remove_from_hass(self) -> None:
        """No look again once the entity is gone."""
        self._cancel_recheck()
        await super().async_will_remove_from_hass()

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
