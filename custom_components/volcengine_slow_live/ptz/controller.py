"""Pan, tilt, zoom, focus, iris and presets of the cameras that can move (CloudControl).

The cloud only knows continuous moves: a command starts one and `stop` ends it, so a
camera told "left" and never "stop" turns until it reaches its end stop. Every move
here is therefore a step: start, wait `duration`, stop — and the stop is sent
whatever happens in between (the caller cancelled, the start failed halfway, another
move replaced it, the entry unloads). Moves of one camera are serialised: a new move,
a stop or a preset first ends the running move (which sends its stop), so the cloud
sees start/stop pairs in order, never two moves overlapping.

The cloud keeps presets as numbers 1-255 and cannot list them; their names live here,
in a `Store` per entry (channel → name → number).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from ..api.client import AiotVideoClient
from ..api.errors import ApiError
from ..const import DOMAIN, LOGGER
from ..coordinator import ChannelData
from ..refusals import cloud_error, invalid

STORAGE_VERSION: Final = 1
# Speeds people choose, 1 (slowest) to 8: the range most camera apps offer.
MIN_SPEED: Final = 1
MAX_SPEED: Final = 8
DEFAULT_SPEED: Final = 4
# A button press or an action without a duration: a short step (about 15° at the
# default speed), small enough to aim with, large enough to see.
DEFAULT_STEP: Final = 0.5
MAX_DURATION: Final = 60.0
# Shortest step: a shorter one would not be seen to move.
MIN_DURATION: Final = 0.1
MIN_PRESET: Final = 1
MAX_PRESET: Final = 255
MAX_NAME: Final = 64
# Told to preset listeners when only the names changed, not where the camera stands.
UNCHANGED: Final = "\x00unchanged"
# The preset select's state while the camera stands at no preset it knows of (a
# translated option): a name of its own, so no saved preset may take it.
NOT_AT_PRESET: Final = "not_at_preset"

PTZ_CONTROL: Final = "PTZControl"
FI_CONTROL: Final = "FiControl"
PRESET_CONTROL: Final = "PresetControl"
STOP: Final = "stop"


class Move(StrEnum):
    """What a camera can be told to do for a while."""

    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    UP_LEFT = "up_left"
    UP_RIGHT = "up_right"
    DOWN_LEFT = "down_left"
    DOWN_RIGHT = "down_right"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    FOCUS_NEAR = "focus_near"
    FOCUS_FAR = "focus_far"
    IRIS_OPEN = "iris_open"
    IRIS_CLOSE = "iris_close"


class PresetOperation(StrEnum):
    """What can be done with a preset."""

    GO_TO = "go_to"
    SAVE = "save"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class _Command:
    action: str
    cmd: str
    top: int  # the cloud's highest Para for it

    def para(self, speed: int) -> int:
        """Speed 1-8 on the command's own scale (0-255 moves, 0-15 zoom)."""
        return max(1, round(self.top * speed / MAX_SPEED))


# The cloud's commands (docs/api-notes.md §4.17). GB/T 28181 calls closing the iris
# "iris in" and opening it "iris out".
COMMANDS: Final[dict[Move, _Command]] = {
    Move.UP: _Command(PTZ_CONTROL, "up", 255),
    Move.DOWN: _Command(PTZ_CONTROL, "down", 255),
    Move.LEFT: _Command(PTZ_CONTROL, "left", 255),
    Move.RIGHT: _Command(PTZ_CONTROL, "right", 255),
    Move.UP_LEFT: _Command(PTZ_CONTROL, "leftup", 255),
    Move.UP_RIGHT: _Command(PTZ_CONTROL, "rightup", 255),
    Move.DOWN_LEFT: _Command(PTZ_CONTROL, "leftdown", 255),
    Move.DOWN_RIGHT: _Command(PTZ_CONTROL, "rightdown", 255),
    Move.ZOOM_IN: _Command(PTZ_CONTROL, "zoomin", 15),
    Move.ZOOM_OUT: _Command(PTZ_CONTROL, "zoomout", 15),
    Move.FOCUS_NEAR: _Command(FI_CONTROL, "focusnear", 255),
    Move.FOCUS_FAR: _Command(FI_CONTROL, "focusfar", 255),
    Move.IRIS_OPEN: _Command(FI_CONTROL, "irisout", 255),
    Move.IRIS_CLOSE: _Command(FI_CONTROL, "irisin", 255),
}


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.presets")


