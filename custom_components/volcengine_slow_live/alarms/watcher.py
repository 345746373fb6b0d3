"""The cameras' own alarms, read from the cloud (ListDeviceAlarms) and fired once each.

Polling: every `interval`, one listing per device whose `AlertNotification` is on
(an NVR's channels share one), never one per channel, through the client's limiter;
at most half the action's limit on average (a large fleet is read in turns).
Each device keeps a cursor in a `Store`: a poll reads from a minute before the cursor
(alarms reach the cloud late) to now, and alarms already fired (by id) are skipped,
so after a restart or an outage the missed alarms fire, each exactly once, back to
at most `CATCH_UP` ago. A device seen for the first time starts at now: its history
is not news.

Each new alarm goes to its channel's listeners (the event entity) by dispatcher
signal, oldest first.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..api.client import DEFAULT_RATE_LIMIT
from ..api.errors import ApiError
from ..api.models import DeviceAlarm
from ..const import DOMAIN, LOGGER
from ..coordinator import ChannelData, SlowLiveCoordinator
from ..entity import SlowLiveEntity

STORAGE_VERSION = 1
# Alarms reach the cloud's list late: each poll looks back this far past its cursor.
OVERLAP = timedelta(seconds=60)
# After a restart or an outage, missed alarms are fetched back to at most this long ago.
CATCH_UP = timedelta(hours=1)
# Ids remembered per device to skip alarms already fired (more than one overlap's worth).
REMEMBERED = 500
SAVE_DELAY = 10.0
# The share of ListDeviceAlarms' documented limit (requests per second) polls use.
POLL_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Alarm:
    """An alarm of one channel, as the event entity fires it."""

    channel_key: str
    alarm: DeviceAlarm


def alarm_signal(entry_id: str, channel_key: str) -> str:
    """The dispatcher signal a channel's alarms are sent on."""
    return f"{DOMAIN}_{entry_id}_alarm_{channel_key}"


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.alarms")


async def async_remove_alarm_cursors(hass: HomeAssistant, entry_id: str) -> None:
    """The entry is removed: where its alarm reading stood goes with it."""
    await _store(hass, entry_id).async_remove()


