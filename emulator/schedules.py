"""When a fleet's streams are online, and what they record.

Recordings and screenshots are not stored: `recordings` computes them lazily from
each stream's seed and the schedule set here.

Stream status rules [I]:

* RTMP streams are `online` while "pushing" (most are; a few are not).
* GB streams are `offline` while their device is offline or the channel is OFF.
* In spaces with `GB.PullOnDemand=true` (and for every sub stream, which the
  platform only pulls when asked) a GB stream is `offline` (some never-started
  ones `init`) until StartStream; it then stays `online` until `on_demand_idle`
  seconds pass without a StartStream or CDN fetch.
* Otherwise a GB stream is `online` whenever its device and channel are.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from .clock import wall_time
from .inventory import Inventory
from .model import OFFLINE, ONLINE, SUB, Stream

DEFAULT_EVENTS_PER_DAY = 24


class Schedules(Inventory):
    """The fleet's streams' status rules, on-demand sessions and record schedules."""

    def __init__(self, seed: int = 1) -> None:
        """Create an empty fleet whose generated IDs come from `seed`."""
        super().__init__(seed)
        # Set by the emulator: its clock, and how long an on-demand stream stays up.
        self.clock: Callable[[], float] = wall_time
        self.on_demand_idle = 300.0

    # -------------------------------------------------------------- mutate
    def set_device_status(self, device_id: str, status: str) -> None:
        """Set a device `online`/`offline` (or any documented status)."""
        device = self.devices[device_id]
        device.status = status
        device.status_log.append((self.clock(), status == ONLINE))

    def set_stream_status(self, stream_id: str, status: str | None) -> None:
        """Force a stream's status (None returns it to the computed one)."""
        stream = self.streams[stream_id]
        stream.forced_status = status
        now = self.clock()
        stream.status_log.append((now, self.stream_status(stream, now) == ONLINE))

    def set_recording(
        self,
        stream_id: str,
        mode: str | None,
        *,
        events_per_day: int = DEFAULT_EVENTS_PER_DAY,
        since: float = 0.0,
        outages: bool = True,
        pauses: list[tuple[int, int]] | None = None,
    ) -> None:
        """Give a stream a record schedule: `continuous`, `events` or None.

        `outages=False` takes the random daily outages out of continuous recording;
        `pauses` are [start, end) unix-second spans in which nothing is recorded.
        """
        if mode not in (None, "continuous", "events"):
            raise ValueError(f"unknown record mode {mode!r}")
        if events_per_day < 1:
            raise ValueError("events_per_day must be positive")
        stream = self.streams[stream_id]
        stream.record_mode = mode
        stream.events_per_day = events_per_day
        stream.record_since = since
        stream.record_outages = outages
        stream.record_pauses = sorted(pauses or [])

    def set_screenshots(self, stream_id: str, *, enabled: bool) -> None:
        """Bind or unbind the screenshot template of a stream."""
        self.streams[stream_id].screenshot = enabled

    # ------------------------------------------------------------- queries
    def on_demand(self, stream: Stream) -> bool:
        """Whether the stream is only pulled while someone asks for it."""
        if not stream.is_gb:
            return False
        return (
            self.spaces[stream.space_id].pull_on_demand or stream.streaming_type == SUB
        )

    def stream_status(self, stream: Stream, now: float) -> str:
        """Return the stream's `Status` at `now` (see the module docstring)."""
        if stream.forced_status is not None:
            return stream.forced_status
        if not stream.is_gb:
            return ONLINE if stream.pushing else OFFLINE
        channel = self.channel_of(stream)
        device = self.devices[stream.device_id] if stream.device_id else None
        if (
            device is None
            or device.status != ONLINE
            or channel is None
            or not channel.online
        ):
            return OFFLINE
        if self.on_demand(stream):
            return ONLINE if now < stream.active_until else stream.idle_status
        return ONLINE

    def start_session(self, stream: Stream, now: float) -> None:
        """StartStream: an on-demand stream goes online for `on_demand_idle` seconds."""
        if now < stream.active_until and stream.sessions:
            stream.sessions[-1][1] = now + self.on_demand_idle
        else:
            stream.sessions.append([now, now + self.on_demand_idle])
        stream.active_until = now + self.on_demand_idle
        stream.idle_status = OFFLINE

    def touch(self, stream: Stream, now: float) -> None:
        """A CDN fetch keeps an invited on-demand stream alive."""
        stream.last_fetch = now
        if self.on_demand(stream) and now < stream.active_until and stream.sessions:
            stream.active_until = now + self.on_demand_idle
            stream.sessions[-1][1] = stream.active_until

    def stop_session(self, stream: Stream, now: float) -> None:
        """StopStream: the invite ends now."""
        if now < stream.active_until and stream.sessions:
            stream.sessions[-1][1] = now
        stream.active_until = now

    def was_online(self, stream: Stream, at: float) -> bool:
        """Best knowledge of whether the stream was online at time `at`."""
        log = stream.status_log
        if log and at >= log[0][0]:
            return log[bisect_right(log, (at, True)) - 1][1]
        if not stream.is_gb:
            return stream.pushing
        device = self.devices.get(stream.device_id or "")
        if device is None:
            return False
        dlog = device.status_log
        if dlog and at >= dlog[0][0]:
            online = dlog[bisect_right(dlog, (at, True)) - 1][1]
        else:
            online = device.initially_online
        if not online:
            return False
        if self.on_demand(stream):
            return any(start <= at < end for start, end in stream.sessions)
        return True
