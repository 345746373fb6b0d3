"""An `event` entity per GB/T 28181 channel: the camera's own alarms.

Alarms come from `alarms.AlarmWatcher` (the cloud's alarm list, polled). Each fires
once, with its kind as the event type and, in its data, the alarm's id, priority,
time, the cloud's description and `media_content_id`: a media-source item that plays
the recording around the alarm (`MediaId.of_alarm`: a little before to a while
after), ready for `media_player.play_media` or `volcengine_slow_live.play_recording`.
"""

from __future__ import annotations

from homeassistant.components.event import EventDeviceClass, EventEntity
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .alarms.watcher import Alarm, AlarmEntity
from .api.models import AlarmKind
from .coordinator import SlowLiveCoordinator
from .entity import channel_platform
from .media.ids import MediaId

PARALLEL_UPDATES = 0


class AlarmEvent(AlarmEntity, EventEntity):
    """Fires on each alarm the camera raises."""

    _attr_device_class = EventDeviceClass.MOTION
    _attr_translation_key = "alarm"

    def __init__(self, coordinator: SlowLiveCoordinator, key: str) -> None:
        """One per GB channel."""
        super().__init__(coordinator, key)
        self._attr_unique_id = f"{key}_alarm"
        self._attr_event_types = [kind.value for kind in AlarmKind]

    @callback
    def _alarm_raised(self, alarm: Alarm) -> None:
        raised = alarm.alarm
        self._trigger_event(
            raised.kind.value,
            {
                "alarm_id": raised.alarm_id,
                "priority": raised.priority,
                "time": dt_util.as_local(raised.at).isoformat(),
                "description": raised.description,
                "alarm_method": raised.method,
                "alarm_type": raised.type,
                "media_content_id": MediaId.of_alarm(
                    self.coordinator.config_entry.entry_id, self.channel_key, raised.at
                ).media_content_id,
            },
        )
        self.async_write_ha_state()


# An alarm event entity for every GB channel, now and as channels appear.
async_setup_entry = channel_platform(AlarmEvent, only=lambda channel: channel.is_gb)
