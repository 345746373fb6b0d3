"""The deterministic fleet generator, the demo fleet, mutations and status rules."""

from __future__ import annotations

import re
import time

import pytest

from emulator import Fleet
from emulator.model import GB, MAIN, OFFLINE, ONLINE, RTMP, SUB

UUID4 = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
GB_ID = re.compile(r"^(\d{8})(\d{2})(\d{3})(\d)(\d{6})$")


def gb_type(gb_id: str) -> str:
    match = GB_ID.match(gb_id)
    assert match, gb_id
    return match.group(3)


@pytest.mark.parametrize("channels", [1000, 10_000])
def test_generate_is_fast_and_exact(channels: int) -> None:
    # CPU time of this thread: what generating costs, not what other processes on a
    # busy machine (both CI releases, their browsers) take from it meanwhile.
    started = time.thread_time()
    fleet = Fleet.generate(spaces=5, channels=channels, seed=1)
    assert time.thread_time() - started < 1.0
    assert len(fleet.main_streams()) == channels
    assert len(fleet.spaces) == 5
    kinds = [s.access_type for s in fleet.spaces.values()]
    assert kinds.count(RTMP) == 1
    assert any(s.pull_on_demand for s in fleet.spaces.values())
    assert any(
        not s.pull_on_demand and s.access_type == GB for s in fleet.spaces.values()
    )


def test_generated_objects_are_realistic() -> None:
    fleet = Fleet.generate(spaces=5, channels=1000, seed=3)
    devices = list(fleet.devices.values())
    assert {d.type for d in devices} == {"IPC", "NVR"}
    assert any(d.status == OFFLINE for d in devices)
    assert {d.manufacturer for d in devices} >= {"Hikvision", "Dahua", "Uniview"}
    same_id = 0
    for device in devices:
        assert UUID4.match(device.device_id)
        assert gb_type(device.nsid) == ("118" if device.type == "NVR" else "132")
        assert device.nsid[:8] == fleet.spaces[device.space_id].region_code
        for channel_id in device.channels:
            channel = fleet.channels[device.device_id, channel_id]
            stream = fleet.streams[channel.stream_id]
            assert stream.name == f"{device.nsid}_{channel_id}"
            assert stream.streaming_type == MAIN
            if channel_id == device.nsid:
                same_id += 1
            else:
                assert gb_type(channel_id) == "131"
            if device.use_sub_stream:
                sub = fleet.streams[channel.sub_stream_id or ""]
                assert sub.streaming_type == SUB
                assert sub.main_id == stream.stream_id
            else:
                assert channel.sub_stream_id is None
    assert same_id > 0
    assert len({d.nsid for d in devices}) == len(devices)
    rtmp = [s for s in fleet.main_streams() if not s.is_gb]
    assert len(rtmp) == 100
    assert all(UUID4.match(s.stream_id) for s in rtmp)
    modes = {s.record_mode for s in fleet.main_streams()}
    assert modes == {None, "continuous", "events"}
    assert any(s.screenshot for s in fleet.main_streams())


def test_generation_is_deterministic() -> None:
    a = Fleet.generate(spaces=3, channels=50, seed=9)
    b = Fleet.generate(spaces=3, channels=50, seed=9)
    c = Fleet.generate(spaces=3, channels=50, seed=10)
    assert list(a.streams) == list(b.streams)
    assert [d.name for d in a.devices.values()] == [d.name for d in b.devices.values()]
    assert list(a.streams) != list(c.streams)
    assert list(Fleet.demo().streams) == list(Fleet.demo().streams)
    one = Fleet.generate(spaces=1, channels=3)
    assert [s.access_type for s in one.spaces.values()] == [GB]
    assert len(Fleet.generate(spaces=2, channels=0).main_streams()) == 0
    with pytest.raises(ValueError, match="space"):
        Fleet.generate(spaces=0)


