"""Keeps a camera's Home Assistant stream playing what the cloud serves now.

Home Assistant keeps one `Stream` per camera for as long as the camera exists and
starts it again, with the source it was created with, whenever someone opens the
live view; when its worker fails, it retries the same source after 10 s, then 20 s,
30 s... Cloud live URLs stop playing long before they expire: an on-demand stream
is dropped by the cloud a few minutes after the last pull, a token may be revoked,
the cloud may restart, a channel may go offline and come back. Left alone, the
stream then retries a dead URL until it is renewed half an hour later.

Two hooks of Home Assistant's camera and stream code (the same in every supported
release) let the integration step in at the right moments:

* `Camera.async_create_stream` runs before every start of a stream (the live view's
  `camera/stream` request, a still taken from the stream): a stopped stream gets a
  source that was just proven to play (`LiveSource.async_url`), so a stream opened
  after any idle time starts on a live URL. The guard never calls
  `Stream.update_source()`: it flags the worker to restart once, and a stop asked
  before the worker saw the flag is undone by it (the stop then waits forever); a
  stopped stream's `source` is assigned, a running one is restarted.
* `Stream.set_update_callback` is how the stream reports its availability (the
  camera writes its state from it). When the worker fails, the guard fetches a
  source that plays and restarts the worker on it at once, keeping the stream's
  access token, so the players already on it resume by themselves: the frontend's
  HLS player keeps asking for the same playlist, and the stream's HTTP views start
  a stopped stream when asked. Restarts back off (2 s, doubling to 5 min) while a
  restarted stream keeps failing, so nothing retries in a tight loop.

A channel coming back online restarts a failed stream the same way, instead of
waiting for the worker's next (by then long) retry.

Not every fault fails the worker: when every request of a URL is refused (a token
revoked early), the HLS reader keeps asking for a while without ending. So while
someone watches, the guard also notices a stream that stalls (no new segment for
three segment lengths): if its URL no longer plays, the stream is restarted on one
that does, as above.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time

from homeassistant.components.stream import Stream
from homeassistant.components.stream.const import OUTPUT_IDLE_TIMEOUT
from homeassistant.core import HomeAssistant, callback

from ..api.errors import ApiError
from ..const import LOGGER
from .source import LiveSource, NoLiveUrlError

# The first restart waits this long, then twice as long while restarts keep failing.
RESTART_MIN = 2.0
RESTART_MAX = 300.0
# A restarted stream that stayed up this long is healthy: the next failure restarts
# after RESTART_MIN again.
STABLE = 60.0
# A recording to a file (camera.record) is never cut short by a restart.
_RECORDER = "recorder"
_HLS = "hls"
# A stopped worker's last step runs on the event loop right after it; wait at most.
WORKER_DONE_WITHIN = 5.0
# While watched, how often the newest segment is looked at, and how many segment
# lengths (at least STALL_MIN seconds) without a new one make a stall.
WATCH_EVERY = 1.0
STALL_SEGMENTS = 3
STALL_MIN = 6.0


class StreamGuard:
    """Watches one camera's stream; see the module's docstring."""

    def __init__(
        self,
        hass: HomeAssistant,
        live: LiveSource,
        name: Callable[[], str],
        write_state: Callable[[], None],
    ) -> None:
        """`name` says which camera in logs; `write_state` is the camera's own."""
        self._hass = hass
        self._live = live
        self._name = name
        self._write_state = write_state
        self._stream: Stream | None = None
        self._task: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        # Set when a stopped worker's last words have run (see _async_restart).
        self._worker_done: asyncio.Event | None = None
        self._delay = RESTART_MIN
        self._restarted_at = float("-inf")

    @callback
    def attach(self, stream: Stream) -> None:
        """Follow `stream`'s availability (once per stream)."""
        if stream is not self._stream:
            self._stream = stream
            stream.set_update_callback(self._stream_changed)
        self._ensure_watch(stream)

    @callback
    def _ensure_watch(self, stream: Stream) -> None:
        """Watch the stream while it has outputs (unless a watch is under way)."""
        if self._watch is None or self._watch.done():
            self._watch = self._hass.async_create_background_task(
                self._async_watch(stream), f"watch the live stream of {self._name()}"
            )

    async def _async_watch(self, stream: Stream) -> None:
        """While the stream has outputs: keep its URL renewed; unstall live view.

        A stalled HLS output (no new segment for a while) is switched to a URL
        that plays. Once the outputs are gone (the players' idle timeout, a
        recording's end), renewals stop: nothing pulls the URL any more.
        """
        seen, since = -1, time.monotonic()
        # The caller adds the outputs and starts the stream right after attach().
        await asyncio.sleep(WATCH_EVERY)
        while stream is self._stream and (outputs := stream.outputs()):
            self._live.keep_alive()
            if (output := outputs.get(_HLS)) is not None:
                now = time.monotonic()
                if output.last_sequence != seen:
                    seen, since = output.last_sequence, now
                target = float(getattr(output, "target_duration", 0) or 0)
                stall = max(STALL_MIN, STALL_SEGMENTS * target)
                if now - since > stall and stream.available:
                    await self._async_unstall(stream)
                    since = time.monotonic()
            await asyncio.sleep(WATCH_EVERY)

    async def _async_unstall(self, stream: Stream) -> None:
        try:
            url = await self._live.async_url()
        except (ApiError, NoLiveUrlError) as err:
            LOGGER.debug("%s: the stalled stream has no URL: %s", self._name(), err)
            return
        if url != stream.source:
            # Restarted like a failed stream: `update_source()` would flag a worker
            # that has just failed (its report not yet in) to restart once more
            # when next stopped, and then it would not stop.
            LOGGER.debug("%s: the live stream stalled; a fresh URL", self._name())
            await self._async_restart(stream, url)

    async def async_before_start(self, stream: Stream) -> None:
        """Give a stopped stream a source that plays now; raises ApiError/NoLiveUrlError.

        A running stream (it has outputs) is pulling: nothing can have lapsed.
        """
        if stream.outputs():
            return
        url = await self._live.async_url()
        if url != stream.source:
            LOGGER.debug("%s: starting on a fresh live URL", self._name())
            stream.source = url

    @callback
    def url_renewed(self, url: str) -> None:
        """A renewed URL: a running stream switches to it, a stopped one keeps it.

        Switched by a restart, not `update_source()`: that flags the worker to
        restart once, and a stop asked before the worker has seen the flag (the
        stream's idle timeout, Home Assistant shutting down) is then undone by it:
        the worker clears the stop, runs on, and the stop waits for it forever.
        """
        if (stream := self._stream) is None:
            return
        busy = self._task is not None and not self._task.done()
        if not stream.outputs() or not stream.available or busy:
            stream.source = url  # the next start (or the restart under way) takes it
            return
        self._task = self._hass.async_create_background_task(
            self._async_restart(stream, url),
            f"switch the live stream of {self._name()} to its renewed URL",
        )

    @callback
    def channel_online(self) -> None:
        """The channel is back: a failed stream is restarted now."""
        if self._stream is not None and not self._stream.available:
            self._recover()

    @callback
    def _stream_changed(self) -> None:
        self._write_state()
        if self._stream is None:
            return
        if not self._stream.available:
            self._recover()
        elif self._worker_done is not None:
            self._worker_done.set()

    @callback
    def _recover(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = self._hass.async_create_background_task(
            self._async_recover(), f"restart the live stream of {self._name()}"
        )

    async def _async_recover(self) -> None:
        now = time.monotonic()
        if now - self._restarted_at > STABLE:
            self._delay = RESTART_MIN
        wait = max(0.0, self._restarted_at + self._delay - now)
        if wait:
            await asyncio.sleep(wait)
        stream = self._stream
        if stream is None or stream.available:
            return
        self._delay = min(self._delay * 2, RESTART_MAX)
        self._restarted_at = time.monotonic()
        try:
            url = await self._live.async_url()
        except (ApiError, NoLiveUrlError) as err:
            # Offline, or the cloud fails: the worker keeps retrying on its own, each
            # failure brings us here again, and a channel coming back calls us.
            LOGGER.debug(
                "%s: the live stream cannot restart yet: %s", self._name(), err
            )
            return
        await self._async_restart(stream, url)

    async def _async_restart(self, stream: Stream, url: str) -> None:
        """Restart the worker on `url` now, for the players already on the stream."""
        outputs = stream.outputs()
        if _RECORDER in outputs or stream.dynamic_stream_settings.preload_stream:
            # Not to be stopped (a recording in progress; a kept-alive stream has no
            # viewers to resume it): its worker's own next try takes the new URL.
            stream.source = url
            return
        LOGGER.debug("%s: restarting the live stream on a fresh URL", self._name())
        token = stream.access_token
        formats = list(outputs)
        # Removing the last output stops the worker (it is between two tries). Its
        # thread's last step runs later on the event loop: it reports the stream
        # available again, then removes whatever outputs the stream has by then.
        # Outputs are added back only after that, or it would remove them.
        # (A failed worker reports back; a running one has nothing to report, and
        # its last step is already queued once it has stopped.)
        failed = not stream.available
        self._worker_done = asyncio.Event()
        try:
            for provider in list(outputs.values()):
                await stream.remove_provider(provider)
            if failed:
                async with asyncio.timeout(WORKER_DONE_WITHIN):
                    await self._worker_done.wait()
        except TimeoutError:
            LOGGER.debug("%s: the stopped worker did not report back", self._name())
        finally:
            self._worker_done = None
        for _ in range(3):  # let the stopped worker's queued last step run first
            await asyncio.sleep(0)
        stream.source = url
        if not formats:
            return
        stream.access_token = token
        for fmt in formats:
            # Its players' usual idle time, not the longer grace a new output gets
            # to start: a restart must not keep a stream nobody watches alive (with
            # URLs valid for less than that grace, renewals would do so for good).
            stream.add_provider(fmt, timeout=OUTPUT_IDLE_TIMEOUT)
        await stream.start()
        # The watch may have seen the stream without outputs while they were
        # removed above, and ended: without it the URL would stop being renewed
        # and a stall would go unnoticed (seen on a loaded machine: 24 s frozen).
        if stream is self._stream:
            self._ensure_watch(stream)

    @callback
    def async_stop(self) -> None:
        """The camera is going away: no restart after this."""
        self._stream = None
        for task in (self._task, self._watch):
            if task is not None:
                task.cancel()
        self._task = self._watch = None
