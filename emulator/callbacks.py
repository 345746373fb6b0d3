"""Event callbacks: the cloud POSTs what happens in a space to its `CallbackURL`.

The envelope (事件回调接口说明, API notes §4.18): `{"CallbackMeta": {"MsgID", "App",
"Version": "v1", "Url": [...]}, "CallbackHeader": {"EventObject", "ObjectTag",
"EventType", "EventTime" (ns)}, "Detail": "<base64 of a JSON object>"}`. No signature.
What `Detail` holds is not documented [I]: here, for `device_alarm`, `{SpaceID,
DeviceID, DeviceNSID, ChannelID, StreamID, AlarmNotifyID, AlarmMethod, AlarmType,
AlarmPriority, AlarmTime}`; for `online`/`offline` (channels) and
`device_online`/`device_offline`, the ids.

Delivery is at least once, like a real cloud's: a POST that does not answer 2xx
within 5 s is retried after 1 s and 3 s, then given up. Alarms triggered through the
admin API are sent at once; generated ones (alarms.py) when their time comes (a
ticker checks every second, for spaces with a CallbackURL only). Fault kinds, matched
on `action` "callback" and `EventType` in `match`: `callback_drop` (never sent),
`callback_delay` (`seconds`), `callback_duplicate` (sent twice), `callback_corrupt`
(a body that is not the envelope).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
from typing import TYPE_CHECKING, Any

import aiohttp

from .alarms import stream_alarms
from .model import Alarm

if TYPE_CHECKING:
    from .fleet import Fleet
    from .host import Host
    from .model import Device, Space, Stream

RETRIES = (1.0, 3.0)
TIMEOUT = aiohttp.ClientTimeout(total=5)
CALLBACK_FAULTS = frozenset(
    {"callback_drop", "callback_delay", "callback_duplicate", "callback_corrupt"}
)


def envelope(
    space: Space, event_type: str, *, tag: str, detail: Any, at: float
) -> dict[str, Any]:
    """A callback body."""
    return {
        "CallbackMeta": {
            "MsgID": secrets.token_hex(16),
            "App": space.app,
            "Version": "v1",
            "Url": [space.callback_url],
        },
        "CallbackHeader": {
            "EventObject": "device",
            "ObjectTag": tag,
            "EventType": event_type,
            "EventTime": int(at * 1_000_000_000),
        },
        "Detail": base64.b64encode(json.dumps(detail).encode()).decode(),
    }


class Callbacks:
    """Sends one emulator's callbacks."""

    def __init__(self, emulator: Host) -> None:
        """Idle until `start`."""
        self._emulator = emulator
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._checked: float | None = None
        self.sent: list[dict[str, Any]] = []  # what was POSTed (tests, admin)
        self.given_up = 0  # deliveries that failed every retry, as the cloud drops them

    async def start(self) -> None:
        """Open the session and start the ticker for generated alarms."""
        self._session = aiohttp.ClientSession()
        self._checked = self._emulator.now()
        self._ticker = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        """Stop sending; pending deliveries are cancelled."""
        tasks = [*self._tasks, *([self._ticker] if self._ticker else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._ticker = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ events
    def alarm(self, fleet: Fleet, stream: Stream, alarm: Alarm) -> None:
        """A channel raised an alarm: tell its space, if it listens."""
        space = fleet.spaces[stream.space_id]
        device = fleet.devices.get(stream.device_id or "")
        if not space.callback_url or device is None:
            return
        detail = {
            "SpaceID": space.space_id,
            "DeviceID": device.device_id,
            "DeviceNSID": device.nsid,
            "ChannelID": stream.channel_id,
            "StreamID": stream.stream_id,
            "AlarmNotifyID": alarm.alarm_id,
            "AlarmMethod": alarm.method,
            "AlarmType": alarm.kind,
            "AlarmPriority": alarm.priority,
            "AlarmTime": alarm.at,
        }
        self._send(
            space,
            envelope(
                space, "device_alarm", tag=device.nsid, detail=detail, at=alarm.at
            ),
        )

    def device_status(self, fleet: Fleet, device: Device, online: bool) -> None:
        """A device came online or went offline."""
        space = fleet.spaces[device.space_id]
        if not space.callback_url:
            return
        kind = "device_online" if online else "device_offline"
        detail = {
            "SpaceID": space.space_id,
            "DeviceID": device.device_id,
            "DeviceNSID": device.nsid,
        }
        self._send(
            space,
            envelope(
                space, kind, tag=device.nsid, detail=detail, at=self._emulator.now()
            ),
        )

    # ---------------------------------------------------------------- delivery
    def _send(self, space: Space, body: dict[str, Any]) -> None:
        event_type = body["CallbackHeader"]["EventType"]
        rules = self._emulator.faults.take(
            CALLBACK_FAULTS, "callback", {"EventType": event_type}
        )
        kinds = {rule.kind for rule in rules}
        if "callback_drop" in kinds:
            return
        delay = sum(
            rule.seconds or 1.0 for rule in rules if rule.kind == "callback_delay"
        )
        payload: bytes = json.dumps(body).encode()
        if "callback_corrupt" in kinds:
            payload = payload[: len(payload) // 2]
        copies = 2 if "callback_duplicate" in kinds else 1
        for _ in range(copies):
            task = asyncio.create_task(
                self._deliver(space.callback_url, payload, delay)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self.sent.append(body)

    async def _deliver(self, url: str, payload: bytes, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        assert self._session is not None  # noqa: S101  # started before any event
        for wait in (*RETRIES, None):
            try:
                async with self._session.post(
                    url,
                    data=payload,
                    headers={"Content-Type": "application/json"},
                    timeout=TIMEOUT,
                ) as response:
                    if 200 <= response.status < 300:
                        return
            except aiohttp.ClientError, TimeoutError:
                pass
            if wait is None:
                self.given_up += 1
                return
            await asyncio.sleep(wait)

    async def _tick(self) -> None:
        """Send generated alarms as their time comes (spaces with a callback only)."""
        while True:
            await asyncio.sleep(1.0)
            now = self._emulator.now()
            since = self._checked if self._checked is not None else now
            self._checked = now
            for fleet in self._emulator.fleets():
                for stream in fleet.main_streams():
                    space = fleet.spaces[stream.space_id]
                    if not space.callback_url or stream.alarms_per_hour <= 0:
                        continue
                    for alarm in stream_alarms(stream, int(since), int(now), now):
                        if alarm not in stream.triggered_alarms:
                            self.alarm(fleet, stream, alarm)
