"""Camera alarms (ListDeviceAlarms, 2023-10-01): the model and what each code means.

Alarms are GB/T 28181 alarm notifications: a method (1 phone, 2 device, 3 SMS, 4 GPS,
5 video, 6 device fault, 7 other) and a type whose meaning depends on the method.
Each alarm is an instant (there is no end time). Parsed tolerantly like every other
model: `AlarmTime` in seconds or milliseconds (the docs say seconds), ids as numbers
or strings, unknown codes kept as they came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Self

from .fields import _Fields, _Model
from .pages import Page, parse_page

__all__ = ["AlarmKind", "DeviceAlarm", "alarm_kind", "parse_alarms"]


class AlarmKind(StrEnum):
    """What happened, as an event entity's event types say it."""

    MOTION = "motion"
    INTRUSION = "intrusion"
    LINE_CROSSING = "line_crossing"
    LOITERING = "loitering"
    OBJECT = "object"  # left behind or taken away
    TAMPERING = "tampering"  # covered, moved, video lost
    DEVICE_FAULT = "device_fault"
    OTHER = "other"


# (method, type) → kind; a method alone (type None) for the rest of that method.
_KINDS: dict[tuple[int, int | None], AlarmKind] = {
    (5, 2): AlarmKind.MOTION,
    (5, 12): AlarmKind.MOTION,  # fast movement
    (5, 6): AlarmKind.INTRUSION,
    (5, 5): AlarmKind.LINE_CROSSING,
    (5, 7): AlarmKind.LINE_CROSSING,  # wrong direction
    (5, 8): AlarmKind.LOITERING,
    (5, 3): AlarmKind.OBJECT,
    (5, 4): AlarmKind.OBJECT,
    (5, 11): AlarmKind.TAMPERING,  # video anomaly
    (2, 1): AlarmKind.TAMPERING,  # video loss
    (2, 2): AlarmKind.TAMPERING,
    (2, None): AlarmKind.DEVICE_FAULT,  # storage full, temperature
    (6, None): AlarmKind.DEVICE_FAULT,
}


def alarm_kind(method: int | None, kind: int | None) -> AlarmKind:
    """The kind of a (method, type) pair; unknown pairs are `other`."""
    if method is None:
        return AlarmKind.OTHER
    return _KINDS.get((method, kind)) or _KINDS.get((method, None)) or AlarmKind.OTHER


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DeviceAlarm(_Model):
    """One alarm notification (an `AlarmNotifies` item)."""

    alarm_id: str
    at: datetime
    device_nsid: str = ""
    channel_id: str = ""
    priority: int | None = None
    """1 (most urgent) to 4."""
    method: int | None = None
    type: int | None = None
    description: str = ""

    @property
    def kind(self) -> AlarmKind:
        """What the codes mean."""
        return alarm_kind(self.method, self.type)

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse an `AlarmNotifies` item."""
        f = _Fields.top(data, "AlarmNotify")
        return cls(
            alarm_id=f.ident("AlarmNotifyID", "ID"),
            at=f.required_time("AlarmTime"),
            device_nsid=f.text("DeviceNSID"),
            channel_id=f.text("ChannelID"),
            priority=f.opt_integer("AlarmPriority"),
            method=f.opt_integer("AlarmMethod"),
            type=f.opt_integer("AlarmType"),
            description=f.text("AlarmDescription"),
        )


def parse_alarms(result: object) -> Page[DeviceAlarm]:
    """Parse a ListDeviceAlarms Result."""
    return parse_page(result, "AlarmNotifies", DeviceAlarm.from_api)
