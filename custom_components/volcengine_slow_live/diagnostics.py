"""Diagnostics for an entry and for one device, with every secret redacted.

The AccessKey ID is shortened, the secret masked, and pull URLs keep their protocol and
expiry but lose their tokens (all through `redact`, the one place that knows secrets).
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .api.models import Space
from .api.redact import MASK, redact_access_key, redact_mapping
from .const import CONF_ACCESS_KEY_ID, CONF_SECRET_ACCESS_KEY, CONF_WEBHOOK_ID, DOMAIN
from .coordinator import ChannelData
from .data import SlowLiveConfigEntry


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _channel(channel: ChannelData) -> dict[str, Any]:
    return {
        "name": channel.name,
        "online": channel.online,
        "pull_on_demand": channel.pull_on_demand,
        "has_sub_stream": channel.has_sub_stream,
        "has_screenshots": channel.has_screenshots,
        "stream": _jsonable(channel.stream),
        "device_id": channel.device.device_id if channel.device else None,
        "details": _jsonable(channel.details),
    }


def _space(space: Space) -> dict[str, Any]:
    shown: dict[str, Any] = _jsonable(space)
    # Ours carries the webhook's id; someone else's is theirs to show.
    shown["callback_url"] = MASK if space.callback_url else ""
    return shown


def _entry(entry: SlowLiveConfigEntry) -> dict[str, Any]:
    data = dict(entry.data)
    data[CONF_ACCESS_KEY_ID] = redact_access_key(data.get(CONF_ACCESS_KEY_ID, ""))
    data[CONF_SECRET_ACCESS_KEY] = MASK
    if CONF_WEBHOOK_ID in data:  # whoever knows it can post to it
        data[CONF_WEBHOOK_ID] = MASK
    coordinator = entry.runtime_data.coordinator
    return {
        "title": entry.title,
        "data": data,
        "options": dict(entry.options),
        "last_update_success": coordinator.last_update_success,
        "update_interval": str(coordinator.update_interval),
        # Refreshes failed in a row: up to TOLERATED_FAILURES keep the last data.
        "failed_refreshes": coordinator.failed_refreshes,
        "last_success": _jsonable(coordinator.last_success),
        # What the client's requests met since setup (retries, unreadable answers).
        "requests": _jsonable(coordinator.client.stats),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SlowLiveConfigEntry
) -> dict[str, Any]:
    """The entry, its settings and everything the last refresh read."""
    data = entry.runtime_data.coordinator.data
    return redact_mapping(
        {
            "entry": _entry(entry),
            "spaces": [_space(space) for space in data.spaces.values()],
            "devices": _jsonable(list(data.devices.values())),
            "channels": {key: _channel(c) for key, c in data.channels.items()},
        }
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """One channel (with its IPC, when it is one) or GB device as last seen."""
    data = entry.runtime_data.coordinator.data
    result: dict[str, Any] = {"entry": _entry(entry)}
    for domain, identifier in device.identifiers:
        if domain != DOMAIN:
            continue
        if channel := data.channels.get(identifier):
            result["channel"] = _channel(channel)
            # A single-channel IPC's camera is that IPC: its page shows it too.
            if channel.device is not None and channel.is_single_ipc:
                result["device"] = _jsonable(channel.device)
        elif identifier.startswith("device_") and (
            gb_device := data.devices.get(identifier.removeprefix("device_"))
        ):
            result["device"] = _jsonable(gb_device)
    return redact_mapping(result)
