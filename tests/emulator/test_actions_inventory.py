"""Spaces, devices, channels and stream listing: shapes, filters, paging, quirks."""

from __future__ import annotations

import re
import time
from typing import Any

import aiohttp
import pytest

from emulator import Emulator, Fleet

from .helpers import Client

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
PLAIN = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
VOLC = re.compile(r"volcTime=(\d+)&volcSecret=([0-9a-f]{32})$")


@pytest.fixture(autouse=True)
def _unthrottled(request: pytest.FixtureRequest) -> None:
    """These tests make many calls; the rate limit has its own tests."""
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").limiter.rate = 0


def num(value: Any) -> int:
    assert isinstance(value, (int, str)), value
    return int(value)


def space_id(emu: Emulator, name: str) -> str:
    return next(s.space_id for s in emu.fleet.spaces.values() if s.name == name)


def device_id(emu: Emulator, name: str) -> str:
    return next(d.device_id for d in emu.fleet.devices.values() if d.name == name)


def item_of(channel: dict[str, Any]) -> dict[str, Any]:
    item = channel["DeviceItem"]
    if isinstance(item, list):
        assert len(item) == 1
        return item[0]
    return item


async def test_list_spaces_paging(client: Client) -> None:
    reply = await client.call("ListSpaces", query={"PageSize": 2})
    result = reply.result
    assert (
        num(result["TotalCount"]),
        num(result["PageNumber"]),
        num(result["PageSize"]),
    ) == (3, 1, 2)
    assert len(result["Spaces"]) == 2
    # Newest first by default; Order=1 gives creation order.
    assert result["Spaces"][0]["SpaceName"] == "Tea Garden Live"
    last = (
        await client.call("ListSpaces", query={"PageSize": 2, "PageNumber": 2})
    ).result
    assert len(last["Spaces"]) == 1
    assert num(last["TotalCount"]) == 3
    beyond = (
        await client.call("ListSpaces", query={"PageSize": 2, "PageNumber": 3})
    ).result
    assert beyond["Spaces"] == []
    assert num(beyond["TotalCount"]) == 3
    zero = (await client.call("ListSpaces", query={"PageNumber": 0, "Order": 1})).result
    assert num(zero["PageNumber"]) == 1
    assert [s["SpaceName"] for s in zero["Spaces"]] == [
        "Home",
        "Farm",
        "Tea Garden Live",
    ]
    for bad in ({"PageSize": 101}, {"PageSize": 0}, {"PageNumber": -1}, {"Order": 2}):
        reply = await client.call("ListSpaces", query=bad)
        assert reply.status == 400
        assert reply.error == f"InvalidParameter.{next(iter(bad))}"


async def test_space_shapes(client: Client, emulator: Emulator) -> None:
    home = (
        await client.call("GetSpace", query={"SpaceID": space_id(emulator, "Home")})
    ).result
    assert home["AccessType"] == "gb28181"
    assert home["GB"] == {"PullOnDemand": False}
    assert home["Status"] == "enabled"
    assert RFC3339.match(home["CreatedAt"]) or PLAIN.match(home["CreatedAt"])
    assert home["Template"]["Screenshot"]["TemplateID"]
    assert home["Template"]["Record"]["TemplateID"]
    assert home["SipServer"]["SipId"].startswith("34020000")
    assert home["SipServer"]["SipPort"] == {"udp": 5060, "tcp": 5060}
    domains = list(home["Domains"].values())
    assert {d["Type"] for d in domains} == {"pull", "push"}
    assert all(d["TimeFlag"] is True and d["ValidDuration"] == 3600 for d in domains)
    tea = (
        await client.call(
            "GetSpace", query={"SpaceID": space_id(emulator, "Tea Garden Live")}
        )
    ).result
    assert tea["AccessType"] == "rtmp"
    assert "SipServer" not in tea
    assert tea["Template"]["Trans"][0]["Suffix"] == "ld"
    farm = (
        await client.call("GetSpace", query={"SpaceID": space_id(emulator, "Farm")})
    ).result
    assert farm["GB"]["PullOnDemand"] is True
    reply = await client.call(
        "GetSpace", query={"SpaceID": "00000000-0000-4000-8000-000000000000"}
    )
    assert (reply.status, reply.error) == (404, "NotFound.Space")
    reply = await client.call("GetSpace")
    assert (reply.status, reply.error) == (400, "MissingParameter.SpaceID")


