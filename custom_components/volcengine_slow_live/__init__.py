"""The Volcengine Slow Live integration."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .alarms.history import AlarmHistory
from .alarms.pictures import AlarmPictures
from .alarms.view import async_setup_pictures
from .alarms.watcher import AlarmWatcher, async_remove_alarm_cursors
from .alarms.webhook import async_forget_callbacks, async_setup_callbacks
from .budget import PRIORITY, EntityBudget
from .card.frontend import async_setup_frontend
from .card.websocket import async_setup_websocket
from .const import ALARM_POLL_INTERVAL, DOMAIN
from .coordinator import SlowLiveCoordinator
from .data import SlowLiveConfigEntry, SlowLiveRuntimeData, create_client
from .devices import async_sync_devices, devices_in_use
from .entry_title import async_retitle_keyed_entry
from .intent import async_setup_intents
from .live.relay import async_setup_relays
from .logs import install_token_filter
from .ptz.controller import PtzController, async_remove_presets
from .recorded import RecordingIndex
from .repairs import async_clear_entity_limit_issue
from .services import async_setup_services

# In the order they get room under Home Assistant's limit of enabled entities.
PLATFORMS: list[Platform] = list(PRIORITY)
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what every entry shares: log filter, actions, intents, web views."""
    install_token_filter()
    async_setup_services(hass)
    async_setup_relays(hass)
    async_setup_pictures(hass)
    await async_setup_intents(hass)
    # The Slow Live card: its data, and its JavaScript served and loaded.
    async_setup_websocket(hass)
    await async_setup_frontend(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SlowLiveConfigEntry) -> bool:
    """Read the cloud once, then create devices and entities."""
    client = create_client(hass, entry.data)
    coordinator = SlowLiveCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    async_retitle_keyed_entry(
        hass,
        entry,
        [space.name or space.space_id for space in coordinator.data.spaces.values()],
    )
    ptz = PtzController(hass, client, entry.entry_id)
    await ptz.async_load()
    recordings = RecordingIndex(client)
    entry.runtime_data = SlowLiveRuntimeData(
        client=client,
        coordinator=coordinator,
        recordings=recordings,
        alarms=AlarmHistory(client),
        pictures=AlarmPictures(client, recordings),
        ptz=ptz,
        budget=EntityBudget(hass, entry),
    )
    # Unloading ends running moves, each with its stop.
    entry.async_on_unload(ptz.async_shutdown)

    @callback
    def sync_devices() -> None:
        if coordinator.last_update_success:
            async_sync_devices(hass, entry, coordinator.data)

    sync_devices()
    entry.async_on_unload(coordinator.async_add_listener(sync_devices))
    # One platform after the other, each with all its entities before the next: the
    # main cameras are the first to take room under Home Assistant's limit of
    # enabled entities, the other kinds follow in the order of their claim.
    for platform in PLATFORMS:
        await hass.config_entries.async_forward_entry_setups(entry, [platform])
    # Channel details of a large fleet are read now that the entities exist.
    coordinator.async_start_background()
    # The cameras' alarms, once their event entities listen: polled, and pushed by
    # the cloud to a webhook when the option asks for it.
    alarms = AlarmWatcher(hass, coordinator, ALARM_POLL_INTERVAL)
    entry.async_on_unload(alarms.async_stop)
    await alarms.async_start()
    await async_setup_callbacks(hass, entry, alarms)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SlowLiveConfigEntry) -> bool:
    """Stop polling and remove the entities (and the issue about their number)."""
    async_clear_entity_limit_issue(hass, entry)
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: SlowLiveConfigEntry) -> None:
    """Removed: nothing of it is left, in the cloud or on disk.

    The spaces no longer post their events to this Home Assistant; the alarm
    cursors and the preset names are deleted.
    """
    await async_forget_callbacks(hass, entry)
    await async_remove_alarm_cursors(hass, entry.entry_id)
    await async_remove_presets(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a device only when the cloud no longer has it."""
    data = entry.runtime_data.coordinator.data
    return device.identifiers.isdisjoint(devices_in_use(data))
