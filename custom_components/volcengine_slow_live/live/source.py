"""Keeps a playable live pull URL per camera and renews it before `volcTime` expires.

Pull URLs are signed (`volcTime` is their expiry). A running stream keeps fetching
playlist and segments with the token it started with, so shortly before expiry the
URL is fetched anew (GetStream with FreshExpiredPull=1) and handed to the running
stream, which then switches without the player noticing. Streams of GB/T 28181 spaces
that pull on demand are started (StartStream) before their URL is handed out.

An unexpired URL is not yet a playable one: the cloud stops pulling an on-demand
stream nobody has watched for a few minutes, may revoke a token early, and forgets
its pulls when restarted. So a URL is handed out only after its CDN answered for it
(one GET of the playlist, the body unread); when that fails, the stream is fetched
(and invited) anew. A URL from the last listing that does not play (revoked, or
expired since) is replaced by a freshly signed one before giving up.

Nothing is asked of the cloud for a stream nobody pulls: renewals run only while
Home Assistant's stream asks for the URL (each start, and every second while it is
watched, see `keep_alive`); an on-demand stream is invited only when it is opened.
The relay (`relay.py`) asks with `async_relay_url` whenever its puller reads the
playlist: it needs no timer, since it reads the current URL each time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from http import HTTPStatus
import time
from typing import TypeIs

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..api.errors import ApiError
from ..api.models import Protocol, PullUrl
from ..const import LOGGER
from ..coordinator import SlowLiveCoordinator

# Renew this long before expiry: long enough for a slow cloud answer and a retry.
RENEW_BEFORE = timedelta(seconds=60)
# After a failed renewal, try again after this long (doubling up to the maximum).
RETRY_MIN = timedelta(seconds=10)
RETRY_MAX = timedelta(minutes=5)
# A stream just invited may take a moment to reach the CDN: probe again after these.
PROBE_AGAIN = (0.5, 1.0, 2.0)
# A URL is renewed only if Home Assistant's stream asked for it this recently
# (seconds): a stream with outputs asks every second (live.guard), one whose
# players have left (30 s after the last) stops asking.
WANTED_FOR = 10.0
# After the cloud failed to give the relay a URL, it answers "try again" for this
# long (seconds) before asking again: a puller retrying every second must not turn
# into a call per second per camera.
RELAY_BACKOFF = 5.0


class NoLiveUrlError(Exception):
    """The cloud has no pull URL of the requested protocol for this stream."""


class LiveSource:
    """The current pull URL of one stream variant (main or sub) in one protocol."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: SlowLiveCoordinator,
        key: str,
        *,
        streaming_index: int,
        protocol: Protocol,
        on_renewed: Callable[[str], None],
    ) -> None:
        """`on_renewed` receives each renewed URL (to update a running stream)."""
        self._hass = hass
        self._coordinator = coordinator
        self._key = key
        self._index = streaming_index
        self._protocol = protocol
        self._on_renewed = on_renewed
        self._url: PullUrl | None = None
        self._lock = asyncio.Lock()
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._retry = RETRY_MIN
        self._stopped = False
        self._wanted_until = float("-inf")
        # The cloud re-signs a URL only once it is due: after it gave the same URL
        # back, the relay keeps serving it until it expires instead of asking again.
        self._resigned_not_before: datetime | None = None
        self._relay_quiet_until = float("-inf")

    @property
    def expires_at(self) -> datetime | None:
        """When the current URL stops working (None: no URL yet, or no expiry)."""
        return self._url.expires_at if self._url else None

    def _usable(self, url: PullUrl | None) -> TypeIs[PullUrl]:
        return url is not None and (
            url.expires_at is None or url.expires_at - RENEW_BEFORE > dt_util.utcnow()
        )

    @callback
    def keep_alive(self) -> None:
        """Home Assistant's stream still pulls this URL: keep renewing it."""
        self._wanted_until = time.monotonic() + WANTED_FOR

    async def async_url(self) -> str:
        """A URL that plays now and for at least `RENEW_BEFORE`, renewed while wanted.

        Raises ApiError (the cloud refused or failed) or NoLiveUrlError (nothing
        to play: no URL of this protocol, or its CDN has nothing behind it).
        """
        self.keep_alive()
        async with self._lock:
            if self._usable(self._url) and await self._async_plays(self._url):
                return self._url.url
            # A URL we had and that no longer plays is fetched anew (and the
            # stream invited again); the first one may come from the last refresh,
            # and is replaced by a fresh one if it does not play (revoked keys).
            renewing = self._url is not None
            url = await self._async_fetch(renewing=renewing)
            if not await self._async_plays_soon(url):
                if renewing:
                    raise NoLiveUrlError("nothing behind the live URL")
                LOGGER.debug("The listed live URL of %s does not play", self._key)
                url = await self._async_fetch(renewing=True)
                if not await self._async_plays_soon(url):
                    raise NoLiveUrlError("nothing behind the live URL")
            self._set(url)
            return url.url

    async def _async_plays_soon(self, url: PullUrl) -> bool:
        """Whether the CDN serves the URL within a few seconds (a fresh invite).

        A refused token (403) is not waited for: time does not mend it.
        """
        for delay in PROBE_AGAIN:
            if (refusal := await self._async_refusal(url)) is None:
                return True
            if refusal.http_status == HTTPStatus.FORBIDDEN:
                return False
            await asyncio.sleep(delay)
        return await self._async_plays(url)

    async def async_relay_url(self, *, refused: str | None = None) -> PullUrl:
        """The URL the relay serves from now: no probe, no renewal timer.

        The current URL while it has not expired; a fresh one (invited if need
        be) once it has, once it is due and the cloud has a newer one, or when
        the CDN has just `refused` it. Raises ApiError/NoLiveUrlError, and
        NoLiveUrlError without asking the cloud during `RELAY_BACKOFF` after a
        failure.
        """
        async with self._lock:
            now = dt_util.utcnow()
            url = self._url
            if url is not None and url.url != refused and self._current(url, now):
                return url
            if time.monotonic() < self._relay_quiet_until:
                raise NoLiveUrlError("the cloud failed a moment ago")
            try:
                fresh = await self._async_fetch(renewing=url is not None)
            except ApiError, NoLiveUrlError:
                self._relay_quiet_until = time.monotonic() + RELAY_BACKOFF
                raise
            if fresh.url == refused:
                # The cloud hands back what its CDN refuses: not before a pause.
                self._relay_quiet_until = time.monotonic() + RELAY_BACKOFF
            self._resigned_not_before = (
                fresh.expires_at if url is not None and fresh.url == url.url else None
            )
            self._url = fresh
            return fresh

    def _current(self, url: PullUrl, now: datetime) -> bool:
        """Whether the relay keeps serving `url` (see `async_relay_url`)."""
        expires = url.expires_at
        if expires is None or expires - RENEW_BEFORE > now:
            return True
        return self._resigned_not_before == expires and now < expires

    async def _async_plays(self, url: PullUrl) -> bool:
        """Whether the CDN serves the URL now (RTMP cannot be asked over HTTP)."""
        return await self._async_refusal(url) is None

    async def _async_refusal(self, url: PullUrl) -> ApiError | None:
        """Why the CDN does not serve the URL now; None when it does."""
        if url.protocol is Protocol.RTMP:
            return None
        try:
            await self._coordinator.client.probe_media(url.url)
        except ApiError as err:
            LOGGER.debug("The live URL of %s does not play: %s", self._key, err)
            return err
        return None

    async def _async_fetch(self, *, renewing: bool) -> PullUrl:
        """A fresh URL; GB streams that are not being pulled are started first.

        The last refresh already carries the main stream's state and URLs, so the
        first URL of a main stream usually costs no call at all.
        """
        channel = self._coordinator.data.channels.get(self._key)
        if channel is None:
            # Deleted in the cloud; the entity is about to be removed.
            raise NoLiveUrlError(self._key)
        client = self._coordinator.client
        space_id = channel.space.space_id
        fetched = renewing or self._index != 0
        stream = (
            await client.get_stream(
                self._key,
                space_id=space_id,
                streaming_index=self._index,
                fresh_expired_pull=True,
            )
            if fetched
            else channel.stream
        )
        if channel.is_gb and not stream.is_online:
            # On-demand spaces (and sub streams) are only pulled once invited.
            started = await client.start_stream(
                self._key, space_id=space_id, streaming_index=self._index
            )
            if self._usable(url := started.pull_url(self._protocol)):
                return url
        elif self._usable(url := stream.pull_url(self._protocol)):
            return url
        if not fetched:
            stream = await client.get_stream(
                self._key,
                space_id=space_id,
                streaming_index=self._index,
                fresh_expired_pull=True,
            )
        if (url := stream.pull_url(self._protocol)) is None:
            raise NoLiveUrlError(self._protocol)
        return url

    @callback
    def _set(self, url: PullUrl) -> None:
        self._url = url
        self._cancel_timer()
        if url.expires_at is not None:
            self._schedule(url.expires_at - RENEW_BEFORE)

    @callback
    def _schedule(self, when: datetime) -> None:
        self._cancel_timer()
        if self._stopped:
            # A renewal that was under way when the entity went away ends here.
            return
        self._unsub_timer = async_track_point_in_utc_time(
            self._hass, self._async_renew, max(when, dt_util.utcnow())
        )

    async def _async_renew(self, _now: datetime) -> None:
        self._unsub_timer = None
        if time.monotonic() >= self._wanted_until:
            # Nobody pulls it: the next start fetches (and invites) anew.
            LOGGER.debug("The live URL of %s is not renewed: unused", self._key)
            return
        old = self._url
        try:
            async with self._lock:
                url = await self._async_fetch(renewing=True)
        except (ApiError, NoLiveUrlError) as err:
            LOGGER.debug("Renewing the live URL of %s failed: %s", self._key, err)
            self._schedule(dt_util.utcnow() + self._retry)
            self._retry = min(self._retry * 2, RETRY_MAX)
            return
        self._retry = RETRY_MIN
        if old is not None and url.url == old.url and url.expires_at is not None:
            # The cloud re-signs only once the old URL has expired: ask again then.
            self._url = url
            self._schedule(url.expires_at + timedelta(seconds=1))
            return
        self._set(url)
        self._on_renewed(url.url)

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def async_stop(self) -> None:
        """Stop renewing (the entity is going away), also after a renewal under way."""
        self._stopped = True
        self._cancel_timer()
