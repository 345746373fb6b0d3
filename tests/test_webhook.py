"""Instant alarms: the emulator POSTs callbacks to Home Assistant's webhook over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.volcengine_slow_live.alarms.webhook import MAX_BODY
from custom_components.volcengine_slow_live.const import (
    CONF_INSTANT_ALARMS,
    CONF_WEBHOOK_ID,
    DOMAIN,
)
from custom_components.volcengine_slow_live.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from emulator import Emulator, FaultRule
from emulator.alarms import trigger

from .common import setup_integration, stream_titled

ON = {CONF_INSTANT_ALARMS: True}


async def _serve(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> Any:
    """Home Assistant's HTTP server on a port the emulator can reach, as its URL.

    What serves views is set up first (the test server, unlike Home Assistant's own,
    takes no new view once it runs): the webhooks, the integration's live relays,
    and the components of its platforms.
    """
    for domain in ("webhook", DOMAIN, "camera", "image"):
        assert await async_setup_component(hass, domain, {})
    client = await hass_client_no_auth()
    hass.config.internal_url = f"http://127.0.0.1:{client.port}"
    return client


def _home(emulator: Emulator) -> Any:
    return next(s for s in emulator.fleet.spaces.values() if s.name == "Home")


def _envelope(
    detail: dict[str, Any], *, msg_id: str = "m1", kind: str = "device_alarm"
) -> dict[str, Any]:
    return {
        "CallbackMeta": {"MsgID": msg_id, "App": "x", "Version": "v1", "Url": []},
        "CallbackHeader": {
            "EventObject": "device",
            "ObjectTag": "",
            "EventType": kind,
            "EventTime": time.time_ns(),
        },
        "Detail": base64.b64encode(json.dumps(detail).encode()).decode(),
    }


def _event(hass: HomeAssistant, emulator: Emulator, title: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{stream_titled(emulator, title).stream_id}_alarm"
    )
    assert entity_id is not None
    return entity_id


async def _wait_for(predicate: Any, within: float = 5.0) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < within, "timed out"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def test_an_alarm_arrives_through_the_cloud_callback_at_once(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await _serve(hass, hass_client_no_auth)
    entry = await setup_integration(hass, emulator, options=ON)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    url = f"http://127.0.0.1:{client.port}/api/webhook/{webhook_id}"
    # Every selected space now posts its events here.
    assert {s.callback_url for s in emulator.fleet.spaces.values()} == {url}
    garden = stream_titled(emulator, "Garden")
    entity_id = _event(hass, emulator, "Garden")
    raised = trigger(garden, emulator.now())
    emulator.callbacks.alarm(emulator.fleet, garden, raised)
    took = await _wait_for(
        lambda: (
            (s := hass.states.get(entity_id)) is not None
            and s.attributes.get("alarm_id") == raised.alarm_id
        )
    )
    # Far inside the 30 s polling interval: the callback brought it.
    assert took < 1.0, took
    # The cloud's retry of the same message costs nothing.
    reads = emulator.count("ListDeviceAlarms")
    body = emulator.callbacks.sent[-1]
    response = await client.post(f"/api/webhook/{webhook_id}", json=body)
    assert response.status == 200
    assert await response.text() == "seen"
    assert emulator.count("ListDeviceAlarms") == reads


async def test_forged_and_broken_callbacks_create_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await _serve(hass, hass_client_no_auth)
    entry = await setup_integration(hass, emulator, options=ON)
    path = f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    entity_id = _event(hass, emulator, "Garden")
    garden = stream_titled(emulator, "Garden")
    reads = emulator.count("ListDeviceAlarms")
    broken = [
        (b"not json", 400),
        (b"[1]", 400),
        (json.dumps({"CallbackMeta": {}}).encode(), 400),
        (json.dumps({**_envelope({}), "Detail": "%%%"}).encode(), 400),
        (
            json.dumps(
                {**_envelope({}), "Detail": base64.b64encode(b"[1]").decode()}
            ).encode(),
            400,
        ),
        (json.dumps({**_envelope({}), "Detail": 5}).encode(), 400),
        (b"x" * (MAX_BODY + 1), 413),
        (
            json.dumps(_envelope({"DeviceID": "someone-else"}, msg_id="f1")).encode(),
            200,
        ),
        (
            json.dumps(
                _envelope({"DeviceNSID": "34020000001320000099"}, msg_id="f2")
            ).encode(),
            200,
        ),
    ]
    for body, status in broken:
        response = await client.post(path, data=body)
        assert response.status == status, body[:80]
    assert emulator.count("ListDeviceAlarms") == reads
    # A forged alarm of a real device: one read of its list, which has no such
    # alarm, so no event.
    forged = _envelope(
        {"DeviceNSID": emulator.fleet.devices[garden.device_id].nsid}, msg_id="f3"
    )
    response = await client.post(path, json=forged)
    assert response.status == 200
    await _wait_for(lambda: emulator.count("ListDeviceAlarms") == reads + 1)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == "unknown"  # type: ignore[union-attr]
    # GET is not a callback.
    assert (await client.get(path)).status == 405


async def test_status_callbacks_refresh_the_fleet(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    client = await _serve(hass, hass_client_no_auth)
    entry = await setup_integration(hass, emulator, options=ON)
    path = f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    attic = next(d for d in emulator.fleet.devices.values() if d.name == "Attic")
    before = emulator.count("ListStreams")
    body = _envelope({"DeviceID": attic.device_id}, msg_id="s1", kind="device_online")
    assert (await client.post(path, json=body)).status == 200
    await _wait_for(lambda: emulator.count("ListStreams") > before, within=15)


async def test_a_foreign_callback_url_is_left_alone(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await _serve(hass, hass_client_no_auth)
    home = _home(emulator)
    home.callback_url = "https://someone.example.test/hook"
    entry = await setup_integration(hass, emulator, options=ON)
    assert home.callback_url == "https://someone.example.test/hook"
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"callback_in_use_{entry.entry_id}_{home.space_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "space": "Home",
        "host": "someone.example.test",
    }
    # The other spaces post to us.
    others = [s for s in emulator.fleet.spaces.values() if s is not home]
    assert all("/api/webhook/" in s.callback_url for s in others)


async def test_turning_it_off_or_removing_the_entry_leaves_nothing_behind(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await _serve(hass, hass_client_no_auth)
    entry: MockConfigEntry = await setup_integration(hass, emulator, options=ON)
    assert all(s.callback_url for s in emulator.fleet.spaces.values())
    hass.config_entries.async_update_entry(entry, options={CONF_INSTANT_ALARMS: False})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert {s.callback_url for s in emulator.fleet.spaces.values()} == {""}
    # On again, then the entry is removed.
    hass.config_entries.async_update_entry(entry, options=ON)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert all(s.callback_url for s in emulator.fleet.spaces.values())
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert {s.callback_url for s in emulator.fleet.spaces.values()} == {""}


async def test_without_an_address_the_cloud_can_reach(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    assert await async_setup_component(hass, "webhook", {})
    # No internal or external URL, no local address known.
    hass.config.internal_url = hass.config.external_url = None
    hass.config.api = None
    entry = await setup_integration(hass, emulator, options=ON)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"no_url_{entry.entry_id}")
    assert issue is not None
    assert {s.callback_url for s in emulator.fleet.spaces.values()} == {""}


async def test_edges_of_receiving(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Other event types are accepted and ignored; hints during a read ask for one
    more; the memory of message ids is bounded; a device that reports no alarms
    costs no read."""
    from custom_components.volcengine_slow_live.alarms.webhook import SEEN

    client = await _serve(hass, hass_client_no_auth)
    entry = await setup_integration(hass, emulator, options=ON)
    path = f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    garden = stream_titled(emulator, "Garden")
    nsid = emulator.fleet.devices[garden.device_id].nsid
    reads = emulator.count("ListDeviceAlarms")
    other = _envelope({"DeviceNSID": nsid}, msg_id="o1", kind="stream_record_aiot")
    assert (await client.post(path, json=other)).status == 200
    no_id = {**_envelope({}), "CallbackMeta": {"MsgID": ""}}
    assert (await client.post(path, json=no_id)).status == 400
    # Three hints during a slow read: one read now, one more after it.
    emulator.faults.add(FaultRule("latency", seconds=0.5, action="ListDeviceAlarms"))
    for n in range(3):
        body = _envelope({"DeviceNSID": nsid}, msg_id=f"h{n}")
        assert (await client.post(path, json=body)).status == 200
    await _wait_for(lambda: emulator.count("ListDeviceAlarms") >= reads + 2)
    await hass.async_block_till_done()
    assert emulator.count("ListDeviceAlarms") - reads == 2
    emulator.faults.clear()
    # Attic's device reports no alarms: nothing to read.
    attic = next(d for d in emulator.fleet.devices.values() if d.name == "Attic")
    reads = emulator.count("ListDeviceAlarms")
    body = _envelope({"DeviceID": attic.device_id}, msg_id="a1")
    assert (await client.post(path, json=body)).status == 200
    await hass.async_block_till_done()
    assert emulator.count("ListDeviceAlarms") == reads
    # Ids are remembered up to SEEN: the oldest is forgotten, a replay of it is read.
    for n in range(SEEN + 1):
        body = _envelope({"DeviceID": "nobody"}, msg_id=f"n{n}")
        assert (await client.post(path, json=body)).status == 200
    again = await client.post(path, json=_envelope({"DeviceID": "nobody"}, msg_id="n0"))
    assert await again.text() == "not ours"


