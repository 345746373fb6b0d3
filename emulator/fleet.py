"""The Fleet of one account, and the fleets the emulator is built with.

`Fleet.demo` is the demo's small fleet (most tests use it), `Fleet.generate` one of
any size; `reset` rebuilds a fleet as it was built. A Fleet is an `inventory` (what
it holds, how that is created and removed) with `schedules` (when its streams are
online, what they record).
"""

from __future__ import annotations

from collections.abc import Callable

from .model import GB, RTMP, Space
from .schedules import DEFAULT_EVENTS_PER_DAY, Schedules

_PLACES = (
    "东门", "西门", "南广场", "北入口", "大厅", "前台", "停车场", "仓库", "走廊", "电梯口",
    "机房", "楼顶", "后院", "收银台", "配电房", "食堂", "操场", "车库", "围墙", "码头",
)  # fmt: skip
_BUILDINGS = ("1号楼", "2号楼", "3号楼", "A座", "B座", "物流园", "生产车间", "办公区")
_SPACE_NAMES = (
    "园区安防",
    "门店监控",
    "工地看护",
    "社区平安",
    "景区直播",
    "仓储监控",
    "校园安全",
)
# The PTZType values of cameras that turn: a dome, a remote-controlled bullet.
PTZ_CAPABLE = frozenset({1, 4})


