"""The CDN side: live HLS/HTTP-FLV, cloud-recording playback, covers, screenshots.

Routes (all GET/HEAD, CORS-enabled like a CDN, OPTIONS preflight answered):

* `/live/<app>/<StreamName>.m3u8?volcTime&volcSecret` - a sliding-window live
  playlist (`hls_window` segments of `hls_segment_seconds`, media sequence from the
  clock); segment URIs `<StreamName>/<seq>.ts` carry the same token.
* `/live/<app>/<StreamName>.flv?...` - a continuous HTTP-FLV stream of the same
  picture (PyAV demuxes the TS segments, `flv` re-muxes them) behind an
  `onMetaData` tag (video only), paced in real time and ended after
  `flv_max_seconds` or when the emulator stops.
* `/media_record/v1/file/{get_m3u8,get_format,index.m3u8,main.mp4,segment.ts}` -
  cloud playback with `X-JWT-Token`: a VOD playlist of `vod_segment_seconds`
  segments over the recorded parts of the token's range (DISCONTINUITY across gaps
  and UTC midnights), and an MP4 of at most `mp4_max_seconds` starting at the
  first recorded second of the range (gaps inside are not cut out) [I].
* `/record_cover/<StreamID>/<start>.jpg`, `/snapshot/<StreamID>/<at>.jpg` - JPEG
  stills, signed like live URLs over their path.

A PTZ-capable channel's picture (main and sub stream) shows where the camera points
at each frame's instant (`emulator.ptz`, `emulator.scene`).

Bad or expired tokens answer 403, unknown or offline streams 404. Live and
playback timestamps restart at each UTC midnight (MPEG-TS timestamps wrap after
26.5 h), marked with a discontinuity.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
import functools
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from .clock import real_monotonic
from .fleet import PTZ_CAPABLE
from .flv import FlvWriter, demux_ts, flv_header, on_metadata
from .media import MediaFactory
from .model import ONLINE, SUB
from .recordings import DAY_S, recorded_spans, vod_segments
from .reqlog import CdnRecord
from .tokens import TokenError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .fleet import Fleet
    from .host import Host
    from .model import Space, Stream
    from .ptz import Ptz, Track

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, Content-Range, Content-Type, Date, ETag",
    "Timing-Allow-Origin": "*",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}
CDN_PREFIXES = ("/live/", "/media_record/", "/record_cover/", "/snapshot/")
HLS_TYPE = "application/vnd.apple.mpegurl"
# A player may fetch a segment shortly after it left the live window.
LIVE_SEGMENT_GRACE = 15


@web.middleware
async def cors_middleware(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Answer CORS preflights for media paths and add CORS headers to media answers."""
    media = request.path.startswith(CDN_PREFIXES)
    if media and request.method == "OPTIONS":
        return web.Response(status=204, headers=PREFLIGHT_HEADERS)
    response = await handler(request)
    if media and not response.prepared:
        response.headers.update(CORS_HEADERS)
    return response


class CdnError(Exception):
    """A media request is refused: 403 (token), 404 (stream), 400/416 (request)."""

    def __init__(self, status: int, message: str) -> None:
        """Refuse with `status` and a short text body."""
        super().__init__(message)
        self.status = status
        self.message = message


