"""Base entity: one channel of the coordinator's data, and dynamic entity creation."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import ChannelData, SlowLiveCoordinator
from .data import SlowLiveConfigEntry, runtime_data
from .devices import channel_device_info
from .ptz.controller import PtzController
from .refusals import invalid


class SlowLiveEntity(CoordinatorEntity[SlowLiveCoordinator]):
    """An entity of one channel (GB/T 28181 channel or RTMP stream)."""

    _attr_has_entity_name = True
    # The channel's main camera: enabled whatever the size of the fleet (budget.py).
    essential = False

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
    def channel_name(self) -> str:
        """What the cloud calls the channel (its key once it is gone)."""
        channel = self.channel
        return channel.name if channel else self.channel_key

    @property
    def available(self) -> bool:
        """Unavailable when the cloud cannot be read or the channel is gone."""
        return super().available and self.channel is not None

    def disable_by_default(self) -> None:
        """Registered disabled if new: the entry's budget has no room for its kind."""
        self._attr_entity_registry_enabled_default = False

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
    build: Callable[[SlowLiveCoordinator, ChannelData], Iterable[SlowLiveEntity]],
) -> None:
    """Add entities for every channel now, and for each new one as it appears.

    Called from a platform's setup. What is added, and enabled by default, is the
    entry's budget's to say (budget.py): Home Assistant refuses enabled entities past
    its limit per entry.
    """
    coordinator = entry.runtime_data.coordinator
    budget = entry.runtime_data.budget
    domain = async_get_current_platform().domain
    known: set[str] = set()

    @callback
    def add_new() -> None:
        channels = coordinator.data.channels
        # A channel that left the cloud lost its device, and its entities with it
        # (devices.async_sync_devices); should it come back, it gets them again.
        known.intersection_update(channels)
        built = {
            key: list(build(coordinator, channels[key]))
            for key in budget.buildable(
                domain, [key for key in channels if key not in known]
            )
        }
        entities = budget.admit(domain, built)
        # A channel that got nothing is asked again: what it gets can depend on
        # details a later refresh brings (a camera's PTZ type), and a channel held
        # for want of room gets its entities once there is room.
        known.update(
            key for key, made in built.items() if made and key not in budget.held
        )
        if entities:
            async_add_entities(entities)

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))


class PtzEntity(SlowLiveEntity):
    """A control of a camera that can move; unavailable while it is offline."""

    @property
    def ptz(self) -> PtzController:
        """The entry's PTZ controller."""
        return runtime_data(self.coordinator.config_entry).ptz

    @property
    def available(self) -> bool:
        """Only an online camera can be moved."""
        channel = self.channel
        return super().available and channel is not None and channel.online

    def ptz_channel(self) -> ChannelData:
        """The channel to move (refused once the cloud no longer lists it)."""
        channel = self.channel
        if channel is None:
            raise invalid("channel_gone", entity_id=self.entity_id)
        return channel


def channel_platform_described[D: EntityDescription | None](
    make: Callable[[SlowLiveCoordinator, str, D], SlowLiveEntity],
    descriptions: Iterable[D],
    only: Callable[[ChannelData], bool],
) -> Callable[
    [HomeAssistant, SlowLiveConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """A platform's `async_setup_entry`: one entity per description and channel."""
    kinds = tuple(descriptions)

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: SlowLiveConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_add_channel_entities(
            entry,
            async_add_entities,
            lambda coordinator, channel: (
                [make(coordinator, channel.key, kind) for kind in kinds]
                if only(channel)
                else []
            ),
        )

    return async_setup_entry


def channel_platform(
    make: Callable[[SlowLiveCoordinator, str], SlowLiveEntity],
    only: Callable[[ChannelData], bool] = lambda _: True,
) -> Callable[
    [HomeAssistant, SlowLiveConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """A platform's `async_setup_entry`: one entity (`make`) per channel.

    `only` picks the channels that get one (all by default).
    """
    return channel_platform_described(
        lambda coordinator, key, _: make(coordinator, key), (None,), only
    )
