"""How an action's, an intent's or a media item's camera becomes a channel of ours.

Named explicitly, an entity must be one of our cameras; reached through a device or an
area, only our cameras count (the same device also has sensors).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)

from .const import DOMAIN
from .coordinator import ChannelData
from .data import SlowLiveConfigEntry
from .refusals import invalid


@dataclass(frozen=True, slots=True)
class CameraTarget:
    """One of our camera entities, resolved to its entry and channel."""

    entity_id: str
    entry: SlowLiveConfigEntry
    channel: ChannelData
    sub: bool

    @property
    def streaming_index(self) -> int:
        """0 for the main stream, 1 for the sub stream."""
        return 1 if self.sub else 0


def resolve_camera(hass: HomeAssistant, entity_id: str) -> CameraTarget:
    """The entry and channel behind one of our cameras; refuses anything else."""
    entry_reg = er.async_get(hass).async_get(entity_id)
    if (
        entry_reg is None
        or entry_reg.platform != DOMAIN
        or entry_reg.domain != "camera"
        or entry_reg.config_entry_id is None
    ):
        raise invalid("not_our_camera", entity_id=entity_id)
    entry: SlowLiveConfigEntry | None = hass.config_entries.async_get_entry(
        entry_reg.config_entry_id
    )
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        raise invalid("entry_not_loaded", entity_id=entity_id)
    sub = entry_reg.unique_id.endswith("_sub")
    key = entry_reg.unique_id.removesuffix("_sub")
    channel = entry.runtime_data.coordinator.data.channels.get(key)
    if channel is None:
        raise invalid("channel_gone", entity_id=entity_id)
    return CameraTarget(entity_id=entity_id, entry=entry, channel=channel, sub=sub)


def targeted_cameras(
    hass: HomeAssistant, call: ServiceCall
) -> tuple[list[CameraTarget], list[CameraTarget]]:
    """Our cameras named by the call: (named directly, reached through devices/areas)."""
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(call.data))
    named = [
        resolve_camera(hass, entity_id) for entity_id in sorted(selected.referenced)
    ]
    reached = []
    for entity_id in sorted(selected.indirectly_referenced):
        if entity_id.startswith("camera."):
            try:
                reached.append(resolve_camera(hass, entity_id))
            except ServiceValidationError:
                continue
    return named, reached
