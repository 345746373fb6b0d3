"""Tests for the aiotvideo result models: shapes from the docs and every SDK, and fuzz."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta
from functools import partial
import json
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.volcengine_slow_live.api import models
from custom_components.volcengine_slow_live.api.errors import InvalidResponse
from custom_components.volcengine_slow_live.api.models import (
    BEIJING,
    TRANS_UNNAMED,
    Channel,
    Device,
    DeviceChannels,
    DeviceStream,
    Page,
    Protocol,
    PullUrl,
    RecordingSegment,
    RecordingUrls,
    Screenshot,
    Space,
    StartStreamResult,
    StopStreamResult,
    Stream,
    parse_page,
    parse_pull_urls,
    parse_recordings,
    parse_screenshots,
)

if TYPE_CHECKING:
    from collections.abc import Callable

# --------------------------------------------------------------------------------------
# Fixtures modelled on the field lists in docs/api-notes.md (§4, §5)

SPACE_ID = "517ff7ec-7700-4862-b1e7-7967a492df79"
STREAM_ID = "4b9ee060-9fed-4c0e-aaa4-283b17a1b2c3"
SUB_STREAM_ID = "c5e2a0d1-3b7f-4f7e-9d61-0a8b2c4e6f10"
DEVICE_ID = "9a3f6c2e-1d4b-4e8a-b5c7-2f0e8d6a1b93"
SIP_ID = "34020000002000000001"
DEVICE_NSID = "34020000001320000001"
CHANNEL_ID = "34020000001310000001"
CHANNEL_ID_2 = "34020000001310000002"
STREAM_NAME = f"{DEVICE_NSID}_{CHANNEL_ID}"
VOLC_SECRET = "0123456789abcdef0123456789abcdef"
VOLC_TIME = 1700000000
VOLC_EXPIRY = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
SIGNED = f"volcTime={VOLC_TIME}&volcSecret={VOLC_SECRET}"
HLS_URL = f"http://pull.example.com/live/{STREAM_NAME}.m3u8?{SIGNED}"
FLV_URL = f"http://pull.example.com/live/{STREAM_NAME}.flv?{SIGNED}"
RTMP_URL = f"rtmp://pull.example.com/live/{STREAM_NAME}?{SIGNED}"
PUSH_URL = f"rtmp://push.example.com/live/{STREAM_NAME}?{SIGNED}"
PASSWORD = "device-password-123"
MAIN_KEY = "mainkey0123456789abcdef"

ISSUED = datetime(2024, 12, 19, 3, 31, 33, tzinfo=UTC)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_jwt(payload: object) -> str:
    header = _b64(b'{"alg":"HS256","typ":"JWT"}')
    return f"{header}.{_b64(json.dumps(payload).encode())}.{_b64(b'signature')}"


JWT = make_jwt({"exp": 1734582693, "sid": STREAM_ID})
JWT_EXPIRY = datetime.fromtimestamp(1734582693, UTC)
RECORD_HLS = (
    "https://aiot-gateway.example.com/media_record/v1/file/index.m3u8"
    f"?StreamID={STREAM_ID}&IsLive=0&X-JWT-Token={JWT}&Format=m3u8"
)
RECORD_MP4 = (
    "https://aiot-gateway.example.com/media_record/v1/file/main.mp4"
    f"?StreamID={STREAM_ID}&IsLive=0&X-JWT-Token={JWT}&Pub=1&Format=mp4"
)
RECORD_PLAYLIST = (
    "https://aiot.example.com/media_record/v1/file/get_m3u8"
    f"?StreamID={STREAM_ID}&IsLive=0&Start=1664173508000&End=1664174508000"
    f"&X-JWT-Token={JWT}"
)

SPACE: dict[str, Any] = {
    "SpaceID": SPACE_ID,
    "SpaceName": "Farm cameras",
    "Description": "north field",
    "Region": "cn-qingdao-a",
    "AccessType": "gb28181",
    "Status": "enabled",
    "GB": {"PullOnDemand": True},
    "HLSLowLatency": False,
    "CreatedAt": "2021-11-11T11:28:30+08:00",
    "UpdatedAt": "2023-10-01 10:10:09",
    "CallbackURL": "",
    "Domains": {
        "pull.example.com": {
            "Domain": "pull.example.com",
            "Type": "pull",
            "Status": "enabled",
            "Default": True,
            "TimeFlag": True,
            "MainKey": MAIN_KEY,
            "SpareKey": MAIN_KEY,
            "ValidDuration": 3600,
        }
    },
    "Template": {
        "Screenshot": {"TemplateID": "shot-template-1", "TemplateName": "1 per min"},
        "Record": {"TemplateID": "record-template-1", "TemplateName": "7 days"},
        "Trans": [],
    },
    "SipServer": {
        "SipId": SIP_ID,
        "SipDomain": "3402000000",
        "SipIp": "203.0.113.10",
        "SipPort": {"udp": 5060, "tcp": 5060},
    },
    "Tags": [{"Key": "site", "Value": "north"}],
}

DEVICE: dict[str, Any] = {
    "SpaceID": SPACE_ID,
    "DeviceID": DEVICE_ID,
    "DeviceNSID": DEVICE_NSID,
    "DeviceName": "Barn NVR",
    "Type": "NVR",
    "Status": "online",
    "Username": "admin",
    "Password": PASSWORD,
    "Description": "two cameras",
    "Manufactory": "Hikvision",
    "CreatedAt": "1636601310",
    "UpdatedAt": 1696126209000,
    "ChannelNum": "2",
    "RtpTransportTcp": True,
    "AutoPullAfterRegister": "true",
    "UseSubStream": 1,
    "Location": "barn",
    "Coordinates": {"Longitude": 116.4, "Latitude": 39.9},
    "DeviceIP": "198.51.100.7",
    "AlertNotification": {"Enabled": False},
    "DeviceStreams": {
        CHANNEL_ID: {
            "StreamID": STREAM_ID,
            "Name": "Barn door",
            "ChannelStatus": "ON",
            "Manufacturer": "Hikvision",
            "Model": "DS-2CD2143G2",
            "PullUrls": [RTMP_URL, FLV_URL, HLS_URL],
            "PushUrl": PUSH_URL,
            "Status": "online",
        },
        CHANNEL_ID_2: {
            "StreamID": "7d1c3b5a-2e4f-4a6b-8c9d-0e1f2a3b4c5d",
            "Name": "Yard",
            "ChannelStatus": "OFF",
            "PullUrls": None,
            "Status": "offline",
        },
    },
    "DeviceSubStreams": [
        {"StreamID": SUB_STREAM_ID, "PullUrls": [HLS_URL], "PushUrl": PUSH_URL}
    ],
}

DEVICE_ITEM: dict[str, Any] = {
    "ChannelID": CHANNEL_ID,
    "Name": "Barn door",
    "Manufacturer": "Hikvision",
    "Model": "DS-2CD2143G2",
    "CivilCode": "340200",
    "Parental": "0",
    "ParentID": DEVICE_NSID,
    "RegisterWay": "1",
    "Secrecy": "0",
    "IPAddress": "198.51.100.8",
    "Port": 8000,
    "Longitude": 116.4,
    "Latitude": "39.9",
    "Status": "ON",
    "PTZType": 1,
    "DownloadSpeed": "1/2/4",
    "Resolution": "6/3",
}

CHANNELS: dict[str, Any] = {
    "DeviceID": DEVICE_ID,
    "DeviceNSID": DEVICE_NSID,
    "DeviceName": "Barn NVR",
    "Channels": [
        {"StreamID": STREAM_ID, "CreateAt": 1636601310, "DeviceItem": DEVICE_ITEM},
        {
            "StreamID": "7d1c3b5a-2e4f-4a6b-8c9d-0e1f2a3b4c5d",
            "DeviceItem": {
                "ChannelID": CHANNEL_ID_2,
                "Name": "Yard",
                "Status": "OFF",
                "PTZType": "3",
                "Port": "",
            },
            "SubStreams": None,
        },
    ],
}

STREAM: dict[str, Any] = {
    "StreamID": STREAM_ID,
    "StreamName": STREAM_NAME,
    "SpaceID": SPACE_ID,
    "SIPID": SIP_ID,
    "SpaceAccessType": "gb28181",
    "Status": "online",
    "DeviceID": DEVICE_ID,
    "DeviceNSID": DEVICE_NSID,
    "ChannelID": CHANNEL_ID,
    "StreamingType": "main_stream",
    "Resolution": "6/3",
    "Description": f"channel: {CHANNEL_ID}@device: {DEVICE_NSID}",
    "PullUrls": [RTMP_URL, FLV_URL, HLS_URL],
    "TransPullUrls": {
        "ld": [
            f"http://pull.example.com/live/{STREAM_NAME}_ld.m3u8?volcTime=1699990000&volcSecret={VOLC_SECRET}"
        ]
    },
    "PushUrl": PUSH_URL,
    "RTMPushUrl": PUSH_URL,
    "PushUrlDDL": 1700003600,
    "RecentPushTs": "1699999000",
    "RtpTransportTcp": True,
    "Screenshot": {"TemplateID": "shot-template-1", "TemplateName": "1 per min"},
    "Record": {"TemplateID": "", "TemplateName": ""},
    "AI": None,
    "CreatedAt": "2021-11-11T11:28:30+08:00",
    "UpdatedAt": "2023-10-01 10:10:09",
    "FailedTimes": 0,
    "DemandLive": "false",
    "Logs": [{"LogTime": 1699999000, "LogLevel": "info", "Message": PUSH_URL}],
}

RTMP_SPACE_STREAM: dict[str, Any] = {
    "StreamID": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    "StreamName": "gate",
    "SpaceID": SPACE_ID,
    "SpaceAccessType": "rtmp",
    "Status": "offline",
    "DeviceID": "",
    "ChannelID": "",
    "PullUrls": [],
    "TransPullUrls": None,
    "PushUrl": PUSH_URL,
    "RecentPushTs": 0,
}

RECORD_ITEM: dict[str, Any] = {
    "Type": "record",
    "Path": f"ve_3wmh/push.example.com/{STREAM_ID}/mp4/1700095456.mp4",
    "Record": {
        "StartTime": 1700095456,
        "EndTime": 1700095756,
        "Duration": 300.04,
        "Cover": f"https://tos.example.com/cover.jpg?{SIGNED}",
        "Format": "mp4",
        "VideoCodec": 1,
        "AudioCodec": 0,
    },
}
RECORD_META_ITEM: dict[str, Any] = {
    "Type": "record_metadata",
    "Path": f"ve_3wmh/push.example.com/{STREAM_ID}/ts/1700095156-20231108T164359-6000-1699432678.ts",
    "RecordMeta": {
        "StartTime": "1700095156",
        "EndTime": "1700095162",
        "Format": "ts",
        "Bucket": "ve-bucket",
        "StorageType": "standard",
    },
}
SCREENSHOT_ITEMS: list[dict[str, Any]] = [
    {
        "Type": "screenshot",
        "Path": f"https://tos.example.com/shot-2.jpg?{SIGNED}",
        "Screenshot": {"BornTs": 1700000060},
    },
    {
        "Type": "screenshot",
        "Path": f"https://tos.example.com/shot-1.jpg?{SIGNED}",
        "Screenshot": {"BornTs": 1700000000000},
    },
]


def ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a fixture with some fields replaced (None removes)."""
    merged = {**base, **changes}
    return {key: value for key, value in merged.items() if value is not None}


