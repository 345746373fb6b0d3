"""Instant alarms: the cloud POSTs a space's events to a Home Assistant webhook.

A callback is a hint, never the truth. The cloud does not sign its callbacks, so
anyone who learns the webhook's address can post to it: a callback that passes the
checks below makes the integration read that device's alarm list (a signed API call,
paced like every other) sooner than its next poll, and only alarms that list has
become events. A forged or replayed callback costs at most one such read; it can
never create an event.

Checks, in order (each failure answers and ends there, nothing is raised or logged
with the webhook's id): at most `MAX_BODY` bytes (413), a JSON object with
`CallbackMeta.MsgID`, `CallbackHeader.EventType` and a base64 `Detail` that decodes to
a JSON object (400), a `MsgID` not seen lately (200, ignored), a device of this
entry's spaces (200, ignored otherwise). `device_alarm` reads that device's alarms;
device and channel online/offline events refresh the fleet (debounced by the
coordinator).

Setting it up (option "Receive alarms instantly"): the webhook's URL is written into
each selected space's `CallbackURL` with UpdateSpace, only where the field is empty
or already ours; a space whose callback belongs to someone else is left alone and a
repair issue says so. Turning the option off, or removing the entry, empties the
field again where it is ours.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
import json
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from ..api.errors import ApiError
from ..api.redact import register_secret
from ..const import CONF_INSTANT_ALARMS, CONF_SPACES, CONF_WEBHOOK_ID, DOMAIN, LOGGER
from ..data import SlowLiveConfigEntry, create_client
from .watcher import AlarmWatcher

MAX_BODY = 64 * 1024
# MsgIDs remembered, to ignore the cloud's retries and replays.
SEEN = 1000
STATUS_EVENTS = frozenset({"device_online", "device_offline", "online", "offline"})


def _bad(reason: str) -> web.Response:
    return web.Response(status=400, text=f"not a callback: {reason}")


class CallbackReceiver:
    """Receives one entry's callbacks."""

    def __init__(
        self, hass: HomeAssistant, entry: SlowLiveConfigEntry, watcher: AlarmWatcher
    ) -> None:
        """For an entry whose data holds a webhook id."""
        self._hass = hass
        self._entry = entry
        self._watcher = watcher
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.received = 0  # well-formed callbacks (diagnostics)

    @property
    def webhook_id(self) -> str:
        """The webhook's id (a secret)."""
        webhook_id: str = self._entry.data[CONF_WEBHOOK_ID]
        return webhook_id

    def register(self) -> None:
        """Listen (POST only, from anywhere: the cloud is not on the local network)."""
        # Masked wherever our logs, errors or diagnostics would show it.
        register_secret(self.webhook_id)
        webhook.async_register(
            self._hass,
            DOMAIN,
            self._entry.title,
            self.webhook_id,
            self._async_handle,
            local_only=False,
            allowed_methods=["POST"],
        )

    def unregister(self) -> None:
        """Stop listening."""
        webhook.async_unregister(self._hass, self.webhook_id)

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        body = b""
        while len(body) <= MAX_BODY and (
            chunk := await request.content.read(MAX_BODY + 1 - len(body))
        ):
            body += chunk
        if len(body) > MAX_BODY:
            return web.Response(status=413, text="too large")
        parsed = _parse(body)
        if isinstance(parsed, web.Response):
            return parsed
        msg_id, event_type, detail = parsed
        self.received += 1
        if msg_id in self._seen:
            return web.Response(text="seen")
        self._seen[msg_id] = None
        while len(self._seen) > SEEN:
            self._seen.popitem(last=False)
        device_id = self._device(detail)
        if device_id is None:
            return web.Response(text="not ours")
        if event_type == "device_alarm":
            self._watcher.async_read_now(device_id)
        elif event_type in STATUS_EVENTS:
            await self._entry.runtime_data.coordinator.async_request_refresh()
        return web.Response(text="ok")

    def _device(self, detail: dict[str, Any]) -> str | None:
        """The device of this entry the callback names (UUID, else 20-digit NSID)."""
        devices = self._entry.runtime_data.coordinator.data.devices
        wanted = detail.get("DeviceID")
        if isinstance(wanted, str) and wanted in devices:
            return wanted
        nsid = detail.get("DeviceNSID")
        if isinstance(nsid, str) and nsid:
            for device in devices.values():
                if device.device_nsid == nsid:
                    return device.device_id
        return None


