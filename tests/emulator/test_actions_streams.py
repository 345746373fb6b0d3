"""GetStream / StartStream / StopStream, playback URLs, record lists, PTZ."""

from __future__ import annotations

from datetime import UTC, datetime
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from emulator import Emulator, FaultRule

from .helpers import NOW, V2023, Client, Clock

VOLC_TIME = re.compile(r"volcTime=(\d+)")


@pytest.fixture(autouse=True)
def _unthrottled(request: pytest.FixtureRequest) -> None:
    """These tests make many calls; the rate limit has its own tests."""
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").limiter.rate = 0


def stream_of(emu: Emulator, title: str) -> str:
    return next(
        s.stream_id
        for s in emu.fleet.streams.values()
        if s.title == title and s.streaming_type == "main_stream"
    )


def hls(urls: list[str]) -> str:
    return next(u for u in urls if ".m3u8" in u)


def expiry(urls: list[str]) -> int:
    match = VOLC_TIME.search(hls(urls))
    assert match
    return int(match.group(1))


async def test_get_stream_variants(client: Client, emulator: Emulator) -> None:
    front = stream_of(emulator, "Front Gate")
    main = (
        await client.call("GetStream", query={"StreamID": front, "StreamingIndex": 0})
    ).result
    assert main["StreamingType"] == "main_stream"
    assert main["Status"] == "online"
    assert main["DemandLive"] is False
    sub = (
        await client.call("GetStream", query={"StreamID": front, "StreamingIndex": 1})
    ).result
    assert sub["StreamingType"] == "sub_stream"
    assert sub["StreamName"].endswith("_sub")
    assert sub["DemandLive"] is True
    # A sub-stream id stands for itself; index 0 from it is the main stream.
    again = (await client.call("GetStream", query={"StreamID": sub["StreamID"]})).result
    assert again["StreamID"] == sub["StreamID"]
    back = (
        await client.call(
            "GetStream", query={"StreamID": sub["StreamID"], "StreamingIndex": 0}
        )
    ).result
    assert back["StreamID"] == front
    by_name = (
        await client.call(
            "GetStream",
            query={"StreamName": main["StreamName"], "SpaceID": main["SpaceID"]},
        )
    ).result
    assert by_name["StreamID"] == front
    by_name = (
        await client.call("GetStream", query={"StreamName": "tea-garden-west"})
    ).result
    assert by_name["SpaceAccessType"] == "rtmp"
    assert (
        await client.call("GetStream", query={"StreamName": "nope"})
    ).error == "NotFound.Stream"
    living = stream_of(emulator, "Living Room")
    reply = await client.call(
        "GetStream", query={"StreamID": living, "StreamingIndex": 1}
    )
    assert (reply.status, reply.error) == (400, "InvalidParameter.StreamingIndex")
    assert (
        await client.call("GetStream", query={"StreamID": front, "StreamingIndex": -1})
    ).error == "InvalidParameter.StreamingIndex"
    assert (await client.call("GetStream")).error == "MissingParameter.StreamID"
    assert (await client.call("GetStream", query={"StreamID": "x"})).status == 404
    reply = await client.call(
        "GetStream", query={"StreamID": front, "SpaceID": main["SpaceID"] + "0"}
    )
    assert reply.error == "NotFound.Stream"


