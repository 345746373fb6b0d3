"""The CDN: live HLS/FLV, cloud playback, stills, tokens, CORS, counters."""

from __future__ import annotations

import asyncio
import io
import itertools
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import aiohttp
import av
import pytest

from emulator import Emulator, FaultRule, Fleet
from emulator.flv import FlvWriter, demux_ts, flv_header, split_annexb
from emulator.recordings import iter_files

from .helpers import V2023, Client


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def stream_of(emu: Emulator, title: str) -> str:
    return next(
        s.stream_id
        for s in emu.fleet.streams.values()
        if s.title == title and s.streaming_type == "main_stream"
    )


async def pull(
    client: Client, stream_id: str, kind: str = ".m3u8", **query: Any
) -> str:
    urls = (
        await client.call("GetStream", query={"StreamID": stream_id, **query})
    ).result["PullUrls"]
    return next(u for u in urls if kind in u)


async def fetch(
    session: aiohttp.ClientSession, url: str, **kwargs: Any
) -> tuple[int, bytes, Any]:
    async with session.get(url, **kwargs) as resp:
        return resp.status, await resp.read(), resp.headers


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def decode(data: bytes, fmt: str | None = None) -> list[av.VideoFrame]:
    with av.open(io.BytesIO(data), format=fmt) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        return list(container.decode(video=0))


@pytest.fixture(autouse=True)
def _unthrottled(emulator: Emulator) -> None:
    emulator.limiter.rate = 0


