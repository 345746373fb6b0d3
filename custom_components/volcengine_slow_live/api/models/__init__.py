"""Typed models of the aiotvideo API's results, read tolerantly but never blindly.

One module per concern; import the models from here:

- `fields`: the tolerant readers (`_Fields` and the coercions) and `_Model`, the base
  whose repr is redacted. It imports no other model module.
- `urls`: signed media links and when they expire (live pull URLs, recording playback).
- `fleet`: spaces, devices, channels and streams; uses `urls` for a stream's URLs.
- `recordings`: recording segments and screenshots, with their listings.
- `pages`: one page of a list action, and how a paged Result is read.
- `alarms`: camera alarms (ListDeviceAlarms) and what their codes mean; uses `pages`.

A module imports `fields` and at most the one sibling named above, never this package
(which imports them all), and from outside only `..errors` and `..redact`: no import
circle. Push URLs, device passwords and domain keys are secrets of the device side or
of the account; no model keeps them.
"""

from .alarms import AlarmKind, DeviceAlarm, alarm_kind, parse_alarms
from .fields import BEIJING
from .fleet import (
    Channel,
    Device,
    DeviceChannels,
    DeviceStream,
    Space,
    StartStreamResult,
    StopStreamResult,
    Stream,
)
from .pages import Page, parse_page
from .recordings import (
    RecordingSegment,
    Screenshot,
    parse_recordings,
    parse_screenshots,
)
from .urls import (
    TRANS_UNNAMED,
    Protocol,
    PullUrl,
    RecordingUrls,
    parse_pull_urls,
)

__all__ = [
    "BEIJING",
    "TRANS_UNNAMED",
    "AlarmKind",
    "Channel",
    "Device",
    "DeviceAlarm",
    "DeviceChannels",
    "DeviceStream",
    "Page",
    "Protocol",
    "PullUrl",
    "RecordingSegment",
    "RecordingUrls",
    "Screenshot",
    "Space",
    "StartStreamResult",
    "StopStreamResult",
    "Stream",
    "alarm_kind",
    "parse_alarms",
    "parse_page",
    "parse_pull_urls",
    "parse_recordings",
    "parse_screenshots",
]
