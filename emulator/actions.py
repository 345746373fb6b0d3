"""One handler per API action; `DISPATCH` maps (Action, Version) to it.

Handlers take the request context and the merged parameters and return the
`Result` (or `NO_RESULT` for actions whose answer has none). They raise ApiError
for business errors:

* unknown ids -> 404 `NotFound.Space|Device|Stream`;
* absent required fields -> 400 `MissingParameter.<Field>`;
* bad values -> 400 `InvalidParameter.<Field>`;
* an offline device -> `OperationDeny.DeviceOffline` (HTTP status configurable,
  default 400) [I]; a camera without PTZ -> 403 `OperationDeny.PTZNotSupported` [I].

`StreamingIndex` [I] is optional everywhere (the newest docs make it required on
GetStream): absent, the given stream itself is meant (a sub-stream id stands for
the sub stream); 0 selects the main and 1 the sub stream of its channel.

Paging [I]: `PageNumber` is 1-based (0 means 1, as the docs' example does),
`PageSize` defaults to 20 and is at most 100 for ListSpaces/ListDevices/ListStreams
(more -> 400 InvalidParameter.PageSize) and 30000 for the record/screenshot lists.
Lists are ordered by creation time, newest first unless `Order=1`; channels
(GetDeviceChannelsV2) by channel id, ascending unless `Order=-1`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
import itertools
from typing import TYPE_CHECKING, Any, Final

from .alarms import list_device_alarms
from .context import Context
from .errors import ApiError, invalid, missing, not_found
from .fleet import PTZ_CAPABLE
from .model import ONLINE, SUB
from .recordings import iter_files, iter_meta_segments, iter_screenshots

if TYPE_CHECKING:
    from .model import Device, Space, Stream
    from .params import Params

V2021 = "2021-01-01"
V2023 = "2023-10-01"
LIST_MAX_PAGE_SIZE = 100
RECORD_MAX_PAGE_SIZE = 30000
MAX_PLAY_SPAN_S = 86400
MAX_TOKEN_VALID_S = 7 * 86400
# Someone fetched the stream this recently: StopStream with IsSmart leaves it up.
SMART_STOP_WINDOW_S = 30.0


class _NoResult:
    """Marker: the answer has no `Result` member (CloudControl)."""


NO_RESULT: Final = _NoResult()


type Handler = Callable[[Context, Params], Awaitable[Any]]


# ------------------------------------------------------------------- helpers
def _paging(p: Params, *, high: int) -> tuple[int, int]:
    number = p.integer("PageNumber", default=1, low=0)
    size = p.integer("PageSize", default=20, low=1, high=high)
    # Both have defaults, so neither is None.
    return max(1, number or 1), size or 20


def _order(p: Params, default: int = -1) -> int:
    order = p.integer("Order", default=default)
    if order not in (1, -1):
        raise invalid("Order", "must be 1 or -1")
    return order


def _slice[T](items: list[T], number: int, size: int) -> list[T]:
    start = (number - 1) * size
    return items[start : start + size]


def _space(ctx: Context, p: Params, *, required: bool = True) -> Space | None:
    space_id = p.string("SpaceID", required=required)
    if space_id is None:
        return None
    space = ctx.fleet.spaces.get(space_id)
    if space is None:
        raise not_found("Space", space_id)
    return space


def _stream(ctx: Context, p: Params, field: str = "StreamID") -> Stream:
    stream_id = p.req_string(field)
    stream = ctx.fleet.streams.get(stream_id)
    space_id = p.string("SpaceID")
    if stream is None or (space_id is not None and stream.space_id != space_id):
        raise not_found("Stream", stream_id)
    return stream


def _variant(ctx: Context, p: Params, stream: Stream) -> Stream:
    """Apply StreamingIndex (0 main, 1 sub); a sub-stream id stands for itself."""
    index = p.integer("StreamingIndex", low=0)
    if index is None:
        return stream
    chosen = ctx.fleet.variant(stream, index)
    if chosen is None:
        raise invalid("StreamingIndex", f"the stream has no variant {index}")
    return chosen


def _index_of(stream: Stream) -> int:
    return 1 if stream.streaming_type == SUB else 0


def _device_offline(ctx: Context, what: str) -> ApiError:
    return ApiError(
        "OperationDeny.DeviceOffline",
        f"The device of {what} is offline.",
        status=ctx.offline_status,
    )


def _require_live_device(ctx: Context, stream: Stream) -> Device:
    device = ctx.fleet.devices.get(stream.device_id or "")
    channel = ctx.fleet.channel_of(stream)
    if device is None or channel is None:
        raise ApiError(
            "OperationDeny.NotGBStream",
            f"Stream {stream.stream_id} is not a GB28181 stream.",
        )
    if device.status != ONLINE or not channel.online:
        raise _device_offline(ctx, f"stream {stream.stream_id}")
    return device


def _time_range(
    p: Params,
    start_field: str,
    end_field: str,
    *,
    max_span: int | None,
    rfc3339: bool = False,
) -> tuple[int, int]:
    if rfc3339:
        start, end = p.timestamp(start_field), p.timestamp(end_field)
    else:
        start, end = (
            p.integer(start_field, required=True),
            p.integer(end_field, required=True),
        )
    assert start is not None  # noqa: S101  # required=True raised otherwise
    assert end is not None  # noqa: S101
    if end <= start:
        raise invalid(end_field, f"{end_field} must be after {start_field}")
    if max_span is not None and end - start > max_span:
        raise invalid(end_field, f"the time span must not exceed {max_span} seconds")
    return start, end


def _token_valid(p: Params) -> int:
    valid = p.integer("TokenValid", default=3600, low=1, high=MAX_TOKEN_VALID_S)
    assert valid is not None  # noqa: S101  # default given
    return valid


# -------------------------------------------------------------------- spaces
async def list_spaces(ctx: Context, p: Params) -> Any:
    """ListSpaces: the account's spaces, paged."""
    number, size = _paging(p, high=LIST_MAX_PAGE_SIZE)
    spaces = sorted(ctx.fleet.spaces.values(), key=lambda s: s.created_at)
    if _order(p) == -1:
        spaces.reverse()
    items = [ctx.render.space(s) for s in _slice(spaces, number, size)]
    return ctx.render.page(
        "Spaces", items, number=number, size=size, total=len(spaces), salt="spaces"
    )