class Fleet(Schedules):
    """Spaces, devices, channels and streams of one account, and how it was built."""

    def __init__(self, seed: int = 1) -> None:
        """Create an empty fleet whose generated IDs come from `seed`."""
        super().__init__(seed)
        self._recipe: Callable[[], Fleet] | None = None

    @classmethod
    def demo(cls, seed: int = 1, *, outages: bool = True) -> Fleet:
        """A small, pretty fleet for the demo and most tests.

        `outages=False` records the continuous cameras without their random daily
        outages (tests place the gaps they need with `set_recording(pauses=...)`).

        * GB space "Home": NVR "Courtyard NVR" (Hikvision DS-7604NI; Front Gate,
          Garden (a PTZ dome reporting its own model), Garage, Back Door, with sub
          streams), IPC "Living Room" (PTZ), offline IPC "Attic".
        * GB space "Farm" with `PullOnDemand`: PTZ IPC "Barn".
        * RTMP space "Tea Garden Live" with two streams.
        """
        fleet = cls(seed)
        fleet._recipe = lambda: cls.demo(seed, outages=outages)
        home = fleet.add_space(
            "Home",
            description="家庭监控",
            screenshot=True,
            record=True,
            region_code="34020000",
        )
        nvr = fleet.add_device(
            home.space_id,
            "Courtyard NVR",
            nvr=True,
            channel_names=["Front Gate", "Garden", "Garage", "Back Door"],
            manufacturer="Hikvision",
            model="DS-7604NI",
            ptz_type=3,
            resolution="6/3",
            use_sub_stream=True,
        )
        nvr.description = "院子录像机"
        nvr.location = "车库机柜"
        # Garden is a dome whose own model the NVR passes on; for the others it
        # gives its own.
        garden = fleet.channels[nvr.device_id, nvr.channels[1]]
        garden.ptz_type = 1
        garden.model = "DS-2DE2A404IW-DE3"
        living = fleet.add_device(
            home.space_id,
            "Living Room",
            manufacturer="TP-LINK",
            model="TL-IPC44AW",
            ptz_type=1,
            resolution="5/3/2",
        )
        attic = fleet.add_device(
            home.space_id,
            "Attic",
            online=False,
            manufacturer="Uniview",
            model="IPC2124LR3-PF40",
            ptz_type=3,
        )
        attic.description = "阁楼"
        modes = {0: "continuous", 1: "events", 3: "continuous"}
        for index, channel_id in enumerate(nvr.channels):
            stream_id = fleet.channels[nvr.device_id, channel_id].stream_id
            fleet.set_recording(stream_id, modes.get(index), events_per_day=48)
        fleet.set_recording(
            fleet.channels[living.device_id, living.channels[0]].stream_id, "continuous"
        )
        farm = fleet.add_space(
            "Farm",
            description="农场 (按需拉流)",
            pull_on_demand=True,
            region_code="34020000",
        )
        barn = fleet.add_device(
            farm.space_id,
            "Barn",
            manufacturer="Hikvision",
            model="DS-2DE4425IW-DE",
            ptz_type=1,
            resolution="6/5/3",
            same_channel_id=False,
        )
        tea = fleet.add_space(
            "Tea Garden Live",
            access_type=RTMP,
            description="茶园慢直播",
            screenshot=True,
            record=True,
            trans="ld",
        )
        east = fleet.add_rtmp_stream(
            tea.space_id,
            "tea-garden-east",
            title="East Terrace",
            description="东坡茶园",
        )
        fleet.add_rtmp_stream(
            tea.space_id, "tea-garden-west", title="West Slope", description="西坡茶园"
        )
        fleet.set_recording(east.stream_id, "continuous")
        for stream in fleet.streams.values():
            stream.record_outages = outages
        # Alarms: the gate often, the back door and the living room now and then,
        # the barn rarely; the garden and garage report none; Attic is offline.
        for device in (nvr, living, barn):
            device.alerts = True
        rates = {0: 6.0, 3: 2.0}
        for index, channel_id in enumerate(nvr.channels):
            stream_id = fleet.channels[nvr.device_id, channel_id].stream_id
            fleet.streams[stream_id].alarms_per_hour = rates.get(index, 0.0)
        for device, rate in ((living, 1.0), (barn, 0.5)):
            stream_id = fleet.channels[device.device_id, device.channels[0]].stream_id
            fleet.streams[stream_id].alarms_per_hour = rate
        return fleet

    @classmethod
    def generate(
        cls,
        spaces: int = 5,
        channels: int = 1000,
        seed: int = 1,
        *,
        events_per_day: int = DEFAULT_EVENTS_PER_DAY,
    ) -> Fleet:
        """Build `spaces` spaces holding exactly `channels` main streams in total.

        Every fifth space is an RTMP space (about a tenth of the streams); the rest
        are GB spaces, every third of them with `PullOnDemand`. GB spaces fill up
        with IPCs and NVRs (4/8/16 channels); ~5 % of devices are offline, ~40 %
        have sub streams. About half of the always-on streams record continuously
        and a fifth record events; even-numbered spaces take screenshots.
        """
        if spaces < 1 or channels < 0:
            raise ValueError("need at least one space and a non-negative channel count")
        fleet = cls(seed)
        fleet._recipe = lambda: cls.generate(
            spaces, channels, seed, events_per_day=events_per_day
        )
        rng = fleet.rng
        n_rtmp = spaces // 5
        kinds = [RTMP if i >= spaces - n_rtmp else GB for i in range(spaces)]
        rtmp_total = max(n_rtmp, channels // 10) if n_rtmp else 0
        rtmp_total = min(rtmp_total, channels)
        shares = _split(channels - rtmp_total, spaces - n_rtmp) + _split(
            rtmp_total, n_rtmp
        )
        for index, (kind, share) in enumerate(zip(kinds, shares, strict=True)):
            on_demand = kind == GB and index % 3 == 1
            space = fleet.add_space(
                f"{_SPACE_NAMES[index % len(_SPACE_NAMES)]} {index + 1}",
                access_type=kind,
                pull_on_demand=on_demand,
                description=f"自动生成的空间 #{index + 1}",
                screenshot=index % 2 == 0,
                record=not on_demand,
                trans="ld" if index % 2 == 0 else None,
            )
            if kind == RTMP:
                for k in range(share):
                    fleet.add_rtmp_stream(
                        space.space_id,
                        f"live-{index + 1}-{k + 1:05d}",
                        title=f"Live {index + 1}-{k + 1}",
                        description=f"慢直播 {k + 1}",
                        pushing=rng.random() < 0.9,
                    )
            else:
                fleet._fill_gb_space(space, share)
            if not on_demand:
                for stream_id in fleet.space_streams[space.space_id]:
                    stream = fleet.streams[stream_id]
                    device = fleet.devices.get(stream.device_id or "")
                    if device is not None and not device.initially_online:
                        continue
                    roll = rng.random()
                    if roll < 0.5:
                        stream.record_mode = "continuous"
                    elif roll < 0.7:
                        stream.record_mode = "events"
                    stream.events_per_day = events_per_day
        return fleet

    def _fill_gb_space(self, space: Space, count: int) -> None:
        rng = self.rng
        remaining = count
        serial = 0
        while remaining > 0:
            serial += 1
            online = rng.random() >= 0.05
            subs = rng.random() < 0.4
            if remaining >= 2 and rng.random() < 0.25:
                size = min(remaining, rng.choice((4, 8, 16)))
                building = rng.choice(_BUILDINGS)
                names = [
                    f"{building}{rng.choice(_PLACES)}-{k + 1:02d}" for k in range(size)
                ]
                device = self.add_device(
                    space.space_id,
                    f"{building} NVR-{serial}",
                    nvr=True,
                    channel_names=names,
                    online=online,
                    use_sub_stream=subs,
                )
                for channel_id in device.channels:
                    if rng.random() < 0.05:
                        self.channels[device.device_id, channel_id].online = False
                remaining -= size
            else:
                self.add_device(
                    space.space_id,
                    f"{rng.choice(_PLACES)}-{serial:03d}",
                    online=online,
                    use_sub_stream=subs,
                    same_channel_id=rng.random() < 0.7,
                )
                remaining -= 1

    def reset(self) -> None:
        """Rebuild the fleet as it was generated (drops every mutation)."""
        if self._recipe is None:
            raise RuntimeError("this fleet was built by hand and cannot be reset")
        fresh = self._recipe()
        clock, idle = self.clock, self.on_demand_idle
        self.__dict__.update(fresh.__dict__)
        self.clock, self.on_demand_idle = clock, idle


def _split(total: int, parts: int) -> list[int]:
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