async def test_live_hls(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    url = await pull(client, stream_of(emulator, "Front Gate"))
    status, body, headers = await fetch(session, url)
    assert status == 200
    assert headers["Content-Type"].startswith("application/vnd.apple.mpegurl")
    assert headers["Access-Control-Allow-Origin"] == "*"
    lines = body.decode().splitlines()
    assert lines[0] == "#EXTM3U"
    assert "#EXT-X-TARGETDURATION:2" in lines
    assert "#EXT-X-ENDLIST" not in lines
    sequence = int(
        next(x for x in lines if x.startswith("#EXT-X-MEDIA-SEQUENCE:")).split(":")[1]
    )
    assert abs(sequence - (int(emulator.now() // 2) - 4)) <= 1
    segments = [x for x in lines if not x.startswith("#")]
    assert len(segments) == 4
    query = urlsplit(url).query
    assert all(s.endswith(query) for s in segments)
    base = url.rsplit("/", 1)[0]
    first = await fetch(session, f"{base}/{segments[-2]}")
    second = await fetch(session, f"{base}/{segments[-1]}")
    assert first[0] == second[0] == 200
    assert first[2]["Content-Type"] == "video/mp2t"
    a, b = decode(first[1]), decode(second[1])
    assert (a[0].width, a[0].height) == (640, 360)
    assert len(a) == 20
    # Timestamps continue from one segment to the next (same pts origin), except
    # across a UTC midnight, where they restart.
    seqs = [int(s.split("/")[1].split(".")[0]) for s in segments[-2:]]
    if seqs[0] * 2 // 86400 == seqs[1] * 2 // 86400:
        assert b[0].pts - a[-1].pts == 9000
    # Out of the window (too old or in the future): gone.
    seq = int(segments[-1].split("/")[1].split(".")[0])
    for wrong in (seq + 5, seq - 40):
        assert (
            await fetch(
                session, f"{base}/{segments[-1].replace(f'/{seq}.ts', f'/{wrong}.ts')}"
            )
        )[0] == 404
    assert emulator.cdn_count("live_m3u8") == 1
    assert emulator.cdn_count("live_ts", 200) == 2
    assert emulator.stats()["cdn"]["live_ts"] == 4


async def test_live_tokens(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    clock = Clock()
    emu = await emulator_factory(clock=clock, rate_limit=0)
    client = Client(session, emu)
    front = stream_of(emu, "Front Gate")
    url = await pull(client, front)
    assert (await fetch(session, url))[0] == 200
    secret = parse_qs(urlsplit(url).query)["volcSecret"][0]
    tampered = [
        with_query(url, volcSecret=("0" if secret[0] != "0" else "1") + secret[1:]),
        with_query(
            url, volcTime=str(int(parse_qs(urlsplit(url).query)["volcTime"][0]) + 60)
        ),
        with_query(url, volcTime="soon"),
        url.split("?")[0],
        url.replace("34020000001310000001.m3u8", "34020000001310000002.m3u8"),
    ]
    for bad in tampered:
        assert (await fetch(session, bad))[0] in (403, 404), bad
    assert (await fetch(session, tampered[0]))[0] == 403
    assert (await fetch(session, tampered[3]))[0] == 403
    # Expired: 403; FreshExpiredPull re-signs.
    clock.now += 3601
    status, body, _ = await fetch(session, url)
    assert status == 403
    assert b"expired" in body
    fresh = await pull(client, front, FreshExpiredPull=1)
    assert fresh != url
    assert (await fetch(session, fresh))[0] == 200
    # expire_urls: every URL issued so far fails; a re-sign works again.
    seg_url = (
        fresh.rsplit("/", 1)[0]
        + "/"
        + (await fetch(session, fresh))[1].decode().splitlines()[-1]
    )
    assert (await fetch(session, seg_url))[0] == 200
    emu.faults.add(FaultRule("expire_urls"))
    assert (await fetch(session, fresh))[0] == 403
    assert (await fetch(session, seg_url))[0] == 403
    assert await pull(client, front) == fresh  # stored URL, still the old one
    again = await pull(client, front, FreshExpiredPull="1")
    assert (await fetch(session, again))[0] == 200
    assert emu.cdn_count(status=403) >= 5


async def test_offline_and_on_demand(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    clock = Clock()
    emu = await emulator_factory(clock=clock, rate_limit=0)
    client = Client(session, emu)
    attic = await pull(client, stream_of(emu, "Attic"))
    assert (await fetch(session, attic))[0] == 404
    unknown = attic.replace("34020000001320000002_34020000001320000002", "nobody")
    assert (await fetch(session, unknown))[0] == 404
    barn = stream_of(emu, "Barn")
    url = await pull(client, barn)
    assert (await fetch(session, url))[0] == 404
    await client.call("StartStream", body={"StreamID": barn})
    assert (await fetch(session, url))[0] == 200
    # Fetching keeps it alive beyond the idle time...
    for _ in range(3):
        clock.now += 200
        assert (await fetch(session, url))[0] == 200
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "online"
    # ...and without fetches it goes offline.
    clock.now += 301
    assert (await fetch(session, url))[0] == 404
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "offline"


async def test_cdn_triggers_pull(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(cdn_triggers_pull=True, rate_limit=0)
    client = Client(session, emu)
    barn = stream_of(emu, "Barn")
    assert (await fetch(session, await pull(client, barn)))[0] == 200
    assert (await client.call("GetStream", query={"StreamID": barn})).result[
        "Status"
    ] == "online"
    assert (await fetch(session, await pull(client, stream_of(emu, "Attic"))))[0] == 404


async def test_trans_variant(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    east = stream_of(emulator, "East Terrace")
    trans = (await client.call("GetStream", query={"StreamID": east})).result[
        "TransPullUrls"
    ]
    urls = trans if isinstance(trans, list) else trans["ld"]
    url = next(u for u in urls if ".m3u8" in u)
    status, _body, _ = await fetch(session, url)
    assert status == 200
    assert (await fetch(session, url.replace("_ld.m3u8", "_hd.m3u8")))[0] == 404
    assert (await fetch(session, url.replace(".m3u8", ".mp4")))[0] == 404


def test_flv_muxer_unit(emulator: Emulator) -> None:
    media = emulator.media
    first = media.ts_segment("Unit", 1_700_000_000.0, 1.0, pts_origin=1_699_920_000.0)
    second = media.ts_segment("Unit", 1_700_000_001.0, 1.0, pts_origin=1_699_920_000.0)
    writer = FlvWriter()
    data = (
        flv_header()
        + writer.tags(demux_ts(first), 0)
        + writer.tags(demux_ts(second), 1000)
    )
    frames = decode(data, "flv")
    assert len(frames) == 20
    times = [f.time for f in frames]
    assert times == sorted(times)
    assert times[-1] == pytest.approx(1.9)
    assert split_annexb(b"\x00\x00\x00\x01\x67\x01\x00\x00\x01\x68\x02\x00") == [
        b"\x67\x01",
        b"\x68\x02",
    ]
    # No SPS/PPS yet: nothing can be sent.
    assert FlvWriter().tags(demux_ts(first)[1:], 0) == b""


async def test_live_flv(emulator_factory: Any, session: aiohttp.ClientSession) -> None:
    emu = await emulator_factory(
        flv_max_seconds=0.2, hls_segment_seconds=1, rate_limit=0
    )
    client = Client(session, emu)
    url = await pull(client, stream_of(emu, "Front Gate"), ".flv")
    status, body, headers = await fetch(session, url)
    assert status == 200
    assert headers["Content-Type"] == "video/x-flv"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body.startswith(b"FLV\x01")
    assert len(decode(body, "flv")) == 10
    async with session.head(url) as resp:
        assert resp.status == 200
    assert emu.cdn_count("live_flv", 200) == 2
    bad = with_query(url, volcSecret="0" * 32)
    assert (await fetch(session, bad))[0] == 403


async def test_live_flv_says_what_it_carries(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    """The stream opens with onMetaData: video only, H.264, its size and rate.

    go2rtc reads it to know that no audio track will follow. (FFmpeg's FLV reader
    keeps looking for a second stream for its analysis time whatever the tag says.)
    """
    emu = await emulator_factory(
        flv_max_seconds=0.2, hls_segment_seconds=1, rate_limit=0
    )
    url = await pull(Client(session, emu), stream_of(emu, "Front Gate"), ".flv")
    status, body, _ = await fetch(session, url)
    assert status == 200
    # The tag right after the header (9 bytes) and PreviousTagSize0 (4 bytes).
    assert body[13] == 18  # a script data tag, at time 0
    assert body[17:20] == b"\x00\x00\x00"
    assert b"onMetaData" in body[24:40]
    with av.open(io.BytesIO(body), format="flv") as container:
        metadata = dict(container.metadata)
        assert not container.streams.audio
        rate = container.streams.video[0].average_rate
        frame = next(container.decode(video=0))
    assert metadata["hasAudio"] == "false"
    assert metadata["hasVideo"] == "true"
    assert rate == emu.media.fps
    assert (frame.width, frame.height) == (emu.media.width, emu.media.height)


async def test_flv_ends_when_the_emulator_stops(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(hls_segment_seconds=1, rate_limit=0)
    url = await pull(Client(session, emu), stream_of(emu, "Front Gate"), ".flv")
    async with session.get(url) as resp:
        chunk = await resp.content.read(1024)
        assert chunk.startswith(b"FLV")
        await emu.stop()
        rest = await asyncio.wait_for(resp.content.read(), 5)
        assert isinstance(rest, bytes)


async def _play(
    client: Client, stream_id: str, start: int, end: int, **extra: Any
) -> dict[str, str]:
    body = {"StreamID": stream_id, "StartTime": start, "EndTime": end, **extra}
    reply = await client.call("PlayCloudRecord", V2023, body=body)
    assert reply.status == 200, reply.data
    return reply.result


def _find_gap(emu: Emulator, stream_id: str) -> tuple[int, int]:
    files = list(iter_files(emu.fleet.streams[stream_id], 0, int(emu.now()), emu.now()))
    for a, b in itertools.pairwise(files):
        if a[1] != b[0]:
            return a[0], b[1]
    raise AssertionError("no gap in 30 days")


async def test_recording_playback(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    front = stream_of(emulator, "Front Gate")
    # A pause of the record schedule three hours ago: a gap between two files.
    three_hours_ago = int(emulator.now()) // 600 * 600 - 3 * 3600
    emulator.fleet.streams[front].record_pauses = [
        (three_hours_ago, three_hours_ago + 1200)
    ]
    start, end = _find_gap(emulator, front)
    urls = await _play(client, front, start, end)
    status, body, headers = await fetch(session, urls["hls"])
    assert status == 200
    text = body.decode()
    lines = text.splitlines()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in lines
    assert lines[-1] == "#EXT-X-ENDLIST"
    assert "#EXT-X-DISCONTINUITY" in lines
    assert "#EXT-X-TARGETDURATION:6" in lines
    segments = [x for x in lines if not x.startswith("#")]
    assert len(segments) == 200  # two 600 s files in 6 s segments
    token = parse_qs(urlsplit(urls["hls"]).query)["X-JWT-Token"][0]
    assert all(f"X-JWT-Token={token}" in s for s in segments)
    base = urls["hls"].rsplit("/", 1)[0]
    status, data, headers = await fetch(session, f"{base}/{segments[0]}")
    assert status == 200
    assert headers["Content-Type"] == "video/mp2t"
    frames = decode(data)
    assert len(frames) == 60
    # Segments outside the token's range, or in the gap, are refused.
    seg = urlsplit(segments[0])
    params = {k: v[0] for k, v in parse_qs(seg.query).items()}
    outside = {**params, "Start": str((start - 6) * 1000), "End": str(start * 1000)}
    assert (await fetch(session, f"{base}/segment.ts?{urlencode(outside)}"))[0] == 403
    in_gap = {
        **params,
        "Start": str((start + 600) * 1000),
        "End": str((start + 606) * 1000),
    }
    assert (await fetch(session, f"{base}/segment.ts?{urlencode(in_gap)}"))[0] == 404
    too_long = {**params, "Start": str(start * 1000), "End": str((start + 60) * 1000)}
    assert (await fetch(session, f"{base}/segment.ts?{urlencode(too_long)}"))[0] == 404
    no_range = {k: v for k, v in params.items() if k != "Start"}
    assert (await fetch(session, f"{base}/segment.ts?{urlencode(no_range)}"))[0] == 400
    assert emulator.cdn_count("record_m3u8") == 1
    assert emulator.cdn_count("record_ts") == 5


async def test_recording_mp4_and_legacy_urls(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    front = stream_of(emulator, "Front Gate")
    files = list(
        iter_files(
            emulator.fleet.streams[front], 0, int(emulator.now()), emulator.now()
        )
    )
    start = files[-1][0]
    urls = await _play(client, front, start, start + 3)
    status, data, headers = await fetch(session, urls["mp4"])
    assert status == 200
    assert headers["Content-Type"] == "video/mp4"
    assert len(decode(data)) == 30
    status, part, headers = await fetch(
        session, urls["mp4"], headers={"Range": "bytes=0-99"}
    )
    assert status == 206
    assert len(part) == 100
    assert headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert (
        await fetch(session, urls["mp4"], headers={"Range": f"bytes={len(data) + 5}-"})
    )[0] == 416
    assert (await fetch(session, urls["mp4"], headers={"Range": "bytes=9-1"}))[0] == 416
    legacy = (
        await client.call(
            "CloudRecordPlay",
            body={"StreamID": front, "StartTs": start, "EndTs": start + 12},
        )
    ).result
    status, body, _ = await fetch(session, legacy["ID"])
    assert status == 200
    assert body.decode().count("#EXTINF") == 2
    assert (await fetch(session, legacy["HLS"]))[0] == 200
    status, data, _ = await fetch(session, legacy["MP4"])
    assert status == 200
    assert data[4:8] == b"ftyp"
    # Tampering with what the token covers: 403.
    assert (
        await fetch(session, with_query(legacy["ID"], Start=str((start - 600) * 1000)))
    )[0] == 403
    other = stream_of(emulator, "Back Door")
    assert (await fetch(session, with_query(legacy["HLS"], StreamID=other)))[0] == 403
    assert (
        await fetch(session, with_query(legacy["HLS"], **{"X-JWT-Token": "a.b.c"}))
    )[0] == 403
    assert (await fetch(session, with_query(legacy["HLS"], **{"X-JWT-Token": "abc"})))[
        0
    ] == 403
    assert (
        await fetch(
            session, with_query(legacy["HLS"], **{"X-JWT-Token": "a.b\u00e9.c"})
        )
    )[0] == 403
    assert (await fetch(session, legacy["HLS"].split("&X-JWT-Token")[0]))[0] == 403
    assert (await fetch(session, with_query(legacy["HLS"], Format="avi")))[0] == 400
    unknown = legacy["HLS"].replace("/get_format?", "/other.bin?")
    assert (await fetch(session, unknown))[0] == 404
    # A stream without recordings has nothing to play.
    garage = stream_of(emulator, "Garage")
    urls = await _play(client, garage, start, start + 60)
    assert (await fetch(session, urls["hls"]))[0] == 404
    assert emulator.cdn_count("record_mp4", 200) == 2


async def test_recording_token_expiry(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    clock = Clock()
    emu = await emulator_factory(clock=clock, rate_limit=0)
    client = Client(session, emu)
    front = stream_of(emu, "Front Gate")
    now = int(clock.now)
    urls = await _play(client, front, now - 120, now - 60, TokenValid=30)
    assert (await fetch(session, urls["hls"]))[0] == 200
    clock.now += 31
    status, body, _ = await fetch(session, urls["hls"])
    assert status == 403
    assert b"expired" in body
    urls = await _play(client, front, now - 120, now - 60)
    emu.faults.add(FaultRule("expire_urls"))
    assert (await fetch(session, urls["hls"]))[0] == 403
    urls = await _play(client, front, now - 120, now - 60)
    assert (await fetch(session, urls["hls"]))[0] == 200
    emu.fleet.remove_stream(front)
    assert (await fetch(session, urls["hls"]))[0] == 404


async def test_covers_and_screenshots(
    client: Client, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    front = stream_of(emulator, "Front Gate")
    now = int(emulator.now())
    records = (
        await client.call(
            "ListStreamRecords",
            V2023,
            body={
                "StreamID": front,
                "StartTime": now - 7200,
                "EndTime": now,
                "PageSize": 2,
            },
        )
    ).result
    cover = records[0]["Record"]["Cover"]
    status, data, headers = await fetch(session, cover)
    assert status == 200
    assert data[:3] == b"\xff\xd8\xff"
    assert headers["Content-Type"] == "image/jpeg"
    assert "max-age" in headers["Cache-Control"]
    # Listing again gives the identical URL (expiry on a coarse grid): cacheable.
    again = (
        await client.call(
            "ListStreamRecords",
            V2023,
            body={
                "StreamID": front,
                "StartTime": now - 7200,
                "EndTime": now,
                "PageSize": 2,
            },
        )
    ).result
    assert again[0]["Record"]["Cover"] == cover
    shots = (
        await client.call(
            "ListStreamScreenshots",
            V2023,
            body={"StreamID": front, "StartTime": now - 300, "EndTime": now},
        )
    ).result
    status, data, _ = await fetch(session, shots[0]["Path"])
    assert status == 200
    assert data[:2] == b"\xff\xd8"
    assert emulator.cdn_count("cover") == 1
    assert emulator.cdn_count("screenshot") == 1
    assert (await fetch(session, with_query(cover, volcSecret="f" * 32)))[0] == 403
    moved = cover.replace(
        f"/record_cover/{front}/", f"/record_cover/{stream_of(emulator, 'Back Door')}/"
    )
    assert (await fetch(session, moved))[0] == 403
    gone = cover.replace(f"/record_cover/{front}/", "/record_cover/nobody/")
    assert (await fetch(session, gone))[0] == 404
    assert emulator.cdn_count("cover") == 4


async def test_cors_preflight(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    async with session.options(
        f"{emulator.base_url}/live/app/name.m3u8",
        headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"},
    ) as resp:
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "GET" in resp.headers["Access-Control-Allow-Methods"]
    async with session.get(
        f"{emulator.base_url}/media_record/v1/file/index.m3u8"
    ) as resp:
        assert resp.status == 403
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    async with session.get(f"{emulator.base_url}/_emulator/stats") as resp:
        assert "Access-Control-Allow-Origin" not in resp.headers


async def test_live_playlist_across_midnight(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    clock = Clock()
    clock.now = 1_700_006_400.0 + 3  # 00:00:03 UTC
    emu = await emulator_factory(clock=clock, rate_limit=0)
    url = await pull(Client(session, emu), stream_of(emu, "Front Gate"))
    lines = (await fetch(session, url))[1].decode().splitlines()
    assert "#EXT-X-DISCONTINUITY" in lines
    assert f"#EXT-X-DISCONTINUITY-SEQUENCE:{1_700_006_400 // 86400 - 1}" in lines


def test_flv_edge_cases() -> None:
    from emulator.flv import AccessUnit

    assert split_annexb(b"\x00\x00\x01\x00\x00\x01\x67\x42") == [b"\x67\x42"]
    sps, pps = b"\x67\x42\x00\x1e\xab", b"\x68\xce"
    writer = FlvWriter()
    header_only = writer.tags([AccessUnit(0, 0, True, (sps, pps))], 0)
    assert header_only.startswith(b"\x09")  # the AVC sequence header alone
    assert writer.tags([AccessUnit(40, 0, False, (b"\x09\xf0",))], 0) == b""


def test_token_claims_must_be_sane() -> None:
    from emulator.tokens import TokenError, UrlSigner

    signer = UrlSigner("secret")
    for claims in ({"exp": "never"}, {"sid": "x"}):
        with pytest.raises(TokenError, match="claims"):
            signer.check_jwt(signer.jwt(claims), 0)
    token = signer.jwt({"exp": 10})
    assert signer.check_jwt(token, 5) == {"exp": 10}
    signer.expire_all()
    with pytest.raises(TokenError, match="signature"):
        signer.check_jwt(token, 5)


async def test_storage_lag_hides_the_newest_seconds(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(fleet=Fleet.demo(outages=False), storage_lag=30.0)
    client = Client(session, emu)
    front = stream_of(emu, "Front Gate")
    now = int(emu.now())
    reply = await client.call(
        "ListStreamRecords",
        V2023,
        body={
            "StreamID": front,
            "StartTime": now - 120,
            "EndTime": now,
            "ReqType": "record_metadata",
        },
        query={"PageNumber": "1", "PageSize": "1000"},
    )
    assert reply.status == 200, reply.data
    ends = [item["RecordMeta"]["EndTime"] for item in reply.result]
    assert now - 32 <= max(ends) <= now - 29
    # The last 20 seconds are not playable yet; a minute before them is.
    urls = await _play(client, front, now - 20, now)
    async with session.get(urls["hls"]) as response:
        assert response.status == 404
    urls = await _play(client, front, now - 100, now - 40)
    async with session.get(urls["hls"]) as response:
        assert response.status == 200
