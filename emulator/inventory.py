"""What a fleet holds: spaces, devices, channels and streams, and their indexes.

`Inventory` creates them (with the cloud's IDs, GB/T 28181 20-digit ids, domains and
the cameras' makes and models), looks them up and removes them. Everything is
derived from one seeded RNG, so a seed always gives the same IDs and names.
`schedules` adds when the streams are online and what they record, `fleet` the
fleets the emulator is built with.
"""

from __future__ import annotations

import random
import string
import uuid

from .model import (
    GB,
    MAIN,
    OFFLINE,
    ONLINE,
    RTMP,
    SUB,
    Channel,
    Device,
    Space,
    Stream,
    Template,
)

# A fixed epoch for creation times (2023-03-01T00:00:00Z) keeps output reproducible.
EPOCH = 1_677_628_800.0

# IPC: (manufacturer, model, PTZType, resolution codes); NVR: (manufacturer, model).
_IPC_MODELS = (
    ("Hikvision", "DS-2CD2143G2-I", 3, "6/3"),
    ("Hikvision", "DS-2CD3T47G2-LSU", 3, "6/5/3"),
    ("Hikvision", "DS-2DE4425IW-DE", 1, "6/5/3"),
    ("Dahua", "IPC-HFW2431S-S-S2", 3, "6/3"),
    ("Dahua", "IPC-HDW3441TM-AS", 2, "6/3"),
    ("Dahua", "SD49425XB-HNR", 1, "6/5/3"),
    ("Uniview", "IPC2124LR3-PF40", 3, "5/3"),
    ("Uniview", "IPC6322LR-X22", 4, "6/3"),
    ("TP-LINK", "TL-IPC44AW", 1, "5/3/2"),
)
_NVR_MODELS = (
    ("Hikvision", "DS-7604NI"),
    ("Hikvision", "DS-7608NI-K2"),
    ("Hikvision", "DS-7616NI-Q2"),
    ("Dahua", "DHI-NVR4108HS-8P-4KS2"),
    ("Dahua", "DHI-NVR2104HS"),
    ("Uniview", "NVR301-08S3"),
)
_REGION_CODES = ("34020000", "44030500", "11010500", "31011500", "33010600", "51010700")
_CLOUD_REGIONS = ("cn-qingdao-a", "cn-shanghai-a", "cn-guangzhou-a")

# Types of the GB/T 28181 20-digit id (API notes §5).
TYPE_NVR = "118"
TYPE_CAMERA = "131"
TYPE_IPC = "132"
TYPE_SIP = "200"


