"""Typed runtime data of a config entry, and how a client is built from entry data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api.client import (
    DEFAULT_ENDPOINT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_REGION,
    DEFAULT_TIMEOUT,
    AiotVideoClient,
    RetryPolicy,
)
from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
)

if TYPE_CHECKING:
    from .coordinator import SlowLiveCoordinator
    from .ptz import PtzController
    from .recorded import RecordingIndex


@dataclass(slots=True)
class SlowLiveRuntimeData:
    """What a loaded entry holds while it runs."""

    client: AiotVideoClient
    coordinator: SlowLiveCoordinator
    recordings: RecordingIndex
    ptz: PtzController


type SlowLiveConfigEntry = ConfigEntry[SlowLiveRuntimeData]

# The client's pacing (requests per second per action), retry backoff and clock
# (None: the real one). Read on every `create_client` call so that tests driving
# thousands of refreshes against the local emulator (tests/reliability/test_soak.py)
# can swap them in; everything else keeps the API's documented limit, the default
# backoff and the real time.
CLIENT_RATE_LIMIT: float = DEFAULT_RATE_LIMIT
CLIENT_RETRY: RetryPolicy = RetryPolicy()
CLIENT_CLOCK: Callable[[], datetime] | None = None
# Seconds one API request may take; read on every `create_client` call as well, so
# that the fault matrix (tests/reliability/test_fault_matrix.py) can lower it and
# let a hung cloud time out in a fraction of a second.
CLIENT_TIMEOUT: float = DEFAULT_TIMEOUT


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> AiotVideoClient:
    """Client for the credentials in entry data (raises ValueError on a bad endpoint)."""
    return AiotVideoClient(
        async_get_clientsession(hass),
        data[CONF_ACCESS_KEY_ID],
        data[CONF_SECRET_ACCESS_KEY],
        region=data.get(CONF_REGION) or DEFAULT_REGION,
        endpoint=data.get(CONF_ENDPOINT) or DEFAULT_ENDPOINT,
        rate_limit=CLIENT_RATE_LIMIT,
        retry=CLIENT_RETRY,
        timeout=CLIENT_TIMEOUT,
        now=CLIENT_CLOCK,
    )