async def async_remove_presets(hass: HomeAssistant, entry_id: str) -> None:
    """The entry is removed: its preset names go with it."""
    await _store(hass, entry_id).async_remove()


def has_ptz(channel: ChannelData) -> bool:
    """The camera can move: a dome or a remote-controlled bullet, by its details."""
    return channel.details is not None and channel.details.has_ptz


def _name_key(name: str) -> str:
    """Names match as people say them: case and surrounding spaces do not count."""
    return " ".join(name.split()).casefold()


class PtzController:
    """The moves and presets of one entry's cameras."""

    def __init__(self, hass: HomeAssistant, client: AiotVideoClient, entry_id: str):
        """Presets are read by `async_load`."""
        self._hass = hass
        self._client = client
        self._store = _store(hass, entry_id)
        # Channel key → preset name (as the user wrote it) → number.
        self._presets: dict[str, dict[str, int]] = {}
        self._moves: dict[str, asyncio.Task[None]] = {}
        # The stop a move is sending: the next command of that camera waits for it,
        # so a stop never arrives after the next move's start.
        self._stopping: dict[str, asyncio.Task[None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._listeners: dict[str, list[Callable[[str | None], None]]] = {}

    async def async_load(self) -> None:
        """Read the preset names."""
        stored = await self._store.async_load() or {}
        self._presets = {
            key: {str(name): int(number) for name, number in names.items()}
            for key, names in stored.get("presets", {}).items()
        }

    async def async_shutdown(self) -> None:
        """The entry unloads: running moves end now (each sends its stop)."""
        moves = list(self._moves.values())
        for task in moves:
            task.cancel()
        await asyncio.gather(*moves, return_exceptions=True)
        await asyncio.gather(*self._stopping.values(), return_exceptions=True)

    # ----------------------------------------------------------------- presets
    def presets(self, key: str) -> dict[str, int]:
        """A camera's preset names → numbers, in number order."""
        return dict(sorted(self._presets.get(key, {}).items(), key=lambda i: i[1]))

    def find_preset(self, key: str, name: str) -> tuple[str, int] | None:
        """The preset a name means (as it was saved, and its number), if any."""
        wanted = _name_key(name)
        for saved, number in self._presets.get(key, {}).items():
            if _name_key(saved) == wanted:
                return saved, number
        return None

    @callback
    def async_listen(
        self, key: str, listener: Callable[[str | None], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` when a camera's presets change or it moves.

        It gets the name of the preset the camera now stands at; None after any
        other move; `UNCHANGED` when only the names changed (one was removed).
        """
        listeners = self._listeners.setdefault(key, [])
        listeners.append(listener)

        @callback
        def remove() -> None:
            listeners.remove(listener)

        return remove

    def _tell(self, key: str, at: str | None) -> None:
        for listener in list(self._listeners.get(key, ())):
            listener(at)

    async def async_preset(
        self,
        channel: ChannelData,
        operation: PresetOperation,
        *,
        name: str | None = None,
        number: int | None = None,
    ) -> tuple[str | None, int]:
        """Go to, save or remove a preset named and/or numbered; (name, number) done.

        Saving a new name takes the lowest free number unless one is given; saving
        an existing name moves it to where the camera stands now.
        """
        key = channel.key
        names = self._presets.setdefault(key, {})
        found = self.find_preset(key, name) if name is not None else None
        if name is not None:
            name = " ".join(name.split())
            if not name or len(name) > MAX_NAME:
                raise invalid("invalid_preset_name", max=str(MAX_NAME))
        if operation is PresetOperation.SAVE:
            if name is None:
                raise invalid("preset_name_required")
            if _name_key(name) == NOT_AT_PRESET:
                raise invalid("preset_name_reserved", name=name)
            if number is None:
                number = found[1] if found else self._free_number(names)
            taken = next((n for n, v in names.items() if v == number), None)
            if taken is not None and (found is None or taken != found[0]):
                raise invalid("preset_number_taken", number=str(number), name=taken)
        elif found is not None:
            name, number = found
        elif name is not None:
            if saved := self.presets(key):
                raise invalid(
                    "unknown_preset",
                    name=name,
                    camera=channel.name,
                    presets=", ".join(saved),
                )
            raise invalid("no_presets_saved", name=name, camera=channel.name)
        elif number is not None:
            name = next((n for n, v in names.items() if v == number), None)
        if number is None:
            raise invalid("preset_name_required")
        cmd = {
            PresetOperation.GO_TO: "goto",
            PresetOperation.SAVE: "set",
            PresetOperation.REMOVE: "remove",
        }[operation]
        async with self._lock(key):
            await self._end_move(key)
            await self._control(key, PRESET_CONTROL, cmd, number)
        if operation is PresetOperation.SAVE:
            assert name is not None  # noqa: S101  # required above
            if found is not None:
                del names[found[0]]
            names[name] = number
        elif operation is PresetOperation.REMOVE and name is not None:
            del names[name]
        if operation is not PresetOperation.GO_TO:
            self._store.async_delay_save(self._data, 0)
        self._tell(key, UNCHANGED if operation is PresetOperation.REMOVE else name)
        return name, number

    @staticmethod
    def _free_number(names: dict[str, int]) -> int:
        used = set(names.values())
        for number in range(MIN_PRESET, MAX_PRESET + 1):
            if number not in used:
                return number
        raise invalid("presets_full", max=str(MAX_PRESET))

    def _data(self) -> dict[str, Any]:
        return {"presets": {k: v for k, v in self._presets.items() if v}}

    # ------------------------------------------------------------------ moves
    async def async_move(
        self,
        channel: ChannelData,
        move: Move,
        *,
        speed: int = DEFAULT_SPEED,
        duration: float = DEFAULT_STEP,
    ) -> None:
        """Move for `duration` seconds, then stop (always).

        A later move or stop of the same camera ends this one early; this call then
        returns normally (it was replaced, not failed). Cancelling the caller ends
        the move too, with its stop.
        """
        key = channel.key
        async with self._lock(key):
            await self._end_move(key)
            task = asyncio.create_task(
                self._async_step(key, COMMANDS[move], speed, duration),
                name=f"{DOMAIN} ptz {move}",
            )
            self._moves[key] = task
        self._tell(key, None)
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            if self._moves.get(key) is task and task.done():
                del self._moves[key]
        if not task.cancelled() and (err := task.exception()) is not None:
            raise err

    async def async_stop(self, channel: ChannelData) -> None:
        """End any move: ours (which sends its stop), and one started elsewhere."""
        key = channel.key
        async with self._lock(key):
            if not await self._end_move(key):
                await self._control(key, PTZ_CONTROL, STOP, 0)

    async def _end_move(self, key: str) -> bool:
        """End the camera's running move and wait for its stop; False if none."""
        task = self._moves.pop(key, None)
        ended = task is not None and not task.done()
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if (stop := self._stopping.get(key)) is not None:
            await asyncio.gather(stop, return_exceptions=True)
        return ended

    async def _async_step(
        self, key: str, command: _Command, speed: int, duration: float
    ) -> None:
        try:
            await self._control(key, command.action, command.cmd, command.para(speed))
            await asyncio.sleep(duration)
        finally:
            # Its own task: a cancelled move still stops the camera, even when it
            # is cancelled again while the stop is on its way.
            stop = asyncio.create_task(self._async_send_stop(key, command.action))
            self._stopping[key] = stop
            stop.add_done_callback(partial(self._stopped, key))
            await asyncio.shield(stop)

    def _stopped(self, key: str, stop: asyncio.Task[None]) -> None:
        # A newer step's stop may have taken the key meanwhile: leave that one.
        if self._stopping.get(key) is stop:
            del self._stopping[key]
        if not stop.cancelled():
            stop.exception()  # retrieved: the step (or the log) already reported it

    async def _async_send_stop(self, key: str, action: str) -> None:
        try:
            await self._control(key, action, STOP, 0)
        except HomeAssistantError:
            # The client already retried what can be retried; a camera left moving
            # is worth a warning the user sees in the log.
            LOGGER.warning("A camera (%s) may still be moving: stop failed", key)
            raise

    async def _control(self, key: str, action: str, cmd: str, para: int) -> None:
        try:
            await self._client.cloud_control(
                key, action=action, command=cmd, param=para
            )
        except ApiError as err:
            raise cloud_error(err) from err

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())
