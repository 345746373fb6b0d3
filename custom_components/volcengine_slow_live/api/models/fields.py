"""Typed models of the aiotvideo API's results, read tolerantly but never blindly.

The docs and the official SDKs disagree about many shapes (API notes §7): lists
versus maps, a misspelt key, numbers sent as strings, several time formats. Each
parser here accepts every shape seen in any of them, fills defaults for missing
optional fields, ignores unknown ones, and turns anything else into
`InvalidResponse`. Error messages name the field, never its value: values are often
signed URLs.

Times become timezone-aware `datetime`s in UTC. A wall-clock time without a zone
(`2023-10-01 10:10:09`) is read as Beijing time (UTC+8): the service only runs in
mainland-China regions and its examples write local times that way. Numbers above
1e11 are unix milliseconds (as seconds they would be after the year 5000), and a time
of 0 (or less) means "never" and becomes None.

Push URLs, device passwords and domain keys are secrets of the device side or of the
account; no model keeps them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
import json
import math
import re
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from ..errors import InvalidResponse
from ..redact import redact_text

__all__ = [
    "BEIJING",
    "TRANS_UNNAMED",
    "Channel",
    "Device",
    "DeviceChannels",
    "DeviceStream",
    "Protocol",
    "PullUrl",
    "RecordingUrls",
    "Space",
    "StartStreamResult",
    "StopStreamResult",
    "Stream",
    "parse_pull_urls",
]

BEIJING = timezone(timedelta(hours=8), "UTC+08:00")
"""The zone assumed for timestamps that carry none."""

TRANS_UNNAMED = ""
"""`Stream.trans_pull_urls` key for transcoded URLs sent as a plain list."""

# Unix times above this are milliseconds: as seconds they would be in the year 5138.
_MS_THRESHOLD = 100_000_000_000
# Only ASCII digits: `int()` would also accept e.g. Arabic-Indic digits. The length cap
# keeps `int()` far from CPython's 4300-digit conversion limit.
_INT_RE = re.compile(r"[+-]?\d{1,40}", re.ASCII)
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_MAX_ID_NUMBER = 10**40
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


# --------------------------------------------------------------------------------------
# Coercion helpers. Each takes one JSON value and the field's name for the message.


def _fail(name: str, problem: str) -> InvalidResponse:
    return InvalidResponse(f"{name} {problem}")


def _number(value: object, name: str) -> int | float | None:
    """A JSON number or a string holding one; None when absent or empty."""
    if value is None:
        return None
    # bool is an int subclass, but a boolean where a number belongs is garbage.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _fail(name, "is not a finite number")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _INT_RE.fullmatch(text):
            return int(text)
        if _FLOAT_RE.fullmatch(text):
            number = float(text)
            if math.isfinite(number):
                return number
    raise _fail(name, "is not a number")


def _int(value: object, name: str) -> int | None:
    """An integer (or an integral float or numeric string); None when absent."""
    number = _number(value, name)
    if isinstance(number, float):
        if not number.is_integer():
            raise _fail(name, "is not an integer")
        return int(number)
    return number


def _float(value: object, name: str) -> float | None:
    """A float (or int or numeric string); None when absent."""
    number = _number(value, name)
    return None if number is None else float(number)


def _bool(value: object, name: str, default: bool = False) -> bool:
    """true/false, 1/0 or their string forms; `default` when absent."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return default
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _fail(name, "is not a boolean")


def _str(value: object, name: str, default: str = "") -> str:
    """A string; integers are accepted because IDs sometimes arrive as numbers."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and abs(value) < _MAX_ID_NUMBER
    ):
        return str(value)
    raise _fail(name, "is not a string")


def _time(value: object, name: str) -> datetime | None:
    """A UTC datetime from unix seconds or milliseconds or an ISO 8601 string."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _FLOAT_RE.fullmatch(text):
            return _iso_time(text, name)
    number = _number(value, name)
    if number is None or number <= 0:
        return None
    try:
        if number > _MS_THRESHOLD:
            number /= 1000
        return datetime.fromtimestamp(number, UTC)
    except OverflowError, OSError, ValueError:
        raise _fail(name, "is out of range") from None


def _iso_time(text: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=BEIJING)
        return parsed.astimezone(UTC)
    # `from None`: the original message quotes the value.
    except ValueError, OverflowError:
        raise _fail(name, "is not a time") from None


