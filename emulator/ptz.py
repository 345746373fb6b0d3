"""Pan/tilt/zoom state of a PTZ camera, kept as a timeline, and a reader for stills.

CloudControl (API notes §4.17) only says which commands exist. What they do here [I]:

* A direction (`up` ... `rightdown`) starts a continuous move at
  1 + 59 * Para / 255 degrees a second per axis (Para 0 still creeps at 1 deg/s,
  Para 255 turns at 60 deg/s; diagonals drive both axes at that speed). Pan turns
  endlessly (0..360, wrapping; `right` increases it); tilt is clamped to -30..+90
  (`up` increases it).
* `zoomin`/`zoomout` change the zoom by 0.1 + 0.9 * Para / 15 doublings a second
  (Para 15 doubles it every second), clamped to 1x..20x.
* FiControl `focusfar`/`focusnear` and `irisout`/`irisin` (open/close) move focus and
  iris, plain numbers within 0..100 starting at 50, by 1 + 24 * Para / 255 a second.
* A camera runs one command at a time: a new move replaces the one in force, and
  `stop` (of either action) ends it. A move runs until then, held at its limits.
* PresetControl `set` saves the current view (all five numbers) under Para, `goto`
  jumps there at once (ending any move), `remove` forgets it (an unknown number is
  ignored); `goto` of a number never set is 400 `InvalidParameter.Para`.

Because the whole history is kept (the newest `MAX_PIECES` commands), the view at any
instant is known: recordings of the past show where the camera pointed then. The
media (`emulator.scene`) draws the view; `read_view` reads it back from a still.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
import io
import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from .errors import invalid
from .scene import BARS, View

if TYPE_CHECKING:
    from collections.abc import Sequence

TILT_LIMITS = (-30.0, 90.0)
ZOOM_LIMITS = (1.0, 20.0)
FI_LIMITS = (0.0, 100.0)
MAX_PIECES = 1024
# Degrees per second at Para 0 and Para 255.
PAN_TILT_SPEED = (1.0, 60.0)
# Zoom doublings per second at Para 0 and Para 15.
ZOOM_SPEED = (0.1, 1.0)
# Focus/iris units per second at Para 0 and Para 255.
FI_SPEED = (1.0, 25.0)

# Direction -> (pan sign, tilt sign).
_DIRECTIONS = {
    "up": (0, 1),
    "down": (0, -1),
    "left": (-1, 0),
    "right": (1, 0),
    "leftup": (-1, 1),
    "leftdown": (-1, -1),
    "rightup": (1, 1),
    "rightdown": (1, -1),
}
# FiControl command -> (focus sign, iris sign).
_FI = {"focusfar": (1, 0), "focusnear": (-1, 0), "irisout": (0, 1), "irisin": (0, -1)}


HOME = View()


def _speed(para: int, top: int, speeds: tuple[float, float]) -> float:
    low, high = speeds
    return low + (high - low) * para / top


def _clamp(value: float, limits: tuple[float, float]) -> float:
    return min(limits[1], max(limits[0], value))


def _pinned(rate: float, value: float, limits: tuple[float, float]) -> bool:
    """Whether an axis driven at `rate` cannot move any further (or is not driven)."""
    return rate == 0 or (value >= limits[1] if rate > 0 else value <= limits[0])


@dataclass(frozen=True, slots=True)
class Move:
    """A command in force and the rates it drives each axis at (per second)."""

    cmd: str
    para: int
    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0  # doublings per second
    focus: float = 0.0
    iris: float = 0.0

    def advance(self, origin: View, seconds: float) -> View:
        """Where the camera is `seconds` after it was at `origin`."""
        return View(
            pan=(origin.pan + self.pan * seconds) % 360.0,
            tilt=_clamp(origin.tilt + self.tilt * seconds, TILT_LIMITS),
            zoom=_clamp(origin.zoom * 2.0 ** (self.zoom * seconds), ZOOM_LIMITS),
            focus=_clamp(origin.focus + self.focus * seconds, FI_LIMITS),
            iris=_clamp(origin.iris + self.iris * seconds, FI_LIMITS),
        )

    def stalled(self, view: View) -> bool:
        """Whether every axis the move drives has reached its limit (pan never does)."""
        return (
            self.pan == 0
            and _pinned(self.tilt, view.tilt, TILT_LIMITS)
            and _pinned(self.zoom, view.zoom, ZOOM_LIMITS)
            and _pinned(self.focus, view.focus, FI_LIMITS)
            and _pinned(self.iris, view.iris, FI_LIMITS)
        )


def make_move(cmd: str, para: int) -> Move:
    """The move a PTZControl/FiControl command (other than `stop`) starts."""
    if cmd in _DIRECTIONS:
        pan, tilt = _DIRECTIONS[cmd]
        speed = _speed(para, 255, PAN_TILT_SPEED)
        return Move(cmd, para, pan=pan * speed, tilt=tilt * speed)
    if cmd in ("zoomin", "zoomout"):
        rate = _speed(para, 15, ZOOM_SPEED)
        return Move(cmd, para, zoom=rate if cmd == "zoomin" else -rate)
    focus, iris = _FI[cmd]
    speed = _speed(para, 255, FI_SPEED)
    return Move(cmd, para, focus=focus * speed, iris=iris * speed)


@dataclass(frozen=True, slots=True)
class Piece:
    """From `since` on the camera starts at `origin` and follows `move` (None: still)."""

    since: float
    origin: View
    move: Move | None = None

    def view(self, at: float) -> View:
        """The view at `at` (not before `since`)."""
        if self.move is None:
            return self.origin
        return self.move.advance(self.origin, max(0.0, at - self.since))


def _since(piece: Piece) -> float:
    return piece.since


def _piece_at(pieces: Sequence[Piece], at: float) -> Piece:
    return pieces[max(0, bisect_right(pieces, at, key=_since) - 1)]


@dataclass(frozen=True, slots=True)
class Track:
    """The views over a stretch of time; hashable, so media caches can key on it."""

    pieces: tuple[Piece, ...]

    def view(self, at: float) -> View:
        """The view at `at`."""
        return _piece_at(self.pieces, at).view(at)


class Ptz:
    """One camera's PTZ timeline and presets (held by the channel's main stream)."""

    def __init__(self) -> None:
        """Start at the home view, still, with no presets."""
        self._pieces: list[Piece] = [Piece(-math.inf, HOME)]
        self._presets: dict[int, View] = {}

    @property
    def presets(self) -> dict[int, View]:
        """Saved views by preset number (a copy)."""
        return dict(self._presets)

    def view(self, at: float) -> View:
        """Where the camera points at unix time `at` (past or present)."""
        return _piece_at(self._pieces, at).view(at)

    def command(self, at: float) -> Move | None:
        """The move in force at `at`, even one held at its limits (None: stopped)."""
        return _piece_at(self._pieces, at).move

    def moving(self, at: float) -> str | None:
        """The command moving the camera at `at`; None when it is still.

        A move held at its limits (zoomed all the way in, say) counts as still.
        """
        move = self.command(at)
        if move is None or move.stalled(self.view(at)):
            return None
        return move.cmd

    def track(self, start: float, end: float) -> Track:
        """The views over [start, end), starting afresh at `start`.

        The same stretch gives an equal Track however long ago the camera moved, so
        a cache keyed on it hits until a command changes what [start, end) shows.
        """
        first = Piece(start, self.view(start), self.command(start))
        later = (p for p in self._pieces if start < p.since < end)
        return Track((first, *later))

    def apply(self, at: float, action: str, cmd: str, para: int) -> None:
        """Carry out a validated CloudControl command at unix time `at`.

        Raises ApiError `InvalidParameter.Para` for `goto` of an unset preset.
        """
        current = self.view(at)
        if action == "PresetControl":
            if cmd == "set":
                self._presets[para] = current
            elif cmd == "remove":
                self._presets.pop(para, None)
            elif para not in self._presets:
                raise invalid("Para", f"preset {para} has not been set on this camera")
            else:
                self._push(Piece(at, self._presets[para]))
        elif cmd == "stop":
            self._push(Piece(at, current))
        else:
            self._push(Piece(at, current, make_move(cmd, para)))

    def to_dict(self, at: float) -> dict[str, Any]:
        """The state at `at` as JSON: view, moving, the command in force, presets."""
        move = self.command(at)
        piece = _piece_at(self._pieces, at)
        return {
            "at": at,
            "view": self.view(at).to_dict(),
            "moving": self.moving(at),
            "command": None
            if move is None
            else {"cmd": move.cmd, "para": move.para, "since": piece.since},
            "presets": {str(n): v.to_dict() for n, v in sorted(self._presets.items())},
        }

    def _push(self, piece: Piece) -> None:
        # A command at or before the newest one (the emulator clock was set back, or
        # two commands in the same instant) replaces what followed it.
        while len(self._pieces) > 1 and self._pieces[-1].since >= piece.since:
            self._pieces.pop()
        self._pieces.append(piece)
        if len(self._pieces) > MAX_PIECES:
            # Forget the oldest command: before the next one the camera is taken to
            # have been still where that command started.
            self._pieces[0:2] = [Piece(-math.inf, self._pieces[1].origin)]


# ------------------------------------------------------------------- reader
# Rows a third of the way down: below the clock and PTZ tiles, above the moving box,
# and always above the horizon (emulator.scene.TILT_SPAN_DEG).
_BAND = (0.33, 0.39)
# Shorter runs of one colour are JPEG ringing at a bar edge, not a bar.
_MIN_RUN = 4
_BAR_COLOURS = np.asarray(BARS, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Reading:
    """Pan and zoom as read back from a picture."""

    pan: float
    zoom: float


def read_view(picture: bytes | Image.Image, *, zoom: float | None = None) -> Reading:
    """Estimate where a PTZ camera pointed from one of its pictures.

    `picture` is a still's bytes (JPEG, PNG) or an image, e.g. a decoded video frame's
    `to_image()`. The colour-bar edges along a band of rows are fitted to the bar
    geometry of `emulator.scene`: two edges give pan and zoom, one gives pan if `zoom`
    is passed. In a 640x360 still pan is within 1 degree and zoom within 2 % (decoded
    H.264 frames: 1.5 degrees); the error scales with 360 / (width * zoom) degrees per
    pixel. Two edges are in view up to about 3x, one up to about 6x; with too few,
    ValueError. Tilt is not read (the position tile shows it).
    """
    if isinstance(picture, Image.Image):
        pixels = np.asarray(picture.convert("RGB"), dtype=np.float32)
    else:
        with Image.open(io.BytesIO(picture)) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    height, width = pixels.shape[:2]
    band = pixels[int(height * _BAND[0]) : int(height * _BAND[1]) + 1].mean(axis=0)
    distances = ((band[:, np.newaxis, :] - _BAR_COLOURS) ** 2).sum(axis=2)
    nearest = distances.argmin(axis=1)
    cuts = np.flatnonzero(np.diff(nearest)) + 1
    runs = [
        (int(lo), int(hi), int(nearest[lo]))
        for lo, hi in itertools.pairwise([0, *cuts.tolist(), width])
        if hi - lo >= _MIN_RUN
    ]
    count = len(BARS)
    # An edge lies midway across whatever blur separates a bar from the next one;
    # bar k starts at the first column whose left edge is at position k or beyond.
    edges = [
        ((left[1] + right[0]) / 2 - 0.5, right[2])
        for left, right in itertools.pairwise(runs)
        if (right[2] - left[2]) % count == 1
    ]
    # Number the edges along the row (a skipped bar still counts) and fit a line.
    steps = [0] + [(b[1] - a[1]) % count for a, b in itertools.pairwise(edges)]
    bars = np.cumsum(steps, dtype=np.float64)
    columns = np.asarray([x for x, _ in edges], dtype=np.float64)
    if len(edges) >= 2:
        zoom = count * float(np.polyfit(bars, columns, 1)[0]) / width
    elif not edges or zoom is None:
        raise ValueError("too few colour-bar edges in view to read the camera's view")
    bar_width = width * zoom / count
    # Bar position at the centre column, then back to the pan angle.
    centre = float(np.mean(edges[0][1] + bars + (width / 2 - columns) / bar_width))
    return Reading(pan=(360.0 * (centre / count - 0.5)) % 360.0, zoom=zoom)


def read_pan(picture: bytes | Image.Image, *, zoom: float | None = None) -> float:
    """The pan angle (0..360) a picture shows; see `read_view`."""
    return read_view(picture, zoom=zoom).pan


def pan_delta(before: float, after: float) -> float:
    """The signed turn from pan `before` to `after`, within (-180, 180] (left < 0)."""
    turn = (after - before) % 360.0
    return turn - 360.0 if turn > 180.0 else turn