# --------------------------------------------------------------------------------------
# Spaces


def test_space_full() -> None:
    space = Space.from_api(SPACE)
    assert space == Space(
        space_id=SPACE_ID,
        name="Farm cameras",
        access_type="gb28181",
        status="enabled",
        region="cn-qingdao-a",
        description="north field",
        pull_on_demand=True,
        hls_low_latency=False,
        screenshot_template_id="shot-template-1",
        record_template_id="record-template-1",
        created_at=datetime(2021, 11, 11, 3, 28, 30, tzinfo=UTC),
        updated_at=datetime(2023, 10, 1, 2, 10, 9, tzinfo=UTC),
    )
    assert space.enabled
    assert MAIN_KEY not in repr(space)


def test_space_minimal_gets_defaults() -> None:
    space = Space.from_api({"SpaceID": SPACE_ID, "GB": None, "Template": None})
    assert space == Space(space_id=SPACE_ID)
    assert not space.enabled
    assert space.created_at is None


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"SpaceName": "x"}, "Space.SpaceID missing"),
        ({"SpaceID": "  "}, "Space.SpaceID missing"),
        ({"SpaceID": SPACE_ID, "GB": ["x"]}, "Space.GB is not an object"),
        (
            {"SpaceID": SPACE_ID, "GB": {"PullOnDemand": "maybe"}},
            "Space.GB.PullOnDemand",
        ),
        ({"SpaceID": SPACE_ID, "Template": {"Record": 3}}, "Space.Template.Record"),
        ({"SpaceID": SPACE_ID, "CreatedAt": "yesterday"}, "Space.CreatedAt"),
        ([SPACE], "Space is not an object"),
        (None, "Space is not an object"),
    ],
)
def test_space_garbage(result: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        Space.from_api(result)


# --------------------------------------------------------------------------------------
# Devices


def test_device_full() -> None:
    device = Device.from_api(DEVICE)
    assert device.device_id == DEVICE_ID
    assert device.device_nsid == DEVICE_NSID
    assert device.name == "Barn NVR"
    assert device.type == "NVR"
    assert device.online
    assert device.space_id == SPACE_ID
    assert device.manufacturer == "Hikvision"
    assert device.description == "two cameras"
    assert device.channel_num == 2
    assert device.use_sub_stream is True
    assert device.auto_pull_after_register is True
    assert device.ip == "198.51.100.7"
    assert device.created_at == ts(1636601310)
    assert device.updated_at == ts(1696126209)
    assert device.sub_stream_ids == (SUB_STREAM_ID,)
    first, second = device.streams
    assert first == DeviceStream(
        channel_id=CHANNEL_ID,
        stream_id=STREAM_ID,
        name="Barn door",
        channel_status="ON",
        manufacturer="Hikvision",
        model="DS-2CD2143G2",
        status="online",
        pull_urls=(
            PullUrl(protocol=Protocol.RTMP, url=RTMP_URL, expires_at=VOLC_EXPIRY),
            PullUrl(protocol=Protocol.FLV, url=FLV_URL, expires_at=VOLC_EXPIRY),
            PullUrl(protocol=Protocol.HLS, url=HLS_URL, expires_at=VOLC_EXPIRY),
        ),
    )
    assert second.channel_id == CHANNEL_ID_2
    assert second.pull_urls == ()
    text = repr(device)
    assert PASSWORD not in text
    assert "admin" not in text
    assert "volcSecret" not in text


def test_device_minimal_gets_defaults() -> None:
    device = Device.from_api({"DeviceID": DEVICE_ID, "Status": "offline"})
    assert device == Device(device_id=DEVICE_ID, status="offline")
    assert not device.online


def test_device_manufacturer_fallback() -> None:
    device = Device.from_api({"DeviceID": DEVICE_ID, "Manufacturer": "Dahua"})
    assert device.manufacturer == "Dahua"


def test_device_streams_map_entry_may_be_a_list() -> None:
    device = Device.from_api(
        {
            "DeviceID": DEVICE_ID,
            "DeviceStreams": {
                CHANNEL_ID: [
                    {"StreamID": STREAM_ID},
                    {"StreamID": SUB_STREAM_ID, "ChannelID": "ignored"},
                ]
            },
        }
    )
    assert [(s.channel_id, s.stream_id) for s in device.streams] == [
        (CHANNEL_ID, STREAM_ID),
        (CHANNEL_ID, SUB_STREAM_ID),
    ]


def test_device_streams_empty_key_falls_back_to_channel_id() -> None:
    device = Device.from_api(
        {
            "DeviceID": DEVICE_ID,
            "DeviceStreams": {"": {"StreamID": STREAM_ID, "ChannelID": CHANNEL_ID}},
        }
    )
    assert device.streams[0].channel_id == CHANNEL_ID


@pytest.mark.parametrize(
    ("sub_streams", "expected"),
    [
        (None, ()),
        ("", ()),
        ([], ()),
        ([SUB_STREAM_ID, "", None, SUB_STREAM_ID], (SUB_STREAM_ID,)),
        ({CHANNEL_ID: [SUB_STREAM_ID], CHANNEL_ID_2: None}, (SUB_STREAM_ID,)),
        ({CHANNEL_ID: [{"StreamID": SUB_STREAM_ID}]}, (SUB_STREAM_ID,)),
    ],
)
def test_device_sub_streams(sub_streams: object, expected: tuple[str, ...]) -> None:
    device = Device.from_api({"DeviceID": DEVICE_ID, "DeviceSubStreams": sub_streams})
    assert device.sub_stream_ids == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DeviceID": None}, "Device.DeviceID missing"),
        ({"DeviceID": 1.5}, "Device.DeviceID is not a string"),
        ({"ChannelNum": [2]}, "Device.ChannelNum is not a number"),
        ({"ChannelNum": "2.5"}, "Device.ChannelNum is not an integer"),
        ({"UseSubStream": 2}, "Device.UseSubStream is not a boolean"),
        ({"DeviceStreams": "abc"}, "Device.DeviceStreams is not a list"),
        ({"DeviceStreams": {CHANNEL_ID: {"Name": "x"}}}, "DeviceStream.StreamID"),
        ({"DeviceStreams": [{"StreamID": STREAM_ID}]}, "DeviceStream.ChannelID"),
        ({"DeviceStreams": [None]}, "DeviceStream is not an object"),
        ({"DeviceSubStreams": [{"PullUrls": []}]}, "DeviceSubStreams.StreamID"),
        ({"DeviceSubStreams": {CHANNEL_ID: "x"}}, "DeviceSubStreams is not a list"),
        ({"DeviceSubStreams": [[SUB_STREAM_ID]]}, "DeviceSubStreams is not a string"),
    ],
)
def test_device_garbage(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        Device.from_api(with_(DEVICE, **changes))


# --------------------------------------------------------------------------------------
# Channels


def test_device_channels_full() -> None:
    result = DeviceChannels.from_api(CHANNELS)
    assert result.device_id == DEVICE_ID
    assert result.device_nsid == DEVICE_NSID
    assert result.device_name == "Barn NVR"
    first, second = result.channels
    assert first == Channel(
        channel_id=CHANNEL_ID,
        name="Barn door",
        stream_id=STREAM_ID,
        manufacturer="Hikvision",
        model="DS-2CD2143G2",
        status="ON",
        ptz_type=1,
        resolutions=("6", "3"),
        civil_code="340200",
        ip="198.51.100.8",
        port=8000,
        longitude=116.4,
        latitude=39.9,
    )
    assert first.online
    assert first.has_ptz
    assert second.channel_id == CHANNEL_ID_2
    assert not second.online
    assert second.ptz_type == 3
    assert not second.has_ptz
    assert second.port is None
    assert second.longitude is None
    assert second.resolutions == ()


def test_device_channels_without_channels() -> None:
    result = DeviceChannels.from_api({"DeviceID": DEVICE_ID, "Channels": None})
    assert result == DeviceChannels(device_id=DEVICE_ID)


@pytest.mark.parametrize("ptz_type", [1, 4, "4"])
def test_channel_ptz_types(ptz_type: object) -> None:
    channel = Channel.from_api(
        {"DeviceItem": {"ChannelID": CHANNEL_ID, "PTZType": ptz_type}}
    )
    assert channel.has_ptz


def test_channel_legacy_v1_shape() -> None:
    """GetDeviceChannels (V1): the channel ID in `DeviceID`, details under `Info`."""
    channel = Channel.from_api(
        {
            "StreamID": STREAM_ID,
            "DeviceItem": {
                "DeviceID": CHANNEL_ID,
                "Name": "Barn door",
                "Status": "ON",
                "Info": {"PTZType": 4, "Resolution": "6/3", "DownloadSpeed": "1"},
            },
        }
    )
    assert channel.channel_id == CHANNEL_ID
    assert channel.ptz_type == 4
    assert channel.resolutions == ("6", "3")


def test_channel_flat_item() -> None:
    channel = Channel.from_api({"ChannelID": CHANNEL_ID, "StreamID": STREAM_ID})
    assert (channel.channel_id, channel.stream_id) == (CHANNEL_ID, STREAM_ID)


def test_channel_stream_id_inside_device_item() -> None:
    channel = Channel.from_api(
        {"DeviceItem": {"ChannelID": CHANNEL_ID, "StreamID": STREAM_ID}}
    )
    assert channel.stream_id == STREAM_ID


def test_channel_resolution_list() -> None:
    channel = Channel.from_api({"ChannelID": CHANNEL_ID, "Resolution": ["6", 3, " "]})
    assert channel.resolutions == ("6", "3")


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"StreamID": STREAM_ID, "DeviceItem": []}, "Channel.ChannelID missing"),
        ({"DeviceItem": "abc"}, "Channel.DeviceItem is not an object"),
        ({"DeviceItem": [7]}, "Channel.DeviceItem is not an object"),
        ({"ChannelID": CHANNEL_ID, "Port": "http"}, "Channel.Port is not a number"),
        ({"ChannelID": CHANNEL_ID, "Longitude": "nan"}, "Channel.Longitude"),
        ({"ChannelID": CHANNEL_ID, "Resolution": {"6": 1}}, "Channel.Resolution"),
        ({"ChannelID": CHANNEL_ID, "Info": 5}, "Channel.Info is not an object"),
    ],
)
def test_channel_garbage(result: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        Channel.from_api(result)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"Channels": []}, "DeviceChannels.DeviceID missing"),
        (
            {"DeviceID": DEVICE_ID, "Channels": {}},
            "DeviceChannels.Channels is not a list",
        ),
        ({"DeviceID": DEVICE_ID, "Channels": [None]}, "Channel is not an object"),
        ("[]", "DeviceChannels is not an object"),
    ],
)
def test_device_channels_garbage(result: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        DeviceChannels.from_api(result)


# --------------------------------------------------------------------------------------
# Streams


def test_stream_full() -> None:
    stream = Stream.from_api(STREAM)
    assert stream.stream_id == STREAM_ID
    assert stream.name == STREAM_NAME
    assert stream.space_id == SPACE_ID
    assert stream.access_type == "gb28181"
    assert stream.status == "online"
    assert stream.is_online
    assert stream.device_id == DEVICE_ID
    assert stream.device_nsid == DEVICE_NSID
    assert stream.channel_id == CHANNEL_ID
    assert stream.sip_id == SIP_ID
    assert stream.streaming_type == "main_stream"
    assert stream.resolutions == ("6", "3")
    assert stream.description.startswith("channel: ")
    assert [u.protocol for u in stream.pull_urls] == [
        Protocol.RTMP,
        Protocol.FLV,
        Protocol.HLS,
    ]
    hls = stream.pull_url(Protocol.HLS)
    assert hls is not None
    assert hls.url == HLS_URL
    assert hls.expires_at == VOLC_EXPIRY
    assert list(stream.trans_pull_urls) == ["ld"]
    # Only the main URLs count: the transcoded one's earlier expiry is ignored.
    assert stream.trans_pull_urls["ld"][0].expires_at == ts(1699990000)
    assert stream.urls_expire_at == VOLC_EXPIRY
    assert stream.screenshot_template_id == "shot-template-1"
    assert stream.record_template_id is None
    assert stream.demand_live is False
    assert stream.created_at == datetime(2021, 11, 11, 3, 28, 30, tzinfo=UTC)
    assert stream.updated_at == datetime(2023, 10, 1, 2, 10, 9, tzinfo=UTC)
    assert stream.recent_push_at == ts(1699999000)
    assert not hasattr(stream, "push_url")
    text = repr(stream)
    assert "volcSecret" not in text
    assert VOLC_SECRET not in text
    assert "push.example.com" not in text


def test_rtmp_space_stream() -> None:
    stream = Stream.from_api(RTMP_SPACE_STREAM)
    assert stream.access_type == "rtmp"
    assert stream.device_id == ""
    assert stream.pull_urls == ()
    assert stream.trans_pull_urls == {}
    assert stream.pull_url(Protocol.HLS) is None
    assert stream.urls_expire_at is None
    assert stream.recent_push_at is None
    assert not stream.is_online


@pytest.mark.parametrize(
    ("status", "online"),
    [
        ("online", True),
        ("pulling", True),
        ("Online", True),
        ("init", False),
        ("failed", False),
        ("", False),
    ],
)
def test_stream_is_online(status: str, online: bool) -> None:
    assert (
        Stream.from_api({"StreamID": STREAM_ID, "Status": status}).is_online is online
    )


def test_stream_is_hashable_and_frozen() -> None:
    stream = Stream.from_api(STREAM)
    assert hash(stream) == hash(Stream.from_api(STREAM))
    with pytest.raises(dataclasses.FrozenInstanceError):
        stream.status = "offline"  # type: ignore[misc]


def test_stream_urls_expire_at_is_the_earliest() -> None:
    base = f"https://pull.example.com/live/{STREAM_NAME}"
    stream = Stream.from_api(
        {
            "StreamID": STREAM_ID,
            "PullUrls": [
                f"{base}.flv?volcTime=1700000500",
                f"{base}.m3u8",
                f"{base}.m3u8?volcTime=1700000100",
            ],
        }
    )
    assert stream.urls_expire_at == ts(1700000100)


def test_stream_urls_without_expiry() -> None:
    url = f"https://pull.example.com/live/{STREAM_NAME}.m3u8"
    stream = Stream.from_api({"StreamID": STREAM_ID, "PullUrls": [url]})
    assert stream.urls_expire_at is None
    assert stream.pull_urls[0].expires_at is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"StreamID": ""}, "Stream.StreamID missing"),
        ({"PullUrls": [{"url": HLS_URL}]}, "Stream.PullUrls is not a string"),
        ({"PullUrls": 5}, "Stream.PullUrls is not a list"),
        ({"TransPullUrls": {"ld": 5}}, "Stream.TransPullUrls is not a list"),
        ({"Screenshot": "shot"}, "Stream.Screenshot is not an object"),
        ({"DemandLive": "sometimes"}, "Stream.DemandLive is not a boolean"),
        ({"RecentPushTs": [1]}, "Stream.RecentPushTs is not a number"),
        ({"RecentPushTs": True}, "Stream.RecentPushTs is not a number"),
        ({"Status": {"a": 1}}, "Stream.Status is not a string"),
    ],
)
def test_stream_garbage(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidResponse, match=message) as caught:
        Stream.from_api({**STREAM, **changes})
    # Messages name fields, never values: no URL or token leaks through.
    assert VOLC_SECRET not in str(caught.value)
    assert "http" not in str(caught.value)
    assert caught.value.__suppress_context__ or caught.value.__context__ is None


