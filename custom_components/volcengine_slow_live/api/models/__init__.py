"""Typed models of the aiotvideo API's results, read tolerantly but never blindly."""

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
