"""UpdateSpace's CallbackURL and the event callbacks the emulator POSTs to it."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
import json
import socket
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from emulator import Emulator, FaultRule

from .helpers import Client

V2021 = "2021-01-01"


class Receiver:
    """A callback endpoint: records each POST, answers `statuses` in turn (then 200)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.statuses: list[int] = []
        self.url = ""
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        self.arrived.set()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    def envelopes(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies]

    async def wait_for(self, count: int, within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while len(self.bodies) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/hook", got.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    got.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield got
    finally:
        await runner.cleanup()


def _home(emu: Emulator) -> Any:
    return next(s for s in emu.fleet.spaces.values() if s.name == "Home")


async def _listen(client: Client, space_id: str, url: str) -> None:
    reply = await client.call(
        "UpdateSpace", V2021, query={"SpaceID": space_id}, body={"CallbackURL": url}
    )
    assert reply.status == 200, reply.data
    assert reply.result == {"ID": space_id}


async def test_update_space(client: Client, emulator: Emulator) -> None:
    home = _home(emulator)
    before = (home.name, home.pull_on_demand)
    await _listen(client, home.space_id, "https://ha.example.test/api/webhook/x")
    got = await client.call("GetSpace", query={"SpaceID": home.space_id})
    assert got.result["CallbackURL"] == "https://ha.example.test/api/webhook/x"
    assert (home.name, home.pull_on_demand) == before  # the rest is kept
    reply = await client.call(
        "UpdateSpace",
        V2021,
        query={"SpaceID": home.space_id},
        body={
            "SpaceName": "Home 2",
            "Description": "d",
            "HLSLowLatency": True,
            "GB": {"PullOnDemand": True},
        },
    )
    assert reply.status == 200
    assert (home.name, home.description, home.hls_low_latency) == ("Home 2", "d", True)
    assert home.pull_on_demand
    await _listen(client, home.space_id, "")
    assert home.callback_url == ""
    for body, code in (
        ({"CallbackURL": "ftp://x"}, "InvalidParameter.CallbackURL"),
        ({"CallbackURL": "http://" + "x" * 1100}, "InvalidParameter.CallbackURL"),
        ({"SpaceName": " "}, "InvalidParameter.SpaceName"),
    ):
        reply = await client.call(
            "UpdateSpace", V2021, query={"SpaceID": home.space_id}, body=body
        )
        assert (reply.status, reply.error) == (400, code)
    reply = await client.call(
        "UpdateSpace", V2021, query={"SpaceID": "nope"}, body={"CallbackURL": ""}
    )
    assert reply.status == 404


async def _raise(session: aiohttp.ClientSession, emu: Emulator, title: str) -> str:
    async with session.post(
        f"{emu.base_url}/_emulator/alarms", json={"stream": title}
    ) as resp:
        assert resp.status == 200
        raised: dict[str, Any] = await resp.json()
        return str(raised["AlarmNotifyID"])


async def test_an_alarm_is_posted_to_the_space(
    client: Client,
    emulator: Emulator,
    receiver: Receiver,
    session: aiohttp.ClientSession,
) -> None:
    home = _home(emulator)
    # No callback URL: nothing is sent.
    await _raise(session, emulator, "Garden")
    await asyncio.sleep(0.3)
    assert receiver.bodies == []
    await _listen(client, home.space_id, receiver.url)
    alarm_id = await _raise(session, emulator, "Garden")
    await receiver.wait_for(1)
    body = receiver.envelopes()[0]
    assert body["CallbackMeta"]["Version"] == "v1"
    assert body["CallbackMeta"]["Url"] == [receiver.url]
    header = body["CallbackHeader"]
    assert header["EventType"] == "device_alarm"
    assert header["EventTime"] > 10**18  # nanoseconds
    detail = json.loads(base64.b64decode(body["Detail"]))
    garden = next(s for s in emulator.fleet.streams.values() if s.title == "Garden")
    assert detail["AlarmNotifyID"] == alarm_id
    assert (detail["DeviceID"], detail["StreamID"]) == (
        garden.device_id,
        garden.stream_id,
    )
    assert header["ObjectTag"] == detail["DeviceNSID"]


async def test_delivery_is_retried_and_faults_apply(
    client: Client,
    emulator: Emulator,
    receiver: Receiver,
    session: aiohttp.ClientSession,
) -> None:
    await _listen(client, _home(emulator).space_id, receiver.url)
    # Two failures, then success: three POSTs of the same message.
    receiver.statuses = [500, 503]
    await _raise(session, emulator, "Garden")
    await receiver.wait_for(3)
    assert len({b["CallbackMeta"]["MsgID"] for b in receiver.envelopes()}) == 1
    receiver.bodies.clear()
    # Dropped.
    emulator.faults.add(FaultRule("callback_drop", action="callback", times=1))
    await _raise(session, emulator, "Garden")
    await asyncio.sleep(0.5)
    assert receiver.bodies == []
    # Duplicated: the same MsgID twice.
    emulator.faults.add(FaultRule("callback_duplicate", times=1))
    await _raise(session, emulator, "Garden")
    await receiver.wait_for(2)
    assert len({b["CallbackMeta"]["MsgID"] for b in receiver.envelopes()}) == 1
    receiver.bodies.clear()
    # Corrupted: not JSON.
    emulator.faults.add(FaultRule("callback_corrupt", times=1))
    await _raise(session, emulator, "Garden")
    await receiver.wait_for(1)
    with pytest.raises(ValueError):
        json.loads(receiver.bodies[0])
    receiver.bodies.clear()
    # Delayed.
    emulator.faults.add(FaultRule("callback_delay", seconds=0.6, times=1))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _raise(session, emulator, "Garden")
    await receiver.wait_for(1)
    assert loop.time() - started >= 0.6


async def test_generated_alarms_and_device_status_are_posted(
    client: Client,
    emulator: Emulator,
    receiver: Receiver,
    session: aiohttp.ClientSession,
) -> None:
    await _listen(client, _home(emulator).space_id, receiver.url)
    # An hour passes at once: Front Gate's (about six) and Back Door's alarms of
    # that hour are sent by the next tick.
    emulator.clock_offset += 3600
    await receiver.wait_for(2)
    assert {b["CallbackHeader"]["EventType"] for b in receiver.envelopes()} == {
        "device_alarm"
    }
    receiver.bodies.clear()
    nvr = next(d for d in emulator.fleet.devices.values() if d.name == "Courtyard NVR")
    async with session.post(
        f"{emulator.base_url}/_emulator/devices/{nvr.device_id}/status",
        json={"status": "offline"},
    ) as resp:
        assert resp.status == 200
    await receiver.wait_for(1)
    types = [b["CallbackHeader"]["EventType"] for b in receiver.envelopes()]
    assert "device_offline" in types


async def test_an_unreachable_receiver_is_given_up_after_the_retries(
    client: Client,
    emulator: Emulator,
    session: aiohttp.ClientSession,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Refused connections count as failures; after the last retry the message is
    dropped (the cloud does not queue them)."""
    from emulator import callbacks

    monkeypatch.setattr(callbacks, "RETRIES", (0.01, 0.01))
    # A port nobody listens on: bound, then closed.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    await _listen(client, _home(emulator).space_id, f"http://127.0.0.1:{port}/hook")
    await _raise(session, emulator, "Garden")
    async with asyncio.timeout(5):
        while emulator.callbacks.given_up < 1:
            await asyncio.sleep(0.02)
    assert emulator.callbacks.given_up == 1
