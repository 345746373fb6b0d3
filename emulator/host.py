"""What the emulator's parts (admin routes, CDN, event callbacks) use of the emulator.

They are given the running `server.Emulator`; typed by this protocol, they need not
import the server module that imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import asyncio

    from .config import EmulatorConfig
    from .faults import FaultSet
    from .fleet import Fleet
    from .reqlog import RequestLog, RequestRecord
    from .tokens import UrlSigner


@runtime_checkable
class Host(Protocol):
    """The running emulator, as its routes and callbacks see it."""

    config: EmulatorConfig
    clock_offset: float
    faults: FaultSet
    log: RequestLog
    signer: UrlSigner
    stopping: asyncio.Event

    @property
    def base_url(self) -> str:
        """Where its API and CDN answer."""

    @property
    def access_key(self) -> str:
        """The default account's AccessKey ID."""

    @property
    def secret_key(self) -> str:
        """The default account's Secret Access Key."""

    @property
    def session_token(self) -> str | None:
        """The default key's STS token, if it has one."""

    def now(self) -> float:
        """The emulated cloud's clock (unix seconds)."""

    def stored_until(self, now: float | None = None) -> float:
        """How far recordings are stored (listed, playable)."""

    def fleets(self) -> list[Fleet]:
        """Every account's fleet."""

    def requests(self, action: str | None = None) -> list[RequestRecord]:
        """The API requests answered, of one action or all."""

    def stats(self) -> dict[str, Any]:
        """Counters of what it answered."""

    def reset(self) -> None:
        """Forget faults, logs and changes to the fleet."""
