"""A connectivity sensor per channel: can the camera be watched.

On while the channel streams or, pulling on demand, starts when someone watches it
(its device and channel are online). Whether the cloud pulls it at this moment is
the stream status sensor's business (sensor.py): an on-demand stream at rest is
connected, not failed.
"""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory

from .coordinator import SlowLiveCoordinator
from .entity import SlowLiveEntity, channel_platform

# Read-only coordinator entities.
PARALLEL_UPDATES = 0


class StreamConnectivitySensor(SlowLiveEntity, BinarySensorEntity):
    """On while the channel's stream is connected (or can be started on demand)."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "stream"

    def __init__(self, coordinator: SlowLiveCoordinator, key: str) -> None:
        """One per channel."""
        super().__init__(coordinator, key)
        self._attr_unique_id = f"{key}_stream"

    @property
    def is_on(self) -> bool | None:
        """Connected or not."""
        channel = self.channel
        return channel.online if channel else None

    def _shown(self) -> tuple[object, ...]:
        return (*super()._shown(), self.is_on)


# A sensor for every channel, now and as channels appear.
async_setup_entry = channel_platform(StreamConnectivitySensor)