def test_start_stream() -> None:
    result = StartStreamResult.from_api(
        {
            "ID": STREAM_ID,
            "PullUrls": [RTMP_URL, FLV_URL, HLS_URL],
            "TransPullUrls": [],
        }
    )
    assert result.stream_id == STREAM_ID
    flv = result.pull_url(Protocol.FLV)
    assert flv is not None
    assert flv.url == FLV_URL
    assert result.trans_pull_urls == {}
    assert "volcSecret" not in repr(result)


def test_start_stream_requires_id() -> None:
    with pytest.raises(InvalidResponse, match=r"StartStream\.ID missing"):
        StartStreamResult.from_api({"PullUrls": [HLS_URL]})


@pytest.mark.parametrize(
    ("result", "stopped"),
    [
        ({"ID": STREAM_ID, "StopRes": True}, True),
        ({"ID": STREAM_ID, "StopRes": "false"}, False),
        ({"ID": STREAM_ID, "StopRes": 1}, True),
        ({"ID": STREAM_ID}, False),
    ],
)
def test_stop_stream(result: dict[str, Any], stopped: bool) -> None:
    assert StopStreamResult.from_api(result) == StopStreamResult(
        stream_id=STREAM_ID, stopped=stopped
    )


def test_stop_stream_garbage() -> None:
    with pytest.raises(InvalidResponse, match=r"StopStream\.ID missing"):
        StopStreamResult.from_api({})
    with pytest.raises(InvalidResponse, match="StopStream is not an object"):
        StopStreamResult.from_api(None)