async def test_list_devices_filters(client: Client, emulator: Emulator) -> None:
    home = space_id(emulator, "Home")
    result = (
        await client.call("ListDevices", query={"SpaceID": home, "PageSize": 20})
    ).result
    assert num(result["TotalCount"]) == 3
    assert [d["DeviceName"] for d in result["Devices"]] == [
        "Attic",
        "Living Room",
        "Courtyard NVR",
    ]
    by_name = (
        await client.call("ListDevices", query={"SpaceID": home, "DeviceName": "court"})
    ).result
    assert [d["DeviceName"] for d in by_name["Devices"]] == ["Courtyard NVR"]
    nvr = by_name["Devices"][0]
    by_nsid = (
        await client.call(
            "ListDevices",
            query={"SpaceID": home, "DeviceName": nvr["DeviceNSID"][10:16]},
        )
    ).result
    assert [d["DeviceName"] for d in by_nsid["Devices"]] == ["Courtyard NVR"]
    exact = (
        await client.call(
            "ListDevices",
            query={
                "SpaceID": home,
                "DeviceNSID": nvr["DeviceNSID"],
                "DeviceID": nvr["DeviceID"],
            },
        )
    ).result
    assert num(exact["TotalCount"]) == 1
    offline = (
        await client.call("ListDevices", query={"SpaceID": home, "Status": "offline"})
    ).result
    assert [d["DeviceName"] for d in offline["Devices"]] == ["Attic"]
    both = (
        await client.call(
            "ListDevices",
            query={"SpaceID": home, "Status": "online,offline", "Order": 1},
        )
    ).result
    assert [d["DeviceName"] for d in both["Devices"]] == [
        "Courtyard NVR",
        "Living Room",
        "Attic",
    ]
    rtmp = (
        await client.call(
            "ListDevices", query={"SpaceID": space_id(emulator, "Tea Garden Live")}
        )
    ).result
    assert rtmp["Devices"] == []
    assert num(rtmp["TotalCount"]) == 0
    assert (await client.call("ListDevices")).error == "MissingParameter.SpaceID"
    assert (
        await client.call("ListDevices", query={"SpaceID": "x"})
    ).error == "NotFound.Space"


async def test_get_device(client: Client, emulator: Emulator) -> None:
    nvr_id = device_id(emulator, "Courtyard NVR")
    device = (
        await client.call(
            "GetDevice",
            query={"DeviceID": nvr_id, "SpaceID": space_id(emulator, "Home")},
        )
    ).result
    assert device["Type"] == "NVR"
    assert device["Manufactory"] == "Hikvision"
    assert num(device["ChannelNum"]) == 4
    assert device["UseSubStream"] is True
    assert ("AutoPullAfterRegister" in device) != ("AutoPullAfterRegiter" in device)
    nvr = emulator.fleet.devices[nvr_id]
    assert list(device["DeviceStreams"]) == nvr.channels
    front = device["DeviceStreams"][nvr.channels[0]]
    assert front["Name"] == "Front Gate"
    assert front["ChannelStatus"] == "ON"
    assert front["Status"] == "online"
    assert {
        u.split("?")[0].rsplit(".", 1)[-1]
        for u in front["PullUrls"]
        if u.startswith("http")
    } == {"flv", "m3u8"}
    subs = device["DeviceSubStreams"]
    flat = (
        [s for group in subs.values() for s in group]
        if isinstance(subs, dict)
        else subs
    )
    assert len(flat) == 4
    assert all(
        s["Status"] in ("offline", "init") for s in flat
    )  # sub streams are pulled on demand
    reply = await client.call(
        "GetDevice", query={"DeviceID": nvr_id, "SpaceID": space_id(emulator, "Farm")}
    )
    assert (reply.status, reply.error) == (404, "NotFound.Device")
    assert (
        await client.call("GetDevice", query={"DeviceID": "nope"})
    ).error == "NotFound.Device"
    assert (await client.call("GetDevice")).error == "MissingParameter.DeviceID"


