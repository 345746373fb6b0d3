"""A small HTTP-FLV muxer: H.264 from MPEG-TS segments into one continuous FLV.

PyAV demuxes the TS segments the HLS route serves; this module repackages their
Annex-B access units as FLV video tags (AVCC, length-prefixed NAL units) behind a
single header and AVC sequence header, so one HTTP response can carry segment
after segment with continuous timestamps, as a live HTTP-FLV pull does.

Like a real CDN's pull, the stream opens with an `onMetaData` script tag that says
what it carries (video only, H.264, size and rate): without it a reader cannot know
that no audio track will follow, and go2rtc and FFmpeg wait about five seconds for
one before showing the first frame [I].
"""

from __future__ import annotations

from dataclasses import dataclass
import io
import re
import struct

import av

_START_CODE = re.compile(b"\x00\x00\x01")
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9
TAG_VIDEO = 9
TAG_SCRIPT = 18
CODEC_AVC = 7
# AMF0 type markers used by onMetaData.
_AMF_NUMBER = 0
_AMF_BOOLEAN = 1
_AMF_STRING = 2
_AMF_ECMA_ARRAY = 8
_AMF_OBJECT_END = b"\x00\x00\x09"


@dataclass(frozen=True, slots=True)
class AccessUnit:
    """One H.264 access unit: decode time, composition offset (ms), NAL units."""

    dts_ms: int
    cts_ms: int
    keyframe: bool
    nals: tuple[bytes, ...]


def split_annexb(data: bytes) -> list[bytes]:
    """Split an Annex-B byte stream into NAL units (start codes removed)."""
    starts = [m.end() for m in _START_CODE.finditer(data)]
    nals: list[bytes] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - 3 if index + 1 < len(starts) else len(data)
        # A NAL unit ends in its stop bit; zero bytes after it belong to the next
        # (4-byte) start code or are trailing padding.
        nal = data[start:end].rstrip(b"\x00")
        if nal:
            nals.append(nal)
    return nals


def demux_ts(data: bytes) -> list[AccessUnit]:
    """Return the H.264 access units of an MPEG-TS segment, timed from its start."""
    units: list[AccessUnit] = []
    with av.open(io.BytesIO(data), mode="r", format="mpegts") as container:
        stream = container.streams.video[0]
        time_base = stream.time_base
        assert time_base is not None  # noqa: S101  # MPEG-TS always has one
        first: int | None = None
        for packet in container.demux(stream):
            if packet.size == 0 or packet.dts is None:
                continue
            pts = packet.pts if packet.pts is not None else packet.dts
            if first is None:
                first = packet.dts
            units.append(
                AccessUnit(
                    dts_ms=round(float((packet.dts - first) * time_base) * 1000),
                    cts_ms=round(float((pts - packet.dts) * time_base) * 1000),
                    keyframe=bool(packet.is_keyframe),
                    nals=tuple(split_annexb(bytes(packet))),
                )
            )
    return units


def flv_header() -> bytes:
    """The FLV file header (video only) plus PreviousTagSize0."""
    return b"FLV\x01\x01" + struct.pack(">I", 9) + struct.pack(">I", 0)


def flv_tag(tag_type: int, timestamp_ms: int, payload: bytes) -> bytes:
    """One FLV tag followed by its PreviousTagSize."""
    ts = timestamp_ms & 0xFFFFFFFF
    header = (
        bytes([tag_type])
        + len(payload).to_bytes(3, "big")
        + (ts & 0xFFFFFF).to_bytes(3, "big")
        + bytes([ts >> 24])
        + b"\x00\x00\x00"
    )
    return header + payload + struct.pack(">I", len(header) + len(payload))


def _amf_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">H", len(data)) + data


def on_metadata(width: int, height: int, fps: float) -> bytes:
    """The `onMetaData` script tag of a live, video-only H.264 stream (at time 0)."""
    fields: list[tuple[str, float | bool]] = [
        ("duration", 0.0),  # live: no duration
        ("width", float(width)),
        ("height", float(height)),
        ("framerate", float(fps)),
        ("videocodecid", float(CODEC_AVC)),
        ("hasVideo", True),
        ("hasAudio", False),
    ]
    body = bytearray(bytes([_AMF_STRING]) + _amf_string("onMetaData"))
    body += bytes([_AMF_ECMA_ARRAY]) + struct.pack(">I", len(fields))
    for key, value in fields:
        body += _amf_string(key)
        if isinstance(value, bool):
            body += bytes([_AMF_BOOLEAN, int(value)])
        else:
            body += bytes([_AMF_NUMBER]) + struct.pack(">d", value)
    body += _AMF_OBJECT_END
    return flv_tag(TAG_SCRIPT, 0, bytes(body))


def avc_decoder_config(sps: bytes, pps: bytes) -> bytes:
    """An AVCDecoderConfigurationRecord for one SPS and one PPS."""
    return (
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1])
        + struct.pack(">H", len(sps))
        + sps
        + bytes([1])
        + struct.pack(">H", len(pps))
        + pps
    )


class FlvWriter:
    """Turns access units into FLV tags; the AVC sequence header goes out once."""

    def __init__(self) -> None:
        """Start before the sequence header."""
        self._configured = False

    def tags(self, units: list[AccessUnit], offset_ms: int) -> bytes:
        """FLV tags for `units`, shifted by `offset_ms`."""
        out = bytearray()
        for unit in units:
            sps = next((n for n in unit.nals if n[0] & 0x1F == NAL_SPS), None)
            pps = next((n for n in unit.nals if n[0] & 0x1F == NAL_PPS), None)
            timestamp = offset_ms + unit.dts_ms
            if not self._configured:
                if sps is None or pps is None:
                    continue  # a decoder cannot start before the first keyframe
                config = avc_decoder_config(sps, pps)
                out += flv_tag(
                    TAG_VIDEO, timestamp, bytes([0x10 | CODEC_AVC, 0, 0, 0, 0]) + config
                )
                self._configured = True
            body = b"".join(
                struct.pack(">I", len(n)) + n
                for n in unit.nals
                if n[0] & 0x1F not in (NAL_SPS, NAL_PPS, NAL_AUD)
            )
            if not body:
                continue
            frame_type = 1 if unit.keyframe else 2
            cts = unit.cts_ms.to_bytes(3, "big", signed=True)
            out += flv_tag(
                TAG_VIDEO,
                timestamp,
                bytes([(frame_type << 4) | CODEC_AVC, 1]) + cts + body,
            )
        return bytes(out)
