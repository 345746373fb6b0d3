"""A camera's alarms of the last days, complete, read once and then only what is new.

The media browser's Alarms folder and the voice answers ("what happened at the gate
today?") show and count every alarm of the window, not the newest page of it: a
count that stops at a page size is a wrong answer. ListDeviceAlarms serves 100 a
page, so a busy camera's week (800 alarms and more) costs a few pages the first time.
After that a camera's list is brought up to date by reading only from shortly before
where the last read ended (alarms reach the list late, `OVERLAP`; the whole window
again every `REREAD`, for the ones later than that): one call. What
must be current (the folder as it opens, a spoken answer) reads that call; what
follows from it (a day opened in the folder) takes a list read less than `FRESH` ago
as it is. Every page goes through the client's limiter.

Only the window's last days are kept (`DAYS`, the most one listing may span), for
the cameras someone looked at, and only while the entry is loaded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic

from ..api.client import AiotVideoClient
from ..api.models import DeviceAlarm

DAYS = 7  # the most one ListDeviceAlarms listing may span
# A list read this recently answers, without a call, what may take it as it is.
FRESH = 60.0
# Alarms reach the cloud's list late: an update reads back this far before the end of
# the previous read.
OVERLAP = timedelta(seconds=60)
# Now and then the whole window is read again: an alarm that reached the list later
# than `OVERLAP` (a device that was cut off sends it when it is back) then appears.
REREAD = 3600.0


@dataclass(slots=True)
class _Known:
    """What was read of one camera's alarms."""

    start: datetime
    """The oldest moment read."""
    end: datetime
    """Where the last read ended (exclusive)."""
    read_at: float
    """When it was read (monotonic)."""
    whole_at: float = 0.0
    """When the whole window was last read (monotonic)."""
    alarms: dict[str, DeviceAlarm] = field(default_factory=dict)


class AlarmHistory:
    """The alarms of the cameras someone looked at, per channel."""

    def __init__(self, client: AiotVideoClient) -> None:
        """Read through `client` (its limiter keeps the action's rate)."""
        self._client = client
        self._known: dict[str, _Known] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def async_alarms(
        self, device_id: str, stream_id: str, now: datetime, *, current: bool = True
    ) -> list[DeviceAlarm]:
        """The channel's alarms of the `DAYS` days before `now`, newest first.

        `current`: read what is new since the last read (one call); else a list read
        less than `FRESH` ago answers as it is. Raises the client's ApiError when the
        cloud cannot be read; what was read before is kept for the next time.
        """
        # The current second included (the list's end is exclusive).
        end = now + timedelta(seconds=1)
        start = end - timedelta(days=DAYS)
        # One read per camera at a time: a second asker waits and shares it.
        async with self._locks.setdefault(stream_id, asyncio.Lock()):
            known = self._known.get(stream_id)
            if (
                known is None
                or known.start > start
                or monotonic() - known.whole_at >= REREAD
            ):
                known = _Known(start=start, end=start, read_at=0.0)
            if (
                current
                or monotonic() - known.read_at >= FRESH
                or known.end < end - OVERLAP
            ):
                # From a little before where the last read ended; the ids tell the
                # alarms read twice apart.
                since = max(start, known.end - OVERLAP)
                whole = since == start
                async for alarm in self._client.iter_device_alarms(
                    device_id, start=since, end=end, stream_id=stream_id
                ):
                    known.alarms[alarm.alarm_id] = alarm
                known.end, known.read_at = end, monotonic()
                if whole:
                    known.whole_at = known.read_at
                # Stored once the read is complete: a failed one leaves the last.
                self._known[stream_id] = known
            known.start = max(known.start, start)
            for alarm_id in [a for a, x in known.alarms.items() if x.at < start]:
                del known.alarms[alarm_id]
            return sorted(
                (a for a in known.alarms.values() if a.at < end),
                key=lambda a: (a.at, a.alarm_id),
                reverse=True,
            )
