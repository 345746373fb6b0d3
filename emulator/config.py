"""How an emulator is set up: its address, fleet, keys, limits, URL lifetimes, media."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .accounts import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from .clock import wall_time

if TYPE_CHECKING:
    from .fleet import Fleet

SERVICE = "aiotvideo"
REGION = "cn-north-1"


@dataclass
class EmulatorConfig:
    """How the emulator behaves; every (inferred) choice in the API notes is a knob here."""

    host: str = "127.0.0.1"
    port: int = 0
    fleet: Fleet | None = None
    access_key: str = DEFAULT_ACCESS_KEY
    secret_key: str = DEFAULT_SECRET_KEY
    session_token: str | None = None
    rate_limit: float = 10.0
    latency: float = 0.0
    url_ttl: int = 3600
    url_refresh_fraction: float = 0.1
    skew_window: float = 900.0
    # Docs pages disagree on InvalidTimestamp's status: 400 or 403 (API notes §7.17).
    invalid_timestamp_status: int = 400
    quirks: bool = True
    seed: int = 1
    region: str = REGION
    service: str = SERVICE
    # Looked up on every call (not bound once), so a test that freezes time with
    # freezegun moves the emulator's clock along with its own.
    clock: Callable[[], float] = wall_time
    on_demand_idle: float = 300.0
    # GetDeviceChannelsV2 QueryMode=detail asks the device over SIP: slow.
    detail_delay: float = 0.2
    device_offline_status: int = 400
    # Upper bound for the `timeout` fault when the rule gives no `seconds`.
    timeout_hold: float = 30.0
    request_log_size: int = 10_000
    # Base URL put into media URLs (default: the listening address).
    public_url: str | None = None
    hls_segment_seconds: int = 2
    hls_window: int = 4
    vod_segment_seconds: int = 6
    # MP4 playback covers at most this much of the requested range [I].
    mp4_max_seconds: int = 600
    # A continuous HTTP-FLV response ends after this long.
    flv_max_seconds: float = 600.0
    # A CDN fetch of an offline on-demand stream invites it (a viewer triggers
    # pulling) instead of answering 404 [I].
    cdn_triggers_pull: bool = False
    # The newest this many seconds of every recording are not stored yet: they are
    # neither listed (ListStreamRecords) nor playable until they are this old, as a
    # real cloud uploads and indexes footage after a delay [I].
    storage_lag: float = 0.0
    media_width: int = 640
    media_height: int = 360
    media_fps: int = 10
