"""A stream status sensor per channel: is the cloud pulling the stream right now.

The connectivity sensor says whether a camera can be watched (it streams, or its
on-demand stream starts when someone opens it). An on-demand (按需拉流) stream nobody
watches is not pulled, and that is not a fault: this sensor tells the three cases
apart, `live` (the cloud pulls it now), `standby` (it starts when watched) and
`offline`, as of the last poll.
"""

from __future__ import annotations

from enum import StrEnum

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import EntityCategory

from .coordinator import ChannelData, SlowLiveCoordinator
from .entity import SlowLiveEntity, channel_platform

# Read-only coordinator entities.
PARALLEL_UPDATES = 0


class StreamState(StrEnum):
    """What the cloud does with a channel's stream."""

    LIVE = "live"
    STANDBY = "standby"
    OFFLINE = "offline"


def stream_state(channel: ChannelData) -> StreamState:
    """The channel's stream state from the last poll."""
    if channel.stream.is_online:
        return StreamState.LIVE
    if channel.online:  # not pulled, yet startable: an on-demand stream at rest
        return StreamState.STANDBY
    return StreamState.OFFLINE


class StreamStateSensor(SlowLiveEntity, SensorEntity):
    """Live, standby (on demand) or offline."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "stream_state"

    def __init__(self, coordinator: SlowLiveCoordinator, key: str) -> None:
        """One per channel."""
        super().__init__(coordinator, key)
        self._attr_options = [state.value for state in StreamState]
        self._attr_unique_id = f"{key}_stream_state"

    @property
    def native_value(self) -> str | None:
        """The state as of the last poll."""
        channel = self.channel
        return stream_state(channel).value if channel else None

    def _shown(self) -> tuple[object, ...]:
        return (*super()._shown(), self.native_value)


# A sensor for every channel, now and as channels appear.
async_setup_entry = channel_platform(StreamStateSensor)
