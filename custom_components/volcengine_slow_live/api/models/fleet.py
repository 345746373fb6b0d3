"""The fleet: spaces, their devices and channels, and streams (with their pull URLs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Self

from .fields import _Fields, _list, _Model, _str
from .urls import Protocol, PullUrl, _pick, _trans_pull_urls, parse_pull_urls

__all__ = [
    "Channel",
    "Device",
    "DeviceChannels",
    "DeviceStream",
    "Space",
    "StartStreamResult",
    "StopStreamResult",
    "Stream",
]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Space(_Model):
    """A space (GetSpace / ListSpaces): the container for devices and streams."""

    space_id: str
    name: str = ""
    access_type: str = ""
    """`gb28181`, `rtmp`, `rtmp-forward`, or whatever else the server says."""
    status: str = ""
    region: str = ""
    description: str = ""
    pull_on_demand: bool = False
    hls_low_latency: bool = False
    screenshot_template_id: str | None = None
    record_template_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    callback_url: str = field(default="", repr=False)
    """Where the cloud POSTs the space's events (empty: nowhere)."""

    @property
    def enabled(self) -> bool:
        """Whether the space is enabled."""
        return self.status.lower() == "enabled"

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a GetSpace Result or a ListSpaces item."""
        f = _Fields.top(data, "Space")
        template = f.child("Template")
        return cls(
            space_id=f.ident("SpaceID"),
            name=f.text("SpaceName"),
            access_type=f.text("AccessType"),
            status=f.text("Status"),
            region=f.text("Region"),
            description=f.text("Description"),
            pull_on_demand=f.child("GB").flag("PullOnDemand"),
            hls_low_latency=f.flag("HLSLowLatency"),
            screenshot_template_id=template.child("Screenshot").opt_text("TemplateID"),
            record_template_id=template.child("Record").opt_text("TemplateID"),
            created_at=f.time("CreatedAt"),
            updated_at=f.time("UpdatedAt"),
            callback_url=f.text("CallbackURL"),
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DeviceStream(_Model):
    """One channel's main stream as embedded in a device (`DeviceStreams`)."""

    channel_id: str
    stream_id: str
    name: str = ""
    channel_status: str = ""
    manufacturer: str = ""
    model: str = ""
    status: str = ""
    pull_urls: tuple[PullUrl, ...] = ()

    @classmethod
    def from_api(cls, data: object, *, channel_id: str | None = None) -> Self:
        """Parse one `DeviceStreams` entry; `channel_id` is its key in the map form."""
        f = _Fields.top(data, "DeviceStream")
        return cls(
            channel_id=channel_id or f.ident("ChannelID"),
            stream_id=f.ident("StreamID"),
            name=f.text("Name"),
            channel_status=f.text("ChannelStatus"),
            manufacturer=f.text("Manufacturer"),
            model=f.text("Model"),
            status=f.text("Status"),
            pull_urls=parse_pull_urls(f.raw("PullUrls"), name=f.label("PullUrls")),
        )


def _device_streams(value: object, name: str) -> tuple[DeviceStream, ...]:
    """`DeviceStreams`: a map keyed by channel ID ([G], [J]) or a list."""
    if not isinstance(value, Mapping):
        return tuple(DeviceStream.from_api(entry) for entry in _list(value, name))
    streams: list[DeviceStream] = []
    for key, entry in value.items():
        channel_id = _str(key, name).strip()
        entries = entry if isinstance(entry, list) else (entry,)
        streams.extend(DeviceStream.from_api(e, channel_id=channel_id) for e in entries)
    return tuple(streams)