async def test_device_channels_v2(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(detail_delay=0.05)
    client = Client(session, emu)
    nvr_id = device_id(emu, "Courtyard NVR")
    started = time.monotonic()
    detail = (
        await client.call("GetDeviceChannelsV2", query={"DeviceID": nvr_id})
    ).result
    assert time.monotonic() - started >= 0.05
    assert detail["DeviceID"] == nvr_id
    assert detail["DeviceName"] == "Courtyard NVR"
    items = [item_of(c) for c in detail["Channels"]]
    assert [i["Name"] for i in items] == ["Front Gate", "Garden", "Garage", "Back Door"]
    assert items[0]["PTZType"] == 3
    assert items[1]["PTZType"] == 1
    assert {"IPAddress", "Port", "CivilCode", "RegisterWay", "Longitude"} <= set(
        items[0]
    )
    assert all(c["SubStreams"] for c in detail["Channels"])
    assert all(
        RFC3339.match(c["CreateAt"]) or PLAIN.match(c["CreateAt"])
        for c in detail["Channels"]
    )
    brief = (
        await client.call(
            "GetDeviceChannelsV2",
            query={"DeviceID": nvr_id, "QueryMode": "brief", "Order": -1},
        )
    ).result
    brief_items = [item_of(c) for c in brief["Channels"]]
    assert [i["Name"] for i in brief_items] == [
        "Back Door",
        "Garage",
        "Garden",
        "Front Gate",
    ]
    assert "IPAddress" not in brief_items[0]
    one = (
        await client.call(
            "GetDeviceChannelsV2",
            query={
                "DeviceID": nvr_id,
                "QueryMode": "brief",
                "ChannelID": items[2]["ChannelID"],
            },
        )
    ).result
    assert len(one["Channels"]) == 1
    nvr = emu.fleet.devices[nvr_id]
    emu.fleet.channels[nvr_id, nvr.channels[2]].online = False
    off = (
        await client.call(
            "GetDeviceChannelsV2",
            query={"DeviceID": nvr_id, "ChannelStatus": "OFF", "QueryMode": "brief"},
        )
    ).result
    assert [item_of(c)["Name"] for c in off["Channels"]] == ["Garage"]
    on = (
        await client.call(
            "GetDeviceChannelsV2",
            query={"DeviceID": nvr_id, "ChannelStatus": "ON", "QueryMode": "brief"},
        )
    ).result
    assert len(on["Channels"]) == 3
    attic = device_id(emu, "Attic")
    reply = await client.call(
        "GetDeviceChannelsV2", query={"DeviceID": attic, "QueryMode": "detail"}
    )
    assert (reply.status, reply.error) == (400, "OperationDeny.DeviceOffline")
    reply = await client.call(
        "GetDeviceChannelsV2", query={"DeviceID": attic, "QueryMode": "brief"}
    )
    assert reply.status == 200
    assert item_of(reply.result["Channels"][0])["Status"] == "OFF"
    assert (
        await client.call(
            "GetDeviceChannelsV2", query={"DeviceID": nvr_id, "QueryMode": "full"}
        )
    ).error == "InvalidParameter.QueryMode"
    assert (
        await client.call(
            "GetDeviceChannelsV2", query={"DeviceID": nvr_id, "ChannelStatus": "on"}
        )
    ).error == "InvalidParameter.ChannelStatus"


async def test_list_streams(client: Client, emulator: Emulator) -> None:
    tea = space_id(emulator, "Tea Garden Live")
    result = (
        await client.call(
            "ListStreams", query={"SpaceID": tea, "StreamName": "GARDEN-E"}
        )
    ).result
    assert num(result["TotalCount"]) == 1
    stream = result["Streams"][0]
    assert stream["StreamName"] == "tea-garden-east"
    assert stream["SpaceAccessType"] == "rtmp"
    assert stream["DeviceID"] == ""
    assert stream["ChannelID"] == ""
    assert stream["PushUrl"].startswith("rtmp://")
    assert stream["PushUrlDDL"] > 0
    assert stream["Status"] == "online"
    assert stream["Record"]["TemplateID"]
    urls = stream["PullUrls"]
    assert len(urls) == 3
    assert sum(u.startswith("rtmp://") for u in urls) == 1
    assert all(VOLC.search(u) for u in urls)
    assert len({VOLC.search(u).group(0) for u in urls}) == 1  # type: ignore[union-attr]
    by_description = (
        await client.call("ListStreams", query={"SpaceID": tea, "StreamName": "西坡"})
    ).result
    assert [s["StreamName"] for s in by_description["Streams"]] == ["tea-garden-west"]
    home = (
        await client.call(
            "ListStreams",
            query={"SpaceID": space_id(emulator, "Home"), "PageSize": 100, "Order": 1},
        )
    ).result
    assert num(home["TotalCount"]) == 6  # main streams only
    first = home["Streams"][0]
    assert first["StreamName"] == f"{first['DeviceNSID']}_{first['ChannelID']}"
    assert first["StreamingType"] == "main_stream"
    assert (
        first["Description"]
        == f"channel: {first['ChannelID']}@device: {first['DeviceNSID']}"
    )
    assert first["SIPID"].startswith("34020000")
    assert first["Resolution"] == "6/3"
    assert (
        await client.call("ListStreams", query={"SpaceID": "x"})
    ).error == "NotFound.Space"
    assert (
        await client.call("ListStreams", query={"SpaceID": tea, "PageSize": 500})
    ).error == "InvalidParameter.PageSize"


async def test_paging_a_large_fleet(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(
        fleet=Fleet.generate(spaces=5, channels=1000, seed=1), rate_limit=0
    )
    client = Client(session, emu)
    spaces = (await client.call("ListSpaces")).result["Spaces"]
    total = 0
    for space in spaces:
        seen: list[str] = []
        page = 1
        while True:
            result = (
                await client.call(
                    "ListStreams",
                    query={
                        "SpaceID": space["SpaceID"],
                        "PageNumber": page,
                        "PageSize": 100,
                    },
                )
            ).result
            seen += [s["StreamID"] for s in result["Streams"]]
            if len(result["Streams"]) < 100:
                break
            page += 1
        assert len(seen) == len(set(seen)) == num(result["TotalCount"])
        total += len(seen)
    assert total == 1000
    # Quirks vary per object: both spellings and both DeviceItem shapes appear.
    gb = next(s for s in spaces if s["AccessType"] == "gb28181")
    devices = (
        await client.call(
            "ListDevices", query={"SpaceID": gb["SpaceID"], "PageSize": 100}
        )
    ).result["Devices"]
    assert any("AutoPullAfterRegiter" in d for d in devices)
    assert any("AutoPullAfterRegister" in d for d in devices)
    assert any(isinstance(d["ChannelNum"], str) for d in devices)
    assert any(isinstance(d["ChannelNum"], int) for d in devices)
    assert any(PLAIN.match(d["CreatedAt"]) for d in devices)
    assert any(RFC3339.match(d["CreatedAt"]) for d in devices)
    shapes = set()
    for device in devices[:12]:
        channels = (
            await client.call(
                "GetDeviceChannelsV2",
                query={"DeviceID": device["DeviceID"], "QueryMode": "brief"},
            )
        ).result
        shapes.add(type(channels["Channels"][0]["DeviceItem"]).__name__)
    assert shapes == {"dict", "list"}


async def test_quirks_off(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(
        fleet=Fleet.generate(spaces=5, channels=200, seed=1), quirks=False, rate_limit=0
    )
    client = Client(session, emu)
    for space in (await client.call("ListSpaces")).result["Spaces"]:
        assert RFC3339.match(space["CreatedAt"])
        devices = (
            await client.call(
                "ListDevices", query={"SpaceID": space["SpaceID"], "PageSize": 100}
            )
        ).result
        assert isinstance(devices["TotalCount"], int)
        assert isinstance(devices["PageNumber"], int)
        for device in devices["Devices"]:
            assert "AutoPullAfterRegister" in device
            assert isinstance(device["ChannelNum"], int)
            assert isinstance(device["DeviceSubStreams"], list)
        streams = (
            await client.call(
                "ListStreams", query={"SpaceID": space["SpaceID"], "PageSize": 100}
            )
        ).result
        for stream in streams["Streams"]:
            assert isinstance(stream["TransPullUrls"], dict)
            assert stream["PullUrls"][0].startswith("rtmp://")
    device = next(iter(emu.fleet.devices.values()))
    channels = (
        await client.call(
            "GetDeviceChannelsV2",
            query={"DeviceID": device.device_id, "QueryMode": "brief"},
        )
    ).result
    assert all(isinstance(c["DeviceItem"], dict) for c in channels["Channels"])


@pytest.mark.parametrize("quirks", [True, False])
async def test_trans_pull_urls(
    emulator_factory: Any, session: aiohttp.ClientSession, quirks: bool
) -> None:
    emu = await emulator_factory(quirks=quirks)
    client = Client(session, emu)
    east = next(s for s in emu.fleet.streams.values() if s.name == "tea-garden-east")
    trans = (await client.call("GetStream", query={"StreamID": east.stream_id})).result[
        "TransPullUrls"
    ]
    urls = trans if isinstance(trans, list) else trans["ld"]
    assert any("/tea-garden-east_ld.m3u8?volcTime=" in u for u in urls)
    started = (
        await client.call("StartStream", body={"StreamID": east.stream_id})
    ).result
    if not quirks:
        assert isinstance(started["TransPullUrls"], list)
        assert isinstance(trans, dict)


async def test_detail_without_delay(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(detail_delay=0)
    client = Client(session, emu)
    started = time.monotonic()
    reply = await client.call(
        "GetDeviceChannelsV2", query={"DeviceID": device_id(emu, "Living Room")}
    )
    assert time.monotonic() - started < 0.2
    assert item_of(reply.result["Channels"][0])["PTZType"] == 1