async def get_space(ctx: Context, p: Params) -> Any:
    """GetSpace."""
    space = _space(ctx, p)
    assert space is not None  # noqa: S101  # required
    return ctx.render.space(space)


async def update_space(ctx: Context, p: Params) -> Any:
    """UpdateSpace: change the fields given (SpaceID in the query), keep the rest [I].

    `CallbackURL` must be empty (no callbacks) or an http(s) URL of at most 1,024
    characters [I].
    """
    space = _space(ctx, p)
    assert space is not None  # noqa: S101  # required
    if (name := p.string("SpaceName")) is not None:
        if not name.strip() or len(name) > 64:
            raise invalid("SpaceName", "must be 1-64 characters")
        space.name = name
    if (description := p.string("Description")) is not None:
        space.description = description
    if p.raw("HLSLowLatency") is not None:
        space.hls_low_latency = p.boolean("HLSLowLatency")
    gb = p.raw("GB")
    if isinstance(gb, dict) and "PullOnDemand" in gb:
        space.pull_on_demand = bool(gb["PullOnDemand"])
    if (url := p.raw("CallbackURL")) is not None:
        # Empty is a value here: it turns callbacks off.
        url = str(url).strip()
        if url and (not url.startswith(("http://", "https://")) or len(url) > 1024):
            raise invalid("CallbackURL", "must be an http(s) URL")
        space.callback_url = url
    return {"ID": space.space_id}