def _sub_stream_ids(value: object, name: str) -> tuple[str, ...]:
    """`DeviceSubStreams`: a list (docs, [P]) or a map channel → list ([G]).

    Entries are objects with a `StreamID` or bare stream IDs.
    """
    groups = value.values() if isinstance(value, Mapping) else (value,)
    ids: dict[str, None] = {}
    for group in groups:
        for entry in _list(group, name):
            if isinstance(entry, Mapping):
                stream_id = _Fields(entry, name).ident("StreamID")
            else:
                stream_id = _str(entry, name).strip()
            if stream_id:
                ids[stream_id] = None
    return tuple(ids)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Device(_Model):
    """A GB/T 28181 device (GetDevice / ListDevices); never holds its password."""

    device_id: str
    device_nsid: str = ""
    name: str = ""
    type: str = ""
    """`IPC`, `NVR`, `Platform`, or whatever else the server says."""
    status: str = ""
    space_id: str = ""
    manufacturer: str = ""
    description: str = ""
    channel_num: int = 0
    use_sub_stream: bool = False
    auto_pull_after_register: bool = False
    ip: str = ""
    streams: tuple[DeviceStream, ...] = ()
    sub_stream_ids: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reports_alarms: bool = False
    """`AlertNotification.Enabled`: the device sends its alarms to the cloud."""

    @property
    def online(self) -> bool:
        """Whether the device is registered and online."""
        return self.status.lower() == "online"

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a GetDevice Result or a ListDevices item."""
        f = _Fields.top(data, "Device")
        return cls(
            device_id=f.ident("DeviceID"),
            device_nsid=f.text("DeviceNSID"),
            name=f.text("DeviceName"),
            type=f.text("Type"),
            status=f.text("Status"),
            space_id=f.text("SpaceID"),
            manufacturer=f.text("Manufactory", "Manufacturer"),
            description=f.text("Description"),
            channel_num=f.integer("ChannelNum"),
            use_sub_stream=f.flag("UseSubStream"),
            # The Go and Java SDKs spell it AutoPullAfterRegiter (API notes §7.8).
            auto_pull_after_register=f.flag(
                "AutoPullAfterRegister", "AutoPullAfterRegiter"
            ),
            ip=f.text("DeviceIP"),
            streams=_device_streams(f.raw("DeviceStreams"), f.label("DeviceStreams")),
            sub_stream_ids=_sub_stream_ids(
                f.raw("DeviceSubStreams"), f.label("DeviceSubStreams")
            ),
            created_at=f.time("CreatedAt"),
            updated_at=f.time("UpdatedAt"),
            reports_alarms=f.child("AlertNotification").flag("Enabled"),
        )


# Dome (1) and remote-controlled bullet (4) pan and tilt; a half-dome (2) is a fixed
# mini dome and a plain bullet (3) is fixed too.
_PTZ_TYPES = frozenset({1, 4})


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Channel(_Model):
    """One video channel of a device (GetDeviceChannelsV2 `Channels` item)."""

    channel_id: str
    name: str = ""
    stream_id: str = ""
    manufacturer: str = ""
    model: str = ""
    status: str = ""
    """`ON` or `OFF`."""
    ptz_type: int = 0
    """0 unknown, 1 dome, 2 half-dome, 3 fixed bullet, 4 remote-controlled bullet."""
    resolutions: tuple[str, ...] = ()
    """GB28181 Annex G resolution codes the channel supports."""
    civil_code: str = ""
    ip: str = ""
    port: int | None = None
    longitude: float | None = None
    latitude: float | None = None

    @property
    def online(self) -> bool:
        """Whether the device reports the channel as on."""
        return self.status.strip().upper() in ("ON", "ONLINE")

    @property
    def has_ptz(self) -> bool:
        """Whether the camera type can pan and tilt."""
        return self.ptz_type in _PTZ_TYPES

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a `Channels` item: `{StreamID, DeviceItem: {...}}`.

        `DeviceItem` is an object ([J], docs) or a list holding one ([P]); a flat
        item without `DeviceItem` is read directly. The legacy V1 names (channel ID
        in `DeviceID`, PTZ details under `Info`) are understood too.
        """
        outer = _Fields.top(data, "Channel")
        raw_item = outer.raw("DeviceItem")
        if isinstance(raw_item, list):
            raw_item = raw_item[0] if raw_item else None
        item = outer if raw_item is None else _Fields(raw_item, "Channel.DeviceItem")
        item = item.with_fallback(item.child("Info"))
        return cls(
            channel_id=item.ident("ChannelID", "DeviceID"),
            name=item.text("Name"),
            stream_id=outer.text("StreamID").strip() or item.text("StreamID").strip(),
            manufacturer=item.text("Manufacturer"),
            model=item.text("Model"),
            status=item.text("Status"),
            ptz_type=item.integer("PTZType"),
            resolutions=item.codes("Resolution"),
            civil_code=item.text("CivilCode"),
            ip=item.text("IPAddress"),
            port=item.opt_integer("Port"),
            longitude=item.opt_float("Longitude"),
            latitude=item.opt_float("Latitude"),
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DeviceChannels(_Model):
    """A device's channels (GetDeviceChannelsV2 Result)."""

    device_id: str
    device_nsid: str = ""
    device_name: str = ""
    channels: tuple[Channel, ...] = ()

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a GetDeviceChannelsV2 Result."""
        f = _Fields.top(data, "DeviceChannels")
        return cls(
            device_id=f.ident("DeviceID"),
            device_nsid=f.text("DeviceNSID"),
            device_name=f.text("DeviceName"),
            channels=tuple(Channel.from_api(item) for item in f.items("Channels")),
        )


_ONLINE_STREAM_STATUSES = frozenset({"online", "pulling"})


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Stream(_Model):
    """A stream (GetStream / ListStreams); its push URLs are deliberately dropped."""

    stream_id: str
    name: str = ""
    space_id: str = ""
    access_type: str = ""
    status: str = ""
    """`online`, `offline`, `failed`, `pulling` or `init`."""
    device_id: str = ""
    device_nsid: str = ""
    channel_id: str = ""
    sip_id: str = ""
    streaming_type: str = ""
    """`main_stream` or `sub_stream`."""
    resolutions: tuple[str, ...] = ()
    description: str = ""
    pull_urls: tuple[PullUrl, ...] = ()
    # A dict is unhashable: leave it out of the hash so streams stay hashable.
    trans_pull_urls: dict[str, tuple[PullUrl, ...]] = field(
        default_factory=dict, hash=False
    )
    screenshot_template_id: str | None = None
    record_template_id: str | None = None
    demand_live: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    recent_push_at: datetime | None = None

    def pull_url(self, protocol: Protocol) -> PullUrl | None:
        """The first pull URL of that protocol, if any."""
        return _pick(self.pull_urls, protocol)

    @property
    def urls_expire_at(self) -> datetime | None:
        """When the first of the pull URLs expires (None: not signed, or no URLs).

        Transcoded URLs are left out on purpose: nothing says the server re-signs
        them on `FreshExpiredPull`, and a stale one must not make callers refresh
        forever.
        """
        return min(
            (url.expires_at for url in self.pull_urls if url.expires_at is not None),
            default=None,
        )

    @property
    def is_online(self) -> bool:
        """Whether media is flowing (or being pulled from the device)."""
        return self.status.lower() in _ONLINE_STREAM_STATUSES

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a GetStream Result or a ListStreams item."""
        f = _Fields.top(data, "Stream")
        return cls(
            stream_id=f.ident("StreamID"),
            name=f.text("StreamName"),
            space_id=f.text("SpaceID"),
            access_type=f.text("SpaceAccessType"),
            status=f.text("Status"),
            device_id=f.text("DeviceID"),
            device_nsid=f.text("DeviceNSID"),
            channel_id=f.text("ChannelID"),
            sip_id=f.text("SIPID"),
            streaming_type=f.text("StreamingType"),
            resolutions=f.codes("Resolution"),
            description=f.text("Description"),
            pull_urls=parse_pull_urls(f.raw("PullUrls"), name=f.label("PullUrls")),
            trans_pull_urls=_trans_pull_urls(
                f.raw("TransPullUrls"), f.label("TransPullUrls")
            ),
            screenshot_template_id=f.child("Screenshot").opt_text("TemplateID"),
            record_template_id=f.child("Record").opt_text("TemplateID"),
            demand_live=f.flag("DemandLive"),
            created_at=f.time("CreatedAt"),
            updated_at=f.time("UpdatedAt"),
            recent_push_at=f.time("RecentPushTs"),
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class StartStreamResult(_Model):
    """StartStream Result: the stream's (possibly re-signed) pull URLs."""

    stream_id: str
    pull_urls: tuple[PullUrl, ...] = ()
    trans_pull_urls: dict[str, tuple[PullUrl, ...]] = field(
        default_factory=dict, hash=False
    )

    def pull_url(self, protocol: Protocol) -> PullUrl | None:
        """The first pull URL of that protocol, if any."""
        return _pick(self.pull_urls, protocol)

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a StartStream Result."""
        f = _Fields.top(data, "StartStream")
        return cls(
            stream_id=f.ident("ID"),
            pull_urls=parse_pull_urls(f.raw("PullUrls"), name=f.label("PullUrls")),
            trans_pull_urls=_trans_pull_urls(
                f.raw("TransPullUrls"), f.label("TransPullUrls")
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class StopStreamResult(_Model):
    """StopStream Result."""

    stream_id: str
    stopped: bool = False
    """False when the server declined (e.g. `IsSmart` and someone is watching)."""

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse a StopStream Result."""
        f = _Fields.top(data, "StopStream")
        return cls(stream_id=f.ident("ID"), stopped=f.flag("StopRes"))
