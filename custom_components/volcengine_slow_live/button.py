"""PTZ buttons of the cameras that can move: a short step per press, and stop.

Up, down, left, right, zoom in, zoom out and stop are enabled: they are why a dome
is bought, and only cameras that can move get them. Focus and iris are disabled by
default: cameras focus and expose by themselves, and four more buttons on every
dome's page would bury the useful ones; enable them when a camera needs help.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from .coordinator import SlowLiveCoordinator
from .entity import PtzEntity, channel_platform_described
from .ptz.controller import Move, has_ptz

# Commands go through the controller, which orders them per camera; the client
# keeps the cloud's rate limit.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class PtzButtonDescription(ButtonEntityDescription):
    """A button that moves the camera one step (None: stop)."""

    move: Move | None


BUTTONS: tuple[PtzButtonDescription, ...] = (
    *(
        PtzButtonDescription(
            key=f"ptz_{move}", translation_key=f"ptz_{move}", move=move
        )
        for move in (
            Move.UP,
            Move.DOWN,
            Move.LEFT,
            Move.RIGHT,
            Move.ZOOM_IN,
            Move.ZOOM_OUT,
        )
    ),
    PtzButtonDescription(key="ptz_stop", translation_key="ptz_stop", move=None),
    *(
        PtzButtonDescription(
            key=f"ptz_{move}",
            translation_key=f"ptz_{move}",
            move=move,
            entity_registry_enabled_default=False,
        )
        for move in (Move.FOCUS_NEAR, Move.FOCUS_FAR, Move.IRIS_OPEN, Move.IRIS_CLOSE)
    ),
)


class PtzButton(PtzEntity, ButtonEntity):
    """One PTZ control of a camera."""

    entity_description: PtzButtonDescription

    def __init__(
        self,
        coordinator: SlowLiveCoordinator,
        key: str,
        description: PtzButtonDescription,
    ) -> None:
        """One per control and camera that can move."""
        super().__init__(coordinator, key)
        self.entity_description = description
        self._attr_unique_id = f"{key}_{description.key}"

    async def async_press(self) -> None:
        """Move one step, or stop."""
        channel = self.ptz_channel()
        move = self.entity_description.move
        if move is None:
            await self.ptz.async_stop(channel)
        else:
            await self.ptz.async_move(channel, move)


# The buttons of every camera that can move, now and as such cameras appear.
async_setup_entry = channel_platform_described(PtzButton, BUTTONS, only=has_ptz)