# --------------------------------------------------------------------------------------
# Pull URLs


@pytest.mark.parametrize(
    ("url", "protocol"),
    [
        (HLS_URL, Protocol.HLS),
        (FLV_URL, Protocol.FLV),
        (RTMP_URL, Protocol.RTMP),
        ("RTMP://PULL.EXAMPLE.COM/LIVE/CAM", Protocol.RTMP),
        ("rtmps://pull.example.com/live/cam", Protocol.RTMP),
        ("HTTPS://pull.example.com/live/cam.M3U8", Protocol.HLS),
        ("https://pull.example.com/live/cam.FLV?volcTime=1", Protocol.FLV),
        (f"  {HLS_URL}\n", Protocol.HLS),
        ("rtsp://pull.example.com/live/cam", None),
        ("https://pull.example.com/live/cam.mp4", None),
        ("ftp://pull.example.com/live/cam.m3u8", None),
        ("pull.example.com/live/cam.m3u8", None),
        ("http://pull.example.com/m3u8?x=.m3u8", None),
        ("http://[::1/live.m3u8", None),
        ("", None),
    ],
)
def test_pull_url_protocol(url: str, protocol: Protocol | None) -> None:
    parsed = PullUrl.parse(url)
    assert (parsed.protocol if parsed else None) == protocol
    if parsed:
        assert parsed.url == url.strip()
        assert "volcSecret" not in repr(parsed)
        assert parsed.url not in repr(parsed)


@pytest.mark.parametrize(
    ("query", "expires_at"),
    [
        (SIGNED, VOLC_EXPIRY),
        (f"VOLCTIME={VOLC_TIME}", VOLC_EXPIRY),
        (f"volcTime={VOLC_TIME}000", VOLC_EXPIRY),
        ("volcSecret=abc", None),
        ("volcTime=&volcSecret=abc", None),
        ("volcTime=soon", None),
        ("volcTime=99999999999999999999999", None),
        ("volcTime=0", None),
        ("", None),
    ],
)
def test_pull_url_expiry(query: str, expires_at: datetime | None) -> None:
    parsed = PullUrl.parse(f"https://pull.example.com/live/cam.m3u8?{query}")
    assert parsed is not None
    assert parsed.expires_at == expires_at


@pytest.mark.parametrize(
    ("value", "protocols"),
    [
        (None, ()),
        ("", ()),
        ([], ()),
        (HLS_URL, (Protocol.HLS,)),
        (
            [RTMP_URL, None, "", "rtsp://x/y", 42, HLS_URL],
            (Protocol.RTMP, Protocol.HLS),
        ),
        ([HLS_URL, HLS_URL], (Protocol.HLS,)),
        (
            {"ld": [HLS_URL], "hd": [FLV_URL], "none": None},
            (Protocol.HLS, Protocol.FLV),
        ),
        ({"ld": HLS_URL}, (Protocol.HLS,)),
        ({}, ()),
    ],
)
def test_parse_pull_urls(value: object, protocols: tuple[Protocol, ...]) -> None:
    assert tuple(u.protocol for u in parse_pull_urls(value)) == protocols


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "PullUrls is not a list"),
        ([[HLS_URL]], "PullUrls is not a string"),
        ([{"Url": HLS_URL}], "PullUrls is not a string"),
        ({"ld": {"x": HLS_URL}}, "PullUrls is not a list"),
        ([True], "PullUrls is not a string"),
    ],
)
def test_parse_pull_urls_garbage(value: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message) as caught:
        parse_pull_urls(value)
    assert VOLC_SECRET not in str(caught.value)