class AlarmWatcher:
    """Polls the alarms of every device that reports them."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: SlowLiveCoordinator,
        interval: timedelta,
    ) -> None:
        """Watch the devices of the coordinator's fleet."""
        self._hass = hass
        self._coordinator = coordinator
        self._interval = interval
        entry = coordinator.config_entry
        self._entry_id = entry.entry_id
        self._store = _store(hass, entry.entry_id)
        self._cursors: dict[str, float] = {}
        # When each device was first seen: nothing older fires (it is history).
        self._since: dict[str, float] = {}
        self._seen: dict[str, list[str]] = {}
        self._unsub: CALLBACK_TYPE | None = None
        self._polling = False
        self._reading: set[str] = set()
        self._again: set[str] = set()
        self._next = 0  # where the next poll's turn starts, in a large fleet

    async def async_start(self) -> None:
        """Read the cursors, then poll now and every interval."""
        stored = await self._store.async_load() or {}
        self._cursors = {k: float(v) for k, v in stored.get("cursors", {}).items() if v}
        self._since = {k: float(v) for k, v in stored.get("since", {}).items()}
        self._seen = {k: list(v) for k, v in stored.get("seen", {}).items()}
        self._unsub = async_track_time_interval(
            self._hass, self._async_poll, self._interval, name=f"{DOMAIN} alarms"
        )
        await self._async_poll(dt_util.utcnow())

    @callback
    def async_stop(self) -> None:
        """Stop polling (the entry unloads); the cursors are saved."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        self._store.async_delay_save(self._data, 0)

    def _data(self) -> dict[str, Any]:
        return {"cursors": self._cursors, "since": self._since, "seen": self._seen}

    async def _async_poll(self, now: datetime) -> None:
        if self._polling or not self._coordinator.last_update_success:
            return  # the last poll is still reading, or the cloud cannot be read
        self._polling = True
        try:
            # A second past now: the current second is inside the window (the
            # list's EndTime is exclusive).
            await self._async_poll_devices(dt_util.utcnow() + timedelta(seconds=1))
        finally:
            self._polling = False

    def _reporting(self) -> dict[str, dict[str, str]]:
        """Device ID → (GB channel ID → channel key), for the devices that report."""
        channels: dict[str, dict[str, str]] = {}
        for channel in self._coordinator.data.channels.values():
            if has_alarms(channel) and channel.device is not None:
                channel_id = channel.stream.channel_id
                channels.setdefault(channel.device.device_id, {})[channel_id] = (
                    channel.key
                )
        return channels

    async def _async_poll_devices(self, now: datetime) -> None:
        reporting = self._reporting()
        # Devices seen for the first time start now, all at once (it costs no read).
        first = float(math.floor(dt_util.utcnow().timestamp()))
        for device_id in reporting.keys() - self._cursors.keys():
            self._cursors[device_id] = self._since[device_id] = first
        devices = sorted(reporting)
        # At most a share of the action's limit per poll, so that reads a callback
        # asks for and the media browser's listings always find room: a larger fleet
        # is read in turns (each device every few polls; its cursor makes up for it).
        batch = max(1, int(DEFAULT_RATE_LIMIT * POLL_SHARE * self._interval.seconds))
        if len(devices) > batch:
            start = self._next % len(devices)
            devices = (devices[start:] + devices[:start])[:batch]
            self._next = start + batch
        for device_id in devices:
            await self._async_read(device_id, reporting[device_id], now)
        self._store.async_delay_save(self._data, SAVE_DELAY)

    async def _async_read(
        self, device_id: str, by_channel: dict[str, str], now: datetime
    ) -> None:
        # Every device read has a cursor: a poll gives one on first sight, and a
        # hint for a device without one is refused.
        cursor = self._cursors[device_id]
        start = max(
            dt_util.utc_from_timestamp(cursor) - OVERLAP,
            # Nothing from before the device was first seen: that is history.
            dt_util.utc_from_timestamp(self._since.get(device_id, cursor)),
            now - CATCH_UP,
        )
        try:
            alarms = [
                alarm
                async for alarm in self._coordinator.client.iter_device_alarms(
                    device_id, start=start, end=now
                )
            ]
        except ApiError as err:
            LOGGER.debug("Reading the alarms of %s failed: %s", device_id, err)
            return  # the cursor stays: the next poll reads them
        self._fire(device_id, by_channel, alarms)
        self._cursors[device_id] = now.timestamp()

    @callback
    def async_read_now(self, device_id: str) -> bool:
        """The cloud says a device raised an alarm: read its list now.

        The hint is not trusted as such: only alarms the list has fire. Reads of one
        device are serialised; a hint during a read asks for one more read. False if
        the device is unknown or does not report alarms.
        """
        by_channel = self._reporting().get(device_id)
        if by_channel is None or device_id not in self._cursors:
            return False
        if device_id in self._reading:
            self._again.add(device_id)
            return True
        self._reading.add(device_id)
        self._coordinator.config_entry.async_create_background_task(
            self._hass, self._async_read_hinted(device_id, by_channel), "alarm read"
        )
        return True

    async def _async_read_hinted(
        self, device_id: str, by_channel: dict[str, str]
    ) -> None:
        try:
            while True:
                self._again.discard(device_id)
                # A second past now, as a poll does.
                await self._async_read(
                    device_id, by_channel, dt_util.utcnow() + timedelta(seconds=1)
                )
                if device_id not in self._again:
                    break
        finally:
            self._reading.discard(device_id)
            self._store.async_delay_save(self._data, SAVE_DELAY)

    def _fire(
        self, device_id: str, by_channel: dict[str, str], alarms: list[DeviceAlarm]
    ) -> None:
        seen = self._seen.setdefault(device_id, [])
        known = set(seen)
        for alarm in sorted(alarms, key=lambda a: a.at):
            if alarm.alarm_id in known:
                continue
            known.add(alarm.alarm_id)
            seen.append(alarm.alarm_id)
            key = by_channel.get(alarm.channel_id)
            if key is None and len(by_channel) == 1:
                # An IPC may leave its single channel's id empty.
                key = next(iter(by_channel.values()))
            if key is None:
                LOGGER.debug("Alarm of unknown channel %s", alarm.channel_id)
                continue
            async_dispatcher_send(
                self._hass, alarm_signal(self._entry_id, key), Alarm(key, alarm)
            )
        del seen[:-REMEMBERED]


def has_alarms(channel: ChannelData) -> bool:
    """Whether the channel's device reports alarms to the cloud."""
    return channel.device is not None and channel.device.reports_alarms


class AlarmEntity(SlowLiveEntity):
    """An entity of a channel's alarms: `_alarm_raised` gets each new one."""

    async def async_added_to_hass(self) -> None:
        """Listen for the channel's alarms while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                alarm_signal(self.coordinator.config_entry.entry_id, self.channel_key),
                self._alarm_raised,
            )
        )

    @abstractmethod
    @callback
    def _alarm_raised(self, alarm: Alarm) -> None:
        """Show the new alarm (each entity of alarms its own way)."""