# ------------------------------------------------------------------- devices
async def list_devices(ctx: Context, p: Params) -> Any:
    """ListDevices: devices of a space, filtered and paged."""
    space = _space(ctx, p)
    assert space is not None  # noqa: S101  # required
    number, size = _paging(p, high=LIST_MAX_PAGE_SIZE)
    devices = [ctx.fleet.devices[i] for i in ctx.fleet.space_devices[space.space_id]]
    if (device_id := p.string("DeviceID")) is not None:
        devices = [d for d in devices if d.device_id == device_id]
    if (nsid := p.string("DeviceNSID")) is not None:
        devices = [d for d in devices if d.nsid == nsid]
    if (name := p.string("DeviceName")) is not None:
        needle = name.lower()
        devices = [d for d in devices if needle in d.name.lower() or needle in d.nsid]
    if (status := p.string("Status")) is not None:
        wanted = {s.strip() for s in status.split(",") if s.strip()}
        devices = [d for d in devices if d.status in wanted]
    devices.sort(key=lambda d: d.created_at, reverse=_order(p) == -1)
    items = [ctx.render.device(d) for d in _slice(devices, number, size)]
    return ctx.render.page(
        "Devices",
        items,
        number=number,
        size=size,
        total=len(devices),
        salt=space.space_id,
    )


def _device(ctx: Context, p: Params) -> Device:
    device_id = p.req_string("DeviceID")
    space = _space(ctx, p, required=False)
    device = ctx.fleet.devices.get(device_id)
    if device is None or (space is not None and device.space_id != space.space_id):
        raise not_found("Device", device_id)
    return device


async def get_device(ctx: Context, p: Params) -> Any:
    """GetDevice, with DeviceStreams keyed by channel id."""
    return ctx.render.device(_device(ctx, p))


async def get_device_channels_v2(ctx: Context, p: Params) -> Any:
    """GetDeviceChannelsV2: `brief` answers from cache; `detail` asks the device."""
    device = _device(ctx, p)
    mode = p.string("QueryMode") or "detail"
    if mode not in ("brief", "detail"):
        raise invalid("QueryMode", "must be brief or detail")
    order = _order(p, default=1)
    wanted_status = p.string("ChannelStatus")
    if wanted_status not in (None, "ON", "OFF"):
        raise invalid("ChannelStatus", "must be ON or OFF")
    if mode == "detail":
        # A live SIP query to the device: slow, and impossible while it is offline.
        if ctx.detail_delay > 0:
            await asyncio.sleep(ctx.detail_delay)
        if device.status != ONLINE:
            raise _device_offline(ctx, f"device {device.device_id}")
    channels = [ctx.fleet.channels[device.device_id, c] for c in device.channels]
    if (channel_id := p.string("ChannelID")) is not None:
        channels = [c for c in channels if c.channel_id == channel_id]
    channels.sort(key=lambda c: c.channel_id, reverse=order == -1)
    items = [ctx.render.channel(device, c, detail=mode == "detail") for c in channels]
    if wanted_status is not None:
        items = [
            i
            for i in items
            if (
                i["DeviceItem"][0]
                if isinstance(i["DeviceItem"], list)
                else i["DeviceItem"]
            )["Status"]
            == wanted_status
        ]
    return {
        "DeviceID": device.device_id,
        "DeviceNSID": device.nsid,
        "DeviceName": device.name,
        "Channels": items,
    }


# ------------------------------------------------------------------- streams
async def list_streams(ctx: Context, p: Params) -> Any:
    """ListStreams: main streams of a space, with their (stored) pull URLs."""
    space = _space(ctx, p)
    assert space is not None  # noqa: S101  # required
    number, size = _paging(p, high=LIST_MAX_PAGE_SIZE)
    streams = [ctx.fleet.streams[i] for i in ctx.fleet.space_streams[space.space_id]]
    if (name := p.string("StreamName")) is not None:
        needle = name.lower()
        streams = [
            s
            for s in streams
            if needle in s.name.lower() or needle in s.description.lower()
        ]
    streams.sort(key=lambda s: s.created_at, reverse=_order(p) == -1)
    items = [ctx.render.stream(s) for s in _slice(streams, number, size)]
    return ctx.render.page(
        "Streams",
        items,
        number=number,
        size=size,
        total=len(streams),
        salt=space.space_id,
    )