# --------------------------------------------------------------------------------------
# Value coercion, through the models that use it


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1700000000, ts(1700000000)),
        (1700000000.5, ts(1700000000.5)),
        ("1700000000", ts(1700000000)),
        (" 1700000000.5 ", ts(1700000000.5)),
        (1700000000123, ts(1700000000.123)),
        ("1700000000123", ts(1700000000.123)),
        ("2021-11-11T11:28:30+08:00", datetime(2021, 11, 11, 3, 28, 30, tzinfo=UTC)),
        ("2021-11-11T03:28:30Z", datetime(2021, 11, 11, 3, 28, 30, tzinfo=UTC)),
        ("2022-09-14T14:12:00+0800", datetime(2022, 9, 14, 6, 12, tzinfo=UTC)),
        # No zone: Beijing time.
        ("2023-10-01 10:10:09", datetime(2023, 10, 1, 2, 10, 9, tzinfo=UTC)),
        ("", None),
        ("   ", None),
        (None, None),
        (0, None),
        ("0", None),
        (-5, None),
    ],
)
def test_times(value: object, expected: datetime | None) -> None:
    parsed = Space.from_api({"SpaceID": SPACE_ID, "CreatedAt": value}).created_at
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


def test_naive_times_are_beijing() -> None:
    assert BEIJING.utcoffset(None) == timedelta(hours=8)


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2023-13-01 00:00:00",
        "0001-01-01 00:00:00",  # fine in Beijing, before year 1 in UTC
        "9999-12-31T23:59:59-10:00",
        "1e999",
        10**30,
        1e300,
        float("inf"),
        float("nan"),
        True,
        [1700000000],
        {"ts": 1},
    ],
)
def test_time_garbage(value: object) -> None:
    with pytest.raises(InvalidResponse, match=r"^InvalidResponse: Space\.CreatedAt"):
        Space.from_api({"SpaceID": SPACE_ID, "CreatedAt": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, 2),
        ("20", 20),
        (" 20 ", 20),
        ("+3", 3),
        (4.0, 4),
        ("4.0", 4),
        ("1e1", 10),
        (None, 0),
        ("", 0),
    ],
)
def test_integers(value: object, expected: int) -> None:
    device = Device.from_api({"DeviceID": DEVICE_ID, "ChannelNum": value})
    assert device.channel_num == expected


@pytest.mark.parametrize(
    "value", ["1.5", 1.5, "two", "١٢", "0x10", [], {}, True, "1" * 50 + "x"]
)
def test_integer_garbage(value: object) -> None:
    with pytest.raises(InvalidResponse, match=r"Device\.ChannelNum"):
        Device.from_api({"DeviceID": DEVICE_ID, "ChannelNum": value})


def test_huge_integer_string_is_a_float() -> None:
    # Too long for the integer pattern: read as a float, still integral.
    device = Device.from_api({"DeviceID": DEVICE_ID, "ChannelNum": "1" * 50})
    assert device.channel_num == int(float("1" * 50))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.5", 1.5),
        (2, 2.0),
        (".5", 0.5),
        ("-122.25", -122.25),
        (None, None),
        ("", None),
    ],
)
def test_floats(value: object, expected: float | None) -> None:
    channel = Channel.from_api({"ChannelID": CHANNEL_ID, "Latitude": value})
    assert channel.latitude == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (" yes ", True),
        ("off", False),
        (None, False),
        ("", False),
    ],
)
def test_booleans(value: object, expected: bool) -> None:
    stream = Stream.from_api({"StreamID": STREAM_ID, "DemandLive": value})
    assert stream.demand_live is expected


@pytest.mark.parametrize("value", [2, -1, 1.0, "maybe", [], {}])
def test_boolean_garbage(value: object) -> None:
    with pytest.raises(InvalidResponse, match=r"Stream\.DemandLive is not a boolean"):
        Stream.from_api({"StreamID": STREAM_ID, "DemandLive": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (STREAM_ID, STREAM_ID),
        (f"  {STREAM_ID} ", STREAM_ID),
        (34020000001310000001, "34020000001310000001"),
    ],
)
def test_identifiers(value: object, expected: str) -> None:
    assert Stream.from_api({"StreamID": value}).stream_id == expected


@pytest.mark.parametrize("value", [1.5, True, [STREAM_ID], {"id": 1}, 10**41])
def test_identifier_garbage(value: object) -> None:
    with pytest.raises(InvalidResponse, match=r"Stream\.StreamID is not a string"):
        Stream.from_api({"StreamID": value})


def test_unknown_fields_are_ignored() -> None:
    stream = Stream.from_api(
        {"StreamID": STREAM_ID, "BrandNewField": {"x": [1, 2]}, "Logs": "???"}
    )
    assert stream == Stream(stream_id=STREAM_ID)


def test_empty_go_values_read_as_empty() -> None:
    stream = Stream.from_api(
        {"StreamID": STREAM_ID, "Screenshot": "", "PullUrls": "", "TransPullUrls": ""}
    )
    assert stream == Stream(stream_id=STREAM_ID)


def test_tuples_are_lists() -> None:
    # Callers may hand in Python tuples; they read like JSON arrays.
    stream = Stream.from_api({"StreamID": STREAM_ID, "PullUrls": (HLS_URL,)})
    assert stream.pull_url(Protocol.HLS) is not None


# --------------------------------------------------------------------------------------
# Cloud playback URLs


def test_play_cloud_record_uses_jwt_expiry() -> None:
    urls = RecordingUrls.from_play_cloud_record(
        {"hls": RECORD_HLS, "mp4": RECORD_MP4}, issued_at=ISSUED, token_valid=60
    )
    assert urls == RecordingUrls(
        hls_url=RECORD_HLS, mp4_url=RECORD_MP4, expires_at=JWT_EXPIRY
    )
    assert urls.playlist_url is None
    text = repr(urls)
    assert "X-JWT-Token" not in text
    assert JWT not in text


def test_cloud_record_play_keys() -> None:
    urls = RecordingUrls.from_cloud_record_play(
        {"ID": RECORD_PLAYLIST, "HLS": RECORD_HLS, "MP4": RECORD_MP4},
        issued_at=ISSUED,
        token_valid=3600,
    )
    assert urls.playlist_url == RECORD_PLAYLIST
    assert urls.hls_url == RECORD_HLS
    assert urls.mp4_url == RECORD_MP4
    assert urls.expires_at == JWT_EXPIRY
    assert "X-JWT-Token" not in repr(urls)


def test_cloud_record_play_falls_back_to_playlist() -> None:
    hls = "https://aiot.example.com/media_record/v1/file/get_m3u8?StreamID=x"
    urls = RecordingUrls.from_cloud_record_play(
        {"ID": hls, "HLS": "", "MP4": None}, issued_at=ISSUED, token_valid=3600
    )
    assert urls.hls_url == hls
    assert urls.mp4_url is None
    assert urls.expires_at == ISSUED + timedelta(hours=1)


def test_naive_issued_at_is_utc() -> None:
    urls = RecordingUrls.from_play_cloud_record(
        {"hls": "https://aiot.example.com/index.m3u8"},
        issued_at=ISSUED.replace(tzinfo=None),
        token_valid=10,
    )
    assert urls.expires_at == ISSUED + timedelta(seconds=10)


def test_issued_at_in_other_zone() -> None:
    urls = RecordingUrls.from_play_cloud_record(
        {"hls": "https://aiot.example.com/index.m3u8"},
        issued_at=ISSUED.astimezone(BEIJING),
        token_valid=10,
    )
    assert urls.expires_at == ISSUED + timedelta(seconds=10)
    assert urls.expires_at.tzinfo is UTC


def _token_url(token: str) -> str:
    return f"https://aiot.example.com/index.m3u8?X-JWT-Token={token}"


UNUSABLE_TOKENS = {
    "not a JWT": "not-a-jwt",
    "two parts": "a.b",
    "four parts": "a.b.c.d",
    "not base64": "aaa.!!!.ccc",
    "not ASCII": "aaa.\u00e9.ccc",
    "not JSON": f"aaa.{_b64(b'not json')}.ccc",
    "not UTF-8": f"aaa.{_b64(bytes([0xFF, 0xFE]))}.ccc",
    "nested too deep": f"aaa.{_b64(b'[' * 100_000)}.ccc",
    "payload is a list": make_jwt([1, 2]),
    "no exp": make_jwt({"sub": "x"}),
    "exp is a string": make_jwt({"exp": "1734582693"}),
    "exp is a float": make_jwt({"exp": 1734582693.5}),
    "exp is a bool": make_jwt({"exp": True}),
    "exp is zero": make_jwt({"exp": 0}),
    "exp out of range": make_jwt({"exp": 10**20}),
}


