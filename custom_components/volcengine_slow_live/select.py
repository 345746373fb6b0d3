"""The presets of a camera that can move, by name: choosing one turns the camera there.

The names are the ones saved with the `ptz_preset` action (the cloud keeps numbers
only). The state is the preset the camera was last sent to or saved at, and
"Not at a preset" (`not_at_preset`, translated) otherwise: after any other move, and
after a restart, since the cloud cannot tell where a camera points. A select without
an option would show a bare "unknown" instead, which says nothing.
"""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.core import callback

from .coordinator import SlowLiveCoordinator
from .entity import PtzEntity, channel_platform
from .ptz.controller import NOT_AT_PRESET, UNCHANGED, PresetOperation, has_ptz
from .refusals import invalid

PARALLEL_UPDATES = 0


class PresetSelect(PtzEntity, SelectEntity):
    """Go to a named preset."""

    _attr_translation_key = "ptz_preset"

    def __init__(self, coordinator: SlowLiveCoordinator, key: str) -> None:
        """One per camera that can move."""
        super().__init__(coordinator, key)
        self._attr_unique_id = f"{key}_ptz_preset"
        self._at: str | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the camera's presets and moves."""
        await super().async_added_to_hass()
        self.async_on_remove(self.ptz.async_listen(self.channel_key, self._moved))

    @callback
    def _moved(self, at: str | None) -> None:
        if at != UNCHANGED:
            self._at = at
        self.async_write_ha_state()

    @property
    def options(self) -> list[str]:
        """The placeholder "Not at a preset", then the saved names by number."""
        # Saving a preset under the placeholder's name is refused; one saved before
        # that rule still leaves a single option of that name.
        return list(dict.fromkeys((NOT_AT_PRESET, *self.ptz.presets(self.channel_key))))

    @property
    def current_option(self) -> str:
        """Where the camera was last sent, while it has not moved since."""
        return self._at if self._at in self.options else NOT_AT_PRESET

    async def async_select_option(self, option: str) -> None:
        """Turn the camera to the preset."""
        if option == NOT_AT_PRESET:
            raise invalid("choose_a_preset")
        await self.ptz.async_preset(
            self.ptz_channel(), PresetOperation.GO_TO, name=option
        )

    def _shown(self) -> tuple[object, ...]:
        return (*super()._shown(), tuple(self.options), self.current_option)


# A preset select for every camera that can move.
async_setup_entry = channel_platform(PresetSelect, only=has_ptz)
