"""Routing, envelope, parameter placement and coercion, lifecycle, request log."""

from __future__ import annotations

import re
import time
from typing import Any

import aiohttp
import pytest
from yarl import URL

from emulator import Emulator, EmulatorConfig, Fleet
from emulator.params import Params, coerce_int, parse_body

from .helpers import V2021, V2023, Client, query_string, sign_headers

REQUEST_ID = re.compile(r"^\d{14}[0-9A-F]{18,20}$")


def home(emu: Emulator) -> str:
    return next(s.space_id for s in emu.fleet.spaces.values() if s.name == "Home")


async def test_envelope_and_request_ids(client: Client) -> None:
    ids = set()
    for _ in range(5):
        reply = await client.call("ListSpaces")
        meta = reply.data["ResponseMetadata"]
        assert meta["Action"] == "ListSpaces"
        assert meta["Version"] == V2021
        assert meta["Service"] == "aiotvideo"
        assert meta["Region"] == "cn-north-1"
        assert "Error" not in meta
        assert REQUEST_ID.match(meta["RequestId"]), meta["RequestId"]
        assert 32 <= len(meta["RequestId"]) <= 34
        ids.add(meta["RequestId"])
        assert reply.headers["Content-Type"].startswith("application/json")
    assert len(ids) == 5


