"""Fleet objects -> the API's JSON shapes (API notes §4), with the real shape quirks.

The SDKs and docs disagree on several shapes (API notes §7), and the live service is
known to be inconsistent; with `quirks` on (the default) each of these is chosen
per object, deterministically from the seed and the object's id:

* numbers as strings: `PageNumber`/`PageSize`/`TotalCount` on some list pages,
  `ChannelNum` on some devices;
* `AutoPullAfterRegiter` (sic) on some devices, `AutoPullAfterRegister` on others;
* GetDeviceChannelsV2 `DeviceItem` as an object or a one-element list;
* `TransPullUrls` as a map (template -> URLs) or a flat list;
* `DeviceSubStreams` as a list or a map keyed by channel;
* `CreatedAt`/`UpdatedAt` as `2021-11-11T11:28:30+08:00` or `2023-10-01 10:10:09`;
* the order of `PullUrls`.

With quirks off every shape takes its documented form (first alternative above;
TransPullUrls a map, except StartStream's documented list).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
import hashlib
from typing import TYPE_CHECKING, Any

from .model import GB, ONLINE

if TYPE_CHECKING:
    from .fleet import Fleet
    from .links import Links
    from .model import Channel, Device, Space, Stream

BEIJING = timezone(timedelta(hours=8))


def quirk(seed: int, *parts: str) -> bool:
    """A deterministic coin flip for (seed, parts)."""
    material = "|".join((str(seed), *parts)).encode()
    return hashlib.blake2b(material, digest_size=2).digest()[0] & 1 == 1


def rfc3339(at: float) -> str:
    """`2021-11-11T11:28:30+08:00` (Beijing time)."""
    return datetime.fromtimestamp(at, BEIJING).isoformat(timespec="seconds")


def plain_time(at: float) -> str:
    """`2023-10-01 10:10:09` (Beijing time)."""
    return datetime.fromtimestamp(at, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class Renderer:
    """Renders objects of one fleet at one instant."""

    def __init__(
        self, fleet: Fleet, links: Links, now: float, *, quirks: bool, seed: int
    ) -> None:
        """Render `fleet` at time `now`; `quirks` switches the shape variations."""
        self.fleet = fleet
        self.links = links
        self.now = now
        self.quirks = quirks
        self.seed = seed

    def flip(self, *parts: str) -> bool:
        """Whether the quirk named by `parts` applies (never with quirks off)."""
        return self.quirks and quirk(self.seed, *parts)

    def time(self, ident: str, at: float) -> str:
        """A creation/update time in the object's (quirky) format."""
        return plain_time(at) if self.flip("time", ident) else rfc3339(at)

    def number(self, value: int, *parts: str) -> int | str:
        """`value`, as a string where the quirk says so."""
        return str(value) if self.flip("num", *parts) else value

    def page(
        self,
        key: str,
        items: list[dict[str, Any]],
        *,
        number: int,
        size: int,
        total: int,
        salt: str,
    ) -> dict[str, Any]:
        """A paged list result: items plus PageNumber/PageSize/TotalCount."""
        return {
            key: items,
            "PageNumber": self.number(number, "page", salt, str(number)),
            "PageSize": self.number(size, "page", salt, str(number)),
            "TotalCount": self.number(total, "page", salt, str(number)),
        }

    # ------------------------------------------------------------- spaces
    def space(self, space: Space) -> dict[str, Any]:
        """Render a space (GetSpace / ListSpaces item)."""
        created = self.time(space.space_id, space.created_at)
        updated = self.time(space.space_id, space.updated_at)

        def domain(name: str, kind: str) -> dict[str, Any]:
            return {
                "Domain": name,
                "Type": kind,
                "Status": "enabled",
                "CNAME": f"{name}.volcgslb.com",
                "CNAMEStatus": "configured",
                "Default": True,
                "https": {"Enable": False, "CertificateID": ""},
                "CreatedAt": created,
                "UpdatedAt": updated,
                "TimeFlag": True,
                "MainKey": space.url_key,
                "SpareKey": "",
                "ValidDuration": self.links.url_ttl,
            }

        templates: dict[str, Any] = {
            "Screenshot": {},
            "Record": {},
            "AI": {},
            "Trans": [],
        }
        for key, template in (
            ("Screenshot", space.screenshot_template),
            ("Record", space.record_template),
        ):
            if template is not None:
                templates[key] = {
                    "TemplateID": template.template_id,
                    "TemplateName": template.name,
                    "BindTime": int(template.bind_time),
                }
        if space.trans_template is not None:
            templates["Trans"] = [
                {
                    "TemplateID": f"tpl-trans-{space.trans_template}",
                    "TemplateName": f"转码 {space.trans_template}",
                    "Suffix": space.trans_template,
                }
            ]
        result: dict[str, Any] = {
            "SpaceID": space.space_id,
            "SpaceName": space.name,
            "Description": space.description,
            "Region": space.region,
            "AccessType": space.access_type,
            "Status": space.status,
            "GB": {"PullOnDemand": space.pull_on_demand},
            "HLSLowLatency": space.hls_low_latency,
            "CreatedAt": created,
            "UpdatedAt": updated,
            "CallbackURL": space.callback_url,
            "Domains": {
                space.pull_domain: domain(space.pull_domain, "pull"),
                space.push_domain: domain(space.push_domain, "push"),
            },
            "Template": templates,
            "Tags": [{"Key": k, "Value": v} for k, v in space.tags],
        }
        if space.access_type == GB:
            result["SipServer"] = {
                "SipId": space.sip_id,
                "SipDomain": space.sip_id[:10],
                "SipIp": "10.20.30.40",
                "SipPort": {"udp": 5060, "tcp": 5060},
            }
        return result

    # ------------------------------------------------------------ devices
    def device(self, device: Device) -> dict[str, Any]:
        """Render a device (GetDevice / ListDevices item) with its streams."""
        fleet = self.fleet
        space = fleet.spaces[device.space_id]
        streams: dict[str, Any] = {}
        subs: dict[str, list[dict[str, Any]]] = {}
        for channel_id in device.channels:
            channel = fleet.channels[device.device_id, channel_id]
            main = fleet.streams[channel.stream_id]
            streams[channel_id] = {
                "StreamID": main.stream_id,
                "Name": channel.name,
                "ChannelStatus": "ON" if channel.online else "OFF",
                "Manufacturer": device.manufacturer,
                "Model": channel.model or device.model,
                "PullUrls": self.pull_list(space, main),
                "PushUrl": "",
                "Status": fleet.stream_status(main, self.now),
            }
            if channel.sub_stream_id is not None:
                sub = fleet.streams[channel.sub_stream_id]
                subs[channel_id] = [
                    {
                        "StreamID": sub.stream_id,
                        "PullUrls": self.pull_list(space, sub),
                        "PushUrl": "",
                        "Status": fleet.stream_status(sub, self.now),
                    }
                ]
        auto_pull_key = (
            "AutoPullAfterRegiter"
            if self.flip("regiter", device.device_id)
            else "AutoPullAfterRegister"
        )
        sub_streams: Any = (
            subs
            if self.flip("subs", device.device_id)
            else [s for v in subs.values() for s in v]
        )
        return {
            "SpaceID": device.space_id,
            "DeviceID": device.device_id,
            "DeviceNSID": device.nsid,
            "DeviceName": device.name,
            "Type": device.type,
            "Status": device.status,
            "Username": device.username,
            "Password": device.password,
            "Description": device.description,
            "Manufactory": device.manufacturer,
            "CreatedAt": self.time(device.device_id, device.created_at),
            "UpdatedAt": self.time(device.device_id, device.updated_at),
            "ChannelNum": self.number(
                len(device.channels), "channels", device.device_id
            ),
            "RtpTransportTcp": device.rtp_tcp,
            auto_pull_key: device.auto_pull,
            "UseSubStream": device.use_sub_stream,
            "Location": device.location,
            "Coordinates": {"Longitude": device.longitude, "Latitude": device.latitude},
            "DeviceIP": device.ip,
            "AlertNotification": {
                "Enabled": device.alerts,
                "Phone": False,
                "Device": device.alerts,
                "SMS": False,
                "GPS": False,
                "Video": device.alerts,
                "DeviceFault": device.alerts,
                "Other": device.alerts,
            },
            "DeviceStreams": streams,
            "DeviceSubStreams": sub_streams,
        }

    def channel(
        self, device: Device, channel: Channel, *, detail: bool
    ) -> dict[str, Any]:
        """Render a GetDeviceChannelsV2 channel; `brief` leaves out live-only fields."""
        item: dict[str, Any] = {
            "ChannelID": channel.channel_id,
            "Name": channel.name,
            "Manufacturer": device.manufacturer,
            "Model": channel.model or device.model,
            "Status": "ON" if channel.online and device.status == ONLINE else "OFF",
            "PTZType": channel.ptz_type,
            "Resolution": channel.resolution,
        }
        if detail:
            item.update(
                {
                    "CivilCode": channel.civil_code,
                    "Parental": "0",
                    "ParentID": device.nsid,
                    "RegisterWay": "1",
                    "Secrecy": "0",
                    "IPAddress": channel.ip,
                    "Port": channel.port,
                    "Longitude": channel.longitude,
                    "Latitude": channel.latitude,
                    "DownloadSpeed": "1/2/4",
                }
            )
        return {
            "StreamID": channel.stream_id,
            "CreateAt": self.time(channel.stream_id, channel.created_at),
            "DeviceItem": [item] if self.flip("item", device.device_id) else item,
            "SubStreams": [channel.sub_stream_id] if channel.sub_stream_id else [],
        }

    # ------------------------------------------------------------ streams
    def pull_list(
        self, space: Space, stream: Stream, *, refresh: bool = False
    ) -> list[str]:
        """The stream's pull URLs (RTMP, FLV, HLS) in the stream's own order."""
        urls = self.links.pull_urls(space, stream, self.now, refresh=refresh)
        order = [urls["rtmp"], urls["flv"], urls["hls"]]
        if self.quirks:
            shift = (
                hashlib.blake2b(stream.stream_id.encode(), digest_size=1).digest()[0]
                % 3
            )
            order = order[shift:] + order[:shift]
        return order

    def trans(
        self,
        space: Space,
        stream: Stream,
        *,
        refresh: bool = False,
        as_list: bool = False,
    ) -> Any:
        """TransPullUrls as a map, or (`as_list` or the quirk) a flat list."""
        urls = self.links.trans_urls(space, stream, self.now, refresh=refresh)
        if as_list or self.flip("trans", stream.stream_id):
            return [url for group in urls.values() for url in group]
        return urls

    def stream(self, stream: Stream, *, refresh: bool = False) -> dict[str, Any]:
        """Render a stream (GetStream / ListStreams item)."""
        fleet = self.fleet
        space = fleet.spaces[stream.space_id]
        channel = fleet.channel_of(stream)
        device = fleet.devices.get(stream.device_id or "")
        pull = self.pull_list(space, stream, refresh=refresh)
        push_url, push_deadline = ("", 0)
        if device is None:
            push_url, push_deadline = self.links.push_url(space, stream)
        status = fleet.stream_status(stream, self.now)
        record: dict[str, Any] = {}
        if stream.record_mode is not None and space.record_template is not None:
            record = {
                "TemplateID": space.record_template.template_id,
                "TemplateName": space.record_template.name,
            }
        screenshot: dict[str, Any] = {}
        if stream.screenshot and space.screenshot_template is not None:
            screenshot = {
                "TemplateID": space.screenshot_template.template_id,
                "TemplateName": space.screenshot_template.name,
            }
        return {
            "StreamID": stream.stream_id,
            "StreamName": stream.name,
            "SpaceID": stream.space_id,
            "SIPID": space.sip_id if device is not None else "",
            "SpaceAccessType": space.access_type,
            "Status": status,
            "DeviceID": device.device_id if device is not None else "",
            "DeviceNSID": device.nsid if device is not None else "",
            "ChannelID": stream.channel_id or "",
            "StreamingType": stream.streaming_type,
            "Resolution": channel.resolution if channel is not None else "",
            "Description": stream.description,
            "PullUrls": pull,
            "TransPullUrls": self.trans(space, stream, refresh=refresh),
            "PushUrl": push_url,
            "RTMPushUrl": push_url,
            "PushUrlDDL": push_deadline,
            "RecentPushTs": int(self.now) - 3
            if device is None and status == ONLINE
            else 0,
            "RtpTransportTcp": device.rtp_tcp if device is not None else False,
            "Screenshot": screenshot,
            "Record": record,
            "AI": {},
            "CreatedAt": self.time(stream.stream_id, stream.created_at),
            "UpdatedAt": self.time(stream.stream_id, stream.updated_at),
            "FailedTimes": stream.failed_times,
            "DemandLive": fleet.on_demand(stream),
            "Logs": [],
        }