def test_demo_fleet() -> None:
    fleet = Fleet.demo()
    spaces = {s.name: s for s in fleet.spaces.values()}
    assert set(spaces) == {"Home", "Farm", "Tea Garden Live"}
    assert spaces["Farm"].pull_on_demand
    assert spaces["Tea Garden Live"].access_type == RTMP
    devices = {d.name: d for d in fleet.devices.values()}
    nvr = devices["Courtyard NVR"]
    assert (nvr.type, nvr.manufacturer, nvr.model) == ("NVR", "Hikvision", "DS-7604NI")
    names = [fleet.channels[nvr.device_id, c].name for c in nvr.channels]
    assert names == ["Front Gate", "Garden", "Garage", "Back Door"]
    assert devices["Attic"].status == OFFLINE
    assert devices["Living Room"].channels == [devices["Living Room"].nsid]
    tea = [
        fleet.streams[s].name
        for s in fleet.space_streams[spaces["Tea Garden Live"].space_id]
    ]
    assert tea == ["tea-garden-east", "tea-garden-west"]


def test_mutations() -> None:
    fleet = Fleet.demo()
    fleet.clock = lambda: 1000.0
    home = next(s for s in fleet.spaces.values() if s.name == "Home")
    tea = next(s for s in fleet.spaces.values() if s.name == "Tea Garden Live")
    living = next(d for d in fleet.devices.values() if d.name == "Living Room")
    before = len(fleet.main_streams())
    new_ipc = fleet.add_channel(home.space_id, name="Porch")
    assert new_ipc.title == "Porch"
    assert fleet.devices[new_ipc.device_id or ""].type == "IPC"
    extra = fleet.add_channel(home.space_id, living.device_id, name="Living Room 2")
    assert living.type == "NVR"
    assert len(living.channels) == 2
    rtmp = fleet.add_channel(tea.space_id, name="New Hill!")
    assert rtmp.name.startswith("new-hill-")
    assert len(fleet.main_streams()) == before + 3
    fleet.remove_stream(extra.stream_id)
    assert len(living.channels) == 1
    fleet.remove_stream(rtmp.stream_id)
    assert (tea.app, rtmp.name) not in fleet.by_name
    nvr = next(d for d in fleet.devices.values() if d.name == "Courtyard NVR")
    front = fleet.channels[nvr.device_id, nvr.channels[0]]
    sub_id = front.sub_stream_id
    assert sub_id is not None
    fleet.remove_stream(sub_id)
    assert front.sub_stream_id is None
    back = fleet.channels[nvr.device_id, nvr.channels[3]]
    back_sub = back.sub_stream_id
    fleet.remove_stream(back.stream_id)
    assert back_sub not in fleet.streams
    assert len(nvr.channels) == 3
    with pytest.raises(KeyError):
        fleet.add_channel("nope")
    with pytest.raises(KeyError):
        fleet.add_channel(home.space_id, "no-device")
    with pytest.raises(KeyError):
        fleet.add_device(tea.space_id, "x")
    with pytest.raises(KeyError):
        fleet.add_rtmp_stream(home.space_id, "x")
    with pytest.raises(ValueError, match="mode"):
        fleet.set_recording(new_ipc.stream_id, "sometimes")
    with pytest.raises(ValueError, match="positive"):
        fleet.set_recording(new_ipc.stream_id, "events", events_per_day=0)
    fleet.set_screenshots(new_ipc.stream_id, enabled=True)
    assert fleet.streams[new_ipc.stream_id].screenshot
    # A sub stream whose channel went away is removed on its own.
    orphan = fleet.streams[
        (nvr.channels and fleet.channels[nvr.device_id, nvr.channels[1]].sub_stream_id)
        or ""
    ]
    del fleet.channels[nvr.device_id, nvr.channels[1]]
    fleet.remove_stream(orphan.stream_id)
    assert orphan.stream_id not in fleet.streams


