"""Camera alarms: deterministic per channel, plus those triggered through the admin API.

Like recordings, nothing is stored for the generated ones: a stream's seed and
`alarms_per_hour` define, for each hour (UTC, on the emulator clock), when its alarms
happened and of which kind, so a month of history for a large fleet costs nothing
until asked. Alarms are instants (GB/T 28181 alarm notifications have no end).

ListDeviceAlarms (报警列表查询V3, 2023-10-01, POST): body `DeviceID` (required; the
cloud's device UUID, its 20-digit NSID accepted too [I]), `StreamID` (optional: one
channel), `StartTime`/`EndTime` (unix s, required), `Order` (0 ascending, else
descending, default descending [I]), `AlarmMethod: [int]` and `AlarmPriority: [int]`
filters (empty = all); `PageNumber`/`PageSize` in the query (or body) -> `{PageNumber,
PageSize, TotalCount, AlarmNotifies: [...]}`.
"""

from __future__ import annotations

from functools import lru_cache
import hashlib
import random
from typing import TYPE_CHECKING, Any

from .errors import invalid, not_found
from .model import Alarm

if TYPE_CHECKING:
    from .context import Context
    from .model import Device, Stream
    from .params import Params

HOUR_S = 3600
RETENTION_S = 30 * 86400
MAX_PAGE_SIZE = 100
MAX_SPAN_S = 7 * 86400

# (AlarmMethod, AlarmType, description) and how often each is drawn: GB/T 28181
# codes, video alarms (method 5) by far the most common.
KINDS: tuple[tuple[int, int, str, int], ...] = (
    (5, 2, "Motion detected", 10),
    (5, 6, "Intrusion into the guarded area", 3),
    (5, 5, "Tripwire crossed", 2),
    (5, 8, "Loitering", 1),
    (2, 1, "Video loss", 1),
    (2, 2, "Camera tampered with", 1),
    (6, 1, "Disk fault", 1),
    (7, 0, "Other alarm", 1),
)
METHODS = frozenset({1, 2, 3, 4, 5, 6, 7})


def _alarm_id(stream_id: str, at: int, number: int) -> str:
    digest = hashlib.sha256(f"{stream_id}/{at}/{number}".encode()).hexdigest()
    return f"alarm-{digest[:24]}"


