"""Polling coordinator: one per entry, a few list pages per selected space per refresh.

A refresh costs ListSpaces plus, per selected space, the pages of ListStreams and (for
GB/T 28181 spaces) ListDevices — never one call per channel. Channel details
(GetDeviceChannelsV2, brief mode) are fetched only for devices whose set of channels
changed since the last refresh.

The list pages already say what the entities show: ListDevices carries every channel's
name, status, manufacturer and model (`DeviceStreams`). Details (PTZ type, resolutions)
only enrich that, and they cost one call per device: a fleet of 300 devices needs 30
seconds of them at 10 requests/s. So a refresh waits for the details of at most
`DETAILS_INLINE` devices (one rate-limit window, answered in one round trip); those of
any further devices are read in the background and merged into the data when they
arrive. Setting up a large fleet then takes as long as its list pages. At setup the
background reading starts once the entities exist (`async_start_background`): while
Home Assistant creates a thousand entities its event loop is busy, and requests under
way would sit unanswered, their timeouts running.

A refresh that fails after the client's retries (a burst of 503s, a timeout, an
answer that cannot be read) keeps the last data for up to `TOLERATED_FAILURES`
refreshes in a row: the entities stay available, showing what the last good refresh
read, and the next one usually succeeds. The one after that makes them unavailable.
Only failures that pass do: a refused key asks for reauthentication, and an account
or clock problem raises its repair and makes the entities unavailable, at once. A
failure the entities do not show is logged once when it starts and once when it
ends; Home Assistant's coordinator logs the ones they show.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api.client import DEFAULT_RATE_LIMIT, AiotVideoClient
from .api.errors import AccountError, ApiError, AuthError, ClockSkew
from .api.models import Channel, Device, DeviceStream, Space, Stream
from .const import (
    CONF_SCAN_INTERVAL,
    CONF_SPACES,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
)
from .repairs import async_clear_cloud_issues, async_raise_cloud_issue

GB28181 = "gb28181"
# Devices whose channel details a refresh waits for; the rest come in the background.
DETAILS_INLINE = int(DEFAULT_RATE_LIMIT)
# Refreshes in a row that may fail (after the client's retries) while the entities
# keep the last data: two polling intervals ride out a short outage, a third failure
# says the cloud is down.
TOLERATED_FAILURES = 2
# Devices to read details of: (device ID, space ID, the channel IDs the lists name).
type _Wanted = list[tuple[str, str | None, frozenset[str]]]


def is_single_ipc(device: Device) -> bool:
    """An IPC with one channel: the channel is the camera, and the camera the IPC.

    Such a device and its channel are one thing to a person, so they make one
    device in Home Assistant. A device of another type (NVR, platform) or with
    several channels is a device of its own with its channels below it.
    """
    return (
        device.type.strip().upper() == "IPC"
        and (len(device.streams) or device.channel_num) <= 1
    )


def recorder_model(device: Device) -> str | None:
    """The model a multi-channel device gives every one of its channels: its own.

    The cloud's device has no model of its own; its channels have one each, from
    the device's catalog. An NVR fills in its own model there for the cameras it
    knows nothing about (the demo's "DS-7604NI" on three of four): a model most of
    its channels share is the recorder's, not its cameras'; a camera behind it that
    reports a model of its own keeps that.
    """
    counts = Counter(item.model for item in device.streams if item.model)
    if counts:
        model, seen = counts.most_common(1)[0]
        # One channel alone does not say whose model it gives.
        if seen >= 2 and seen * 2 > len(device.streams):
            return model
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelData:
    """One camera: a GB/T 28181 channel or an RTMP stream, keyed by its main StreamID."""

    stream: Stream
    space: Space
    device: Device | None = None
    details: Channel | None = None

    @property
    def key(self) -> str:
        """Stable identity: the main stream's ID."""
        return self.stream.stream_id

    @property
    def device_stream(self) -> DeviceStream | None:
        """What the device's list entry says about this channel (`DeviceStreams`)."""
        if self.device:
            for item in self.device.streams:
                if item.stream_id == self.key:
                    return item
        return None

    @property
    def name(self) -> str:
        """The channel's name as the user set it up in the cloud."""
        if self.details and self.details.name:
            return self.details.name
        if (item := self.device_stream) and item.name:
            return item.name
        return self.stream.name or self.key

    @property
    def manufacturer(self) -> str | None:
        """The camera's maker: from its details, else its device's list entry."""
        item = self.device_stream
        return (
            (self.details and self.details.manufacturer)
            or (item and item.manufacturer)
            or (self.device and self.device.manufacturer)
            or None
        )

    @property
    def is_single_ipc(self) -> bool:
        """The channel is a whole IPC's (`is_single_ipc`): the camera is the device."""
        return self.device is not None and is_single_ipc(self.device)

    @property
    def model(self) -> str | None:
        """The camera's model, when the cloud knows it.

        A single-channel IPC's is its channel's (else its type, "IPC"). On a
        multi-channel device, a model every channel reports is the device's own
        (`recorder_model`), not this camera's: then there is none.
        """
        item = self.device_stream
        own = (self.details and self.details.model) or (item and item.model) or None
        if self.device is None:
            return own
        if self.is_single_ipc:
            return own or self.device.type or None
        if own is not None and own == recorder_model(self.device):
            return None
        return own

    @property
    def is_gb(self) -> bool:
        """A GB/T 28181 channel (as opposed to an RTMP stream)."""
        return bool(self.stream.device_id) or self.space.access_type == GB28181

    @property
    def has_sub_stream(self) -> bool:
        """Whether a lighter sub stream can be pulled too."""
        return bool(
            self.device and (self.device.use_sub_stream or self.device.sub_stream_ids)
        )

    @property
    def pull_on_demand(self) -> bool:
        """GB streams of on-demand spaces must be started before they can be played."""
        return self.is_gb and self.space.pull_on_demand

    @property
    def online(self) -> bool:
        """The source is connected: the stream plays, or can be started on demand."""
        if self.stream.is_online:
            return True
        if self.pull_on_demand and self.device is not None:
            if self.details:
                channel_on = self.details.online
            else:
                item = self.device_stream
                status = item.channel_status.strip().upper() if item else ""
                channel_on = status in ("", "ON", "ONLINE")
            return self.device.online and channel_on
        return False

    @property
    def records(self) -> bool:
        """The cloud records this stream (a recording template is bound)."""
        return bool(self.stream.record_template_id or self.space.record_template_id)

    @property
    def has_screenshots(self) -> bool:
        """The cloud takes screenshots of this stream (a screenshot template is bound)."""
        return bool(
            self.stream.screenshot_template_id or self.space.screenshot_template_id
        )


@dataclass(frozen=True, slots=True)
class SlowLiveData:
    """Everything one refresh learned."""

    spaces: Mapping[str, Space] = field(default_factory=dict)
    devices: Mapping[str, Device] = field(default_factory=dict)
    channels: Mapping[str, ChannelData] = field(default_factory=dict)


class SlowLiveCoordinator(DataUpdateCoordinator[SlowLiveData]):
    """Reads the selected spaces' streams and devices."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: AiotVideoClient,
    ) -> None:
        """Poll at the interval chosen in the options."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
            # Most refreshes find nothing new: then no entity needs writing (the
            # data is frozen dataclasses, so equality is meaningful).
            always_update=False,
        )
        self.client = client
        self._selected: frozenset[str] = frozenset(entry.data.get(CONF_SPACES, []))
        self._details: dict[str, dict[str, Channel]] = {}
        self._device_channels: dict[str, frozenset[str]] = {}
        # Devices whose details are being read in the background.
        self._details_pending: set[str] = set()
        # Background reading waits for setup to finish; what it will read meanwhile.
        self._background_started = False
        self._details_queued: _Wanted | None = None
        # Refreshes failed in a row (0 after a success), and when one last succeeded.
        self.failed_refreshes = 0
        self.last_success: datetime | None = None

    @callback
    def async_start_background(self) -> None:
        """Let background reads begin (setup calls it once the entities exist)."""
        self._background_started = True
        if self._details_queued is not None:
            queued, self._details_queued = self._details_queued, None
            self._start_details_later(queued)

    @callback
    def _start_details_later(self, wanted: _Wanted) -> None:
        self.config_entry.async_create_background_task(
            self.hass,
            self._async_fetch_details_later(wanted),
            f"{DOMAIN} channel details",
        )

    async def _async_update_data(self) -> SlowLiveData:
        try:
            data = await self._async_fetch()
        except ApiError as err:
            self.failed_refreshes += 1
            return self._failed(err)
        if self.failed_refreshes and self.last_update_success:
            # The entities never showed it; Home Assistant logs the end of what they did.
            LOGGER.info(
                "Refreshing works again, after %d failed refreshes",
                self.failed_refreshes,
            )
        self.failed_refreshes = 0
        self.last_success = dt_util.utcnow()
        async_clear_cloud_issues(self.hass, self.config_entry)
        return data

    def _failed(self, err: ApiError) -> SlowLiveData:
        """The last data while a passing failure is tolerated; else what to raise."""
        if isinstance(err, AuthError):
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="auth_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        last: SlowLiveData | None = self.data  # None in setup's first refresh
        if isinstance(err, AccountError | ClockSkew):
            # Not passing: every refresh fails alike until the user acts.
            async_raise_cloud_issue(self.hass, self.config_entry, err)
        elif (
            last is not None
            and self.last_update_success  # unavailable already: stay so
            and self.failed_refreshes <= TOLERATED_FAILURES
        ):
            if self.failed_refreshes == 1:
                LOGGER.warning(
                    "Refreshing failed; the entities keep their last data unless "
                    "%d refreshes in a row fail: %s",
                    TOLERATED_FAILURES + 1,
                    err,
                )
            else:
                LOGGER.debug(
                    "Refresh %d in a row failed: %s", self.failed_refreshes, err
                )
            return last
        raise UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="update_failed",
            translation_placeholders={"error": str(err)},
        ) from err

    async def _async_fetch(self) -> SlowLiveData:
        spaces = {
            space.space_id: space
            async for space in self.client.iter_spaces()
            if space.space_id in self._selected
        }
        if missing := self._selected - spaces.keys():
            LOGGER.debug("Selected spaces no longer visible: %s", sorted(missing))
        per_space = await asyncio.gather(
            *(self._async_fetch_space(space) for space in spaces.values())
        )
        devices: dict[str, Device] = {}
        streams: list[tuple[Space, Stream]] = []
        for space, (space_streams, space_devices) in zip(
            spaces.values(), per_space, strict=True
        ):
            devices.update((device.device_id, device) for device in space_devices)
            streams.extend((space, stream) for stream in space_streams)
        await self._async_refresh_details(devices, [s for _, s in streams])
        channels: dict[str, ChannelData] = {}
        for space, stream in streams:
            # Sub streams are reached through their main stream (StreamingIndex=1).
            if stream.streaming_type == "sub_stream":
                continue
            device = devices.get(stream.device_id) if stream.device_id else None
            details = self._channel_details(stream)
            channels[stream.stream_id] = ChannelData(
                stream=stream, space=space, device=device, details=details
            )
        return SlowLiveData(spaces=spaces, devices=devices, channels=channels)

    async def _async_fetch_space(
        self, space: Space
    ) -> tuple[list[Stream], list[Device]]:
        streams_task = self._collect_streams(space.space_id)
        if space.access_type != GB28181:
            return await streams_task, []
        streams, devices = await asyncio.gather(
            streams_task, self._collect_devices(space.space_id)
        )
        return streams, devices

    async def _collect_streams(self, space_id: str) -> list[Stream]:
        return [stream async for stream in self.client.iter_streams(space_id)]

    async def _collect_devices(self, space_id: str) -> list[Device]:
        return [device async for device in self.client.iter_devices(space_id)]

    async def _async_refresh_details(
        self, devices: Mapping[str, Device], streams: list[Stream]
    ) -> None:
        """Fetch channel details only for devices whose channel set changed.

        The first `DETAILS_INLINE` of them are awaited; the others are read in the
        background (see the module's docstring).
        """
        current: dict[str, set[str]] = {}
        for stream in streams:
            if stream.device_id and stream.channel_id:
                current.setdefault(stream.device_id, set()).add(stream.channel_id)
        changed = [
            device_id
            for device_id, channel_ids in current.items()
            if device_id in devices
            and device_id not in self._details_pending
            and self._device_channels.get(device_id) != frozenset(channel_ids)
        ]
        for gone in self._details.keys() - current.keys():
            del self._details[gone]
            self._device_channels.pop(gone, None)
        if not changed:
            return
        # Only what the requests need: a background read keeps no refresh's data.
        wanted = [
            (
                device_id,
                devices[device_id].space_id or None,
                frozenset(current[device_id]),
            )
            for device_id in changed
        ]
        await self._async_fetch_details(wanted[:DETAILS_INLINE])
        if later := wanted[DETAILS_INLINE:]:
            self._details_pending.update(device_id for device_id, _, _ in later)
            if self._background_started:
                self._start_details_later(later)
            else:
                self._details_queued = later

    async def _async_fetch_details_later(self, wanted: _Wanted) -> None:
        """Read details in the background, then give the entities the richer data.

        A window's worth at a time: queued all at once, a large fleet's requests
        would hold the action's rate window for minutes, and the requests of a
        refresh, or of another entry of the same key (which shares the window),
        would wait behind them.
        """
        try:
            for start in range(0, len(wanted), DETAILS_INLINE):
                await self._async_fetch_details(wanted[start : start + DETAILS_INLINE])
        except AuthError:
            self.config_entry.async_start_reauth(self.hass)
            return
        except (AccountError, ClockSkew) as err:
            # The next refresh meets the same problem and reports it.
            LOGGER.debug("Channel details unavailable: %s", err)
            return
        finally:
            self._details_pending.difference_update(
                device_id for device_id, _, _ in wanted
            )
        data: SlowLiveData | None = self.data
        if data is None:  # pragma: no cover - the refresh that started us set it
            return
        channels = {
            key: replace(channel, details=details)
            if (details := self._channel_details(channel.stream)) is not channel.details
            else channel
            for key, channel in data.channels.items()
        }
        # Straight to the entities: the polling schedule stays as it is.
        self.data = replace(data, channels=channels)
        self.async_update_listeners()

    def _channel_details(self, stream: Stream) -> Channel | None:
        return self._details.get(stream.device_id, {}).get(stream.channel_id)

    async def _async_fetch_details(self, wanted: _Wanted) -> None:
        """Read and keep the details of these devices; raise what needs the user."""
        results = await asyncio.gather(
            *(
                self.client.get_device_channels(device_id, space_id=space_id)
                for device_id, space_id, _ in wanted
            ),
            return_exceptions=True,
        )
        for (device_id, _, channel_ids), result in zip(wanted, results, strict=True):
            if isinstance(result, AuthError | AccountError | ClockSkew):
                raise result
            if isinstance(result, BaseException):
                # Details only enrich names and models; try again next refresh.
                LOGGER.debug("Channel details of %s unavailable: %s", device_id, result)
                continue
            self._details[device_id] = {c.channel_id: c for c in result.channels}
            self._device_channels[device_id] = channel_ids