def test_status_rules() -> None:
    fleet = Fleet.demo()
    now = [5000.0]
    fleet.clock = lambda: now[0]
    fleet.on_demand_idle = 300
    devices = {d.name: d for d in fleet.devices.values()}
    living = fleet.streams[
        fleet.channels[
            devices["Living Room"].device_id, devices["Living Room"].channels[0]
        ].stream_id
    ]
    attic = fleet.streams[
        fleet.channels[
            devices["Attic"].device_id, devices["Attic"].channels[0]
        ].stream_id
    ]
    barn = fleet.streams[
        fleet.channels[devices["Barn"].device_id, devices["Barn"].channels[0]].stream_id
    ]
    assert fleet.stream_status(living, now[0]) == ONLINE
    assert fleet.stream_status(attic, now[0]) == OFFLINE
    assert fleet.stream_status(barn, now[0]) in (OFFLINE, "init")
    assert fleet.on_demand(barn)
    assert not fleet.on_demand(living)
    fleet.start_session(barn, now[0])
    assert fleet.stream_status(barn, now[0] + 299) == ONLINE
    assert fleet.stream_status(barn, now[0] + 300) == OFFLINE
    fleet.touch(barn, now[0] + 200)  # a CDN fetch keeps it alive
    assert fleet.stream_status(barn, now[0] + 450) == ONLINE
    fleet.start_session(barn, now[0] + 460)  # still running: same session
    assert len(barn.sessions) == 1
    fleet.stop_session(barn, now[0] + 470)
    assert fleet.stream_status(barn, now[0] + 471) == OFFLINE
    assert fleet.was_online(barn, now[0] + 100)
    assert not fleet.was_online(barn, now[0] + 480)
    fleet.start_session(barn, now[0] + 1000)
    assert len(barn.sessions) == 2
    # Device and forced status changes are logged.
    now[0] = 6000.0
    fleet.set_device_status(devices["Living Room"].device_id, OFFLINE)
    assert fleet.stream_status(living, now[0]) == OFFLINE
    assert fleet.was_online(living, 5999.0)
    assert not fleet.was_online(living, 6001.0)
    assert not fleet.was_online(attic, 100.0)
    tea = next(s for s in fleet.streams.values() if s.name == "tea-garden-west")
    assert fleet.was_online(tea, 10.0)
    now[0] = 7000.0
    fleet.set_stream_status(tea.stream_id, OFFLINE)
    assert fleet.stream_status(tea, now[0]) == OFFLINE
    assert not fleet.was_online(tea, 7001.0)
    fleet.set_stream_status(tea.stream_id, None)
    assert fleet.stream_status(tea, now[0]) == ONLINE
    nvr = devices["Courtyard NVR"]
    garage = fleet.channels[nvr.device_id, nvr.channels[2]]
    garage.online = False
    assert fleet.stream_status(fleet.streams[garage.stream_id], now[0]) == OFFLINE
    # Sub streams are pulled on demand.
    sub = fleet.variant(
        fleet.streams[fleet.channels[nvr.device_id, nvr.channels[0]].stream_id], 1
    )
    assert sub is not None
    assert fleet.on_demand(sub)
    assert fleet.variant(sub, 0) is not None
    assert fleet.variant(living, 1) is None
    assert fleet.variant(tea, 1) is None


def test_reset() -> None:
    fleet = Fleet.generate(spaces=2, channels=10, seed=4)
    fleet.clock = lambda: 1.0
    ids = list(fleet.streams)
    fleet.remove_stream(fleet.main_streams()[0].stream_id)
    fleet.reset()
    assert list(fleet.streams) == ids
    assert fleet.clock() == 1.0
    with pytest.raises(RuntimeError):
        Fleet().reset()


def test_stop_when_idle_and_orphans() -> None:
    fleet = Fleet.demo()
    barn = next(s for s in fleet.main_streams() if s.title == "Barn")
    fleet.stop_session(barn, 100.0)  # not running: nothing to end
    assert barn.sessions == []
    assert barn.active_until == 100.0
    del fleet.devices[barn.device_id or ""]
    assert not fleet.was_online(barn, 50.0)
