"""Every fault kind, rule matching, and the admin endpoints."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import aiohttp
import pytest

from emulator import Emulator, FaultRule
from emulator.faults import FaultSet, drop_fields, wrong_types

from .helpers import V2023, Client


@pytest.fixture(autouse=True)
def _unthrottled(emulator: Emulator) -> None:
    emulator.limiter.rate = 0


def home(emu: Emulator) -> str:
    return next(s.space_id for s in emu.fleet.spaces.values() if s.name == "Home")


async def test_latency_fault(client: Client, emulator: Emulator) -> None:
    emulator.faults.add(FaultRule("latency", action="ListSpaces", seconds=0.1, times=1))
    started = time.monotonic()
    assert (await client.call("ListSpaces")).status == 200
    assert time.monotonic() - started >= 0.1
    started = time.monotonic()
    await client.call("ListSpaces")
    assert time.monotonic() - started < 0.1
    emulator.faults.add(FaultRule("latency", times=1))  # default: one second
    started = time.monotonic()
    await client.call("GetSpace", query={"SpaceID": home(emulator)})
    assert time.monotonic() - started >= 1.0


async def test_timeout_fault(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults.add(FaultRule("timeout", seconds=0.1, times=1))
    reply = await client.call("ListSpaces")
    assert (reply.status, reply.error) == (504, "InternalServiceTimeout")
    # The client gives up first: the held request ends with it (logged as status 0).
    emulator.faults.add(FaultRule("timeout", seconds=30, times=1))
    impatient = Client(session, emulator)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(impatient.call("ListSpaces"), 0.2)
    for _ in range(50):
        if emulator.count("ListSpaces") == 2:
            break
        await asyncio.sleep(0.01)
    assert emulator.requests("ListSpaces")[-1].status == 0


async def test_timeout_ends_on_stop(emulator: Emulator, client: Client) -> None:
    emulator.config.timeout_hold = 30
    emulator.faults.add(FaultRule("timeout"))
    pending = asyncio.ensure_future(client.call("ListSpaces"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await emulator.stop()
    try:
        reply = await asyncio.wait_for(pending, 5)
        assert reply.status == 504
    except aiohttp.ClientError:
        pass
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (None, None, (500, "InternalError")),
        (502, None, (502, "FailToConnect")),
        (503, None, (503, "ServiceUnavailableTemp")),
        (504, None, (504, "InternalServiceTimeout")),
        (403, "OperationDeny.AccountOverdue", (403, "OperationDeny.AccountOverdue")),
        (418, None, (418, "InternalError")),
    ],
)
async def test_http_error_fault(
    client: Client,
    emulator: Emulator,
    status: int | None,
    code: str | None,
    expected: tuple[int, str],
) -> None:
    emulator.faults.add(FaultRule("http_error", status=status, code=code, times=1))
    reply = await client.call("ListSpaces")
    assert (reply.status, reply.error) == expected
    assert reply.data["ResponseMetadata"]["Action"] == "ListSpaces"
    assert (await client.call("ListSpaces")).status == 200


async def test_rate_limit_fault(client: Client, emulator: Emulator) -> None:
    emulator.faults.add(FaultRule("rate_limit", times=3, message="slow down"))
    replies = [await client.call("ListSpaces") for _ in range(4)]
    assert [r.status for r in replies] == [429, 429, 429, 200]
    assert replies[0].data["ResponseMetadata"]["Error"] == {
        "Code": "FlowLimitExceeded",
        "CodeN": 100018,
        "Message": "slow down",
    }
    assert emulator.stats()["throttled"] == 3


async def test_malformed_json(client: Client, emulator: Emulator) -> None:
    emulator.faults.add(FaultRule("malformed_json", times=1))
    reply = await client.call("ListSpaces")
    assert reply.status == 200
    assert isinstance(reply.data, str)
    with pytest.raises(ValueError):
        json.loads(reply.data)


async def test_missing_fields(client: Client, emulator: Emulator) -> None:
    emulator.faults.add(
        FaultRule(
            "missing_fields",
            action="ListSpaces",
            fields=["TotalCount", "SpaceName"],
            times=1,
        )
    )
    result = (await client.call("ListSpaces")).result
    assert "TotalCount" not in result
    assert all("SpaceName" not in s for s in result["Spaces"])
    emulator.faults.add(FaultRule("missing_fields", action="ListSpaces", times=1))
    result = (await client.call("ListSpaces")).result
    full = (await client.call("ListSpaces")).result
    assert len(result) == len(full) - 1
    if "Spaces" in result:
        assert all(
            len(a) == len(b) - 1
            for a, b in zip(result["Spaces"], full["Spaces"], strict=True)
        )
    # CloudControl has no Result: nothing to drop, no crash.
    emulator.faults.add(FaultRule("missing_fields", action="CloudControl", times=1))
    living = next(
        s.stream_id for s in emulator.fleet.main_streams() if s.title == "Living Room"
    )
    reply = await client.call(
        "CloudControl",
        V2023,
        body={"StreamID": living, "Action": "PTZControl", "Cmd": "stop", "Para": 0},
    )
    assert reply.status == 200


async def test_wrong_types(client: Client, emulator: Emulator) -> None:
    emulator.faults.add(FaultRule("wrong_types", action="ListSpaces", times=1))
    result = (await client.call("ListSpaces")).result
    assert isinstance(result["Spaces"], str)
    assert isinstance(result["TotalCount"], str)
    front = next(
        s.stream_id for s in emulator.fleet.main_streams() if s.title == "Front Gate"
    )
    emulator.faults.add(
        FaultRule(
            "wrong_types",
            action="GetStream",
            fields=["PullUrls", "StreamName"],
            times=1,
        )
    )
    result = (await client.call("GetStream", query={"StreamID": front})).result
    assert isinstance(result["PullUrls"], str)
    assert isinstance(result["StreamName"], list)
    now = int(emulator.now())
    emulator.faults.add(FaultRule("wrong_types", action="ListStreamRecords", times=1))
    reply = await client.call(
        "ListStreamRecords",
        V2023,
        body={"StreamID": front, "StartTime": now - 3600, "EndTime": now},
    )
    assert isinstance(reply.result, str)


async def test_revoked_credentials_and_clock_skew(
    client: Client, emulator: Emulator
) -> None:
    emulator.faults.add(FaultRule("revoked_credentials", times=1))
    reply = await client.call("ListSpaces")
    assert (reply.status, reply.error) == (401, "InvalidAccessKey")
    assert (await client.call("ListSpaces")).status == 200
    rule_id = emulator.faults.add(FaultRule("clock_skew", seconds=3600))
    reply = await client.call("ListSpaces")
    assert (reply.status, reply.error) == (400, "InvalidTimestamp")
    assert emulator.faults.remove(rule_id)
    assert not emulator.faults.remove(rule_id)
    assert (await client.call("ListSpaces")).status == 200
    emulator.faults.add(
        FaultRule("clock_skew", seconds=-600, times=1)
    )  # within the window
    assert (await client.call("ListSpaces")).status == 200


async def test_reset_connection(emulator: Emulator) -> None:
    emulator.faults.add(FaultRule("reset_connection", times=1))
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(force_close=True)
    ) as fresh:
        client = Client(fresh, emulator)
        with pytest.raises(aiohttp.ClientError):
            await client.call("ListSpaces", body={})
        assert (await client.call("ListSpaces")).status == 200
    assert emulator.requests("ListSpaces")[0].status == 0


async def test_matching(client: Client, emulator: Emulator) -> None:
    space = home(emulator)
    emulator.faults.add(FaultRule("http_error", status=500, match={"PageNumber": "2"}))
    assert (
        await client.call("ListStreams", query={"SpaceID": space, "PageSize": 2})
    ).status == 200
    assert (
        await client.call(
            "ListStreams", query={"SpaceID": space, "PageSize": 2, "PageNumber": 2}
        )
    ).status == 500
    assert (
        await client.call(
            "ListStreams", body={"SpaceID": space, "PageSize": 2, "PageNumber": 2}
        )
    ).status == 500
    assert (
        await client.call(
            "ListStreams", query={"SpaceID": space, "PageSize": 2, "PageNumber": 3}
        )
    ).status == 200
    emulator.faults.clear()
    emulator.faults.add(FaultRule("http_error", status=503, action="GetSpace"))
    assert (await client.call("ListSpaces")).status == 200
    assert (await client.call("GetSpace", query={"SpaceID": space})).status == 503
    emulator.faults.clear()
    emulator.faults.add(FaultRule("http_error", match={"FreshExpiredPull": "true"}))
    front = next(
        s.stream_id for s in emulator.fleet.main_streams() if s.title == "Front Gate"
    )
    assert (
        await client.call(
            "GetStream", body={"StreamID": front, "FreshExpiredPull": True}
        )
    ).status == 500
    emulator.faults.clear()
    emulator.faults.add(FaultRule("http_error", probability=0.5))
    statuses = [(await client.call("ListSpaces")).status for _ in range(20)]
    assert 0 < statuses.count(500) < 20
    emulator.faults.clear()
    emulator.faults.add(FaultRule("http_error", probability=0.0))
    assert (await client.call("ListSpaces")).status == 200
    rule = emulator.faults.rules[0]
    assert rule.hits == 0


def test_rule_validation_and_set() -> None:
    for bad in (
        {"kind": "explode"},
        {"kind": "latency", "probability": 2},
        {"kind": "latency", "times": -1},
        {"kind": "http_error", "status": 99},
        {"kind": "latency", "seconds": -1},
        {"kind": "latency", "colour": "red"},
        {
            "kind": "latency",
            "times": "x",
            "seconds": None,
            "probability": 1.0,
            "bogus": 1,
        },
    ):
        with pytest.raises(ValueError):
            FaultRule.from_dict(bad)
    with pytest.raises(ValueError):
        FaultRule.from_dict(["latency"])
    with pytest.raises(ValueError):
        FaultRule.from_dict({})
    rule = FaultRule.from_dict(
        {"kind": "clock_skew", "seconds": -30, "match": {"PageNumber": 2}}
    )
    assert rule.match == {"PageNumber": "2"}
    assert rule.to_dict()["kind"] == "clock_skew"
    fired: list[int] = []
    faults = FaultSet(1, on_expire_urls=lambda: fired.append(1))
    expire_id = faults.add(FaultRule("expire_urls"))
    assert fired == [1]
    assert expire_id
    assert faults.rules == []
    assert FaultSet().add(FaultRule("expire_urls"))
    faults.add(FaultRule("latency", times=0))
    assert faults.rules == []
    faults.add(FaultRule("latency", times=2))
    assert len(faults.take({"latency"}, "A", {})) == 1
    assert len(faults.take({"http_error"}, "A", {})) == 0
    assert len(faults.take({"latency"}, "A", {})) == 1
    assert faults.rules == []


def test_mangling_helpers() -> None:
    rng = random.Random(1)
    data = {"A": 1, "B": [{"x": 1, "y": 2}, 3], "C": {"A": 2}}
    assert drop_fields(data, ["A"], rng) == {"B": [{"x": 1, "y": 2}, 3], "C": {}}
    dropped = drop_fields(data, None, rng)
    assert len(dropped) == 2
    assert drop_fields([{"a": 1}, 2], None, rng) == [{}, 2]
    assert drop_fields("text", None, rng) == "text"
    assert drop_fields({}, None, rng) == {}
    assert wrong_types(
        {"A": 1, "B": True, "C": "s", "D": None, "E": {"k": 1}}, None
    ) == {
        "A": "1",
        "B": "true",
        "C": ["s"],
        "D": None,
        "E": '{"k": 1}',
    }
    assert wrong_types({"X": [{"A": 1.5}]}, ["A"]) == {"X": [{"A": "1.5"}]}
    assert wrong_types({"X": False}, ["X"]) == {"X": "false"}


async def test_admin_endpoints(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    admin = f"{emulator.base_url}/_emulator"

    async def call(
        method: str, path: str, body: Any = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = (
            {"data": raw}
            if raw is not None
            else {"json": body}
            if body is not None
            else {}
        )
        async with session.request(method, f"{admin}{path}", **kwargs) as resp:
            return resp.status, await resp.json()

    status, data = await call(
        "POST",
        "/faults",
        {"kind": "http_error", "status": 503, "action": "ListSpaces", "times": 1},
    )
    assert status == 200
    rule_id = data["id"]
    status, rules = await call("GET", "/faults")
    assert [r["id"] for r in rules] == [rule_id]
    assert (await client.call("ListSpaces")).error == "ServiceUnavailableTemp"
    assert (await call("GET", "/faults"))[1] == []
    assert (await call("POST", "/faults", {"kind": "nope"}))[0] == 400
    assert (await call("POST", "/faults", raw=b"{oops"))[0] == 400
    assert (await call("POST", "/faults", [1, 2]))[0] == 400
    _, data = await call("POST", "/faults", {"kind": "latency", "seconds": 0})
    assert (await call("DELETE", f"/faults/{data['id']}"))[0] == 200
    assert (await call("DELETE", f"/faults/{data['id']}"))[0] == 404
    await call("POST", "/faults", {"kind": "latency", "seconds": 0})
    assert (await call("DELETE", "/faults"))[1] == {"removed": 1}
    status, log = await call("GET", "/requests?action=ListSpaces")
    assert status == 200
    assert log[0]["status"] == 503
    assert log[0]["code"] == "ServiceUnavailableTemp"
    assert (await call("GET", "/stats"))[1]["by_action"]["ListSpaces"] == 1
    # Fleet mutations.
    space = home(emulator)
    status, added = await call("POST", "/channels", {"space_id": space, "name": "Shed"})
    assert status == 200
    assert added["StreamName"].startswith(added["DeviceNSID"])
    names = [
        s["StreamID"]
        for s in (
            await client.call("ListStreams", query={"SpaceID": space, "PageSize": 50})
        ).result["Streams"]
    ]
    assert added["StreamID"] in names
    nvr = next(
        d.device_id
        for d in emulator.fleet.devices.values()
        if d.name == "Courtyard NVR"
    )
    status, more = await call("POST", "/channels", {"SpaceID": space, "DeviceID": nvr})
    assert status == 200
    assert more["DeviceID"] == nvr
    assert (await call("POST", "/channels", {"space_id": "nope"}))[0] == 404
    assert (await call("POST", "/channels", {"space_id": space, "device_id": "nope"}))[
        0
    ] == 404
    tea = next(
        s.space_id
        for s in emulator.fleet.spaces.values()
        if s.name == "Tea Garden Live"
    )
    status, rtmp = await call("POST", "/channels", {"space_id": tea, "name": "North"})
    assert status == 200
    assert rtmp["DeviceID"] == ""
    assert rtmp["DeviceNSID"] == ""
    assert (await call("DELETE", f"/streams/{added['StreamID']}"))[0] == 200
    assert (
        await client.call("GetStream", query={"StreamID": added["StreamID"]})
    ).status == 404
    assert (await call("DELETE", "/streams/nope"))[0] == 404
    front = next(
        s.stream_id for s in emulator.fleet.main_streams() if s.title == "Front Gate"
    )
    assert (await call("POST", f"/devices/{nvr}/status", {"status": "offline"}))[1] == {
        "status": "offline"
    }
    assert (await client.call("GetStream", query={"StreamID": front})).result[
        "Status"
    ] == "offline"
    assert (await call("POST", f"/devices/{nvr}/status", {"status": 1}))[0] == 400
    assert (await call("POST", "/devices/nope/status", {"status": "online"}))[0] == 404
    assert (await call("POST", f"/streams/{front}/status", {"status": "failed"}))[
        1
    ] == {"status": "failed"}
    assert (await call("POST", f"/streams/{front}/status", {"status": None}))[1] == {
        "status": "offline"
    }
    assert (await call("POST", "/streams/nope/status", {}))[0] == 404
    # Clock offset: requests signed with the real time are now skewed.
    assert (await call("POST", "/clock", {"offset": "x"}))[0] == 400
    status, clock = await call("POST", "/clock", {"offset": 3600})
    assert status == 200
    assert clock["offset"] == 3600
    assert (
        await client.call("ListSpaces", when=_real_now())
    ).error == "InvalidTimestamp"
    await call("POST", "/clock", {"offset": 0})
    # Reset: faults, logs and fleet mutations are gone.
    await call("POST", "/faults", {"kind": "latency", "seconds": 0})
    assert (await call("POST", "/reset"))[1] == {"reset": True}
    assert emulator.faults.rules == []
    assert emulator.count() == 0
    assert emulator.fleet.devices[nvr].status == "online"
    assert added["StreamID"] not in emulator.fleet.streams


def _real_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
