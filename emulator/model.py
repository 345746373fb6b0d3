"""The emulated cloud's objects: spaces, devices, channels, streams (API notes §5).

Plain mutable records; the Fleet owns them and keeps the indexes. Times are unix
seconds (floats); rendering to the API's string formats happens in `render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ptz import Ptz

ONLINE = "online"
OFFLINE = "offline"
MAIN = "main_stream"
SUB = "sub_stream"
GB = "gb28181"
RTMP = "rtmp"


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm notification of one channel."""

    alarm_id: str
    stream_id: str
    at: int
    method: int
    kind: int
    priority: int
    description: str
    event_type: int = 1  # 1 entering the area, 2 leaving it (video alarms)


@dataclass(slots=True)
class Template:
    """A screenshot / record / transcode template bound to a space or stream."""

    template_id: str
    name: str
    bind_time: float


@dataclass(slots=True)
class Space:
    """A tenant container of one access type (`gb28181` or `rtmp`)."""

    space_id: str
    name: str
    description: str
    access_type: str
    region: str
    pull_on_demand: bool
    created_at: float
    app: str
    pull_domain: str
    push_domain: str
    url_key: str
    sip_id: str
    region_code: str
    hls_low_latency: bool = False
    status: str = "enabled"
    screenshot_template: Template | None = None
    record_template: Template | None = None
    trans_template: str | None = None
    tags: list[tuple[str, str]] = field(default_factory=list)
    callback_url: str = ""

    @property
    def updated_at(self) -> float:
        """Spaces were last touched a while after creation (deterministic)."""
        return self.created_at + 3600.0


@dataclass(slots=True)
class Device:
    """One registered GB/T 28181 device (IPC or NVR)."""

    device_id: str
    nsid: str
    name: str
    type: str
    space_id: str
    status: str
    manufacturer: str
    model: str
    created_at: float
    username: str
    password: str
    ip: str
    longitude: float
    latitude: float
    description: str = ""
    location: str = ""
    rtp_tcp: bool = True
    auto_pull: bool = True
    use_sub_stream: bool = False
    ptz_type: int = 3
    resolution: str = "6/3"
    channels: list[str] = field(default_factory=list)
    # (time, online) transitions made while the emulator ran; before the first
    # entry the device had the status it was generated with.
    status_log: list[tuple[float, bool]] = field(default_factory=list)
    initially_online: bool = True
    # Reports alarms to the cloud (AlertNotification.Enabled and its kinds).
    alerts: bool = False

    @property
    def updated_at(self) -> float:
        """Devices were last updated a day after registration (deterministic)."""
        return self.created_at + 86400.0


@dataclass(slots=True)
class Channel:
    """A video source on a device; maps to one main stream (and maybe a sub)."""

    channel_id: str
    device_id: str
    name: str
    stream_id: str
    created_at: float
    ptz_type: int
    resolution: str
    ip: str
    port: int
    civil_code: str
    longitude: float
    latitude: float
    online: bool = True
    sub_stream_id: str | None = None
    # The camera's own model, when its device reports one for it (an NVR gives
    # its own model for the cameras it knows nothing about): else the device's.
    model: str = ""


@dataclass(slots=True)
class Stream:
    """A live stream: a GB channel's main/sub stream or an RTMP-pushed stream."""

    stream_id: str
    space_id: str
    name: str
    title: str
    streaming_type: str
    created_at: float
    seed: int
    device_id: str | None = None
    channel_id: str | None = None
    main_id: str | None = None
    description: str = ""
    record_mode: str | None = None
    events_per_day: int = 24
    record_since: float = 0.0
    # Continuous recording has a few random outages a day unless this is off.
    record_outages: bool = True
    # Pauses of the record schedule, [start, end) in unix s: nothing recorded there.
    record_pauses: list[tuple[int, int]] = field(default_factory=list)
    screenshot: bool = False
    pushing: bool = True
    idle_status: str = OFFLINE
    forced_status: str | None = None
    active_until: float = 0.0
    last_fetch: float = 0.0
    sessions: list[list[float]] = field(default_factory=list)
    status_log: list[tuple[float, bool]] = field(default_factory=list)
    pull_expiry: float | None = None
    pull_generation: int = 0
    failed_times: int = 0
    ptz_log: list[tuple[float, str, str, int]] = field(default_factory=list)
    # Where the camera points over time (main streams of PTZ-capable channels).
    ptz: Ptz = field(default_factory=Ptz, compare=False, repr=False)
    # Alarms of the channel (emulator/alarms.py): generated at this mean rate, plus
    # those triggered through the admin API.
    alarms_per_hour: float = 0.0
    triggered_alarms: list[Alarm] = field(default_factory=list)

    @property
    def is_gb(self) -> bool:
        """Whether the stream belongs to a GB/T 28181 channel."""
        return self.device_id is not None

    @property
    def updated_at(self) -> float:
        """Streams were last updated two hours after creation (deterministic)."""
        return self.created_at + 7200.0
