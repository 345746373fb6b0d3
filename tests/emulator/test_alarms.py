"""Camera alarms in the emulator: generation, ListDeviceAlarms, the admin trigger."""

from __future__ import annotations

import aiohttp

from emulator import Emulator
from emulator.alarms import HOUR_S, stream_alarms
from emulator.fleet import Fleet

from .helpers import V2023, Client

DAY = 86400


def _stream(emu: Emulator, title: str) -> object:
    return next(
        s
        for s in emu.fleet.streams.values()
        if s.title == title and s.streaming_type == "main_stream"
    )


async def _alarms(client: Client, body: dict[str, object], **query: object) -> object:
    reply = await client.call("ListDeviceAlarms", V2023, body=body, query=query)
    assert reply.status == 200, reply.data
    return reply.result


def test_alarms_are_deterministic_and_follow_the_rate() -> None:
    one, two = Fleet.demo(), Fleet.demo()
    gate = next(s for s in one.streams.values() if s.title == "Front Gate")
    same = two.streams[gate.stream_id]
    now = 1_796_400_000
    week = stream_alarms(gate, now - 7 * DAY, now, now)
    assert week == stream_alarms(same, now - 7 * DAY, now, now)
    # 6 an hour on average: a week has hundreds, each an instant inside the window.
    assert 500 < len(week) < 1500
    assert all(now - 7 * DAY <= a.at < now for a in week)
    assert len({a.alarm_id for a in week}) == len(week)
    assert {a.method for a in week} >= {5, 2}
    garden = next(s for s in one.streams.values() if s.title == "Garden")
    assert stream_alarms(garden, now - DAY, now, now) == []
    # Nothing in the future, nothing older than the retention.
    assert stream_alarms(gate, now, now + HOUR_S, now) == stream_alarms(
        gate, now, now + 1, now
    )
    assert stream_alarms(gate, now - 60 * DAY, now - 40 * DAY, now) == []


async def test_list_device_alarms(client: Client, emulator: Emulator) -> None:
    gate = _stream(emulator, "Front Gate")
    device = emulator.fleet.devices[gate.device_id]
    now = int(emulator.now())
    body = {"DeviceID": device.device_id, "StartTime": now - DAY, "EndTime": now}
    everything = await _alarms(client, body, PageSize=100)
    assert everything["TotalCount"] > 50
    first = everything["AlarmNotifies"][0]
    assert set(first) >= {
        "AlarmNotifyID",
        "DeviceNSID",
        "ChannelID",
        "AlarmPriority",
        "AlarmMethod",
        "AlarmType",
        "AlarmTime",
        "AlarmDescription",
    }
    assert first["DeviceNSID"] == device.nsid
    # Newest first by default; Order 0 ascending.
    times = [a["AlarmTime"] for a in everything["AlarmNotifies"]]
    assert times == sorted(times, reverse=True)
    ascending = await _alarms(client, {**body, "Order": 0}, PageSize=5)
    assert [a["AlarmTime"] for a in ascending["AlarmNotifies"]] == sorted(
        a["AlarmTime"] for a in ascending["AlarmNotifies"]
    )
    # Paging: page 2 follows page 1.
    page1 = await _alarms(client, body, PageSize=10, PageNumber=1)
    page2 = await _alarms(client, body, PageSize=10, PageNumber=2)
    ids = [a["AlarmNotifyID"] for a in everything["AlarmNotifies"]]
    assert [a["AlarmNotifyID"] for a in page1["AlarmNotifies"]] == ids[:10]
    assert [a["AlarmNotifyID"] for a in page2["AlarmNotifies"]] == ids[10:20]
    # One channel of the NVR, by its StreamID; the device's NSID works too.
    only_gate = await _alarms(
        client,
        {**body, "DeviceID": device.nsid, "StreamID": gate.stream_id},
        PageSize=100,
    )
    assert {a["ChannelID"] for a in only_gate["AlarmNotifies"]} == {gate.channel_id}
    # Filters by method and priority.
    video = await _alarms(client, {**body, "AlarmMethod": [5]}, PageSize=100)
    assert {a["AlarmMethod"] for a in video["AlarmNotifies"]} == {5}
    urgent = await _alarms(client, {**body, "AlarmPriority": [1]}, PageSize=100)
    assert {a["AlarmPriority"] for a in urgent["AlarmNotifies"]} <= {1}


async def test_list_device_alarms_refuses_bad_input(
    client: Client, emulator: Emulator
) -> None:
    gate = _stream(emulator, "Front Gate")
    now = int(emulator.now())
    good = {"DeviceID": gate.device_id, "StartTime": now - 60, "EndTime": now}
    cases = [
        ({**good, "DeviceID": "nope"}, 404, "NotFound.Device"),
        ({**good, "StreamID": "nope"}, 404, "NotFound.Stream"),
        ({**good, "EndTime": now - 120}, 400, "InvalidParameter.EndTime"),
        ({**good, "StartTime": now - 8 * DAY}, 400, "InvalidParameter.EndTime"),
        ({**good, "AlarmMethod": "5"}, 400, "InvalidParameter.AlarmMethod"),
        ({**good, "AlarmMethod": [9]}, 400, "InvalidParameter.AlarmMethod"),
        ({**good, "AlarmPriority": [True]}, 400, "InvalidParameter.AlarmPriority"),
        (
            {"DeviceID": gate.device_id, "EndTime": now},
            400,
            "MissingParameter.StartTime",
        ),
    ]
    for body, status, code in cases:
        reply = await client.call("ListDeviceAlarms", V2023, body=body)
        assert (reply.status, reply.error) == (status, code), body


async def test_a_triggered_alarm_is_listed(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    garden = _stream(emulator, "Garden")  # generates none of its own
    now = int(emulator.now())
    async with session.post(
        f"{emulator.base_url}/_emulator/alarms", json={"stream": "Garden"}
    ) as resp:
        assert resp.status == 200
        raised = await resp.json()
    listed = await _alarms(
        client,
        {"DeviceID": garden.device_id, "StartTime": now - 5, "EndTime": now + 5},
    )
    garden_ids = [
        a["AlarmNotifyID"]
        for a in listed["AlarmNotifies"]
        if a["ChannelID"] == garden.channel_id
    ]
    assert garden_ids == [raised["AlarmNotifyID"]]
    # One that reached the cloud late keeps the time it happened.
    async with session.post(
        f"{emulator.base_url}/_emulator/alarms",
        json={"stream": "Garden", "at": now - 3600},
    ) as resp:
        assert resp.status == 200
        assert (await resp.json())["AlarmTime"] == now - 3600
    for bad, status in (
        ({"stream": "Nowhere"}, 404),
        ({"stream": "Garden", "method": 9, "kind": 1}, 400),
        ({"stream": "Garden", "at": now + 3600}, 400),
        ({"stream": "Garden", "at": "soon"}, 400),
        ({"stream": "East Terrace"}, 404),  # RTMP: no device, no alarms
    ):
        async with session.post(
            f"{emulator.base_url}/_emulator/alarms", json=bad
        ) as resp:
            assert resp.status == status, bad


async def test_devices_say_which_report_alarms(
    client: Client, emulator: Emulator
) -> None:
    reply = await client.call("ListDevices", query={"SpaceID": _space(emulator)})
    alerts = {
        d["DeviceName"]: d["AlertNotification"]["Enabled"]
        for d in reply.result["Devices"]
    }
    assert alerts == {"Courtyard NVR": True, "Living Room": True, "Attic": False}


def _space(emu: Emulator) -> str:
    return next(s.space_id for s in emu.fleet.spaces.values() if s.name == "Home")