async def test_the_cloud_refusing_to_change_a_space(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """UpdateSpace or GetSpace failing: logged, setup and removal go on."""
    await _serve(hass, hass_client_no_auth)
    emulator.faults.add(FaultRule("http_error", status=403, action="UpdateSpace"))
    entry = await setup_integration(hass, emulator, options=ON)
    assert entry.state.value == "loaded"
    assert {s.callback_url for s in emulator.fleet.spaces.values()} == {""}
    emulator.faults.clear()
    emulator.faults.add(FaultRule("http_error", status=403, action="GetSpace"))
    assert await hass.config_entries.async_remove(entry.entry_id)
    # An entry that never received callbacks has nothing to reset.
    plain = await setup_integration(hass, emulator)
    reads = emulator.count("GetSpace")
    assert await hass.config_entries.async_remove(plain.entry_id)
    assert emulator.count("GetSpace") == reads


async def test_diagnostics_hide_the_webhook(
    hass: HomeAssistant,
    emulator: Emulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Whoever knows the webhook's id can post to it: diagnostics never show it,
    nor the space's callback address that carries it."""
    await _serve(hass, hass_client_no_auth)
    entry = await setup_integration(hass, emulator, options=ON)
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert webhook_id in _home(emulator).callback_url
    shown = await async_get_config_entry_diagnostics(hass, entry)
    assert webhook_id not in json.dumps(shown, default=str)
    assert shown["entry"]["data"][CONF_WEBHOOK_ID] == "**REDACTED**"
    # A device known to another integration too, under an id no channel has: only
    # the entry is shown.
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={("elsewhere", "x"), (DOMAIN, "device_gone"), (DOMAIN, "gone")},
    )
    assert set(await async_get_device_diagnostics(hass, entry, device)) == {"entry"}