class Inventory:
    """Spaces, devices, channels and streams of one account, with indexes."""

    def __init__(self, seed: int = 1) -> None:
        """Create an empty fleet whose generated IDs come from `seed`."""
        self.seed = seed
        self.rng = random.Random(seed)
        self.spaces: dict[str, Space] = {}
        self.devices: dict[str, Device] = {}
        self.channels: dict[tuple[str, str], Channel] = {}
        self.streams: dict[str, Stream] = {}
        self.space_devices: dict[str, list[str]] = {}
        self.space_streams: dict[str, list[str]] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        self._serials: dict[tuple[str, str], int] = {}
        self._created = EPOCH

    # ------------------------------------------------------------------ ids
    def new_uuid(self) -> str:
        """Return a UUIDv4 string from the fleet's RNG."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def gb_id(self, region: str, type_code: str) -> str:
        """Return a fresh 20-digit GB id: region, industry 00, type, network 0, serial."""
        key = (region, type_code)
        serial = self._serials.get(key, 0) + 1
        self._serials[key] = serial
        return f"{region}00{type_code}0{serial:06d}"

    def _token(
        self, length: int, alphabet: str = string.ascii_lowercase + string.digits
    ) -> str:
        return "".join(self.rng.choices(alphabet, k=length))

    def _tick(self, seconds: float) -> float:
        # Creation times increase in creation order, a little apart.
        self._created += seconds
        return self._created

    # --------------------------------------------------------------- create
    def add_space(
        self,
        name: str,
        *,
        access_type: str = GB,
        pull_on_demand: bool = False,
        description: str = "",
        screenshot: bool = False,
        record: bool = False,
        trans: str | None = None,
        region_code: str | None = None,
    ) -> Space:
        """Create a space (GB or RTMP) with its domains, SIP server and templates."""
        created = self._tick(86400.0 * 3)
        region_code = region_code or self.rng.choice(_REGION_CODES)
        space = Space(
            space_id=self.new_uuid(),
            name=name,
            description=description,
            access_type=access_type,
            region=self.rng.choice(_CLOUD_REGIONS),
            pull_on_demand=pull_on_demand,
            created_at=created,
            app=self._token(16),
            pull_domain=f"{self._token(16)}.pull.aiotvideo.volces.com",
            push_domain=f"{self._token(16)}.push.aiotvideo.volces.com",
            url_key=self._token(32, "0123456789abcdef"),
            sip_id=self.gb_id(region_code, TYPE_SIP),
            region_code=region_code,
            trans_template=trans,
            tags=[("owner", "emulator")],
        )
        if screenshot:
            space.screenshot_template = Template(
                f"tpl-shot-{self._token(8)}", "每分钟截图", created + 600
            )
        if record:
            space.record_template = Template(
                f"tpl-rec-{self._token(8)}", "云端录像30天", created + 600
            )
        self.spaces[space.space_id] = space
        self.space_devices[space.space_id] = []
        self.space_streams[space.space_id] = []
        return space

    def add_device(
        self,
        space_id: str,
        name: str,
        *,
        nvr: bool = False,
        channel_names: list[str] | None = None,
        online: bool = True,
        manufacturer: str | None = None,
        model: str | None = None,
        ptz_type: int | None = None,
        resolution: str | None = None,
        use_sub_stream: bool = False,
        same_channel_id: bool = True,
    ) -> Device:
        """Register a GB device in `space_id` with its channels and streams."""
        space = self._gb_space(space_id)
        rng = self.rng
        if nvr:
            maker, nvr_model = rng.choice(_NVR_MODELS)
            cam = rng.choice(_IPC_MODELS)
            make, mdl = manufacturer or maker, model or nvr_model
            default_ptz, default_res = cam[2], cam[3]
        else:
            cam = rng.choice(_IPC_MODELS)
            make, mdl = manufacturer or cam[0], model or cam[1]
            default_ptz, default_res = cam[2], cam[3]
        created = self._tick(3600.0 * 7)
        nsid = self.gb_id(space.region_code, TYPE_NVR if nvr else TYPE_IPC)
        lon = round(116.0 + rng.random() * 5, 6)
        lat = round(30.0 + rng.random() * 9, 6)
        device = Device(
            device_id=self.new_uuid(),
            nsid=nsid,
            name=name,
            type="NVR" if nvr else "IPC",
            space_id=space_id,
            status=ONLINE if online else OFFLINE,
            manufacturer=make,
            model=mdl,
            created_at=created,
            username=nsid,
            password=self._token(12, string.ascii_letters + string.digits),
            ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(2, 250)}",
            longitude=lon,
            latitude=lat,
            use_sub_stream=use_sub_stream,
            ptz_type=default_ptz if ptz_type is None else ptz_type,
            resolution=resolution or default_res,
            initially_online=online,
            auto_pull=rng.random() < 0.8,
            rtp_tcp=rng.random() < 0.7,
        )
        self.devices[device.device_id] = device
        self.space_devices[space_id].append(device.device_id)
        for index, channel_name in enumerate(channel_names or [name]):
            same = not nvr and index == 0 and same_channel_id
            self._add_channel(device, channel_name, same_id=same)
        return device

    def _add_channel(
        self, device: Device, name: str, *, same_id: bool = False
    ) -> Stream:
        space = self.spaces[device.space_id]
        channel_id = (
            device.nsid if same_id else self.gb_id(space.region_code, TYPE_CAMERA)
        )
        created = self._tick(60.0)
        stream = self._new_stream(
            space,
            name=f"{device.nsid}_{channel_id}",
            title=name,
            created=created,
            device=device,
            channel_id=channel_id,
        )
        channel = Channel(
            channel_id=channel_id,
            device_id=device.device_id,
            name=name,
            stream_id=stream.stream_id,
            created_at=created,
            ptz_type=device.ptz_type,
            resolution=device.resolution,
            ip=device.ip,
            port=8000 if device.manufacturer == "Hikvision" else 37777,
            civil_code=space.region_code[:6],
            longitude=device.longitude,
            latitude=device.latitude,
        )
        if device.use_sub_stream:
            sub = self._new_stream(
                space,
                name=f"{device.nsid}_{channel_id}_sub",
                title=name,
                created=created,
                device=device,
                channel_id=channel_id,
                main=stream,
            )
            channel.sub_stream_id = sub.stream_id
        self.channels[device.device_id, channel_id] = channel
        device.channels.append(channel_id)
        return stream

    def _new_stream(
        self,
        space: Space,
        *,
        name: str,
        title: str,
        created: float,
        device: Device | None = None,
        channel_id: str | None = None,
        main: Stream | None = None,
        description: str = "",
    ) -> Stream:
        stream = Stream(
            stream_id=self.new_uuid(),
            space_id=space.space_id,
            name=name,
            title=title,
            streaming_type=SUB if main is not None else MAIN,
            created_at=created,
            seed=self.rng.getrandbits(32),
            device_id=device.device_id if device is not None else None,
            channel_id=channel_id,
            description=description
            or (f"channel: {channel_id}@device: {device.nsid}" if device else ""),
            screenshot=space.screenshot_template is not None and main is None,
            idle_status="init" if self.rng.random() < 0.3 else OFFLINE,
        )
        stream.main_id = main.stream_id if main is not None else stream.stream_id
        self.streams[stream.stream_id] = stream
        self.by_name[space.app, name] = stream.stream_id
        if main is None:
            self.space_streams[space.space_id].append(stream.stream_id)
        return stream

    def add_rtmp_stream(
        self,
        space_id: str,
        name: str,
        *,
        title: str | None = None,
        description: str = "",
        pushing: bool = True,
    ) -> Stream:
        """Create a stream in an RTMP space (no device, pushed by the customer)."""
        space = self.spaces.get(space_id)
        if space is None or space.access_type != RTMP:
            raise KeyError(f"no RTMP space {space_id!r}")
        stream = self._new_stream(
            space,
            name=name,
            title=title or name,
            created=self._tick(600.0),
            description=description,
        )
        stream.pushing = pushing
        return stream

    def add_channel(
        self,
        space_id: str,
        device_id: str | None = None,
        name: str = "New Camera",
    ) -> Stream:
        """Add a camera and return its (main) stream.

        In a GB space: a new channel on `device_id` (which becomes an NVR if it was an
        IPC), or a new single-channel IPC when `device_id` is None. In an RTMP space:
        a new RTMP stream.
        """
        space = self.spaces.get(space_id)
        if space is None:
            raise KeyError(f"no space {space_id!r}")
        if space.access_type == RTMP:
            slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
            return self.add_rtmp_stream(
                space_id, f"{slug or 'stream'}-{self._token(4)}", title=name
            )
        if device_id is None:
            added = self.add_device(space_id, name)
            return self.streams[
                self.channels[added.device_id, added.channels[0]].stream_id
            ]
        device = self.devices.get(device_id)
        if device is None or device.space_id != space_id:
            raise KeyError(f"no device {device_id!r} in space {space_id!r}")
        device.type = "NVR" if device.channels else device.type
        return self._add_channel(device, name)

    # -------------------------------------------------------------- remove
    def remove_stream(self, stream_id: str) -> None:
        """Delete a stream; a GB main stream takes its channel (and sub stream) along."""
        stream = self.streams.pop(stream_id)
        space = self.spaces[stream.space_id]
        self.by_name.pop((space.app, stream.name), None)
        if stream.streaming_type == SUB:
            channel = self.channel_of(stream)
            if channel is not None:
                channel.sub_stream_id = None
            return
        self.space_streams[stream.space_id].remove(stream_id)
        if stream.device_id is None or stream.channel_id is None:
            return
        channel = self.channels.pop((stream.device_id, stream.channel_id))
        self.devices[stream.device_id].channels.remove(stream.channel_id)
        if channel.sub_stream_id is not None:
            sub = self.streams.pop(channel.sub_stream_id)
            self.by_name.pop((space.app, sub.name), None)

    # ------------------------------------------------------------- queries
    def _gb_space(self, space_id: str) -> Space:
        space = self.spaces.get(space_id)
        if space is None or space.access_type != GB:
            raise KeyError(f"no GB space {space_id!r}")
        return space

    def channel_of(self, stream: Stream) -> Channel | None:
        """Return the GB channel behind a stream (None for RTMP)."""
        if stream.device_id is None or stream.channel_id is None:
            return None
        return self.channels.get((stream.device_id, stream.channel_id))

    def variant(self, stream: Stream, index: int) -> Stream | None:
        """Return the main (0) or sub (1) stream of the channel `stream` belongs to."""
        main = self.streams.get(stream.main_id or stream.stream_id, stream)
        if index == 0:
            return main
        channel = self.channel_of(main)
        if index == 1 and channel is not None and channel.sub_stream_id is not None:
            return self.streams.get(channel.sub_stream_id)
        return None

    def main_streams(self) -> list[Stream]:
        """Every main stream (GB channel or RTMP stream) in creation order."""
        return [self.streams[sid] for ids in self.space_streams.values() for sid in ids]