class Cdn:
    """The media routes of one emulator."""

    def __init__(self, emulator: Host) -> None:
        """Serve `emulator`'s fleets; the MediaFactory is made on first use."""
        self.emulator = emulator
        self._media: MediaFactory | None = None

    @property
    def media(self) -> MediaFactory:
        """The shared MediaFactory."""
        if self._media is None:
            config = self.emulator.config
            self._media = MediaFactory(
                width=config.media_width,
                height=config.media_height,
                fps=config.media_fps,
            )
        return self._media

    def routes(self) -> list[web.RouteDef]:
        """The route table."""
        return [
            web.get(r"/live/{app}/{name}/{seq:\d+}.ts", self.live_segment),
            web.get("/live/{app}/{file}", self.live),
            web.get("/media_record/v1/file/{file}", self.record),
            web.get(r"/record_cover/{stream_id}/{at:\d+}.jpg", self.cover),
            web.get(r"/snapshot/{stream_id}/{at:\d+}.jpg", self.screenshot),
        ]

    # ------------------------------------------------------------ helpers
    async def _run[T](self, func: Callable[[], T]) -> T:
        # Encoding is CPU-bound and blocking: keep it off the event loop.
        return await asyncio.get_running_loop().run_in_executor(None, func)

    def _log(
        self, request: web.Request, kind: str, status: int, stream_id: str | None
    ) -> None:
        self.emulator.log.record_cdn(
            CdnRecord(self.emulator.now(), kind, request.path, status, stream_id)
        )

    async def _serve(
        self,
        request: web.Request,
        kind: str,
        serve: Callable[[dict[str, Any]], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        info: dict[str, Any] = {"kind": kind, "stream": None}
        # 499 (client closed the request) unless an answer is produced.
        status = 499
        try:
            try:
                response = await serve(info)
            except CdnError as err:
                response = web.Response(status=err.status, text=err.message + "\n")
            status = response.status
            return response
        finally:
            self._log(request, info["kind"], status, info["stream"])

    def _by_name(self, app: str, name: str) -> tuple[Fleet, Space, Stream, str]:
        """Find a live stream by app and name (a `_<trans>` suffix allowed)."""
        for fleet in self.emulator.fleets():
            stream_id = fleet.by_name.get((app, name))
            if stream_id is not None:
                stream = fleet.streams[stream_id]
                return fleet, fleet.spaces[stream.space_id], stream, _label(stream)
        base, _, suffix = name.rpartition("_")
        for fleet in self.emulator.fleets():
            stream_id = fleet.by_name.get((app, base))
            if stream_id is not None:
                stream = fleet.streams[stream_id]
                space = fleet.spaces[stream.space_id]
                if space.trans_template == suffix:
                    return fleet, space, stream, f"{_label(stream)} {suffix}"
        raise CdnError(404, "stream not found")

    def _by_id(self, stream_id: str) -> tuple[Fleet, Space, Stream]:
        for fleet in self.emulator.fleets():
            stream = fleet.streams.get(stream_id)
            if stream is not None:
                return fleet, fleet.spaces[stream.space_id], stream
        raise CdnError(404, "stream not found")

    def _check_volc(self, request: web.Request, space: Space, path: str) -> None:
        try:
            self.emulator.signer.check_volc(
                space.url_key,
                path,
                request.query.get("volcTime"),
                request.query.get("volcSecret"),
                self.emulator.now(),
            )
        except TokenError as err:
            raise CdnError(403, f"forbidden: {err}") from None

    def _live_stream(
        self, request: web.Request, app: str, name: str
    ) -> tuple[Stream, str, Ptz | None]:
        fleet, space, stream, label = self._by_name(app, name)
        self._check_volc(request, space, f"/{app}/{name}")
        for rule in self.emulator.faults.take(
            ("cdn_error",), "live", {"StreamID": stream.stream_id}
        ):
            raise CdnError(rule.status or 404, rule.message or "stream is offline")
        now = self.emulator.now()
        if fleet.stream_status(stream, now) != ONLINE:
            device = fleet.devices.get(stream.device_id or "")
            if (
                self.emulator.config.cdn_triggers_pull
                and fleet.on_demand(stream)
                and stream.forced_status is None
                and device is not None
                and device.status == ONLINE
            ):
                fleet.start_session(stream, now)
            else:
                raise CdnError(404, "stream is offline")
        fleet.touch(stream, now)
        return stream, label, _ptz(fleet, stream)

    # --------------------------------------------------------------- live
    async def live(self, request: web.Request) -> web.StreamResponse:
        """`<name>.m3u8` (live playlist) or `<name>.flv` (continuous HTTP-FLV)."""
        file = request.match_info["file"]
        if file.endswith(".flv"):
            return await self._serve(
                request, "live_flv", lambda info: self._flv(request, info)
            )
        return await self._serve(
            request, "live_m3u8", lambda info: self._playlist(request, info)
        )

    async def _playlist(
        self, request: web.Request, info: dict[str, Any]
    ) -> web.StreamResponse:
        app, file = request.match_info["app"], request.match_info["file"]
        if not file.endswith(".m3u8"):
            info["kind"] = "other"
            raise CdnError(404, "unknown media type")
        name = file.removesuffix(".m3u8")
        stream, _, _ = self._live_stream(request, app, name)
        info["stream"] = stream.stream_id
        config = self.emulator.config
        length = config.hls_segment_seconds
        last = int(self.emulator.now() // length) - 1
        first = last - config.hls_window + 1
        token = _volc_query(request)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{length}",
            f"#EXT-X-MEDIA-SEQUENCE:{first}",
            f"#EXT-X-DISCONTINUITY-SEQUENCE:{first * length // DAY_S}",
        ]
        for seq in range(first, last + 1):
            start = seq * length
            if seq != first and start // DAY_S != (start - length) // DAY_S:
                lines.append("#EXT-X-DISCONTINUITY")
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_iso(start)}")
            lines.append(f"#EXTINF:{length:.3f},")
            lines.append(f"{quote(name)}/{seq}.ts?{token}")
        return _text(lines, HLS_TYPE)

    async def live_segment(self, request: web.Request) -> web.StreamResponse:
        """`<name>/<seq>.ts`: one live segment (real H.264 MPEG-TS)."""

        async def serve(info: dict[str, Any]) -> web.StreamResponse:
            app, name = request.match_info["app"], request.match_info["name"]
            seq = int(request.match_info["seq"])
            stream, label, ptz = self._live_stream(request, app, name)
            info["stream"] = stream.stream_id
            length = self.emulator.config.hls_segment_seconds
            last = int(self.emulator.now() // length) - 1
            if (
                not last - self.emulator.config.hls_window - LIVE_SEGMENT_GRACE
                < seq
                <= last
            ):
                raise CdnError(404, "segment not available")
            start = seq * length
            data = await self._run(
                functools.partial(
                    self.media.ts_segment,
                    label,
                    float(start),
                    float(length),
                    pts_origin=float(start - start % DAY_S),
                    track=_track(ptz, start, start + length),
                )
            )
            return web.Response(body=data, content_type="video/mp2t")

        return await self._serve(request, "live_ts", serve)

    async def _flv(
        self, request: web.Request, info: dict[str, Any]
    ) -> web.StreamResponse:
        app, file = request.match_info["app"], request.match_info["file"]
        name = file.removesuffix(".flv")
        stream, label, ptz = self._live_stream(request, app, name)
        info["stream"] = stream.stream_id
        emulator = self.emulator
        config = emulator.config
        length = config.hls_segment_seconds
        response = web.StreamResponse(
            headers={
                **CORS_HEADERS,
                "Content-Type": "video/x-flv",
                "Cache-Control": "no-cache",
            }
        )
        await response.prepare(request)
        if request.method == "HEAD":
            return response
        writer = FlvWriter()
        media = self.media
        await response.write(
            flv_header() + on_metadata(media.width, media.height, media.fps)
        )
        began = real_monotonic()
        first_seq = int(emulator.now() // length) - 1
        index = 0
        while (
            not emulator.stopping.is_set()
            and real_monotonic() - began < config.flv_max_seconds
        ):
            start = (first_seq + index) * length
            data = await self._run(
                functools.partial(
                    self.media.ts_segment,
                    label,
                    float(start),
                    float(length),
                    pts_origin=float(start - start % DAY_S),
                    track=_track(ptz, start, start + length),
                )
            )
            units = await self._run(functools.partial(demux_ts, data))
            await response.write(writer.tags(units, index * length * 1000))
            fleet = self._by_name(app, name)[0]
            fleet.touch(stream, emulator.now())
            index += 1
            # Real-time pacing: segment `index` is due `index` segment lengths in
            # (the first one went out at once, as a CDN's GOP cache would).
            delay = max(0.0, began + index * length - real_monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(emulator.stopping.wait(), delay)
        await response.write_eof()
        return response

    # --------------------------------------------------------- recordings
    async def record(self, request: web.Request) -> web.StreamResponse:
        """Cloud playback: playlists, segments and MP4 behind an X-JWT-Token."""
        file = request.match_info["file"]
        kind = {
            "segment.ts": "record_ts",
            "main.mp4": "record_mp4",
        }.get(file, "record_m3u8")
        if file == "get_format" and request.query.get("Format") == "mp4":
            kind = "record_mp4"
        return await self._serve(
            request, kind, lambda info: self._record(request, file, info)
        )

    async def _record(
        self, request: web.Request, file: str, info: dict[str, Any]
    ) -> web.StreamResponse:
        emulator = self.emulator
        now = emulator.now()
        query = request.query
        try:
            claims = emulator.signer.check_jwt(query.get("X-JWT-Token"), now)
        except TokenError as err:
            raise CdnError(403, f"forbidden: {err}") from None
        if query.get("StreamID") != claims.get("sid"):
            raise CdnError(403, "forbidden: the token does not cover this stream")
        fleet, _, stream = self._by_id(str(claims["sid"]))
        info["stream"] = stream.stream_id
        start, end = int(claims["st"]), int(claims["et"])
        if file == "get_m3u8" and (
            query.get("Start") != str(start * 1000)
            or query.get("End") != str(end * 1000)
        ):
            raise CdnError(403, "forbidden: the token does not cover this range")
        label = _label(stream)
        if file == "segment.ts":
            return await self._record_segment(
                request, stream, label=label, lo=start, hi=end, now=now, fleet=fleet
            )
        if file in ("get_m3u8", "index.m3u8"):
            media_format = "m3u8"
        elif file == "main.mp4":
            media_format = "mp4"
        elif file == "get_format":
            media_format = query.get("Format", "")
        else:
            info["kind"] = "other"
            raise CdnError(404, "unknown playback file")
        spans = recorded_spans(stream, start, end, emulator.stored_until(now))
        if not spans:
            raise CdnError(404, "no recording in this range")
        if media_format == "m3u8":
            return self._vod_playlist(stream, spans, query["X-JWT-Token"])
        if media_format != "mp4":
            raise CdnError(400, "Format must be m3u8 or mp4")
        first = spans[0][0]
        limit = min(emulator.config.mp4_max_seconds, 3600)
        stop = min(spans[-1][1], first + limit)
        data = await self._run(
            functools.partial(
                self.media.mp4,
                label,
                float(first),
                float(stop - first),
                track=_track(_ptz(fleet, stream), first, stop),
            )
        )
        return _ranged(request, data, "video/mp4")

    def _vod_playlist(
        self, stream: Stream, spans: list[tuple[int, int]], token: str
    ) -> web.Response:
        length = self.emulator.config.vod_segment_seconds
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{length}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
        ]
        sid = quote(stream.stream_id, safe="")
        for seg_start, seg_end, jump in vod_segments(spans, length):
            if jump:
                lines.append("#EXT-X-DISCONTINUITY")
            lines.append(f"#EXTINF:{seg_end - seg_start:.3f},")
            lines.append(
                f"segment.ts?StreamID={sid}&Start={seg_start * 1000}&End={seg_end * 1000}"
                f"&X-JWT-Token={token}"
            )
        lines.append("#EXT-X-ENDLIST")
        return _text(lines, HLS_TYPE)

    async def _record_segment(
        self,
        request: web.Request,
        stream: Stream,
        *,
        label: str,
        lo: int,
        hi: int,
        now: float,
        fleet: Fleet,
    ) -> web.Response:
        try:
            start = int(request.query["Start"]) // 1000
            end = int(request.query["End"]) // 1000
        except KeyError, ValueError:
            raise CdnError(400, "Start and End (ms) are required") from None
        length = self.emulator.config.vod_segment_seconds
        if not lo <= start < end <= hi:
            raise CdnError(403, "forbidden: the token does not cover this segment")
        stored = self.emulator.stored_until(now)
        if end - start > length or recorded_spans(stream, start, end, stored) != [
            (start, end)
        ]:
            raise CdnError(404, "no such segment")
        data = await self._run(
            functools.partial(
                self.media.ts_segment,
                label,
                float(start),
                float(end - start),
                pts_origin=float(start - start % DAY_S),
                track=_track(_ptz(fleet, stream), start, end),
            )
        )
        return web.Response(body=data, content_type="video/mp2t")

    # ------------------------------------------------------------- stills
    async def cover(self, request: web.Request) -> web.StreamResponse:
        """The thumbnail of a recording file."""
        return await self._serve(
            request, "cover", lambda info: self._still(request, info)
        )

    async def screenshot(self, request: web.Request) -> web.StreamResponse:
        """A screenshot."""
        return await self._serve(
            request, "screenshot", lambda info: self._still(request, info)
        )

    async def _still(
        self, request: web.Request, info: dict[str, Any]
    ) -> web.StreamResponse:
        fleet, space, stream = self._by_id(request.match_info["stream_id"])
        info["stream"] = stream.stream_id
        self._check_volc(request, space, request.path)
        at = int(request.match_info["at"])
        ptz = _ptz(fleet, stream)
        data = await self._run(
            functools.partial(
                self.media.jpeg,
                _label(stream),
                float(at),
                view=None if ptz is None else ptz.view(at),
            )
        )
        return web.Response(
            body=data,
            content_type="image/jpeg",
            headers={"Cache-Control": "public, max-age=86400"},
        )


def _label(stream: Stream) -> str:
    """The text burned into a stream's picture."""
    return f"{stream.title} (sub)" if stream.streaming_type == SUB else stream.title


def _ptz(fleet: Fleet, stream: Stream) -> Ptz | None:
    """The PTZ state a stream's picture follows: its channel's, if it can move."""
    main = fleet.variant(stream, 0) or stream
    channel = fleet.channel_of(main)
    if channel is None or channel.ptz_type not in PTZ_CAPABLE:
        return None
    return main.ptz


def _track(ptz: Ptz | None, start: float, end: float) -> Track | None:
    return None if ptz is None else ptz.track(start, end)


def _volc_query(request: web.Request) -> str:
    return "volcTime={}&volcSecret={}".format(
        quote(request.query.get("volcTime", ""), safe=""),
        quote(request.query.get("volcSecret", ""), safe=""),
    )


def _iso(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _text(lines: list[str], content_type: str) -> web.Response:
    return web.Response(
        text="\n".join(lines) + "\n",
        content_type=content_type,
        headers={"Cache-Control": "no-cache"},
    )


def _ranged(request: web.Request, data: bytes, content_type: str) -> web.Response:
    """Serve `data`, honouring a single-range `Range` header (players seek in MP4)."""
    headers = {"Accept-Ranges": "bytes"}
    if "Range" not in request.headers:
        return web.Response(body=data, content_type=content_type, headers=headers)
    try:
        wanted = request.http_range
    except ValueError:
        wanted = slice(len(data), len(data))
    start, stop, _ = wanted.indices(len(data))
    if start >= stop:
        return web.Response(
            status=416, headers={**headers, "Content-Range": f"bytes */{len(data)}"}
        )
    headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(data)}"
    return web.Response(
        status=206, body=data[start:stop], content_type=content_type, headers=headers
    )