def _obj(value: object, name: str) -> Mapping[str, object]:
    """A JSON object; None or "" (an empty Go value) reads as an empty one."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return value
    raise _fail(name, "is not an object")


def _list(value: object, name: str) -> Sequence[object]:
    """A JSON array; None or "" reads as an empty one."""
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        return value
    raise _fail(name, "is not a list")


def _codes(value: object, name: str) -> tuple[str, ...]:
    """Resolution codes: `"6/3"` or a list of codes."""
    if isinstance(value, list | tuple):
        parts = [_str(item, name) for item in value]
    else:
        parts = _str(value, name).split("/")
    return tuple(part.strip() for part in parts if part.strip())


class _Fields:
    """A JSON object being read, named for error messages.

    It may have fallback layers (e.g. the legacy `DeviceItem.Info`) consulted when
    the object itself lacks a key.
    """

    __slots__ = ("_layers", "_name")

    def __init__(self, value: object, name: str) -> None:
        self._layers: tuple[Mapping[str, object], ...] = (_obj(value, name),)
        self._name = name

    @classmethod
    def top(cls, value: object, name: str) -> _Fields:
        """A Result or list item, which must be an object (None is not one)."""
        if not isinstance(value, Mapping):
            raise _fail(name, "is not an object")
        return cls(value, name)

    def with_fallback(self, other: _Fields) -> _Fields:
        fields = _Fields(None, self._name)
        fields._layers = self._layers + other._layers
        return fields

    def raw(self, *keys: str) -> object:
        """The first value present (not None) under any of `keys`."""
        for key in keys:
            for layer in self._layers:
                value = layer.get(key)
                if value is not None:
                    return value
        return None

    def label(self, key: str) -> str:
        return f"{self._name}.{key}"

    def text(self, *keys: str) -> str:
        return _str(self.raw(*keys), self.label(keys[0]))

    def opt_text(self, *keys: str) -> str | None:
        return self.text(*keys).strip() or None

    def ident(self, *keys: str) -> str:
        """A required identifier."""
        value = self.text(*keys).strip()
        if not value:
            raise _fail(self.label(keys[0]), "missing")
        return value

    def integer(self, key: str, default: int = 0) -> int:
        value = _int(self.raw(key), self.label(key))
        return default if value is None else value

    def opt_integer(self, key: str) -> int | None:
        return _int(self.raw(key), self.label(key))

    def opt_float(self, key: str) -> float | None:
        return _float(self.raw(key), self.label(key))

    def flag(self, *keys: str) -> bool:
        return _bool(self.raw(*keys), self.label(keys[0]))

    def time(self, key: str) -> datetime | None:
        return _time(self.raw(key), self.label(key))

    def required_time(self, key: str) -> datetime:
        value = self.time(key)
        if value is None:
            raise _fail(self.label(key), "missing")
        return value

    def child(self, key: str) -> _Fields:
        return _Fields(self.raw(key), self.label(key))

    def items(self, key: str) -> Sequence[object]:
        return _list(self.raw(key), self.label(key))

    def codes(self, key: str) -> tuple[str, ...]:
        return _codes(self.raw(key), self.label(key))


# --------------------------------------------------------------------------------------
# Media URLs


class _Model:
    """Base of the models: a repr that is scrubbed, since any field may hold a URL."""

    __slots__ = ()

    def __repr__(self) -> str:
        """Like the dataclass repr (fields marked repr=False left out), redacted."""
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)  # type: ignore[arg-type]
            if f.repr
        )
        return redact_text(f"{type(self).__name__}({shown})")


class Protocol(StrEnum):
    """Delivery protocol of a live pull URL."""

    HLS = "hls"
    FLV = "flv"
    RTMP = "rtmp"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PullUrl(_Model):
    """One signed live URL; `url` stays out of `repr` because it carries a token."""

    protocol: Protocol
    url: str = field(repr=False)
    expires_at: datetime | None = None

    @classmethod
    def parse(cls, url: str) -> Self | None:
        """Classify a URL by scheme or path suffix; None if it is none of ours."""
        text = url.strip()
        try:
            parts = urlsplit(text)
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        path = parts.path.lower()
        if scheme in ("rtmp", "rtmps"):
            protocol = Protocol.RTMP
        elif scheme in ("http", "https") and path.endswith(".flv"):
            protocol = Protocol.FLV
        elif scheme in ("http", "https") and path.endswith(".m3u8"):
            protocol = Protocol.HLS
        else:
            return None
        return cls(protocol=protocol, url=text, expires_at=_volc_time(parts.query))


def _query_param(query: str, name: str) -> str | None:
    """A query parameter by case-insensitive name."""
    wanted = name.lower()
    for key, value in parse_qsl(query):
        if key.lower() == wanted:
            return value
    return None


def _volc_time(query: str) -> datetime | None:
    """Expiry of a URL signed by the CDN's URL auth (`volcTime`, unix seconds)."""
    value = _query_param(query, "volcTime")
    try:
        return _time(value, "volcTime")
    except InvalidResponse:
        # A malformed expiry does not make the URL unusable; it just isn't known.
        return None