async def get_stream(ctx: Context, p: Params) -> Any:
    """GetStream by StreamID (or StreamName); FreshExpiredPull=1 re-signs due URLs."""
    if p.string("StreamID") is None and (name := p.string("StreamName")) is not None:
        space = _space(ctx, p, required=False)
        spaces = [space] if space is not None else list(ctx.fleet.spaces.values())
        for candidate in spaces:
            found = ctx.fleet.by_name.get((candidate.app, name))
            if found is not None:
                stream = ctx.fleet.streams[found]
                break
        else:
            raise not_found("Stream", name)
    else:
        stream = _stream(ctx, p)
    stream = _variant(ctx, p, stream)
    p.string("Resolution")  # accepted; the emulator has one picture per variant
    refresh = p.boolean("FreshExpiredPull")
    return ctx.render.stream(stream, refresh=refresh)


async def start_stream(ctx: Context, p: Params) -> Any:
    """StartStream: invite a GB stream (it goes online if its device is)."""
    stream = _variant(ctx, p, _stream(ctx, p))
    for flag in ("IgnoreAudio", "EnableAudioTranscode"):
        p.boolean(flag)
    fleet = ctx.fleet
    space = fleet.spaces[stream.space_id]
    if stream.is_gb:
        _require_live_device(ctx, stream)
        if fleet.on_demand(stream):
            fleet.start_session(stream, ctx.now)
    elif fleet.stream_status(stream, ctx.now) != ONLINE:
        raise ApiError(
            "OperationDeny.StreamOffline",
            f"Stream {stream.stream_id} is not being pushed.",
        )
    refresh = p.boolean("FreshExpiredPull", default=True)
    return {
        "ID": stream.stream_id,
        "PullUrls": ctx.render.pull_list(space, stream, refresh=refresh),
        "TransPullUrls": ctx.render.trans(
            space,
            stream,
            refresh=refresh,
            as_list=not ctx.render.flip("start-trans", stream.stream_id),
        ),
    }


async def stop_stream(ctx: Context, p: Params) -> Any:
    """StopStream: end an on-demand invite (always-on streams keep running) [I]."""
    stream = _variant(ctx, p, _stream(ctx, p))
    smart = p.boolean("IsSmart")
    fleet = ctx.fleet
    stopped = False
    active = fleet.on_demand(stream) and ctx.now < stream.active_until
    watched = ctx.now - stream.last_fetch < SMART_STOP_WINDOW_S
    if active and not (smart and watched):
        fleet.stop_session(stream, ctx.now)
        stopped = True
    return {"ID": stream.stream_id, "StopRes": stopped}


# ---------------------------------------------------------------- playback
def _record_stream(ctx: Context, p: Params) -> Stream:
    """CloudRecordPlay addresses a stream by id or by DeviceNSID + ChannelID."""
    if p.string("StreamID") is not None:
        return _stream(ctx, p)
    nsid = p.string("DeviceNSID")
    channel_id = p.string("ChannelID")
    if nsid is None or channel_id is None:
        raise missing("StreamID")
    for device in ctx.fleet.devices.values():
        if device.nsid == nsid:
            channel = ctx.fleet.channels.get((device.device_id, channel_id))
            if channel is None:
                raise not_found("Stream", f"{nsid}/{channel_id}")
            return ctx.fleet.streams[channel.stream_id]
    raise not_found("Device", nsid)


