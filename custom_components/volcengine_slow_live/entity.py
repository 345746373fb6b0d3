"""Base entity: one channel of the coordinator's data, and dynamic entity creation."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import ChannelData, SlowLiveCoordinator
from .data import SlowLiveConfigEntry
from .devices import channel_device_info


class SlowLiveEntity(CoordinatorEntity[SlowLiveCoordinator]):
    """An entity of one channel (GB/T 28181 channel or RTMP stream)."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SlowLiveCoordinator, key: str) -> None:
        """Attach to the channel whose main StreamID is `key`."""
        super().__init__(coordinator)
        self.channel_key = key
        self._last_shown: tuple[object, ...] | None = None
        self._attr_device_info = channel_device_info(
            coordinator.hass, coordinator.config_entry, coordinator.data.channels[key]
        )

    @property
    def channel(self) -> ChannelData | None:
        """The channel's current data; None once the cloud no longer lists it."""
        return self.coordinator.data.channels.get(self.channel_key)

    @property
    def available(self) -> bool:
        """Unavailable when the cloud cannot be read or the channel is gone."""
        return super().available and self.channel is not None

    async def async_added_to_hass(self) -> None:
        """Remember what the first state (written next, by the platform) shows."""
        await super().async_added_to_hass()
        self._last_shown = self._shown()

    def _shown(self) -> tuple[object, ...]:
        """What the entity's state is made of; a subclass adds its own values."""
        return (self.available,)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when something it shows has changed.

        Every refresh brings new data (the cloud signs each URL anew), but a
        channel's state seldom changes. An unchanged write still costs Home
        Assistant a full state calculation: two per channel and refresh, 2,000 a
        minute for a fleet of 1,000 channels.
        """
        shown = self._shown()
        if shown == self._last_shown:
            return
        self._last_shown = shown
        super()._handle_coordinator_update()


@callback
def async_add_channel_entities(
    entry: SlowLiveConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[SlowLiveCoordinator, ChannelData], Iterable[Entity]],
) -> None:
    """Add entities for every channel now, and for each new one as it appears."""
    coordinator = entry.runtime_data.coordinator
    known: set[str] = set()

    @callback
    def add_new() -> None:
        channels = coordinator.data.channels
        # A channel that left the cloud lost its device, and its entities with it
        # (devices.async_sync_devices); should it come back, it gets them again.
        known.intersection_update(channels)
        new = [c for key, c in channels.items() if key not in known]
        if not new:
            return
        known.update(c.key for c in new)
        async_add_entities(
            [entity for channel in new for entity in build(coordinator, channel)]
        )

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))


def channel_platform(
    make: Callable[[SlowLiveCoordinator, str], Entity],
    only: Callable[[ChannelData], bool] = lambda _: True,
) -> Callable[
    [HomeAssistant, SlowLiveConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """A platform's `async_setup_entry`: one entity (`make`) per channel.

    `only` picks the channels that get one (all by default).
    """

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: SlowLiveConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_add_channel_entities(
            entry,
            async_add_entities,
            lambda coordinator, channel: (
                [make(coordinator, channel.key)] if only(channel) else []
            ),
        )

    return async_setup_entry