def _parse(body: bytes) -> tuple[str, str, dict[str, Any]] | web.Response:
    """(MsgID, EventType, Detail) of a callback, or the answer to a bad one."""
    try:
        data = json.loads(body)
    except ValueError:
        return _bad("JSON expected")
    if not isinstance(data, dict):
        return _bad("an object expected")
    meta, header = data.get("CallbackMeta"), data.get("CallbackHeader")
    if not isinstance(meta, dict) or not isinstance(header, dict):
        return _bad("CallbackMeta and CallbackHeader expected")
    msg_id, event_type = meta.get("MsgID"), header.get("EventType")
    if not isinstance(msg_id, str) or not msg_id or not isinstance(event_type, str):
        return _bad("MsgID and EventType expected")
    raw = data.get("Detail")
    if not isinstance(raw, str):
        return _bad("Detail expected")
    try:
        detail = json.loads(base64.b64decode(raw, validate=True))
    except binascii.Error, ValueError:
        return _bad("Detail is not base64 JSON")
    if not isinstance(detail, dict):
        return _bad("Detail is not an object")
    return msg_id, event_type, detail


# -- CallbackURL of the spaces -----------------------------------------------------


def callback_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The webhook's URL as the cloud must reach it (None: Home Assistant has none)."""
    try:
        return webhook.async_generate_url(
            hass, webhook_id, allow_internal=True, prefer_external=True
        )
    except NoURLAvailableError:
        return None


def _issue_id(entry: SlowLiveConfigEntry, space_id: str) -> str:
    return f"callback_in_use_{entry.entry_id}_{space_id}"


async def async_point_spaces(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, url: str | None
) -> None:
    """Make the selected spaces post to `url` (None: to nowhere, where ours).

    A space whose CallbackURL is someone else's is never changed: a repair issue
    names it instead. Failures are logged and left for the next setup.
    """
    coordinator = entry.runtime_data.coordinator
    ours = callback_url(hass, entry.data[CONF_WEBHOOK_ID])
    for space in coordinator.data.spaces.values():
        current = space.callback_url.strip()
        foreign = bool(current) and current != ours
        if url is not None and foreign:
            ir.async_create_issue(
                hass,
                DOMAIN,
                _issue_id(entry, space.space_id),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="callback_in_use",
                translation_placeholders={
                    "space": space.name,
                    "host": urlsplit(current).hostname or "?",
                },
            )
            continue
        ir.async_delete_issue(hass, DOMAIN, _issue_id(entry, space.space_id))
        wanted = url or ""
        if foreign or current == wanted:
            continue
        try:
            await coordinator.client.set_callback_url(space.space_id, wanted)
        except ApiError as err:
            LOGGER.warning(
                "Could not set where space %s sends its events: %s", space.name, err
            )


async def async_setup_callbacks(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, watcher: AlarmWatcher
) -> None:
    """Receive callbacks if the option is on; else make sure no space posts to us."""
    if not entry.options.get(CONF_INSTANT_ALARMS):
        if CONF_WEBHOOK_ID in entry.data:  # it was on: leave nothing behind
            await async_point_spaces(hass, entry, None)
        return
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook.async_generate_id()}
        )
    receiver = CallbackReceiver(hass, entry, watcher)
    receiver.register()
    entry.async_on_unload(receiver.unregister)
    url = callback_url(hass, receiver.webhook_id)
    no_url = f"no_url_{entry.entry_id}"
    if url is None:
        # Alarms still arrive by polling; the issue says what is missing.
        ir.async_create_issue(
            hass,
            DOMAIN,
            no_url,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_url_for_callbacks",
            translation_placeholders={"title": entry.title},
        )
        return
    ir.async_delete_issue(hass, DOMAIN, no_url)
    await async_point_spaces(hass, entry, url)


async def async_forget_callbacks(
    hass: HomeAssistant, entry: SlowLiveConfigEntry
) -> None:
    """The entry is being removed: empty the CallbackURL of its spaces where ours."""
    if CONF_WEBHOOK_ID not in entry.data:
        return
    ours = callback_url(hass, entry.data[CONF_WEBHOOK_ID])
    client = create_client(hass, entry.data)
    for space_id in entry.data.get(CONF_SPACES) or []:
        try:
            space = await client.get_space(space_id)
            if ours is not None and space.callback_url.strip() == ours:
                await client.set_callback_url(space_id, "")
        except ApiError as err:
            LOGGER.warning(
                "Could not reset where space %s sends its events: %s", space_id, err
            )
        ir.async_delete_issue(hass, DOMAIN, _issue_id(entry, space_id))