async def cloud_record_play(ctx: Context, p: Params) -> Any:
    """CloudRecordPlay (2021-01-01): StartTs/EndTs as unix s or RFC3339."""
    stream = _record_stream(ctx, p)
    index = _index_of(_variant(ctx, p, stream))
    start, end = _time_range(
        p, "StartTs", "EndTs", max_span=MAX_PLAY_SPAN_S, rfc3339=True
    )
    main = ctx.fleet.variant(stream, 0) or stream
    token = ctx.links.playback_token(
        main, index=index, start=start, end=end, valid=_token_valid(p), now=ctx.now
    )
    return ctx.links.cloud_record_play(main.stream_id, start, end, token)


async def play_cloud_record(ctx: Context, p: Params) -> Any:
    """PlayCloudRecord (2023-10-01): lower-case `hls`/`mp4` keys."""
    stream = _stream(ctx, p)
    index = _index_of(_variant(ctx, p, stream))
    p.boolean("WithSub")
    start, end = _time_range(p, "StartTime", "EndTime", max_span=MAX_PLAY_SPAN_S)
    main = ctx.fleet.variant(stream, 0) or stream
    token = ctx.links.playback_token(
        main, index=index, start=start, end=end, valid=_token_valid(p), now=ctx.now
    )
    return ctx.links.play_cloud_record(main.stream_id, token)


