"""Constants for the Volcengine Slow Live integration."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "volcengine_slow_live"
LOGGER = logging.getLogger(__package__)

# Config entry data
CONF_ACCESS_KEY_ID: Final = "access_key_id"
CONF_SECRET_ACCESS_KEY: Final = "secret_access_key"
CONF_REGION: Final = "region"
CONF_ENDPOINT: Final = "endpoint"
CONF_SPACES: Final = "spaces"
SECTION_ADVANCED: Final = "advanced"

# Options
CONF_LIVE_PROTOCOL: Final = "live_protocol"
CONF_STREAM_QUALITY: Final = "stream_quality"
CONF_STILL_TTL: Final = "still_ttl"
CONF_LINK_VALIDITY: Final = "link_validity"
CONF_RECORDING_WAIT: Final = "recording_wait"
CONF_SCAN_INTERVAL: Final = "scan_interval"
# Option: the cloud POSTs alarms to Home Assistant (a webhook) as they happen.
CONF_INSTANT_ALARMS: Final = "instant_alarms"
# Entry data: the id of that webhook (a secret: whoever knows it can post to it).
CONF_WEBHOOK_ID: Final = "webhook_id"


class LiveProtocol(StrEnum):
    """Which pull URL the camera hands to Home Assistant's stream."""

    HLS = "hls"
    FLV = "flv"
    RTMP = "rtmp"


class StreamQuality(StrEnum):
    """Main (full resolution) or sub (lighter) stream for the main camera entity."""

    MAIN = "main"
    SUB = "sub"


DEFAULT_LIVE_PROTOCOL: Final = LiveProtocol.HLS
DEFAULT_STREAM_QUALITY: Final = StreamQuality.MAIN
DEFAULT_STILL_TTL: Final = 60
MIN_STILL_TTL: Final = 10
MAX_STILL_TTL: Final = 3600
# 0: automatic, as long as the clip plus LINK_MARGIN. Links end up in a player's
# state, so in the history database every user can read: they should not outlive
# what they were made for.
DEFAULT_LINK_VALIDITY: Final = 0
MIN_LINK_VALIDITY: Final = 60
MAX_LINK_VALIDITY: Final = 7 * 86400
LINK_MARGIN: Final = timedelta(minutes=30)
# How long a replay waits for its newest seconds to reach the cloud's storage.
DEFAULT_RECORDING_WAIT: Final = 20
MAX_RECORDING_WAIT: Final = 120
# One refresh costs a few list pages per space; every minute keeps well inside the
# API's quota yet notices a camera going offline quickly.
DEFAULT_SCAN_INTERVAL: Final = 60
MIN_SCAN_INTERVAL: Final = 15
MAX_SCAN_INTERVAL: Final = 3600
SCAN_INTERVAL: Final = timedelta(seconds=DEFAULT_SCAN_INTERVAL)
# How often the cameras' alarms are read (one listing per device that reports them).
ALARM_POLL_INTERVAL: Final = timedelta(seconds=30)
# An alarm's recording (its event's media_content_id, the Alarms folder): a little
# before the instant the camera raised it, and what followed.
ALARM_PRE_ROLL: Final = timedelta(seconds=10)
ALARM_POST_ROLL: Final = timedelta(seconds=30)