@pytest.mark.parametrize(
    "token", list(UNUSABLE_TOKENS.values()), ids=list(UNUSABLE_TOKENS)
)
def test_unusable_jwt_falls_back_to_token_valid(token: str) -> None:
    urls = RecordingUrls.from_play_cloud_record(
        {"hls": _token_url(token)}, issued_at=ISSUED, token_valid=3600
    )
    assert urls.expires_at == ISSUED + timedelta(seconds=3600)


def test_url_without_token_or_with_bad_url() -> None:
    urls = RecordingUrls.from_play_cloud_record(
        {"hls": "http://[::1/index.m3u8"}, issued_at=ISSUED, token_valid=5
    )
    assert urls.expires_at == ISSUED + timedelta(seconds=5)


def test_jwt_exp_in_milliseconds() -> None:
    urls = RecordingUrls.from_play_cloud_record(
        {"hls": _token_url(make_jwt({"exp": 1734582693000}))},
        issued_at=ISSUED,
        token_valid=3600,
    )
    assert urls.expires_at == JWT_EXPIRY


@pytest.mark.parametrize(
    ("parse", "result", "message"),
    [
        ("cloud", {}, r"CloudRecordPlay\.HLS missing"),
        ("cloud", {"MP4": RECORD_MP4}, r"CloudRecordPlay\.HLS missing"),
        ("cloud", [RECORD_HLS], "CloudRecordPlay is not an object"),
        ("cloud", {"HLS": ["x"]}, r"CloudRecordPlay\.HLS is not a string"),
        ("play", {}, r"PlayCloudRecord\.hls missing"),
        ("play", {"hls": RECORD_HLS, "mp4": 7.5}, r"PlayCloudRecord\.mp4"),
        ("play", None, "PlayCloudRecord is not an object"),
    ],
)
def test_recording_urls_garbage(parse: str, result: object, message: str) -> None:
    parser = (
        RecordingUrls.from_cloud_record_play
        if parse == "cloud"
        else RecordingUrls.from_play_cloud_record
    )
    with pytest.raises(InvalidResponse, match=message) as caught:
        parser(result, issued_at=ISSUED, token_valid=3600)
    assert JWT not in str(caught.value)


# --------------------------------------------------------------------------------------
# Recording and screenshot lists


def test_recordings_array_sorted_by_start() -> None:
    segments = parse_recordings([RECORD_ITEM, RECORD_META_ITEM])
    meta, record = segments
    assert record == RecordingSegment(
        start=ts(1700095456),
        end=ts(1700095756),
        duration=300.04,
        cover_url=RECORD_ITEM["Record"]["Cover"],
        format="mp4",
        path=RECORD_ITEM["Path"],
        kind="record",
    )
    assert meta.kind == "record_metadata"
    assert meta.format == "ts"
    assert meta.duration == 6.0  # not sent: end - start
    assert meta.cover_url is None
    assert "volcSecret" not in repr(segments)
    assert "ve_3wmh" not in repr(segments)


def test_recording_kind_defaults() -> None:
    record = with_(RECORD_ITEM, Type=None)
    meta = with_(RECORD_META_ITEM, Type="")
    flat = {"StartTime": 1700000000, "EndTime": "1700000010", "Duration": "10"}
    kinds = [s.kind for s in parse_recordings([record, meta, flat])]
    assert kinds == ["record", "record_metadata", "record"]  # sorted by start


def test_recordings_equal_starts_sort_by_end() -> None:
    long = {"Record": {"StartTime": 1700000000, "EndTime": 1700000100}}
    short = {"Record": {"StartTime": 1700000000, "EndTime": 1700000050}}
    assert [s.end for s in parse_recordings([long, short])] == [
        ts(1700000050),
        ts(1700000100),
    ]


@pytest.mark.parametrize(
    ("result", "count"),
    [
        (None, 0),
        ([], 0),
        ({}, 0),
        (RECORD_ITEM, 1),
        ({"Items": [RECORD_ITEM, RECORD_META_ITEM]}, 2),
        ({"Records": [RECORD_ITEM]}, 1),
        ({"Records": None}, 0),
    ],
)
def test_recordings_result_shapes(result: object, count: int) -> None:
    assert len(parse_recordings(result)) == count


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ("records", "ListStreamRecords is not a list"),
        (5, "ListStreamRecords is not a list"),
        ({"Items": {"a": RECORD_ITEM}}, r"ListStreamRecords\.Items is not a list"),
        ([None], "RecordingSegment is not an object"),
        ([{"Record": {"EndTime": 1}}], r"RecordingSegment\.Record\.StartTime missing"),
        (
            [{"RecordMeta": {"StartTime": 1}}],
            r"RecordingSegment\.RecordMeta\.EndTime missing",
        ),
        ([{"Record": []}], r"RecordingSegment\.Record is not an object"),
        (
            [
                with_(
                    RECORD_ITEM, Record={"StartTime": 1, "EndTime": 2, "Duration": "x"}
                )
            ],
            r"RecordingSegment\.Record\.Duration is not a number",
        ),
    ],
)
def test_recordings_garbage(result: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        parse_recordings(result)


# Odd values a field may hold instead of the documented one.
_ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0, 10**11, 10**11 + 1, 1700000000000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(" 0123456789.tsmpTZ:-", max_size=12),
    st.lists(st.integers(), max_size=1),
    st.dictionaries(st.just("StartTime"), st.integers(), max_size=1),
)
_SECONDS = st.integers(1, 10**11)
_TIMES = st.one_of(_SECONDS, _SECONDS, _SECONDS, st.integers(10**11, 2 * 10**12))
_TEXTS = st.one_of(st.none(), st.text(" abc./", max_size=6))


@st.composite
def _segment_items(draw: st.DrawFn) -> dict[str, object]:
    """A documented item (unix seconds, strings), sometimes with fields made odd."""
    record: dict[str, object] = {
        "StartTime": draw(_TIMES),
        "EndTime": draw(_TIMES),
        "Duration": draw(st.one_of(st.none(), st.integers(0, 9), st.floats(0, 9))),
        "Cover": draw(_TEXTS),
        "Format": draw(_TEXTS),
    }
    sub_key = draw(st.sampled_from(["Record", "RecordMeta", None]))
    top: dict[str, object] = {"Type": draw(_TEXTS), "Path": draw(_TEXTS)}
    item = {**top, sub_key: record} if sub_key else {**top, **record}
    for key in draw(st.lists(st.sampled_from([*record, *top, "Record"]), max_size=3)):
        target = record if key in record and sub_key else item
        if draw(st.booleans()):
            target[key] = draw(_ODD_VALUES)
        else:
            target.pop(key, None)
    return item


@settings(max_examples=1000, deadline=None)
@given(item=_segment_items())
def test_plain_segments_read_as_the_tolerant_readers_do(
    item: dict[str, object],
) -> None:
    """The fast reader of the documented shape gives the tolerant readers' result,
    and leaves everything else to them."""
    plain = RecordingSegment._from_plain(item)
    try:
        tolerant: object = RecordingSegment._from_fields(item)
    except InvalidResponse as err:
        tolerant = err
    if plain is not None:
        assert plain == tolerant


@pytest.mark.parametrize(
    "item",
    [
        RECORD_ITEM,
        with_(
            RECORD_META_ITEM,
            RecordMeta={"StartTime": 1700095156, "EndTime": 1700095162, "Format": "ts"},
        ),
    ],
)
def test_documented_segments_take_the_fast_reader(item: dict[str, object]) -> None:
    """Unix seconds as numbers (the documented shape) are read by the fast reader."""
    plain = RecordingSegment._from_plain(item)
    assert plain is not None
    assert plain == RecordingSegment._from_fields(item)