async def test_fresh_expired_pull(clocked: tuple[Emulator, Client, Clock]) -> None:
    """[I] FreshExpiredPull re-signs URLs that expired or expire within 10 % of the TTL."""
    emu, client, clock = clocked
    front = stream_of(emu, "Front Gate")

    async def urls(fresh: bool) -> list[str]:
        query = {"StreamID": front, "StreamingIndex": 0}
        if fresh:
            query["FreshExpiredPull"] = 1
        return (await client.call("GetStream", query=query)).result["PullUrls"]

    first = await urls(False)
    assert expiry(first) == int(NOW) + 3600
    clock.now = NOW + 100
    assert await urls(True) == first  # not due yet: the stored URL comes back
    clock.now = NOW + 3300  # 300 s left, inside the 360 s refresh window
    assert await urls(False) == first  # without the flag nothing changes
    fresh = await urls(True)
    assert expiry(fresh) == int(NOW) + 3300 + 3600
    clock.now = NOW + 7300 + 3600  # long expired
    assert await urls(False) == fresh
    assert expiry(await urls(True)) == int(clock.now) + 3600
    # ListStreams returns the stored URLs too.
    listed = (
        await client.call(
            "ListStreams",
            query={"SpaceID": emu.fleet.streams[front].space_id, "PageSize": 100},
        )
    ).result
    item = next(s for s in listed["Streams"] if s["StreamID"] == front)
    assert expiry(item["PullUrls"]) == int(clock.now) + 3600
    # expire_urls: stored URLs count as expired; FreshExpiredPull re-signs them.
    before = await urls(False)
    emu.faults.add(FaultRule("expire_urls"))
    assert await urls(False) == before
    after = await urls(True)
    assert after != before
    assert expiry(after) == int(clock.now) + 3600


async def test_start_and_stop_on_demand(
    clocked: tuple[Emulator, Client, Clock],
) -> None:
    emu, client, clock = clocked
    barn = stream_of(emu, "Barn")
    status = (await client.call("GetStream", query={"StreamID": barn})).result["Status"]
    assert status in ("offline", "init")
    started = (
        await client.call("StartStream", body={"StreamID": barn, "StreamingIndex": 0})
    ).result
    assert started["ID"] == barn
    assert len(started["PullUrls"]) == 3
    assert isinstance(started["TransPullUrls"], (list, dict))
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "online"
    clock.now += 299
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "online"
    clock.now += 2  # idle for longer than on_demand_idle (300 s): back to offline
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "offline"
    await client.call("StartStream", body={"StreamID": barn})
    stopped = (await client.call("StopStream", body={"StreamID": barn})).result
    assert stopped == {"ID": barn, "StopRes": True}
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "offline"
    assert (
        await client.call(
            "StopStream", method="POST", query={"StreamID": barn}, body={}
        )
    ).result["StopRes"] is False
    # IsSmart: a stream someone is watching is left running.
    await client.call("StartStream", body={"StreamID": barn})
    emu.fleet.touch(emu.fleet.streams[barn], clock.now)
    assert (
        await client.call("StopStream", body={"StreamID": barn, "IsSmart": 1})
    ).result["StopRes"] is False
    clock.now += 60
    assert (
        await client.call("StopStream", body={"StreamID": barn, "IsSmart": True})
    ).result["StopRes"] is True