def _tos_time(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y%m%dT%H%M%S")


async def list_stream_records(ctx: Context, p: Params) -> Any:
    """ListStreamRecords (2023-10-01): a JSON array of recording files or TS segments."""
    stream = _stream(ctx, p)
    _variant(ctx, p, stream)
    p.boolean("WithSub")
    start, end = _time_range(p, "StartTime", "EndTime", max_span=None)
    number, size = _paging(p, high=RECORD_MAX_PAGE_SIZE)
    req_type = p.string("ReqType") or ""
    if req_type not in ("", "record_metadata"):
        raise invalid("ReqType", "must be empty or record_metadata")
    main = ctx.fleet.variant(stream, 0) or stream
    space = ctx.fleet.spaces[main.space_id]
    offset = (number - 1) * size
    prefix = f"ve_{space.app[:4]}/{space.push_domain}/{main.stream_id}"
    items: list[dict[str, Any]] = []
    if req_type == "record_metadata":
        segments = iter_meta_segments(main, start, end, ctx.stored)
        for seg_start, seg_end in itertools.islice(segments, offset, offset + size):
            duration_ms = (seg_end - seg_start) * 1000
            items.append(
                {
                    "Type": "record_metadata",
                    "Path": f"{prefix}/ts/{seg_start}-{_tos_time(seg_start)}-{duration_ms}-"
                    f"{seg_end + 2}.ts",
                    "RecordMeta": {
                        "StartTime": seg_start,
                        "EndTime": seg_end,
                        "Duration": float(seg_end - seg_start),
                        "Format": "ts",
                        "Bucket": f"aiotvideo-record-{space.region}",
                        "StorageType": "standard",
                        "VideoCodec": 1,
                        "AudioCodec": 0,
                    },
                }
            )
        return items
    for file_start, file_end in itertools.islice(
        iter_files(main, start, end, ctx.stored), offset, offset + size
    ):
        items.append(
            {
                "Type": "record",
                "Path": f"{prefix}/mp4/{file_start}-{file_end}.mp4",
                "Record": {
                    "StartTime": file_start,
                    "EndTime": file_end,
                    "Duration": float(file_end - file_start),
                    "Cover": ctx.links.cover(space, main, file_start, ctx.now),
                    "Format": 1,
                    "VideoCodec": 1,
                    "AudioCodec": 0,
                },
            }
        )
    return items


async def list_stream_screenshots(ctx: Context, p: Params) -> Any:
    """ListStreamScreenshots (2023-10-01): a JSON array, one shot a minute while online."""
    stream = _stream(ctx, p)
    start, end = _time_range(p, "StartTime", "EndTime", max_span=None)
    number, size = _paging(p, high=RECORD_MAX_PAGE_SIZE)
    main = ctx.fleet.variant(stream, 0) or stream
    space = ctx.fleet.spaces[main.space_id]
    offset = (number - 1) * size
    shots = iter_screenshots(ctx.fleet, main, start, end, ctx.now)
    return [
        {
            "Type": "screenshot",
            "Path": ctx.links.screenshot(space, main, at, ctx.now),
            "Screenshot": {"BornTs": at},
        }
        for at in itertools.islice(shots, offset, offset + size)
    ]


# ----------------------------------------------------------------------- PTZ
# PTZ action -> command -> (lowest Para, highest Para) (API notes §4.17).
_MOVE = (0, 255)
PTZ_COMMANDS: dict[str, dict[str, tuple[int, int]]] = {
    "PTZControl": {
        "stop": _MOVE,
        **dict.fromkeys(
            (
                "up",
                "down",
                "left",
                "right",
                "leftup",
                "leftdown",
                "rightup",
                "rightdown",
            ),
            _MOVE,
        ),
        "zoomin": (0, 15),
        "zoomout": (0, 15),
    },
    "FiControl": dict.fromkeys(
        ("stop", "focusfar", "focusnear", "irisin", "irisout"), _MOVE
    ),
    "PresetControl": dict.fromkeys(("set", "goto", "remove"), (1, 255)),
}


async def cloud_control(ctx: Context, p: Params) -> Any:
    """CloudControl (2023-10-01): PTZ/focus-iris/preset (emulator.ptz); no Result."""
    stream = _stream(ctx, p)
    # The query's `Action` is the API action; the PTZ action comes from the body
    # (`Action`, or `action` as the Go SDK spells it) or a lower-case query key.
    ptz_action = p.body.get("Action") or p.body.get("action") or p.query.get("action")
    if not ptz_action:
        raise missing("Action")
    commands = PTZ_COMMANDS.get(str(ptz_action))
    if commands is None:
        raise invalid("Action", f"must be one of {', '.join(PTZ_COMMANDS)}")
    cmd = p.req_string("Cmd")
    if cmd not in commands:
        raise invalid("Cmd", f"{ptz_action} takes one of {', '.join(commands)}")
    low, high = commands[cmd]
    para = p.req_int("Para", low=low, high=high)
    main = ctx.fleet.variant(stream, 0) or stream
    _require_live_device(ctx, main)
    channel = ctx.fleet.channel_of(main)
    assert channel is not None  # noqa: S101  # checked by _require_live_device
    if channel.ptz_type not in PTZ_CAPABLE:
        raise ApiError(
            "OperationDeny.PTZNotSupported",
            f"Channel {channel.channel_id} (PTZType {channel.ptz_type}) cannot pan or tilt.",
        )
    main.ptz.apply(ctx.now, str(ptz_action), cmd, para)
    main.ptz_log.append((ctx.now, str(ptz_action), cmd, para))
    return NO_RESULT


DISPATCH: dict[tuple[str, str], Handler] = {
    ("ListSpaces", V2021): list_spaces,
    ("GetSpace", V2021): get_space,
    ("UpdateSpace", V2021): update_space,
    ("ListDevices", V2021): list_devices,
    ("GetDevice", V2021): get_device,
    ("GetDeviceChannelsV2", V2021): get_device_channels_v2,
    ("ListStreams", V2021): list_streams,
    ("GetStream", V2021): get_stream,
    ("StartStream", V2021): start_stream,
    ("StopStream", V2021): stop_stream,
    ("CloudRecordPlay", V2021): cloud_record_play,
    ("PlayCloudRecord", V2023): play_cloud_record,
    ("ListStreamRecords", V2023): list_stream_records,
    ("ListStreamScreenshots", V2023): list_stream_screenshots,
    ("CloudControl", V2023): cloud_control,
    ("ListDeviceAlarms", V2023): list_device_alarms,
}
