"""URLs the API hands out: live pull URLs, stills, and cloud playback URLs.

Every URL points at the emulator itself (its CDN routes), whatever domain the
space's `Domains` map names.

Pull URLs are stored per stream, like the real service keeps a signed URL on the
stream object: they are signed when first rendered and re-signed only when asked
(`FreshExpiredPull=1`) and due. "Due" [I] means expired, signed before an
`expire_urls` event, or expiring within `refresh_fraction` (default 10 %) of the
URL TTL, so a client that refreshes a little early always gets a fresh URL.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .model import Space, Stream
    from .tokens import UrlSigner

RECORD_PREFIX = "/media_record/v1/file"
# Still URLs expire on a coarse grid so that repeated listings give identical URLs
# (clients cache stills by URL) [I].
STILL_EXPIRY_GRID_S = 300


@dataclass
class Links:
    """Builds (and signs) the URLs for one emulator."""

    base_url: str
    rtmp_host: str
    signer: UrlSigner
    url_ttl: int = 3600
    refresh_fraction: float = 0.1

    # --------------------------------------------------------------- live
    def due(self, stream: Stream, now: float) -> bool:
        """Whether the stored pull URL must be re-signed on FreshExpiredPull."""
        if (
            stream.pull_expiry is None
            or stream.pull_generation != self.signer.generation
        ):
            return True
        return stream.pull_expiry - now <= self.refresh_fraction * self.url_ttl

    def pull_expiry(self, stream: Stream, now: float, *, refresh: bool = False) -> int:
        """Return the stream's stored pull-URL expiry, signing it first if needed."""
        if stream.pull_expiry is None or (refresh and self.due(stream, now)):
            stream.pull_expiry = int(now) + self.url_ttl
            stream.pull_generation = self.signer.generation
        return int(stream.pull_expiry)

    def _live_query(self, space: Space, stream: Stream, name: str) -> str:
        assert stream.pull_expiry is not None  # noqa: S101  # pull_expiry() ran first
        return self.signer.volc_query(
            space.url_key,
            f"/{space.app}/{name}",
            int(stream.pull_expiry),
            stream.pull_generation,
        )

    def pull_urls(
        self, space: Space, stream: Stream, now: float, *, refresh: bool = False
    ) -> dict[str, str]:
        """Return {"rtmp", "flv", "hls"} pull URLs of a stream."""
        self.pull_expiry(stream, now, refresh=refresh)
        query = self._live_query(space, stream, stream.name)
        path = f"live/{space.app}/{stream.name}"
        return {
            "rtmp": f"rtmp://{self.rtmp_host}:1935/{path}?{query}",
            "flv": f"{self.base_url}/{path}.flv?{query}",
            "hls": f"{self.base_url}/{path}.m3u8?{query}",
        }

    def trans_urls(
        self, space: Space, stream: Stream, now: float, *, refresh: bool = False
    ) -> dict[str, list[str]]:
        """Return transcoded pull URLs keyed by template suffix (may be empty)."""
        if space.trans_template is None:
            return {}
        self.pull_expiry(stream, now, refresh=refresh)
        name = f"{stream.name}_{space.trans_template}"
        query = self._live_query(space, stream, name)
        path = f"live/{space.app}/{name}"
        return {
            space.trans_template: [
                f"rtmp://{self.rtmp_host}:1935/{path}?{query}",
                f"{self.base_url}/{path}.flv?{query}",
                f"{self.base_url}/{path}.m3u8?{query}",
            ]
        }

    def push_url(self, space: Space, stream: Stream) -> tuple[str, int]:
        """Return the RTMP push URL of an RTMP-space stream and its deadline."""
        deadline = int(stream.created_at) + 10 * 365 * 86400
        query = self.signer.volc_query(
            space.url_key, f"/{space.app}/{stream.name}", deadline, 0
        )
        return f"rtmp://{space.push_domain}/{space.app}/{stream.name}?{query}", deadline

    # -------------------------------------------------------------- stills
    def _still(self, space: Space, path: str, now: float) -> str:
        expiry = (
            math.ceil((now + self.url_ttl) / STILL_EXPIRY_GRID_S) * STILL_EXPIRY_GRID_S
        )
        return f"{self.base_url}{path}?{self.signer.volc_query(space.url_key, path, expiry)}"

    def cover(self, space: Space, stream: Stream, start: int, now: float) -> str:
        """Return the thumbnail URL of the recording file starting at `start`."""
        return self._still(space, f"/record_cover/{stream.stream_id}/{start}.jpg", now)

    def screenshot(self, space: Space, stream: Stream, at: int, now: float) -> str:
        """Return the URL of the screenshot taken at `at`."""
        return self._still(space, f"/snapshot/{stream.stream_id}/{at}.jpg", now)

    # ------------------------------------------------------------ playback
    def playback_token(
        self,
        stream: Stream,
        *,
        index: int,
        start: int,
        end: int,
        valid: int,
        now: float,
    ) -> str:
        """Return the JWT for playing [start, end) of a stream for `valid` seconds."""
        return self.signer.jwt(
            {
                "sid": stream.stream_id,
                "idx": index,
                "st": start,
                "et": end,
                "iat": int(now),
                "exp": int(now) + valid,
            }
        )

    def cloud_record_play(
        self, stream_id: str, start: int, end: int, token: str
    ) -> dict[str, str]:
        """Result of CloudRecordPlay (2021-01-01): `ID`, `HLS`, `MP4`."""
        sid = quote(stream_id, safe="")
        base = f"{self.base_url}{RECORD_PREFIX}"
        return {
            "ID": f"{base}/get_m3u8?StreamID={sid}&IsLive=0&Start={start * 1000}"
            f"&End={end * 1000}&X-JWT-Token={token}",
            "HLS": f"{base}/get_format?StreamID={sid}&IsLive=0&Format=m3u8&X-JWT-Token={token}",
            "MP4": f"{base}/get_format?StreamID={sid}&IsLive=0&Format=mp4&X-JWT-Token={token}",
        }

    def play_cloud_record(self, stream_id: str, token: str) -> dict[str, str]:
        """Result of PlayCloudRecord (2023-10-01): lower-case `hls`, `mp4`."""
        sid = quote(stream_id, safe="")
        base = f"{self.base_url}{RECORD_PREFIX}"
        return {
            "hls": f"{base}/index.m3u8?StreamID={sid}&IsLive=0&X-JWT-Token={token}&Format=m3u8",
            "mp4": f"{base}/main.mp4?StreamID={sid}&IsLive=0&X-JWT-Token={token}&Pub=1&Format=mp4",
        }
