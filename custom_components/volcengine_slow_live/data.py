"""Typed runtime data of a config entry, and how a client is built from entry data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .api.client import (
    DEFAULT_ENDPOINT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_REGION,
    AiotVideoClient,
)
from .api.ratelimit import ActionLimiters
from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    DOMAIN,
)

if TYPE_CHECKING:
    from .alarms.history import AlarmHistory
    from .alarms.pictures import AlarmPictures
    from .budget import EntityBudget
    from .coordinator import SlowLiveCoordinator
    from .ptz.controller import PtzController
    from .recorded import RecordingIndex


@dataclass(slots=True)
class SlowLiveRuntimeData:
    """What a loaded entry holds while it runs."""

    client: AiotVideoClient
    coordinator: SlowLiveCoordinator
    recordings: RecordingIndex
    alarms: AlarmHistory
    pictures: AlarmPictures
    ptz: PtzController
    budget: EntityBudget


type SlowLiveConfigEntry = ConfigEntry[SlowLiveRuntimeData]


def runtime_data(entry: ConfigEntry) -> SlowLiveRuntimeData:
    """What a loaded entry of ours holds, for code that has it as a plain ConfigEntry.

    The coordinator keeps its entry as a plain ConfigEntry: typing it as ours would
    make the coordinator and this module import each other.
    """
    data: SlowLiveRuntimeData = entry.runtime_data
    return data


# The rate windows of each endpoint and AccessKey ID: the entries of one account
# (a fleet split over several, see config_flow.py) share them.
_LIMITERS: HassKey[dict[tuple[str, str], ActionLimiters]] = HassKey(
    f"{DOMAIN}_limiters"
)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> AiotVideoClient:
    """Client for the credentials in entry data (raises ValueError on a bad endpoint).

    Clients of the same key share one set of rate windows: the cloud limits a key's
    requests per action whichever entry sends them.
    """
    key = data[CONF_ACCESS_KEY_ID]
    endpoint = data.get(CONF_ENDPOINT) or DEFAULT_ENDPOINT
    shared = hass.data.setdefault(_LIMITERS, {})
    limiters = shared.setdefault((endpoint, key), ActionLimiters(DEFAULT_RATE_LIMIT))
    return AiotVideoClient(
        async_get_clientsession(hass),
        key,
        data[CONF_SECRET_ACCESS_KEY],
        region=data.get(CONF_REGION) or DEFAULT_REGION,
        endpoint=endpoint,
        limiters=limiters,
    )