def test_screenshots_sorted_and_ms_timestamps() -> None:
    shots = parse_screenshots(SCREENSHOT_ITEMS)
    assert [s.taken_at for s in shots] == [ts(1700000000), ts(1700000060)]
    assert shots[0].url == SCREENSHOT_ITEMS[1]["Path"]
    assert "volcSecret" not in repr(shots)
    assert "tos.example.com" not in repr(shots)


@pytest.mark.parametrize(
    ("result", "count"),
    [
        (None, 0),
        ({}, 0),
        (SCREENSHOT_ITEMS[0], 1),
        ({"Items": SCREENSHOT_ITEMS}, 2),
        ({"Screenshots": SCREENSHOT_ITEMS}, 2),
    ],
)
def test_screenshots_result_shapes(result: object, count: int) -> None:
    assert len(parse_screenshots(result)) == count


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([{"Path": "https://x/y.jpg"}], r"Screenshot\.Screenshot\.BornTs missing"),
        ([{"Screenshot": {"BornTs": 1}}], r"Screenshot\.Path missing"),
        (
            [{"Path": "u", "Screenshot": {"BornTs": "then"}}],
            r"Screenshot\.Screenshot\.BornTs",
        ),
        (True, "ListStreamScreenshots is not a list"),
    ],
)
def test_screenshots_garbage(result: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        parse_screenshots(result)


# --------------------------------------------------------------------------------------
# Paging


def test_page_of_streams() -> None:
    page = parse_page(
        {
            "PageNumber": "2",
            "PageSize": "20",
            "TotalCount": 21,
            "Streams": [RTMP_SPACE_STREAM],
        },
        "Streams",
        Stream.from_api,
    )
    assert page == Page(
        items=(Stream.from_api(RTMP_SPACE_STREAM),),
        page_number=2,
        page_size=20,
        total_count=21,
    )


def test_page_defaults() -> None:
    page = parse_page({"Devices": [DEVICE, DEVICE]}, "Devices", Device.from_api)
    assert (page.page_number, page.page_size, page.total_count) == (1, 2, None)
    assert all(isinstance(d, Device) for d in page.items)


def test_page_without_items() -> None:
    page = parse_page({"Streams": None, "TotalCount": 0}, "Streams", Stream.from_api)
    assert page == Page(items=(), page_number=1, page_size=0, total_count=0)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([STREAM], "Result is not an object"),
        (None, "Result is not an object"),
        ({"Streams": STREAM}, r"Result\.Streams is not a list"),
        ({"Streams": [], "PageNumber": "first"}, r"Result\.PageNumber"),
        ({"Streams": [{}]}, r"Stream\.StreamID missing"),
    ],
)
def test_page_garbage(result: object, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        parse_page(result, "Streams", Stream.from_api)


# --------------------------------------------------------------------------------------
# Every §7 contradiction that touches these models, one case each


def _device(**fields: Any) -> Device:
    return Device.from_api({"DeviceID": DEVICE_ID, **fields})


CONTRADICTIONS: list[tuple[str, Callable[[], object], Callable[[Any], bool]]] = [
    (
        "6 TransPullUrls as a list (docs, Python SDK StartStream)",
        lambda: Stream.from_api(with_(STREAM, TransPullUrls=[HLS_URL, FLV_URL])),
        lambda s: (
            [u.protocol for u in s.trans_pull_urls[TRANS_UNNAMED]]
            == [Protocol.HLS, Protocol.FLV]
        ),
    ),
    (
        "6 TransPullUrls as a map of lists (Go, Java SDKs)",
        lambda: Stream.from_api(
            with_(STREAM, TransPullUrls={"ld": [HLS_URL], "sd": [FLV_URL], "hd": []})
        ),
        lambda s: list(s.trans_pull_urls) == ["ld", "sd"],
    ),
    (
        "6 StartStream TransPullUrls as a map",
        lambda: StartStreamResult.from_api(
            {"ID": STREAM_ID, "TransPullUrls": {"ld": [HLS_URL]}}
        ),
        lambda r: r.trans_pull_urls["ld"][0].protocol is Protocol.HLS,
    ),
    (
        "7 DeviceSubStreams as a list of objects (docs, Python SDK)",
        lambda: _device(DeviceSubStreams=[{"StreamID": SUB_STREAM_ID}]),
        lambda d: d.sub_stream_ids == (SUB_STREAM_ID,),
    ),
    (
        "7 DeviceSubStreams as a map channel -> list (Go SDK)",
        lambda: _device(DeviceSubStreams={CHANNEL_ID: [{"StreamID": SUB_STREAM_ID}]}),
        lambda d: d.sub_stream_ids == (SUB_STREAM_ID,),
    ),
    (
        "7 DeviceStreams as a map keyed by channel (Go, Java SDKs)",
        lambda: _device(DeviceStreams={CHANNEL_ID: {"StreamID": STREAM_ID}}),
        lambda d: (
            (d.streams[0].channel_id, d.streams[0].stream_id) == (CHANNEL_ID, STREAM_ID)
        ),
    ),
    (
        "7 DeviceStreams as a list (opaque in the Python SDK)",
        lambda: _device(
            DeviceStreams=[{"ChannelID": CHANNEL_ID, "StreamID": STREAM_ID}]
        ),
        lambda d: d.streams[0].channel_id == CHANNEL_ID,
    ),
    (
        "8 AutoPullAfterRegister (docs, Python SDK)",
        lambda: _device(AutoPullAfterRegister=True),
        lambda d: d.auto_pull_after_register,
    ),
    (
        "8 AutoPullAfterRegiter (Go, Java SDKs)",
        lambda: _device(AutoPullAfterRegiter="1"),
        lambda d: d.auto_pull_after_register,
    ),
    (
        "9 ListStreamRecords Result as an array (Go, Java SDKs, docs)",
        lambda: parse_recordings([RECORD_ITEM]),
        lambda r: len(r) == 1 and r[0].format == "mp4",
    ),
    (
        "9 ListStreamRecords Result as one object (Python SDK)",
        lambda: parse_recordings(RECORD_META_ITEM),
        lambda r: len(r) == 1 and r[0].kind == "record_metadata",
    ),
    (
        "9 ListStreamScreenshots Result as an array",
        lambda: parse_screenshots(SCREENSHOT_ITEMS),
        lambda r: len(r) == 2,
    ),
    (
        "9 ListStreamScreenshots Result as one object (Python SDK)",
        lambda: parse_screenshots(SCREENSHOT_ITEMS[0]),
        lambda r: r[0].taken_at == ts(1700000060),
    ),
    (
        "11 DeviceItem as an object (Java SDK, docs)",
        lambda: Channel.from_api({"StreamID": STREAM_ID, "DeviceItem": DEVICE_ITEM}),
        lambda c: c.channel_id == CHANNEL_ID and c.has_ptz,
    ),
    (
        "11 DeviceItem as a list with one object (Python SDK)",
        lambda: Channel.from_api({"StreamID": STREAM_ID, "DeviceItem": [DEVICE_ITEM]}),
        lambda c: c.channel_id == CHANNEL_ID and c.resolutions == ("6", "3"),
    ),
    (
        "12 ListSpaces with paging fields (docs, Go SDK)",
        lambda: parse_page(
            {"PageNumber": 1, "PageSize": 20, "TotalCount": 1, "Spaces": [SPACE]},
            "Spaces",
            Space.from_api,
        ),
        lambda p: p.total_count == 1 and p.page_size == 20,
    ),
    (
        "12 ListSpaces without paging fields (Python SDK)",
        lambda: parse_page({"Spaces": [SPACE]}, "Spaces", Space.from_api),
        lambda p: p.total_count is None and p.page_number == 1 and len(p.items) == 1,
    ),
    (
        "12 ListSpaces PageNumber=0 (docs example) is the first page",
        lambda: parse_page({"PageNumber": 0, "Spaces": []}, "Spaces", Space.from_api),
        lambda p: p.page_number == 1,
    ),
    (
        "13 times as RFC3339 with an offset",
        lambda: Space.from_api(with_(SPACE, CreatedAt="2023-07-03T21:10:10+08:00")),
        lambda s: s.created_at == datetime(2023, 7, 3, 13, 10, 10, tzinfo=UTC),
    ),
    (
        "13 times as unix seconds",
        lambda: Space.from_api(with_(SPACE, CreatedAt=1688389810)),
        lambda s: s.created_at == datetime(2023, 7, 3, 13, 10, 10, tzinfo=UTC),
    ),
    (
        "15 PlayCloudRecord lower-case hls/mp4",
        lambda: RecordingUrls.from_play_cloud_record(
            {"hls": RECORD_HLS, "mp4": RECORD_MP4}, issued_at=ISSUED, token_valid=1
        ),
        lambda u: u.hls_url == RECORD_HLS and u.mp4_url == RECORD_MP4,
    ),
    (
        "15 PlayCloudRecord upper-case HLS/MP4 tolerated",
        lambda: RecordingUrls.from_play_cloud_record(
            {"HLS": RECORD_HLS, "MP4": RECORD_MP4}, issued_at=ISSUED, token_valid=1
        ),
        lambda u: u.hls_url == RECORD_HLS and u.mp4_url == RECORD_MP4,
    ),
    (
        "15 CloudRecordPlay upper-case ID/HLS/MP4",
        lambda: RecordingUrls.from_cloud_record_play(
            {"ID": RECORD_PLAYLIST, "HLS": RECORD_HLS, "MP4": RECORD_MP4},
            issued_at=ISSUED,
            token_valid=1,
        ),
        lambda u: u.playlist_url == RECORD_PLAYLIST and u.hls_url == RECORD_HLS,
    ),
    (
        "19 CloudRecordPlay (Go's V3 free-form map) lower-case id/hls/mp4 tolerated",
        lambda: RecordingUrls.from_cloud_record_play(
            {"id": RECORD_PLAYLIST, "hls": RECORD_HLS, "mp4": RECORD_MP4},
            issued_at=ISSUED,
            token_valid=1,
        ),
        lambda u: u.playlist_url == RECORD_PLAYLIST and u.mp4_url == RECORD_MP4,
    ),
]


@pytest.mark.parametrize(
    ("parse", "check"),
    [pytest.param(parse, check, id=name) for name, parse, check in CONTRADICTIONS],
)
def test_contradiction(
    parse: Callable[[], object], check: Callable[[Any], bool]
) -> None:
    assert check(parse())


# --------------------------------------------------------------------------------------
# repr never shows secrets


def _all_models() -> list[object]:
    return [
        Space.from_api(SPACE),
        Device.from_api(DEVICE),
        DeviceChannels.from_api(CHANNELS),
        Stream.from_api(STREAM),
        StartStreamResult.from_api({"ID": STREAM_ID, "PullUrls": [HLS_URL]}),
        RecordingUrls.from_cloud_record_play(
            {"ID": RECORD_PLAYLIST, "HLS": RECORD_HLS, "MP4": RECORD_MP4},
            issued_at=ISSUED,
            token_valid=1,
        ),
        parse_recordings([RECORD_ITEM, RECORD_META_ITEM]),
        parse_screenshots(SCREENSHOT_ITEMS),
        parse_page({"Streams": [STREAM]}, "Streams", Stream.from_api),
    ]


@pytest.mark.parametrize(
    "secret", ["volcSecret", "X-JWT-Token", VOLC_SECRET, JWT, PASSWORD, MAIN_KEY]
)
def test_repr_hides_secrets(secret: str) -> None:
    for model in _all_models():
        assert secret not in repr(model)
        assert secret not in str(model)


# --------------------------------------------------------------------------------------
# Fuzz: arbitrary JSON raises nothing but InvalidResponse

FIELD_NAMES = sorted(
    {
        *SPACE,
        *DEVICE,
        *DEVICE_ITEM,
        *CHANNELS,
        *STREAM,
        *RECORD_ITEM,
        *RECORD_ITEM["Record"],
        *RECORD_META_ITEM,
        *RECORD_META_ITEM["RecordMeta"],
        *SCREENSHOT_ITEMS[0],
        "AutoPullAfterRegiter",
        "DeviceItem",
        "BornTs",
        "ChannelStatus",
        "Name",
        "Info",
        "ID",
        "id",
        "HLS",
        "hls",
        "MP4",
        "mp4",
        "StopRes",
        "Items",
        "Records",
        "Screenshots",
        "Spaces",
        "Streams",
        "Devices",
        "PageNumber",
        "PageSize",
        "TotalCount",
        "TemplateID",
        "PullOnDemand",
        "ld",
        CHANNEL_ID,
    }
)
INTERESTING_STRINGS = [
    "",
    " ",
    "0",
    "1",
    "20",
    "1.5",
    "-1",
    "1e999",
    "nan",
    "true",
    "false",
    "ON",
    "online",
    "6/3",
    STREAM_ID,
    CHANNEL_ID,
    "1700000000",
    "1700000000000",
    "99999999999999999999999999",
    "2021-11-11T11:28:30+08:00",
    "2023-10-01 10:10:09",
    "0001-01-01 00:00:00",
    "9999-12-31T23:59:59-10:00",
    HLS_URL,
    FLV_URL,
    RTMP_URL,
    RECORD_HLS,
    _token_url(make_jwt({"exp": 10**30})),
    "http://[::1/x.m3u8",
    "https://x/y.m3u8?volcTime=1e999",
]

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(INTERESTING_STRINGS),
)
json_keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6))
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(json_keys, children, max_size=5),
    ),
    max_leaves=10,
)
# Objects made mostly of real field names reach much deeper into the parsers.
json_results = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=10),
    st.lists(
        st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6),
        max_size=3,
    ),
)