def parse_pull_urls(value: object, *, name: str = "PullUrls") -> tuple[PullUrl, ...]:
    """Pull URLs from a list of strings or a map of lists (`TransPullUrls`).

    Unknown protocols and empty entries are skipped; duplicates are dropped.
    """
    groups = value.values() if isinstance(value, Mapping) else (value,)
    urls: dict[str, PullUrl] = {}
    for group in groups:
        entries = (group,) if isinstance(group, str) else _list(group, name)
        for entry in entries:
            url = PullUrl.parse(_str(entry, name))
            if url is not None:
                urls.setdefault(url.url, url)
    return tuple(urls.values())


def _trans_pull_urls(value: object, name: str) -> dict[str, tuple[PullUrl, ...]]:
    """`TransPullUrls`: a map of template → URLs ([G], [J]) or a plain list (docs)."""
    if isinstance(value, Mapping):
        groups = {
            _str(key, name): parse_pull_urls(urls, name=name)
            for key, urls in value.items()
        }
    else:
        groups = {TRANS_UNNAMED: parse_pull_urls(value, name=name)}
    return {key: urls for key, urls in groups.items() if urls}


def _pick(urls: Sequence[PullUrl], protocol: Protocol) -> PullUrl | None:
    return next((url for url in urls if url.protocol == protocol), None)


# --------------------------------------------------------------------------------------
# Spaces, devices, channels, streams


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


# --------------------------------------------------------------------------------------
# Cloud recordings and screenshots


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RecordingUrls(_Model):
    """Playback URLs of a cloud-recorded time range; they carry a JWT."""

    playlist_url: str | None = field(default=None, repr=False)
    """CloudRecordPlay's `ID`: an m3u8 playlist URL (its Start/End are in ms)."""
    hls_url: str = field(repr=False)
    mp4_url: str | None = field(default=None, repr=False)
    expires_at: datetime

    @classmethod
    def from_cloud_record_play(
        cls, data: object, *, issued_at: datetime, token_valid: int
    ) -> Self:
        """Parse a CloudRecordPlay (2021-01-01) Result: `ID`, `HLS`, `MP4`."""
        f = _Fields.top(data, "CloudRecordPlay")
        playlist = f.opt_text("ID", "id")
        hls = f.opt_text("HLS", "hls") or playlist
        if hls is None:
            raise _fail("CloudRecordPlay.HLS", "missing")
        return cls(
            playlist_url=playlist,
            hls_url=hls,
            mp4_url=f.opt_text("MP4", "mp4"),
            expires_at=_token_expiry(hls, issued_at, token_valid),
        )

    @classmethod
    def from_play_cloud_record(
        cls, data: object, *, issued_at: datetime, token_valid: int
    ) -> Self:
        """Parse a PlayCloudRecord (2023-10-01) Result: lower-case `hls`, `mp4`."""
        f = _Fields.top(data, "PlayCloudRecord")
        hls = f.ident("hls", "HLS")
        return cls(
            hls_url=hls,
            mp4_url=f.opt_text("mp4", "MP4"),
            expires_at=_token_expiry(hls, issued_at, token_valid),
        )


def _token_expiry(url: str, issued_at: datetime, token_valid: int) -> datetime:
    """The `exp` of the URL's `X-JWT-Token`, else `issued_at + token_valid`."""
    expiry = _jwt_expiry(url)
    if expiry is not None:
        return expiry
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=UTC)
    return issued_at.astimezone(UTC) + timedelta(seconds=token_valid)


def _jwt_expiry(url: str) -> datetime | None:
    """`exp` from a JWT's payload, read without verifying it (only for timing)."""
    try:
        token = _query_param(urlsplit(url).query, "X-JWT-Token")
        parts = (token or "").split(".")
        if len(parts) != 3:
            return None
        payload = parts[1]
        claims = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        exp = claims.get("exp") if isinstance(claims, dict) else None
        if not isinstance(exp, int) or isinstance(exp, bool):
            return None
        return _time(exp, "exp")
    # binascii.Error, UnicodeDecodeError and JSONDecodeError are all ValueErrors;
    # a pathologically nested payload raises RecursionError.
    except ValueError, RecursionError, InvalidResponse:
        return None
