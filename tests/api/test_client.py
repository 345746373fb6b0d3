"""The client against the emulator over real HTTP: every action, paging, errors, limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import io
import logging
import time

import aiohttp
from aiohttp import web
import av
import pytest
from yarl import URL

from custom_components.volcengine_slow_live.api.client import (
    AiotVideoClient,
    RetryPolicy,
)
from custom_components.volcengine_slow_live.api.errors import (
    AccountError,
    ApiError,
    AuthError,
    ClockSkew,
    InvalidResponse,
    NotFound,
    RateLimited,
    Unavailable,
)
from custom_components.volcengine_slow_live.api.models import Protocol
from emulator import Emulator, FaultRule

from ..common import has_ptz, stream_titled

FAST_RETRY = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(emulator: Emulator, session: aiohttp.ClientSession) -> AiotVideoClient:
    return AiotVideoClient(
        session,
        emulator.access_key,
        emulator.secret_key,
        endpoint=emulator.base_url,
        retry=FAST_RETRY,
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _gb_stream(client: AiotVideoClient) -> tuple[str, str]:
    """(space_id, main stream_id) of an online GB channel of the demo fleet."""
    async for space in client.iter_spaces():
        if space.access_type != "gb28181":
            continue
        async for stream in client.iter_streams(space.space_id):
            if (
                stream.streaming_type == "main_stream"
                and stream.record_template_id
                and stream.device_id
            ):
                return space.space_id, stream.stream_id
    raise AssertionError("the demo fleet has a recorded GB channel")


async def test_spaces_devices_channels(client: AiotVideoClient) -> None:
    spaces = [space async for space in client.iter_spaces()]
    assert {space.access_type for space in spaces} >= {"gb28181", "rtmp"}
    page = await client.list_spaces(page_size=1)
    assert page.total_count == len(spaces)
    assert len(page.items) == 1
    gb = next(space for space in spaces if space.name == "Home")
    assert gb.access_type == "gb28181"
    assert (await client.get_space(gb.space_id)).name == gb.name

    devices = [device async for device in client.iter_devices(gb.space_id)]
    assert devices
    device = next(d for d in devices if d.type == "NVR")
    full = await client.get_device(gb.space_id, device.device_id)
    assert full.device_nsid == device.device_nsid
    assert len(full.streams) == full.channel_num > 1
    channels = await client.get_device_channels(device.device_id, space_id=gb.space_id)
    assert {c.stream_id for c in channels.channels} == {
        s.stream_id for s in full.streams
    }
    assert all(len(c.channel_id) == 20 for c in channels.channels)


async def test_paging_walks_every_page(
    client: AiotVideoClient, emulator: Emulator
) -> None:
    space_id, _ = await _gb_stream(client)
    everything = [s async for s in client.iter_streams(space_id)]
    before = emulator.count("ListStreams")
    paged = [s async for s in client.iter_streams(space_id, page_size=2)]
    assert [s.stream_id for s in paged] == [s.stream_id for s in everything]
    assert emulator.count("ListStreams") - before == -(-len(everything) // 2)


async def test_streams_and_live_urls(
    client: AiotVideoClient, emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    space_id, stream_id = await _gb_stream(client)
    stream = await client.get_stream(
        stream_id, space_id=space_id, fresh_expired_pull=True
    )
    hls = stream.pull_url(Protocol.HLS)
    assert hls is not None
    assert hls.expires_at is not None
    assert hls.expires_at > datetime.now(UTC)
    assert stream.pull_url(Protocol.RTMP) is not None
    assert stream.pull_url(Protocol.FLV) is not None
    started = await client.start_stream(stream_id, space_id=space_id)
    assert started.stream_id == stream_id
    assert started.pull_url(Protocol.HLS) is not None
    async with session.get(hls.url) as response:
        assert response.status == 200
        assert "#EXTM3U" in await response.text()

    emulator.faults.add(FaultRule(kind="expire_urls"))
    async with session.get(hls.url) as response:
        assert response.status == 403
    renewed = await client.get_stream(
        stream_id, space_id=space_id, fresh_expired_pull=True
    )
    fresh = renewed.pull_url(Protocol.HLS)
    assert fresh is not None
    assert fresh.url != hls.url
    async with session.get(fresh.url) as response:
        assert response.status == 200

    stopped = await client.stop_stream(stream_id, space_id=space_id, only_if_idle=False)
    assert stopped.stream_id == stream_id


async def test_recording_plays_real_h264(
    client: AiotVideoClient, session: aiohttp.ClientSession
) -> None:
    _, stream_id = await _gb_stream(client)
    since = _now() - timedelta(hours=1)
    until = _now() - timedelta(minutes=5)
    records = await client.all_stream_records(stream_id, start=since, end=until)
    assert records
    assert all(r.end > since for r in records)
    # Two minutes the cloud did record: a schedule may pause at any hour of the day.
    spans = [(max(r.start, since), min(r.end, until)) for r in records]
    first, last = max(spans, key=lambda span: span[1] - span[0])
    assert last - first >= timedelta(minutes=2)
    end = last.replace(microsecond=0)
    start = end - timedelta(minutes=2)

    urls = await client.cloud_record_play(
        stream_id=stream_id, start=start, end=end, token_valid=600
    )
    assert urls.playlist_url
    assert urls.mp4_url
    assert (
        timedelta(seconds=590)
        < urls.expires_at - datetime.now(UTC)
        <= timedelta(seconds=601)
    )
    async with session.get(urls.hls_url) as response:
        assert response.status == 200
        playlist = await response.text()
    assert "#EXT-X-ENDLIST" in playlist
    first = next(
        line for line in playlist.splitlines() if line and not line.startswith("#")
    )
    async with session.get(str(response.url.join(URL(first)))) as seg:
        assert seg.status == 200
        data = await seg.read()
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        frames = list(container.decode(video))
    assert frames

    v2 = await client.play_cloud_record(stream_id, start=start, end=end)
    assert v2.playlist_url is None
    async with session.get(v2.hls_url) as response:
        assert response.status == 200


async def test_cloud_record_play_by_gb_ids(client: AiotVideoClient) -> None:
    space_id, stream_id = await _gb_stream(client)
    stream = await client.get_stream(stream_id, space_id=space_id)
    end = _now()
    urls = await client.cloud_record_play(
        device_nsid=stream.device_nsid,
        channel_id=stream.channel_id,
        streaming_index=0,
        start=int((end - timedelta(minutes=1)).timestamp()),
        end=end,
    )
    assert urls.hls_url
    with pytest.raises(ValueError, match="stream_id"):
        await client.cloud_record_play(start=end, end=end)
    with pytest.raises(ValueError, match="naive"):
        await client.cloud_record_play(
            stream_id=stream_id, start=datetime(2024, 1, 1), end=end
        )


async def test_screenshots_and_ptz(client: AiotVideoClient, emulator: Emulator) -> None:
    screenshot_stream = stream_titled(emulator, "Front Gate")
    end = _now()
    shots = await client.list_stream_screenshots(
        screenshot_stream.stream_id,
        start=end - timedelta(minutes=10),
        end=end,
        space_id=screenshot_stream.space_id,
    )
    assert shots
    assert shots == tuple(sorted(shots, key=lambda s: s.taken_at))
    ptz_stream = next(s for s in emulator.fleet.main_streams() if has_ptz(emulator, s))
    await client.cloud_control(
        ptz_stream.stream_id, action="PTZControl", command="left", param=60
    )
    await client.cloud_control(
        ptz_stream.stream_id, action="PTZControl", command="stop", param=0
    )


@pytest.mark.parametrize(
    ("rule", "error", "code"),
    [
        (FaultRule(kind="revoked_credentials"), AuthError, "InvalidAccessKey"),
        (FaultRule(kind="clock_skew", seconds=3600), ClockSkew, "InvalidTimestamp"),
        (
            FaultRule(
                kind="http_error", status=403, code="OperationDeny.AccountOverdue"
            ),
            AccountError,
            "OperationDeny.AccountOverdue",
        ),
        (FaultRule(kind="http_error", status=500), Unavailable, "InternalError"),
        (FaultRule(kind="http_error", status=502), Unavailable, "FailToConnect"),
        (
            FaultRule(kind="http_error", status=503),
            Unavailable,
            "ServiceUnavailableTemp",
        ),
        (
            FaultRule(kind="http_error", status=504),
            Unavailable,
            "InternalServiceTimeout",
        ),
        (FaultRule(kind="rate_limit"), RateLimited, "FlowLimitExceeded"),
        (FaultRule(kind="malformed_json"), InvalidResponse, ""),
        (FaultRule(kind="missing_fields", fields=["SpaceID"]), InvalidResponse, ""),
        (FaultRule(kind="wrong_types", fields=["Spaces"]), InvalidResponse, ""),
        (
            FaultRule(kind="http_error", status=400, code="InvalidParameter.PageSize"),
            ApiError,
            "InvalidParameter.PageSize",
        ),
    ],
)
async def test_error_mapping(
    client: AiotVideoClient,
    emulator: Emulator,
    rule: FaultRule,
    error: type[ApiError],
    code: str,
) -> None:
    emulator.faults.add(rule)
    with pytest.raises(error) as caught:
        await client.list_spaces()
    assert type(caught.value) is error
    assert caught.value.code == code
    assert caught.value.action == "ListSpaces"
    if rule.kind != "malformed_json":
        assert caught.value.request_id
        assert caught.value.request_id in str(caught.value)


@pytest.mark.parametrize(
    "rule",
    [
        FaultRule(kind="malformed_json", times=1),
        FaultRule(kind="missing_fields", fields=["SpaceID"], times=1),
        FaultRule(kind="wrong_types", fields=["Spaces"], times=1),
    ],
    ids=lambda rule: rule.kind,
)
async def test_an_unreadable_answer_is_asked_for_once_more(
    client: AiotVideoClient, emulator: Emulator, rule: FaultRule
) -> None:
    """A truncated or incomplete answer is a bad moment, like a 5xx: asked for once
    more, and counted; two in a row are an error (test_error_mapping)."""
    emulator.faults.add(rule)
    sent = emulator.count("ListSpaces")
    page = await client.list_spaces()
    assert page.items
    assert emulator.count("ListSpaces") == sent + 2
    assert client.stats.malformed == 1
    assert client.stats.requests == 2
    # Two in a row: the second is the error, and both are counted.
    emulator.faults.add(FaultRule(kind=rule.kind, fields=rule.fields, times=2))
    with pytest.raises(InvalidResponse):
        await client.list_spaces()
    assert client.stats.malformed == 3
    assert client.stats.retries == 0  # (transient failures are counted apart)
    emulator.faults.add(FaultRule(kind="http_error", status=503, times=1))
    await client.list_spaces()
    assert client.stats.retries == 1


async def test_not_found_carries_request_id(client: AiotVideoClient) -> None:
    with pytest.raises(NotFound) as caught:
        await client.get_stream("00000000-0000-4000-8000-000000000000")
    assert caught.value.code == "NotFound.Stream"
    assert caught.value.http_status == 404
    assert caught.value.request_id


async def test_wrong_secret_and_sts(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    wrong = AiotVideoClient(
        session,
        emulator.access_key,
        "WrongSecret0000000000",
        endpoint=emulator.base_url,
    )
    with pytest.raises(AuthError) as caught:
        await wrong.list_spaces()
    assert caught.value.code == "SignatureDoesNotMatch"

    key, secret = emulator.add_key(session_token="STS-token-for-tests-0001")
    sts = AiotVideoClient(
        session,
        key,
        secret,
        session_token="STS-token-for-tests-0001",
        endpoint=emulator.base_url,
    )
    assert (await sts.list_spaces()).items
    no_token = AiotVideoClient(session, key, secret, endpoint=emulator.base_url)
    with pytest.raises(AuthError):
        await no_token.list_spaces()


async def test_transient_faults_are_retried(
    client: AiotVideoClient, emulator: Emulator
) -> None:
    for rule in (
        FaultRule(kind="http_error", status=503, times=2),
        FaultRule(kind="rate_limit", times=3),
        FaultRule(kind="reset_connection", times=1),
    ):
        failures = rule.times or 0
        emulator.faults.add(rule)
        before = emulator.count("ListSpaces")
        assert (await client.list_spaces()).items
        assert emulator.count("ListSpaces") - before == failures + 1


async def test_retries_are_bounded(client: AiotVideoClient, emulator: Emulator) -> None:
    emulator.faults.add(FaultRule(kind="http_error", status=500))
    before = emulator.count("ListSpaces")
    with pytest.raises(Unavailable):
        await client.list_spaces()
    assert emulator.count("ListSpaces") - before == 1 + FAST_RETRY.max_retries


async def test_auth_errors_are_not_retried(
    client: AiotVideoClient, emulator: Emulator
) -> None:
    emulator.faults.add(FaultRule(kind="revoked_credentials"))
    before = emulator.count("ListSpaces")
    with pytest.raises(AuthError):
        await client.list_spaces()
    assert emulator.count("ListSpaces") - before == 1


async def test_timeout_and_refused_connection(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    impatient = AiotVideoClient(
        session,
        emulator.access_key,
        emulator.secret_key,
        endpoint=emulator.base_url,
        timeout=0.3,
        retry=RetryPolicy(max_retries=0),
    )
    emulator.faults.add(FaultRule(kind="timeout", seconds=2, times=1))
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        await impatient.list_spaces()
    assert caught.value.code == "Timeout"
    assert time.monotonic() - started < 1.5

    await emulator.stop()
    with pytest.raises(Unavailable) as caught:
        await impatient.list_spaces()
    assert caught.value.code == "ConnectionError"
    await emulator.start()
    assert (await impatient.list_spaces()).items


async def test_cancellation_during_backoff(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    patient = AiotVideoClient(
        session,
        emulator.access_key,
        emulator.secret_key,
        endpoint=emulator.base_url,
        retry=RetryPolicy(max_retries=5, base_delay=10, max_delay=10),
    )
    emulator.faults.add(FaultRule(kind="http_error", status=503))
    task = asyncio.create_task(patient.list_spaces())
    while emulator.count("ListSpaces") == 0:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert emulator.count("ListSpaces") == 1


async def test_retry_after_is_honoured(
    client: AiotVideoClient, emulator: Emulator
) -> None:
    emulator.faults.add(
        FaultRule(kind="http_error", status=503, times=1, message="busy")
    )
    assert (await client.list_spaces()).items


async def test_rate_limiter_keeps_the_server_happy(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    """50 concurrent calls at default limits: no 429; without the limiter: 429s."""
    default = AiotVideoClient(
        session, emulator.access_key, emulator.secret_key, endpoint=emulator.base_url
    )
    space = next(iter(emulator.fleet.spaces))
    started = time.monotonic()
    await asyncio.gather(*(default.get_space(space) for _ in range(50)))
    assert emulator.count("GetSpace", status=429) == 0
    # 50 requests at 10 per (slightly more than a) second: just over 4 windows.
    assert 4.0 <= time.monotonic() - started < 7.0

    unlimited = AiotVideoClient(
        session,
        emulator.access_key,
        emulator.secret_key,
        endpoint=emulator.base_url,
        rate_limit=0,
        retry=RetryPolicy(max_retries=0),
    )
    results = await asyncio.gather(
        *(unlimited.get_space(space) for _ in range(30)), return_exceptions=True
    )
    throttled = [r for r in results if isinstance(r, RateLimited)]
    assert throttled
    assert emulator.count("GetSpace", status=429) == len(throttled)


def test_endpoint_must_be_http(session: aiohttp.ClientSession) -> None:
    for bad in ("ftp://example.com", "example.com", "https://"):
        with pytest.raises(ValueError, match="endpoint"):
            AiotVideoClient(session, "AKLTabcdefgh", "secret", endpoint=bad)
    ok = AiotVideoClient(session, "AKLTabcdefgh", "secret")
    assert "secret" not in repr(ok)


async def test_debug_logs_hold_no_secret(
    client: AiotVideoClient,
    emulator: Emulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, stream_id = await _gb_stream(client)
    await client.get_stream(stream_id, fresh_expired_pull=True)
    end = _now()
    await client.cloud_record_play(
        stream_id=stream_id, start=end - timedelta(minutes=1), end=end
    )
    emulator.faults.add(FaultRule(kind="http_error", status=503, times=1))
    await client.list_spaces()
    text = caplog.text
    assert "ListStreams" in text
    for secret in (emulator.secret_key, "volcSecret=", "X-JWT-Token=", "Signature="):
        if secret.endswith("="):
            assert f"{secret}**REDACTED**" in text or secret not in text
        else:
            assert secret not in text


async def test_fetch_media(client: AiotVideoClient, emulator: Emulator) -> None:
    stream = stream_titled(emulator, "Front Gate")
    end = _now()
    shots = await client.list_stream_screenshots(
        stream.stream_id, start=end - timedelta(minutes=5), end=end
    )
    image = await client.fetch_media(shots[-1].url)
    assert image.startswith(b"\xff\xd8")
    with pytest.raises(InvalidResponse):
        await client.fetch_media(shots[-1].url, max_bytes=100)
    emulator.faults.add(FaultRule(kind="expire_urls"))
    with pytest.raises(ApiError) as caught:
        await client.fetch_media(shots[-1].url)
    assert caught.value.code == "HTTP403"
    await emulator.stop()
    with pytest.raises(Unavailable):
        await client.fetch_media(shots[-1].url)
    await emulator.start()


class Gateway:
    """A stand-in for a proxy in front of the API, answering without the envelope."""

    def __init__(self) -> None:
        self.url = ""
        self.status = 502
        self.body = b"<html>Bad Gateway</html>"

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(status=self.status, body=self.body)


@pytest.fixture
async def gateway(socket_enabled: None) -> AsyncIterator[Gateway]:
    stand_in = Gateway()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stand_in.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stand_in.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield stand_in
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (502, b"<html>Bad Gateway</html>", Unavailable),
        (503, b"", Unavailable),
        (429, b"slow down", RateLimited),
        (200, b"<html>captive portal</html>", InvalidResponse),
        (404, b"{}", InvalidResponse),
        (200, b'{"ResponseMetadata": "not an object"}', InvalidResponse),
    ],
)
async def test_answers_without_envelope(
    gateway: Gateway,
    session: aiohttp.ClientSession,
    status: int,
    body: bytes,
    error: type[ApiError],
) -> None:
    gateway.status, gateway.body = status, body
    client = AiotVideoClient(
        session,
        "AKLTexampleKey0000",
        "secret-key-0000",
        endpoint=gateway.url,
        retry=RetryPolicy(max_retries=0),
    )
    with pytest.raises(error) as caught:
        await client.get_space("any")
    assert type(caught.value) is error
    assert caught.value.http_status == status


async def test_envelope_error_on_http_200(
    gateway: Gateway, session: aiohttp.ClientSession
) -> None:
    """The SDK treats an Error in ResponseMetadata as a failure whatever the status."""
    gateway.status = 200
    gateway.body = (
        b'{"ResponseMetadata": {"RequestId": "r-1", "Error": '
        b'{"Code": "NotFound.Space", "Message": "gone"}}}'
    )
    client = AiotVideoClient(
        session, "AKLTexampleKey0000", "secret-key-0000", endpoint=gateway.url
    )
    with pytest.raises(NotFound) as caught:
        await client.get_space("any")
    assert caught.value.request_id == "r-1"


async def test_media_errors(gateway: Gateway, session: aiohttp.ClientSession) -> None:
    client = AiotVideoClient(
        session, "AKLTexampleKey0000", "secret-key-0000", endpoint=gateway.url
    )
    gateway.status, gateway.body = 503, b""
    with pytest.raises(Unavailable):
        await client.fetch_media(f"{gateway.url}/still.jpg")
    gateway.status, gateway.body = 404, b"no"
    with pytest.raises(ApiError) as caught:
        await client.fetch_media(f"{gateway.url}/still.jpg")
    assert caught.value.code == "HTTP404"
    gateway.status, gateway.body = 200, b"x" * 64
    with pytest.raises(InvalidResponse):
        await client.fetch_media(f"{gateway.url}/still.jpg", max_bytes=10)


async def test_records_paging_and_lists_without_total(
    client: AiotVideoClient, emulator: Emulator
) -> None:
    _, stream_id = await _gb_stream(client)
    end = _now()
    start = end - timedelta(hours=2)
    everything = await client.all_stream_records(stream_id, start=start, end=end)
    before = emulator.count("ListStreamRecords")
    paged = await client.all_stream_records(
        stream_id, start=start, end=end, page_size=5
    )
    assert paged == everything
    assert emulator.count("ListStreamRecords") - before == len(everything) // 5 + 1

    emulator.faults.add(
        FaultRule(kind="missing_fields", action="ListSpaces", fields=["TotalCount"])
    )
    spaces = [space async for space in client.iter_spaces(page_size=2)]
    assert len(spaces) == len(emulator.fleet.spaces)


async def test_get_parameters_render_booleans(
    client: AiotVideoClient, emulator: Emulator
) -> None:
    space = next(iter(emulator.fleet.spaces))
    await client.request(
        "GetSpace", {"SpaceID": space, "Verbose": True, "Brief": False}
    )
    params = emulator.requests("GetSpace")[-1].params
    assert params["Verbose"] in ("true", True)
    assert params["Brief"] in ("false", False)
