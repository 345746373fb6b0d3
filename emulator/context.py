"""What an action handler may use: the caller's fleet, the time, URLs and settings.

Its own module: the handlers (`actions`) and the alarm actions (`alarms`) both take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fleet import Fleet
    from .links import Links
    from .render import Renderer


@dataclass
class Context:
    """What a handler may use: the caller's fleet, the time, URLs and settings."""

    fleet: Fleet
    now: float
    links: Links
    render: Renderer
    detail_delay: float = 0.0
    offline_status: int = 400
    # Recordings are stored (listed, playable) up to here: `now` less the lag.
    stored_until: float | None = None

    @property
    def stored(self) -> float:
        """How far recordings reach: `stored_until`, else now."""
        return self.now if self.stored_until is None else self.stored_until
