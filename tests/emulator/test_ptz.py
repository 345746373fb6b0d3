"""PTZ: CloudControl drives a per-channel view timeline that the served pictures show."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import aiohttp
import av
import numpy as np
import pytest

from emulator import Emulator, ptz as ptz_module
from emulator.media import MediaFactory
from emulator.model import Stream
from emulator.painter import ptz_caption
from emulator.ptz import (
    HOME,
    MAX_PIECES,
    Ptz,
    Track,
    pan_delta,
    read_pan,
    read_view,
)
from emulator.scene import View, horizon_row, rgb_to_yuv420

from .helpers import NOW, V2023, Client, Clock, Reply

# What read_view promises for a 640x360 still (its docstring); decoded video is
# a little blurrier at the bar edges.
STILL_PAN_TOLERANCE = 1.0
VIDEO_PAN_TOLERANCE = 1.5


def main_stream(emu: Emulator, title: str) -> Stream:
    return next(
        s
        for s in emu.fleet.streams.values()
        if s.title == title and s.streaming_type == "main_stream"
    )


async def control(
    client: Client, stream_id: str, action: str, cmd: str, para: int = 0
) -> Reply:
    body = {"StreamID": stream_id, "Action": action, "Cmd": cmd, "Para": para}
    return await client.call("CloudControl", V2023, body=body)


async def ptz(client: Client, stream_id: str, cmd: str, para: int = 0) -> None:
    reply = await control(client, stream_id, "PTZControl", cmd, para)
    assert reply.status == 200, reply.data


async def fetch(session: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    async with session.get(url) as resp:
        return resp.status, await resp.read()


def frames(data: bytes) -> list[av.VideoFrame]:
    with av.open(io.BytesIO(data)) as container:
        return list(container.decode(video=0))


def close_pan(read: float, expected: float, tolerance: float) -> bool:
    return abs(pan_delta(expected, read)) <= tolerance


# ----------------------------------------------------------- the timeline
async def test_a_move_turns_the_camera_until_stopped(
    clocked: tuple[Emulator, Client, Clock],
) -> None:
    emu, client, clock = clocked
    living = main_stream(emu, "Living Room")
    state = living.ptz
    assert state.view(NOW) == HOME
    assert state.moving(NOW) is None

    await ptz(client, living.stream_id, "right", 255)  # 60 degrees a second
    assert state.moving(NOW) == "right"
    assert state.view(NOW + 1.5).pan == pytest.approx(90.0)
    assert state.view(NOW + 7.0).pan == pytest.approx(60.0)  # wrapped past 360
    assert state.view(NOW + 1.5).tilt == 0.0
    # The past is kept: before the command the camera was at home.
    assert state.view(NOW - 10) == HOME

    clock.now += 2.0
    await ptz(client, living.stream_id, "stop")
    assert state.moving(clock.now) is None
    assert state.view(clock.now + 100).pan == pytest.approx(120.0)
    assert state.view(NOW + 1.0).pan == pytest.approx(60.0)

    # Para 0 still creeps, at 1 degree a second; left turns the other way.
    clock.now += 1.0
    await ptz(client, living.stream_id, "left", 0)
    assert state.view(clock.now + 10).pan == pytest.approx(110.0)
    # A new command replaces the move in force: diagonals drive both axes.
    clock.now += 10.0
    await ptz(client, living.stream_id, "leftup", 255)
    view = state.view(clock.now + 0.5)
    assert (view.pan, view.tilt) == (pytest.approx(80.0), pytest.approx(30.0))
    assert state.moving(clock.now + 0.5) == "leftup"
    await ptz(client, living.stream_id, "rightdown", 51)  # 1 + 59 * 51 / 255 deg/s
    view = state.view(clock.now + 1.0)
    assert (view.pan, view.tilt) == (pytest.approx(122.8), pytest.approx(-12.8))
    assert [c for _, _, c, _ in living.ptz_log] == [
        "right",
        "stop",
        "left",
        "leftup",
        "rightdown",
    ]


async def test_moves_are_held_at_their_limits(
    clocked: tuple[Emulator, Client, Clock],
) -> None:
    emu, client, clock = clocked
    barn = main_stream(emu, "Barn")
    state, sid = barn.ptz, barn.stream_id

    await ptz(client, sid, "up", 255)
    assert state.view(NOW + 1.0).tilt == pytest.approx(60.0)
    assert state.view(NOW + 100).tilt == 90.0
    # Held at the limit, the camera is still, though the command is in force.
    assert state.moving(NOW + 100) is None
    assert state.command(NOW + 100) is not None
    clock.now += 100
    await ptz(client, sid, "rightup", 255)
    assert state.moving(clock.now + 1) == "rightup"  # pan never stops
    await ptz(client, sid, "down", 255)
    assert state.view(clock.now + 100).tilt == -30.0
    assert state.moving(clock.now + 100) is None

    clock.now += 100
    await ptz(client, sid, "zoomin", 15)  # doubles every second
    assert state.view(clock.now + 1).zoom == pytest.approx(2.0)
    assert state.view(clock.now + 2).zoom == pytest.approx(4.0)
    assert state.view(clock.now + 10).zoom == 20.0
    assert state.moving(clock.now + 10) is None
    clock.now += 10
    await ptz(client, sid, "zoomout", 0)  # a tenth of a doubling a second
    assert state.view(clock.now + 10).zoom == pytest.approx(10.0)
    assert state.view(clock.now + 1000).zoom == 1.0
    assert state.moving(clock.now + 1) == "zoomout"
    clock.now += 1000

    fi = {"StreamID": sid, "Action": "FiControl"}
    reply = await client.call(
        "CloudControl", V2023, body={**fi, "Cmd": "focusfar", "Para": 255}
    )
    assert reply.status == 200
    assert state.view(clock.now + 1).focus == pytest.approx(75.0)
    assert state.view(clock.now + 3).focus == 100.0
    assert state.moving(clock.now + 3) is None
    clock.now += 1
    await client.call("CloudControl", V2023, body={**fi, "Cmd": "irisin", "Para": 0})
    view = state.view(clock.now + 10)
    assert (view.focus, view.iris) == (pytest.approx(75.0), pytest.approx(40.0))
    await client.call("CloudControl", V2023, body={**fi, "Cmd": "irisout", "Para": 0})
    assert state.view(clock.now + 60).iris == 100.0
    await client.call("CloudControl", V2023, body={**fi, "Cmd": "focusnear", "Para": 0})
    assert state.view(clock.now + 1000).focus == 0.0
    # Either action's stop ends any move.
    clock.now += 5
    await client.call("CloudControl", V2023, body={**fi, "Cmd": "stop", "Para": 0})
    assert state.command(clock.now) is None
    assert state.view(clock.now + 50).focus == pytest.approx(70.0)
    await ptz(client, sid, "zoomin", 15)
    clock.now += 1
    await client.call("CloudControl", V2023, body={**fi, "Cmd": "stop", "Para": 0})
    assert state.view(clock.now + 5).zoom == pytest.approx(2.0)


async def test_presets(clocked: tuple[Emulator, Client, Clock]) -> None:
    emu, client, clock = clocked
    living = main_stream(emu, "Living Room")
    state, sid = living.ptz, living.stream_id

    async def preset(cmd: str, number: int) -> Reply:
        return await control(client, sid, "PresetControl", cmd, number)

    assert (await preset("set", 1)).status == 200
    await ptz(client, sid, "right", 255)
    clock.now += 1.0
    await ptz(client, sid, "zoomin", 15)
    clock.now += 1.0
    assert (await preset("set", 2)).status == 200  # saved mid-move
    assert state.moving(clock.now) == "zoomin"
    assert set(state.presets) == {1, 2}
    assert state.presets[1] == HOME
    assert state.presets[2].pan == pytest.approx(60.0)
    assert state.presets[2].zoom == pytest.approx(2.0)

    clock.now += 1.0
    assert (await preset("goto", 1)).status == 200
    assert state.view(clock.now) == HOME
    assert state.moving(clock.now) is None
    clock.now += 1.0
    await ptz(client, sid, "up", 100)
    clock.now += 1.0
    assert (await preset("goto", 2)).status == 200  # ends the move
    assert state.view(clock.now + 30) == state.presets[2]

    assert (await preset("remove", 2)).status == 200
    assert (await preset("remove", 77)).status == 200  # unknown: nothing to do
    assert set(state.presets) == {1}
    sent = len(living.ptz_log)
    for number in (2, 255):
        reply = await preset("goto", number)
        assert (reply.status, reply.error) == (400, "InvalidParameter.Para")
        message = reply.data["ResponseMetadata"]["Error"]["Message"]
        assert f"preset {number} has not been set" in message
    assert len(living.ptz_log) == sent  # refused commands are not logged
    # The presets property is a copy.
    state.presets.clear()
    assert set(state.presets) == {1}


async def test_lower_case_action_and_query_action(
    clocked: tuple[Emulator, Client, Clock],
) -> None:
    emu, client, _ = clocked
    living = main_stream(emu, "Living Room")
    body = {"StreamID": living.stream_id, "action": "PTZControl", "Cmd": "down"}
    reply = await client.call("CloudControl", V2023, body={**body, "Para": 255})
    assert reply.status == 200
    assert living.ptz.moving(NOW) == "down"
    reply = await client.call(
        "CloudControl",
        V2023,
        query={"action": "PresetControl"},
        body={"StreamID": living.stream_id, "Cmd": "set", "Para": 4},
    )
    assert reply.status == 200
    assert set(living.ptz.presets) == {4}


async def test_cameras_that_cannot_move_are_refused(
    clocked: tuple[Emulator, Client, Clock],
) -> None:
    emu, client, _ = clocked
    cases = {
        "Front Gate": (403, "OperationDeny.PTZNotSupported"),
        "Attic": (400, "OperationDeny.DeviceOffline"),
        "West Slope": (403, "OperationDeny.NotGBStream"),
    }
    for title, expected in cases.items():
        stream = main_stream(emu, title)
        reply = await control(client, stream.stream_id, "PTZControl", "left", 255)
        assert (reply.status, reply.error) == expected, title
        assert stream.ptz.command(NOW) is None
        assert stream.ptz.view(NOW + 10) == HOME
    # A sub stream stands for its channel: the main stream's state moves.
    garden = main_stream(emu, "Garden")
    sub = emu.fleet.variant(garden, 1)
    assert sub is not None
    await ptz(client, sub.stream_id, "right", 255)
    assert garden.ptz.moving(NOW) == "right"
    assert sub.ptz.moving(NOW) is None


async def test_admin_endpoint(
    clocked: tuple[Emulator, Client, Clock], session: aiohttp.ClientSession
) -> None:
    emu, client, clock = clocked
    living = main_stream(emu, "Living Room")
    url = f"{emu.base_url}/_emulator/streams/{living.stream_id}/ptz"
    async with session.get(url) as resp:
        assert resp.status == 200
        data = await resp.json()
    assert data == {
        "StreamID": living.stream_id,
        "ptz_capable": True,
        "at": NOW,
        "view": {"pan": 0.0, "tilt": 0.0, "zoom": 1.0, "focus": 50.0, "iris": 50.0},
        "moving": None,
        "command": None,
        "presets": {},
    }
    await control(client, living.stream_id, "PresetControl", "set", 7)
    await ptz(client, living.stream_id, "left", 255)
    clock.now += 0.5
    async with session.get(url) as resp:
        data = await resp.json()
    assert data["view"]["pan"] == pytest.approx(330.0)
    assert data["moving"] == "left"
    assert data["command"] == {"cmd": "left", "para": 255, "since": NOW}
    assert data["presets"] == {"7": HOME.to_dict()}

    garden = main_stream(emu, "Garden")
    sub = emu.fleet.variant(garden, 1)
    assert sub is not None
    async with session.get(
        f"{emu.base_url}/_emulator/streams/{sub.stream_id}/ptz"
    ) as resp:
        data = await resp.json()
    assert (data["StreamID"], data["ptz_capable"]) == (garden.stream_id, True)
    for title in ("Front Gate", "East Terrace"):
        stream = main_stream(emu, title)
        async with session.get(
            f"{emu.base_url}/_emulator/streams/{stream.stream_id}/ptz"
        ) as resp:
            assert (await resp.json())["ptz_capable"] is False
    async with session.get(f"{emu.base_url}/_emulator/streams/nobody/ptz") as resp:
        assert resp.status == 404


def test_timeline_edge_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    state = Ptz()
    state.apply(NOW, "PTZControl", "right", 255)
    state.apply(NOW + 10, "PTZControl", "stop", 0)
    # The clock was set back: what followed the new command is forgotten.
    state.apply(NOW + 5, "PTZControl", "up", 255)
    assert state.moving(NOW + 20) is None  # tilted all the way up by then
    assert state.view(NOW + 20).pan == pytest.approx(300.0)
    assert state.command(NOW + 20) is not None
    # Two commands in one instant: the later one wins.
    state.apply(NOW + 30, "PTZControl", "left", 255)
    state.apply(NOW + 30, "PTZControl", "stop", 0)
    assert state.command(NOW + 31) is None

    # A track is hashable and equal for the same stretch, however it is asked for.
    track = state.track(NOW + 4, NOW + 6)
    assert track == state.track(NOW + 4, NOW + 6)
    assert hash(track) == hash(state.track(NOW + 4, NOW + 6))
    assert len(track.pieces) == 2
    assert track.view(NOW + 4) == state.view(NOW + 4)
    assert track.view(NOW + 5.5) == state.view(NOW + 5.5)
    assert track.view(NOW) == state.view(NOW + 4)  # not before its start
    still = state.track(NOW + 100, NOW + 102)
    assert still.pieces == (ptz_module.Piece(NOW + 100, state.view(NOW + 31)),)
    assert isinstance(still, Track)

    # Only the newest MAX_PIECES commands are kept; older views become the oldest
    # kept command's starting point.
    monkeypatch.setattr(ptz_module, "MAX_PIECES", 4)
    small = Ptz()
    for k in range(6):
        small.apply(NOW + k, "PTZControl", "right", 255)
    assert small.view(NOW - 100).pan == pytest.approx(120.0)
    assert small.view(NOW + 10).pan == pytest.approx(600.0 - 360.0)
    assert MAX_PIECES == 1024  # the real bound, untouched by the patch above

    assert pan_delta(350.0, 10.0) == pytest.approx(20.0)
    assert pan_delta(10.0, 350.0) == pytest.approx(-20.0)
    assert pan_delta(0.0, 180.0) == pytest.approx(180.0)


# -------------------------------------------------------------- pictures
@pytest.fixture(scope="module")
def factory() -> MediaFactory:
    return MediaFactory()


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (320, 180)])
def test_reader_finds_pan_and_zoom(
    factory: MediaFactory, size: tuple[int, int]
) -> None:
    width, height = size
    for zoom in (1.0, 1.7, 3.0):
        for pan in (0.0, 0.4, 47.5, 123.4, 180.0, 271.9, 359.6):
            for tilt in (-30.0, 0.0, 90.0):
                view = View(pan=pan, tilt=tilt, zoom=zoom)
                still = factory.jpeg(
                    "Cam", NOW + pan, width=width, height=height, view=view
                )
                reading = read_view(still)
                # The documented degree at 640 wide, scaled as 360 / (width * zoom).
                tolerance = STILL_PAN_TOLERANCE * 640 / width / zoom
                assert close_pan(reading.pan, pan, tolerance), (view, reading)
                assert reading.zoom == pytest.approx(zoom, rel=0.02), (view, reading)


def test_reader_with_a_known_zoom_and_its_limits(factory: MediaFactory) -> None:
    for zoom in (4.0, 6.0):
        for pan in (10.0, 33.0, 200.0):
            still = factory.jpeg("Cam", NOW, view=View(pan=pan, zoom=zoom))
            assert close_pan(read_pan(still, zoom=zoom), pan, STILL_PAN_TOLERANCE)
    # A single bar fills the picture: nothing to read.
    with pytest.raises(ValueError, match="too few colour-bar edges"):
        read_view(factory.jpeg("Cam", NOW, view=View(pan=0.0, zoom=10.0)), zoom=10.0)
    # One edge, but no zoom given.
    with pytest.raises(ValueError, match="too few colour-bar edges"):
        read_view(factory.jpeg("Cam", NOW, view=View(pan=10.0, zoom=10.0)))
    # Images are read too, and a fixed camera reads as home.
    reading = read_view(factory.painter(640, 360).render("Cam", NOW))
    assert close_pan(reading.pan, 0.0, 0.3)
    assert reading.zoom == pytest.approx(1.0, rel=0.01)


def test_the_picture_shows_the_view(factory: MediaFactory) -> None:
    painter = factory.painter(640, 360)
    view = View(pan=123.4, tilt=10.0, zoom=2.0)
    plain = np.asarray(painter.render("Cam", NOW))
    home = np.asarray(painter.render("Cam", NOW, HOME))
    moved = np.asarray(painter.render("Cam", NOW, view))
    # At home the bars are the fixed camera's; the position tile is new.
    assert painter.ptz_box is not None
    left, top, right, bottom = painter.ptz_box
    outside = np.ones(plain.shape[:2], dtype=bool)
    outside[top:bottom, left:right] = False
    outside[240:] = False  # the ramp is spread over 360 degrees, not the width
    assert np.array_equal(plain[outside], home[outside])
    assert not np.array_equal(
        plain[top:bottom, left:right], home[top:bottom, left:right]
    )
    assert not np.array_equal(home, moved)
    # Tilt moves the horizon between bars and ramp; zoom scales it about the middle.
    assert horizon_row(360, 0.0, 1.0) == 240
    assert horizon_row(360, 10.0, 2.0) > 240
    assert horizon_row(360, -30.0, 1.0) < 240
    assert horizon_row(360, 90.0, 1.0) == 360
    assert ptz_caption(view) == "P 123 T  10 Z  2.0x"
    assert ptz_caption(View(pan=359.7, tilt=-30.0, zoom=20.0)) == "P   0 T -30 Z 20.0x"

    # Video frames are the stills, exactly.
    for size in ((640, 360), (64, 36)):
        small = factory.painter(*size)
        for at, seen in ((NOW, view), (NOW + 0.7, View(pan=359.99, zoom=1.3))):
            planes = rgb_to_yuv420(np.asarray(small.render("Cam", at, seen)))
            expected = np.concatenate([plane.reshape(-1) for plane in planes])
            assert np.array_equal(
                small.render_yuv420("Cam", at, seen).reshape(-1), expected
            )
    # Too small a picture has no room for the position tile.
    assert factory.painter(64, 36).ptz_box is None


def test_media_cache_keys(factory: MediaFactory) -> None:
    fixed = factory.jpeg("Keys", NOW)
    assert factory.jpeg("Keys", NOW, view=None) is fixed
    at_home = factory.jpeg("Keys", NOW, view=HOME)
    assert at_home is not fixed
    assert factory.jpeg("Keys", NOW, view=View()) is at_home
    turned = factory.jpeg("Keys", NOW, view=View(pan=90.0))
    assert turned != at_home
    assert close_pan(read_pan(turned), 90.0, STILL_PAN_TOLERANCE)

    state = Ptz()
    state.apply(NOW + 0.5, "PTZControl", "right", 255)
    segment = factory.ts_segment("Keys", NOW, 1.0, track=state.track(NOW, NOW + 1))
    assert (
        factory.ts_segment("Keys", NOW, 1.0, track=state.track(NOW, NOW + 1)) is segment
    )
    assert factory.ts_segment("Keys", NOW, 1.0) is not segment
    pictures = frames(segment)
    assert close_pan(read_pan(pictures[0].to_image()), 0.0, VIDEO_PAN_TOLERANCE)
    assert close_pan(read_pan(pictures[9].to_image()), 24.0, VIDEO_PAN_TOLERANCE)
    clip = factory.mp4("Keys", NOW, 1.0, track=state.track(NOW, NOW + 1))
    assert factory.mp4("Keys", NOW, 1.0, track=state.track(NOW, NOW + 1)) is clip
    assert close_pan(read_pan(frames(clip)[9].to_image()), 24.0, VIDEO_PAN_TOLERANCE)


# ------------------------------------------------------- served over HTTP
async def _screenshots(
    client: Client, stream_id: str, lo: float, hi: float
) -> list[str]:
    reply = await client.call(
        "ListStreamScreenshots",
        V2023,
        body={"StreamID": stream_id, "StartTime": int(lo), "EndTime": int(hi)},
    )
    assert reply.status == 200, reply.data
    return [shot["Path"] for shot in reply.result]


def _instant(url: str) -> int:
    """The instant a still URL (`.../<at>.jpg?...`) shows."""
    return int(url.split("?", maxsplit=1)[0].rsplit("/", 1)[1].removesuffix(".jpg"))


async def test_screenshots_and_covers_show_the_move(
    clocked: tuple[Emulator, Client, Clock], session: aiohttp.ClientSession
) -> None:
    emu, client, clock = clocked
    living = main_stream(emu, "Living Room")
    sid = living.stream_id
    before = (await _screenshots(client, sid, NOW - 300, NOW))[-1]
    status, old = await fetch(session, before)
    assert status == 200
    assert close_pan(read_pan(old), 0.0, STILL_PAN_TOLERANCE)

    await ptz(client, sid, "right", 255)
    clock.now += 1.5
    await ptz(client, sid, "stop")
    clock.now += 1300  # past the next 10-minute recording file
    after = (await _screenshots(client, sid, NOW, clock.now))[-1]
    status, new = await fetch(session, after)
    assert status == 200
    assert new != old
    assert living.ptz.view(_instant(after)).pan == pytest.approx(90.0)
    assert close_pan(read_pan(new), 90.0, STILL_PAN_TOLERANCE)
    # A still of the past still shows the past.
    assert (await fetch(session, before))[1] == old

    reply = await client.call(
        "ListStreamRecords",
        V2023,
        body={"StreamID": sid, "StartTime": int(NOW - 600), "EndTime": int(clock.now)},
    )
    covers = {
        _instant(r["Record"]["Cover"]): r["Record"]["Cover"] for r in reply.result
    }
    assert len(covers) >= 2
    for start, url in covers.items():
        status, still = await fetch(session, url)
        assert status == 200
        expected = living.ptz.view(start).pan
        assert expected == pytest.approx(0.0 if start < NOW else 90.0)
        assert close_pan(read_pan(still), expected, STILL_PAN_TOLERANCE)

    # A sub stream shows its channel's view; fixed and RTMP cameras are as before.
    garden = main_stream(emu, "Garden")
    await ptz(client, garden.stream_id, "left", 255)
    clock.now += 1.0
    await ptz(client, garden.stream_id, "stop")
    sub = emu.fleet.variant(garden, 1)
    assert sub is not None
    at = int(clock.now) + 10
    for stream in (garden, sub):
        space = emu.fleet.spaces[stream.space_id]
        url = emu.links.screenshot(space, stream, at, clock.now)
        assert close_pan(read_pan((await fetch(session, url))[1]), 300.0, 1.0)
    for title in ("Front Gate", "East Terrace"):
        stream = main_stream(emu, title)
        space = emu.fleet.spaces[stream.space_id]
        status, still = await fetch(
            session, emu.links.screenshot(space, stream, at, clock.now)
        )
        assert status == 200
        assert still == emu.cdn.media.jpeg(stream.title, float(at))


async def test_live_segments_pan_with_the_camera(
    clocked: tuple[Emulator, Client, Clock], session: aiohttp.ClientSession
) -> None:
    emu, client, clock = clocked
    living = main_stream(emu, "Living Room")
    urls = (
        await client.call("GetStream", query={"StreamID": living.stream_id})
    ).result["PullUrls"]
    playlist = next(u for u in urls if ".m3u8" in u)
    base, query = playlist.rsplit("/", 1)[0], playlist.split("?", 1)[1]
    name = playlist.split("?")[0].rsplit("/", 1)[1].removesuffix(".m3u8")

    def segment_url(seq: int) -> str:
        return f"{base}/{name}/{seq}.ts?{query}"

    last = int(NOW // 2) - 1  # [NOW - 2, NOW)
    status, still_before = await fetch(session, segment_url(last))
    assert status == 200
    cached = len(emu.cdn.media._cache)
    assert (await fetch(session, segment_url(last)))[1] == still_before
    assert len(emu.cdn.media._cache) == cached  # an unmoved camera hits the cache

    await ptz(client, living.stream_id, "right", 255)
    clock.now += 6.0
    # The segment before the command is unchanged, and still served from the cache.
    assert (await fetch(session, segment_url(last)))[1] == still_before
    assert len(emu.cdn.media._cache) == cached
    for seq in (last + 1, last + 3):
        status, data = await fetch(session, segment_url(seq))
        assert status == 200
        pictures = frames(data)
        assert len(pictures) == 20
        start = seq * 2
        for k in (0, 1, 10, 19):
            expected = living.ptz.view(start + k / 10).pan
            seen = read_pan(pictures[k].to_image())
            assert close_pan(seen, expected, VIDEO_PAN_TOLERANCE), (seq, k, seen)
    assert living.ptz.view((last + 1) * 2 + 0.1).pan == pytest.approx(6.0)

    # A fixed camera's segment is exactly what it always was (same cache key).
    front = main_stream(emu, "Front Gate")
    urls = (await client.call("GetStream", query={"StreamID": front.stream_id})).result[
        "PullUrls"
    ]
    playlist = next(u for u in urls if ".m3u8" in u)
    seq = int(clock.now // 2) - 1
    url = playlist.replace(".m3u8?", f"/{seq}.ts?")
    status, data = await fetch(session, url)
    assert status == 200
    cached = len(emu.cdn.media._cache)
    start = float(seq * 2)
    expected = emu.cdn.media.ts_segment(
        front.title, start, 2.0, pts_origin=start - start % 86400
    )
    assert data == expected
    assert len(emu.cdn.media._cache) == cached


async def test_recordings_show_the_move(
    clocked: tuple[Emulator, Client, Clock], session: aiohttp.ClientSession
) -> None:
    emu, client, clock = clocked
    living = main_stream(emu, "Living Room")
    await ptz(client, living.stream_id, "right", 255)
    clock.now += 1.5
    await ptz(client, living.stream_id, "stop")
    clock.now += 60
    reply = await client.call(
        "PlayCloudRecord",
        V2023,
        body={
            "StreamID": living.stream_id,
            "StartTime": int(NOW - 4),
            "EndTime": int(NOW + 8),
        },
    )
    assert reply.status == 200, reply.data
    urls = reply.result
    status, body = await fetch(session, urls["hls"])
    assert status == 200
    segments = [x for x in body.decode().splitlines() if not x.startswith("#")]
    base = urls["hls"].rsplit("/", 1)[0]
    # Segments lie on an absolute 6-second grid: the second one holds the move.
    segment = segments[1]
    start = int(parse_qs(urlsplit(segment).query)["Start"][0]) / 1000
    assert start < NOW < NOW + 1.5 < start + 6
    status, data = await fetch(session, f"{base}/{segment}")
    assert status == 200
    pictures = frames(data)
    for k in (0, 29, 35, 59):
        expected = living.ptz.view(start + k / 10).pan
        seen = read_pan(pictures[k].to_image())
        assert close_pan(seen, expected, VIDEO_PAN_TOLERANCE), (k, seen, expected)
    status, data = await fetch(session, urls["mp4"])
    assert status == 200
    pictures = frames(data)
    assert len(pictures) == 120
    for k, pan in ((0, 0.0), (50, 60.0), (119, 90.0)):
        assert close_pan(read_pan(pictures[k].to_image()), pan, VIDEO_PAN_TOLERANCE)