PARSERS: dict[str, Callable[[object], object]] = {
    "Space": Space.from_api,
    "Device": Device.from_api,
    "DeviceStream": DeviceStream.from_api,
    "Channel": Channel.from_api,
    "DeviceChannels": DeviceChannels.from_api,
    "Stream": Stream.from_api,
    "StartStreamResult": StartStreamResult.from_api,
    "StopStreamResult": StopStreamResult.from_api,
    "RecordingSegment": RecordingSegment.from_api,
    "Screenshot": Screenshot.from_api,
    "CloudRecordPlay": partial(
        RecordingUrls.from_cloud_record_play, issued_at=ISSUED, token_valid=3600
    ),
    "PlayCloudRecord": partial(
        RecordingUrls.from_play_cloud_record, issued_at=ISSUED, token_valid=3600
    ),
    "parse_page": lambda r: parse_page(r, "Streams", Stream.from_api),
    "parse_recordings": parse_recordings,
    "parse_screenshots": parse_screenshots,
    "parse_pull_urls": parse_pull_urls,
}


# Every parser sees every generated value: generating is what costs time, so this
# gives each parser its hundreds of examples for the price of one test.
@pytest.mark.slow
@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=json_results)
def test_fuzz_only_invalid_response(data: object) -> None:
    for name, parse in PARSERS.items():
        try:
            parsed = parse(data)
        except InvalidResponse as err:
            message = str(err)
            assert message.startswith("InvalidResponse: "), name
            assert "volcSecret" not in message, name
            assert "X-JWT-Token" not in message, name
            continue
        # Any field may hold a URL (an ID, a name); the repr masks the token values.
        text = repr(parsed)
        assert VOLC_SECRET not in text, name
        assert JWT not in text, name


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    url=st.one_of(
        st.text(max_size=40),
        st.builds(
            "{}://{}/{}{}?{}".format,
            st.sampled_from(["http", "HTTPS", "rtmp", "rtsp", "", "ftp"]),
            st.text(max_size=8),
            st.text(max_size=8),
            st.sampled_from([".m3u8", ".flv", ".FLV", "", ".mp4"]),
            st.text(max_size=20),
        ),
        st.sampled_from(INTERESTING_STRINGS),
    )
)
def test_fuzz_pull_url_parse(url: str) -> None:
    parsed = PullUrl.parse(url)
    if parsed is not None:
        assert parsed.protocol in Protocol
        assert parsed.url == url.strip()
        assert parsed.expires_at is None or parsed.expires_at.tzinfo is UTC


def test_public_names() -> None:
    for name in models.__all__:
        assert getattr(models, name) is not None