@lru_cache(maxsize=16384)
def _hour(stream_id: str, seed: int, per_hour: float, hour: int) -> tuple[Alarm, ...]:
    """The generated alarms of one stream in one hour, oldest first."""
    rng = random.Random(f"{seed}/{hour}")
    # Spread around the rate: some hours quiet, some busy.
    count = sum(1 for _ in range(4) if rng.random() < per_hour / 4)
    count += int(per_hour // 4) if per_hour > 4 else 0
    weights = [k[3] for k in KINDS]
    alarms = []
    for number, at in enumerate(
        sorted(hour * HOUR_S + rng.randrange(HOUR_S) for _ in range(count))
    ):
        method, kind, description, _ = rng.choices(KINDS, weights)[0]
        alarms.append(
            Alarm(
                alarm_id=_alarm_id(stream_id, at, number),
                stream_id=stream_id,
                at=at,
                method=method,
                kind=kind,
                priority=rng.choice((1, 2, 2, 3, 3, 3, 4)),
                description=description,
            )
        )
    return tuple(alarms)


def stream_alarms(stream: Stream, lo: int, hi: int, now: float) -> list[Alarm]:
    """The stream's alarms with lo <= time < hi (and not in the future), oldest first."""
    hi = min(hi, int(now) + 1)
    lo = max(lo, int(now) - RETENTION_S)
    found: list[Alarm] = []
    if stream.alarms_per_hour > 0:
        for hour in range(lo // HOUR_S, (hi - 1) // HOUR_S + 1):
            found.extend(
                alarm
                for alarm in _hour(
                    stream.stream_id, stream.seed, stream.alarms_per_hour, hour
                )
                if lo <= alarm.at < hi
            )
    found.extend(a for a in stream.triggered_alarms if lo <= a.at < hi)
    return sorted(found, key=lambda a: (a.at, a.alarm_id))


def trigger(stream: Stream, now: float, *, method: int = 5, kind: int = 2) -> Alarm:
    """An alarm on the stream's channel now (the admin API's "motion at the gate")."""
    at = int(now)
    description = next((k[2] for k in KINDS if (k[0], k[1]) == (method, kind)), "Alarm")
    alarm = Alarm(
        alarm_id=_alarm_id(stream.stream_id, at, 1000 + len(stream.triggered_alarms)),
        stream_id=stream.stream_id,
        at=at,
        method=method,
        kind=kind,
        priority=2,
        description=description,
    )
    stream.triggered_alarms.append(alarm)
    return alarm


def _int_list(p: Params, name: str, allowed: frozenset[int]) -> frozenset[int]:
    raw = p.raw(name)
    if raw in (None, ""):
        return frozenset()
    if not isinstance(raw, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in raw
    ):
        raise invalid(name, f"{name} must be a list of integers")
    if bad := [v for v in raw if v not in allowed]:
        raise invalid(name, f"unknown {name} {bad[0]}")
    return frozenset(raw)


def _device(ctx: Context, p: Params) -> Device:
    wanted = p.req_string("DeviceID")
    device = ctx.fleet.devices.get(wanted) or next(
        (d for d in ctx.fleet.devices.values() if d.nsid == wanted), None
    )
    if device is None:
        raise not_found("Device", wanted)
    return device


def render(ctx: Context, device: Device, alarm: Alarm) -> dict[str, Any]:
    """One `AlarmNotifies` item."""
    channel = ctx.fleet.streams[alarm.stream_id].channel_id
    return {
        "AlarmNotifyID": alarm.alarm_id,
        "DeviceNSID": device.nsid,
        "ChannelID": channel,
        "AlarmPriority": alarm.priority,
        "AlarmMethod": alarm.method,
        "AlarmType": alarm.kind,
        "EventType": alarm.event_type,
        "AlarmTime": alarm.at,
        "AlarmDescription": alarm.description,
        "Longitude": device.longitude,
        "Latitude": device.latitude,
    }


async def list_device_alarms(ctx: Context, p: Params) -> Any:
    """ListDeviceAlarms (2023-10-01)."""
    device = _device(ctx, p)
    start, end = p.req_int("StartTime"), p.req_int("EndTime")
    if end <= start:
        raise invalid("EndTime", "EndTime must be after StartTime")
    if end - start > MAX_SPAN_S:
        raise invalid("EndTime", f"the time span must not exceed {MAX_SPAN_S} seconds")
    number = max(1, p.integer("PageNumber", default=1, low=0) or 1)
    size = p.integer("PageSize", default=20, low=1, high=MAX_PAGE_SIZE) or 20
    ascending = (p.integer("Order", default=1) or 0) == 0
    methods = _int_list(p, "AlarmMethod", METHODS)
    priorities = _int_list(p, "AlarmPriority", frozenset({1, 2, 3, 4}))
    streams = [
        ctx.fleet.streams[ctx.fleet.channels[device.device_id, channel].stream_id]
        for channel in device.channels
    ]
    if (stream_id := p.string("StreamID")) is not None:
        streams = [s for s in streams if s.stream_id == stream_id]
        if not streams:
            raise not_found("Stream", stream_id)
    alarms = sorted(
        (
            alarm
            for stream in streams
            for alarm in stream_alarms(stream, start, end, ctx.now)
            if (not methods or alarm.method in methods)
            and (not priorities or alarm.priority in priorities)
        ),
        key=lambda a: (a.at, a.alarm_id),
        reverse=not ascending,
    )
    page = alarms[(number - 1) * size : number * size]
    return {
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": len(alarms),
        "AlarmNotifies": [render(ctx, device, alarm) for alarm in page],
    }