async def test_start_stream_errors_and_always_on(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(device_offline_status=500)
    client = Client(session, emu)
    attic = stream_of(emu, "Attic")
    reply = await client.call("StartStream", body={"StreamID": attic})
    assert (reply.status, reply.error) == (500, "OperationDeny.DeviceOffline")
    front = stream_of(emu, "Front Gate")
    assert (await client.call("StartStream", body={"StreamID": front})).status == 200
    assert (await client.call("StopStream", body={"StreamID": front})).result[
        "StopRes"
    ] is False
    sub = (
        await client.call("StartStream", body={"StreamID": front, "StreamingIndex": 1})
    ).result
    assert (await client.call("GetStream", query={"StreamID": sub["ID"]})).result[
        "Status"
    ] == "online"
    west = stream_of(emu, "West Slope")
    assert (await client.call("StartStream", body={"StreamID": west})).status == 200
    emu.fleet.set_stream_status(west, "offline")
    reply = await client.call("StartStream", body={"StreamID": west})
    assert (reply.status, reply.error) == (403, "OperationDeny.StreamOffline")
    assert (
        await client.call("StartStream", body={})
    ).error == "MissingParameter.StreamID"
    assert (
        await client.call("StartStream", body={"StreamID": front, "IgnoreAudio": "x"})
    ).error == "InvalidParameter.IgnoreAudio"


async def test_cloud_record_play(client: Client, emulator: Emulator) -> None:
    front = stream_of(emulator, "Front Gate")
    now = int(emulator.now())
    result = (
        await client.call(
            "CloudRecordPlay",
            body={"StreamID": front, "StartTs": now - 3600, "EndTs": now},
        )
    ).result
    assert set(result) == {"ID", "HLS", "MP4"}
    query = parse_qs(urlsplit(result["ID"]).query)
    assert urlsplit(result["ID"]).path == "/media_record/v1/file/get_m3u8"
    assert query["Start"] == [str((now - 3600) * 1000)]
    assert query["End"] == [str(now * 1000)]
    assert query["IsLive"] == ["0"]
    assert query["StreamID"] == [front]
    assert query["X-JWT-Token"][0].count(".") == 2
    assert parse_qs(urlsplit(result["HLS"]).query)["Format"] == ["m3u8"]
    assert parse_qs(urlsplit(result["MP4"]).query)["Format"] == ["mp4"]
    start = (
        datetime.fromtimestamp(now - 600, UTC)
        .astimezone()
        .isoformat(timespec="seconds")
    )
    rfc = (
        await client.call(
            "CloudRecordPlay",
            body={
                "StreamID": front,
                "StartTs": start,
                "EndTs": str(now),
                "TokenValid": 60,
            },
        )
    ).result
    assert parse_qs(urlsplit(rfc["ID"]).query)["Start"] == [str((now - 600) * 1000)]
    nvr = next(d for d in emulator.fleet.devices.values() if d.name == "Courtyard NVR")
    by_channel = await client.call(
        "CloudRecordPlay",
        body={
            "DeviceNSID": nvr.nsid,
            "ChannelID": nvr.channels[0],
            "StreamingIndex": 1,
            "StartTs": now - 60,
            "EndTs": now,
        },
    )
    assert parse_qs(urlsplit(by_channel.result["ID"]).query)["StreamID"] == [front]
    errors = [
        ({"StartTs": now - 60, "EndTs": now}, "MissingParameter.StreamID"),
        (
            {
                "DeviceNSID": "34020000001329999999",
                "ChannelID": "1",
                "StartTs": 1,
                "EndTs": 2,
            },
            "NotFound.Device",
        ),
        (
            {"DeviceNSID": nvr.nsid, "ChannelID": "1", "StartTs": 1, "EndTs": 2},
            "NotFound.Stream",
        ),
        ({"StreamID": front, "StartTs": now, "EndTs": now}, "InvalidParameter.EndTs"),
        (
            {"StreamID": front, "StartTs": now - 86401, "EndTs": now},
            "InvalidParameter.EndTs",
        ),
        (
            {"StreamID": front, "StartTs": "yesterday", "EndTs": now},
            "InvalidParameter.StartTs",
        ),
        ({"StreamID": front, "EndTs": now}, "MissingParameter.StartTs"),
        (
            {"StreamID": front, "StartTs": now - 60, "EndTs": now, "TokenValid": 0},
            "InvalidParameter.TokenValid",
        ),
    ]
    for body, code in errors:
        reply = await client.call("CloudRecordPlay", body=body)
        assert reply.error == code, body
        assert reply.status == (404 if code.startswith("NotFound") else 400)
    assert (
        await client.call(
            "CloudRecordPlay",
            body={"StreamID": front, "StartTs": now - 86400, "EndTs": now},
        )
    ).status == 200


async def test_play_cloud_record(client: Client, emulator: Emulator) -> None:
    front = stream_of(emulator, "Front Gate")
    now = int(emulator.now())
    reply = await client.call(
        "PlayCloudRecord",
        V2023,
        body={
            "StreamID": front,
            "StartTime": now - 600,
            "EndTime": now,
            "WithSub": False,
        },
    )
    assert set(reply.result) == {"hls", "mp4"}
    assert urlsplit(reply.result["hls"]).path == "/media_record/v1/file/index.m3u8"
    assert parse_qs(urlsplit(reply.result["mp4"]).query)["Pub"] == ["1"]
    reply = await client.call(
        "PlayCloudRecord",
        V2023,
        body={"StreamID": front, "StartTime": now - 86401, "EndTime": now},
    )
    assert (reply.status, reply.error) == (400, "InvalidParameter.EndTime")
    reply = await client.call(
        "PlayCloudRecord", V2023, body={"StreamID": front, "EndTime": now}
    )
    assert (reply.status, reply.error) == (400, "MissingParameter.StartTime")
    reply = await client.call(
        "PlayCloudRecord",
        V2023,
        body={"StreamID": front, "StartTime": "soon", "EndTime": now},
    )
    assert reply.error == "InvalidParameter.StartTime"


async def test_list_stream_records(client: Client, emulator: Emulator) -> None:
    front = stream_of(emulator, "Front Gate")
    now = int(emulator.now())
    body = {"StreamID": front, "StartTime": now - 86400, "EndTime": now}
    reply = await client.call(
        "ListStreamRecords", V2023, query={"PageSize": 200}, body=body
    )
    records = reply.result
    assert isinstance(records, list)
    assert 100 < len(records) <= 144
    first = records[0]
    assert first["Type"] == "record"
    assert set(first["Record"]) == {
        "StartTime",
        "EndTime",
        "Duration",
        "Cover",
        "Format",
        "VideoCodec",
        "AudioCodec",
    }
    assert first["Record"]["Duration"] == 600.0
    assert first["Record"]["Cover"].startswith(emulator.base_url + "/record_cover/")
    assert first["Path"].endswith(".mp4")
    assert all(r["Record"]["EndTime"] <= now for r in records)
    # Paging: page 2 of 20 continues page 1.
    page1 = (
        await client.call(
            "ListStreamRecords",
            V2023,
            query={"PageNumber": 1, "PageSize": 20},
            body=body,
        )
    ).result
    page2 = (
        await client.call(
            "ListStreamRecords", V2023, body={**body, "PageNumber": 2, "PageSize": 20}
        )
    ).result
    assert [r["Record"]["StartTime"] for r in page1 + page2] == [
        r["Record"]["StartTime"] for r in records[:40]
    ]
    default = (await client.call("ListStreamRecords", V2023, body=body)).result
    assert len(default) == 20
    meta = (
        await client.call(
            "ListStreamRecords",
            V2023,
            query={"PageSize": 5},
            body={**body, "ReqType": "record_metadata"},
        )
    ).result
    assert len(meta) == 5
    assert meta[0]["Type"] == "record_metadata"
    assert meta[0]["RecordMeta"]["Format"] == "ts"
    assert meta[0]["Path"].endswith(".ts")
    assert "/ts/" in meta[0]["Path"]
    for extra, code in (
        ({"PageSize": 30001}, "InvalidParameter.PageSize"),
        ({"ReqType": "bogus"}, "InvalidParameter.ReqType"),
        ({"EndTime": now - 86400}, "InvalidParameter.EndTime"),
    ):
        reply = await client.call("ListStreamRecords", V2023, body={**body, **extra})
        assert (reply.status, reply.error) == (400, code)
    assert (
        await client.call("ListStreamRecords", V2023, body={**body, "PageSize": 30000})
    ).status == 200
    garage = stream_of(emulator, "Garage")  # no record template
    assert (
        await client.call("ListStreamRecords", V2023, body={**body, "StreamID": garage})
    ).result == []


async def test_thousand_clips_in_a_day(client: Client, emulator: Emulator) -> None:
    garden = stream_of(emulator, "Garden")
    emulator.fleet.set_recording(garden, "events", events_per_day=1000)
    day = int(emulator.now()) // 86400 - 1
    body = {
        "StreamID": garden,
        "StartTime": day * 86400,
        "EndTime": (day + 1) * 86400,
        "PageSize": 30000,
    }
    clips = (await client.call("ListStreamRecords", V2023, body=body)).result
    assert len(clips) == 1000
    assert all(20 <= c["Record"]["Duration"] <= 90 for c in clips)


async def test_list_stream_screenshots(client: Client, emulator: Emulator) -> None:
    front = stream_of(emulator, "Front Gate")
    now = int(emulator.now())
    shots = (
        await client.call(
            "ListStreamScreenshots",
            V2023,
            body={
                "StreamID": front,
                "SpaceID": emulator.fleet.streams[front].space_id,
                "StartTime": now - 3600,
                "EndTime": now,
                "PageSize": 100,
            },
        )
    ).result
    assert len(shots) == 60
    assert shots[0]["Type"] == "screenshot"
    assert shots[0]["Screenshot"]["BornTs"] % 60 == 0
    assert ".jpg?volcTime=" in shots[0]["Path"]
    attic = stream_of(emulator, "Attic")
    assert (
        await client.call(
            "ListStreamScreenshots",
            V2023,
            body={"StreamID": attic, "StartTime": now - 3600, "EndTime": now},
        )
    ).result == []
    reply = await client.call(
        "ListStreamScreenshots", V2023, body={"StreamID": front, "StartTime": now}
    )
    assert reply.error == "MissingParameter.EndTime"


async def test_cloud_control(client: Client, emulator: Emulator) -> None:
    living = stream_of(emulator, "Living Room")
    reply = await client.call(
        "CloudControl",
        V2023,
        body={"StreamID": living, "Action": "PTZControl", "Cmd": "left", "Para": 100},
    )
    assert reply.status == 200
    assert "Result" not in reply.data
    assert reply.data["ResponseMetadata"]["Action"] == "CloudControl"
    await client.call(
        "CloudControl",
        V2023,
        body={"StreamID": living, "action": "PTZControl", "Cmd": "stop", "Para": 0},
    )
    for cmd in ("set", "goto"):
        await client.call(
            "CloudControl",
            V2023,
            query={"action": "PresetControl"},
            body={"StreamID": living, "Cmd": cmd, "Para": "3"},
        )
    log = emulator.fleet.streams[living].ptz_log
    assert [(a, c, p) for _, a, c, p in log] == [
        ("PTZControl", "left", 100),
        ("PTZControl", "stop", 0),
        ("PresetControl", "set", 3),
        ("PresetControl", "goto", 3),
    ]
    cases = [
        ({"Action": "Dance", "Cmd": "left", "Para": 1}, "InvalidParameter.Action", 400),
        (
            {"Action": "PTZControl", "Cmd": "spin", "Para": 1},
            "InvalidParameter.Cmd",
            400,
        ),
        (
            {"Action": "PTZControl", "Cmd": "zoomin", "Para": 16},
            "InvalidParameter.Para",
            400,
        ),
        (
            {"Action": "PTZControl", "Cmd": "up", "Para": 256},
            "InvalidParameter.Para",
            400,
        ),
        (
            {"Action": "PresetControl", "Cmd": "set", "Para": 0},
            "InvalidParameter.Para",
            400,
        ),
        ({"Action": "FiControl", "Cmd": "focusfar"}, "MissingParameter.Para", 400),
        ({"Cmd": "left", "Para": 1}, "MissingParameter.Action", 400),
    ]
    for body, code, status in cases:
        reply = await client.call(
            "CloudControl", V2023, body={"StreamID": living, **body}
        )
        assert (reply.status, reply.error) == (status, code), body
    ptz = {"Action": "PTZControl", "Cmd": "up", "Para": 10}
    reply = await client.call(
        "CloudControl",
        V2023,
        body={"StreamID": stream_of(emulator, "Front Gate"), **ptz},
    )
    assert (reply.status, reply.error) == (403, "OperationDeny.PTZNotSupported")
    reply = await client.call(
        "CloudControl", V2023, body={"StreamID": stream_of(emulator, "Attic"), **ptz}
    )
    assert (reply.status, reply.error) == (400, "OperationDeny.DeviceOffline")
    reply = await client.call(
        "CloudControl",
        V2023,
        body={"StreamID": stream_of(emulator, "West Slope"), **ptz},
    )
    assert (reply.status, reply.error) == (403, "OperationDeny.NotGBStream")
    garden_sub = (
        await client.call(
            "GetStream",
            query={"StreamID": stream_of(emulator, "Garden"), "StreamingIndex": 1},
        )
    ).result["StreamID"]
    assert (
        await client.call("CloudControl", V2023, body={"StreamID": garden_sub, **ptz})
    ).status == 200