async def test_routing_errors(
    client: Client, session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    reply = await client.call("NoSuchThing")
    assert reply.status == 404
    error = reply.data["ResponseMetadata"]["Error"]
    assert error == {
        "Code": "InvalidActionOrVersion",
        "CodeN": 100008,
        "Message": "Could not find operation NoSuchThing for version 2021-01-01",
    }
    assert "Result" not in reply.data
    # A real action under the wrong version is unknown too.
    assert (
        await client.call("PlayCloudRecord", V2021)
    ).error == "InvalidActionOrVersion"
    async with session.get(f"{emulator.base_url}/?Action=ListSpaces") as resp:
        assert resp.status == 400
        data = await resp.json()
        assert data["ResponseMetadata"]["Error"]["Code"] == "MissingParameter"
        assert data["ResponseMetadata"]["Error"]["CodeN"] == 100002
    async with session.get(f"{emulator.base_url}/") as resp:
        assert resp.status == 400
    async with session.put(
        f"{emulator.base_url}/?Action=ListSpaces&Version=2021-01-01"
    ) as resp:
        assert resp.status == 405
        assert (await resp.json())["ResponseMetadata"]["Error"][
            "Code"
        ] == "MethodNotAllowed"


async def test_parameters_merge_body_over_query(
    client: Client, emulator: Emulator
) -> None:
    space = home(emulator)
    # GET with everything in the query.
    reply = await client.call("ListStreams", query={"SpaceID": space, "PageSize": 2})
    assert reply.status == 200
    assert len(reply.result["Streams"]) == 2
    # POST with paging in the query and the rest in the body (docs' mixed style).
    reply = await client.call(
        "ListStreams", method="POST", query={"PageSize": "3"}, body={"SpaceID": space}
    )
    assert len(reply.result["Streams"]) == 3
    # GET with a JSON body: the body wins over the query.
    reply = await client.call(
        "ListStreams",
        method="GET",
        query={"SpaceID": "nope", "PageSize": 1},
        body={"SpaceID": space, "PageSize": "4"},
    )
    assert reply.status == 200
    assert len(reply.result["Streams"]) == 4
    # Numbers as strings, booleans as true/false/1/0 (any case) or JSON booleans.
    stream = reply.result["Streams"][0]["StreamID"]
    for flag in ("true", "1", "TRUE", True, 0, "false"):
        reply = await client.call(
            "GetStream",
            body={"StreamID": stream, "StreamingIndex": "0", "FreshExpiredPull": flag},
        )
        assert reply.status == 200, flag
    reply = await client.call(
        "GetStream", query={"StreamID": stream, "FreshExpiredPull": "maybe"}
    )
    assert (reply.status, reply.error) == (400, "InvalidParameter.FreshExpiredPull")
    reply = await client.call(
        "ListStreams", query={"SpaceID": space, "PageSize": "many"}
    )
    assert (reply.status, reply.error) == (400, "InvalidParameter.PageSize")
    reply = await client.call("ListStreams", body={"SpaceID": {"nested": 1}})
    assert reply.error == "InvalidParameter.SpaceID"


async def test_bad_and_form_bodies(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    pairs = [("Action", "GetSpace"), ("Version", V2021)]
    host = URL(emulator.base_url).raw_authority
    url = URL(f"{emulator.base_url}/?{query_string(pairs)}", encoded=True)

    async def post(body: bytes, content_type: str) -> tuple[int, Any]:
        headers = sign_headers(
            method="POST",
            host=host,
            pairs=pairs,
            body=body,
            ak=emulator.access_key,
            sk=emulator.secret_key,
            when=_utc(emulator),
            content_type=content_type,
        )
        async with session.post(url, data=body, headers=headers) as resp:
            return resp.status, await resp.json()

    status, data = await post(b"{not json", "application/json")
    assert (status, data["ResponseMetadata"]["Error"]["Code"]) == (
        400,
        "InvalidParameter.Body",
    )
    status, data = await post(b"[1, 2]", "application/json")
    assert status == 400
    status, data = await post(
        f"SpaceID={home(emulator)}".encode(),
        "application/x-www-form-urlencoded; charset=utf-8",
    )
    assert status == 200
    assert data["Result"]["SpaceName"] == "Home"


def _utc(emu: Emulator) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(emu.now(), UTC)


def test_params_unit() -> None:
    p = Params(
        {"A": "5", "B": None, "T": "2023-07-03T21:10:10+08:00", "F": 2.0, "G": 2.5},
        {"B": "7", "C": "x"},
    )
    assert p.integer("A") == 5
    assert p.integer("B") == 7
    assert p.integer("F") == 2
    assert p.timestamp("T") == 1688389810
    assert p.timestamp("Z", required=False) is None
    assert p.string("C") == "x"
    assert p.merged() == {
        "A": "5",
        "B": "7",
        "C": "x",
        "T": "2023-07-03T21:10:10+08:00",
        "F": 2.0,
        "G": 2.5,
    }
    with pytest.raises(Exception, match="G"):
        p.integer("G")
    with pytest.raises(Exception, match=r"MissingParameter\.Z"):
        p.req_int("Z")
    with pytest.raises(Exception, match="at most 3"):
        p.integer("A", high=3)
    with pytest.raises(Exception, match="RFC3339"):
        p.timestamp("C")
    with pytest.raises(Exception, match="RFC3339"):
        Params({"T": "2023-07-03T21:10:10"}, {}).timestamp("T")  # no zone: ambiguous
    assert Params({"B": True}, {}).string("B") == "true"
    assert coerce_int("1e3") == 1000
    assert coerce_int(" 12 ") == 12
    assert coerce_int("1.5") is None
    assert coerce_int(True) is None
    assert coerce_int([1]) is None
    with pytest.raises(Exception, match="RFC3339"):
        Params({"T": [1]}, {}).timestamp("T")
    assert parse_body(b"  ", "application/json") == ({}, True)
    assert parse_body(b"\xff", "application/x-www-form-urlencoded") == ({}, False)


async def test_request_log_and_counts(client: Client, emulator: Emulator) -> None:
    await client.call("ListSpaces")
    await client.call("GetSpace", query={"SpaceID": "missing"})
    records = emulator.requests("GetSpace")
    assert len(records) == 1
    record = records[0]
    assert record.status == 404
    assert record.code == "NotFound.Space"
    assert record.access_key == emulator.access_key
    assert record.method == "GET"
    assert record.params["SpaceID"] == "missing"
    assert record.version == V2021
    assert record.duration >= 0
    assert REQUEST_ID.match(record.request_id)
    assert emulator.count() == 2
    assert emulator.count("ListSpaces", 200) == 1
    assert emulator.count(status=404) == 1
    stats = emulator.stats()
    assert stats["by_action"] == {"ListSpaces": 1, "GetSpace": 1}
    assert stats["throttled"] == 0


async def test_fixed_latency(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(latency=0.05)
    client = Client(session, emu)
    started = time.monotonic()
    reply = await client.call("ListSpaces")
    assert reply.status == 200
    assert time.monotonic() - started >= 0.05
    started = time.monotonic()
    assert (await client.call("Nope")).status == 404
    assert time.monotonic() - started >= 0.05


async def test_restart_on_same_port(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    port = emulator.port
    client = Client(session, emulator)
    assert (await client.call("ListSpaces")).status == 200
    await emulator.stop()
    await emulator.stop()  # idempotent
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as fresh:
            await Client(fresh, emulator).call("ListSpaces")
    await emulator.start()
    await emulator.start()  # idempotent
    assert emulator.port == port
    assert (await client.call("ListSpaces")).status == 200


async def test_context_manager_and_clock(socket_enabled: None) -> None:
    frozen = 1_700_000_000.0
    config = EmulatorConfig(
        fleet=Fleet.demo(seed=5), clock=lambda: frozen, rate_limit=0
    )
    emu = Emulator(config)
    with pytest.raises(RuntimeError):
        _ = emu.base_url
    async with emu:
        assert emu.now() == frozen
        emu.clock_offset = 10
        assert emu.now() == frozen + 10
        async with aiohttp.ClientSession() as http:
            reply = await Client(http, emu).call("ListSpaces")
            assert reply.data["ResponseMetadata"]["RequestId"].startswith(
                "20231115061330"
            )
            async with http.get(f"{emu.base_url}/_emulator/credentials") as resp:
                creds = await resp.json()
        assert creds["access_key"] == emu.access_key
        assert creds["secret_key"] == emu.secret_key
        assert emu.access_key.startswith("AKLT")
        assert len(emu.access_key) == 32
        assert len(emu.secret_key) == 40
    assert emu.session_token is None


async def test_public_url(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(public_url="http://cams.example.test:9000/")
    client = Client(session, emu)
    stream = emu.fleet.main_streams()[0]
    urls = (
        await client.call("GetStream", query={"StreamID": stream.stream_id})
    ).result["PullUrls"]
    assert any(u.startswith("http://cams.example.test:9000/live/") for u in urls)
    assert any(u.startswith("rtmp://cams.example.test:1935/live/") for u in urls)
    assert (
        await client.call("GetSpace", query={"SpaceID": stream.space_id})
    ).status == 200
    assert emu.media is emu.media
    assert V2023


async def test_raw_query_is_verified_as_received(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    """The verifier decodes and re-encodes the query itself (no framework normalising)."""
    space = home(emulator)
    raw = (
        f"Action=ListStreams&Version=2021-01-01&SpaceID={space}"
        "&StreamName=%7efront'gate*(x)&PageSize=%32"
    )
    pairs = [
        ("Action", "ListStreams"),
        ("Version", V2021),
        ("SpaceID", space),
        ("StreamName", "~front'gate*(x)"),
        ("PageSize", "2"),
    ]
    headers = sign_headers(
        method="GET",
        host=URL(emulator.base_url).raw_authority,
        pairs=pairs,
        body=b"",
        ak=emulator.access_key,
        sk=emulator.secret_key,
        when=_utc(emulator),
        content_type=None,
    )
    async with session.get(
        URL(f"{emulator.base_url}/?{raw}", encoded=True), headers=headers
    ) as resp:
        data = await resp.json()
        assert resp.status == 200, data
        assert data["Result"]["Streams"] == []
    # A literal "+" is a plus sign, not a space.
    raw_plus = raw.replace("gate*", "gate+")
    async with session.get(
        URL(f"{emulator.base_url}/?{raw_plus}", encoded=True), headers=headers
    ) as resp:
        assert resp.status == 401


async def test_port_in_use(emulator: Emulator) -> None:
    clash = Emulator(EmulatorConfig(port=emulator.port))
    with pytest.raises(OSError, match="address"):
        await clash.start()
    await clash.stop()  # never started: nothing to do


async def test_reset_keeps_hand_built_fleets(emulator: Emulator) -> None:
    from emulator import FaultRule

    hand = Fleet(seed=11)
    space = hand.add_space("Hand", description="built by hand")
    hand.add_device(space.space_id, "Cam")
    emulator.add_account("hand", hand)
    rule_id = emulator.add_fault(FaultRule("latency", seconds=0))
    assert [r.id for r in emulator.faults.rules] == [rule_id]
    emulator.reset()
    assert emulator.faults.rules == []
    assert emulator.accounts.accounts["hand"].fleet is hand
    assert len(hand.devices) == 1


async def test_frozen_time_moves_the_emulator_clock(
    client: Client, emulator: Emulator, freezer: Any
) -> None:
    """Tests freeze time with freezegun; the emulator's default clock follows."""
    freezer.move_to("2024-12-19 03:31:33")
    assert emulator.now() == 1734579093.0
    assert (await client.call("ListSpaces")).status == 200
    freezer.tick(3600)
    assert emulator.now() == 1734579093.0 + 3600
    # The rate limiter keeps real time: a frozen clock must not freeze its window.
    statuses = [(await client.call("ListSpaces")).status for _ in range(10)]
    assert statuses == [200] * 9 + [429]
    time.sleep(1.05)  # noqa: ASYNC251  # asyncio.sleep would never end under the freezer
    assert (await client.call("ListSpaces")).status == 200
    assert emulator.requests()[-1].duration > 0


def test_the_emulator_is_what_its_parts_are_given() -> None:
    """admin routes, CDN and callbacks type the emulator by `host.Host`."""
    from emulator.host import Host

    assert isinstance(Emulator(EmulatorConfig()), Host)
