"""Signed media links and when they expire: live pull URLs and recording playback URLs."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import json
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from ..errors import InvalidResponse
from .fields import _fail, _Fields, _list, _Model, _str, _time

__all__ = [
    "TRANS_UNNAMED",
    "Protocol",
    "PullUrl",
    "RecordingUrls",
    "parse_pull_urls",
]

TRANS_UNNAMED = ""
"""`Stream.trans_pull_urls` key for transcoded URLs sent as a plain list."""


# --------------------------------------------------------------------------------------
# Live pull URLs


class Protocol(StrEnum):
    """Delivery protocol of a live pull URL."""

    HLS = "hls"
    FLV = "flv"
    RTMP = "rtmp"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PullUrl(_Model):
    """One signed live URL; `url` stays out of `repr` because it carries a token."""

    protocol: Protocol
    url: str = field(repr=False)
    expires_at: datetime | None = None

    @classmethod
    def parse(cls, url: str) -> Self | None:
        """Classify a URL by scheme or path suffix; None if it is none of ours."""
        text = url.strip()
        try:
            parts = urlsplit(text)
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        path = parts.path.lower()
        if scheme in ("rtmp", "rtmps"):
            protocol = Protocol.RTMP
        elif scheme in ("http", "https") and path.endswith(".flv"):
            protocol = Protocol.FLV
        elif scheme in ("http", "https") and path.endswith(".m3u8"):
            protocol = Protocol.HLS
        else:
            return None
        return cls(protocol=protocol, url=text, expires_at=_volc_time(parts.query))


def _query_param(query: str, name: str) -> str | None:
    """A query parameter by case-insensitive name."""
    wanted = name.lower()
    for key, value in parse_qsl(query):
        if key.lower() == wanted:
            return value
    return None


def _volc_time(query: str) -> datetime | None:
    """Expiry of a URL signed by the CDN's URL auth (`volcTime`, unix seconds)."""
    value = _query_param(query, "volcTime")
    try:
        return _time(value, "volcTime")
    except InvalidResponse:
        # A malformed expiry does not make the URL unusable; it just isn't known.
        return None


def parse_pull_urls(value: object, *, name: str = "PullUrls") -> tuple[PullUrl, ...]:
    """Pull URLs from a list of strings or a map of lists (`TransPullUrls`).

    Unknown protocols and empty entries are skipped; duplicates are dropped.
    """
    groups = value.values() if isinstance(value, Mapping) else (value,)
    urls: dict[str, PullUrl] = {}
    for group in groups:
        entries = (group,) if isinstance(group, str) else _list(group, name)
        for entry in entries:
            url = PullUrl.parse(_str(entry, name))
            if url is not None:
                urls.setdefault(url.url, url)
    return tuple(urls.values())


def _trans_pull_urls(value: object, name: str) -> dict[str, tuple[PullUrl, ...]]:
    """`TransPullUrls`: a map of template → URLs ([G], [J]) or a plain list (docs)."""
    if isinstance(value, Mapping):
        groups = {
            _str(key, name): parse_pull_urls(urls, name=name)
            for key, urls in value.items()
        }
    else:
        groups = {TRANS_UNNAMED: parse_pull_urls(value, name=name)}
    return {key: urls for key, urls in groups.items() if urls}


def _pick(urls: Sequence[PullUrl], protocol: Protocol) -> PullUrl | None:
    return next((url for url in urls if url.protocol == protocol), None)


# --------------------------------------------------------------------------------------
# Playback URLs of cloud recordings


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RecordingUrls(_Model):
    """Playback URLs of a cloud-recorded time range; they carry a JWT."""

    playlist_url: str | None = field(default=None, repr=False)
    """CloudRecordPlay's `ID`: an m3u8 playlist URL (its Start/End are in ms)."""
    hls_url: str = field(repr=False)
    mp4_url: str | None = field(default=None, repr=False)
    expires_at: datetime

    @classmethod
    def from_cloud_record_play(
        cls, data: object, *, issued_at: datetime, token_valid: int
    ) -> Self:
        """Parse a CloudRecordPlay (2021-01-01) Result: `ID`, `HLS`, `MP4`."""
        f = _Fields.top(data, "CloudRecordPlay")
        playlist = f.opt_text("ID", "id")
        hls = f.opt_text("HLS", "hls") or playlist
        if hls is None:
            raise _fail("CloudRecordPlay.HLS", "missing")
        return cls(
            playlist_url=playlist,
            hls_url=hls,
            mp4_url=f.opt_text("MP4", "mp4"),
            expires_at=_token_expiry(hls, issued_at, token_valid),
        )

    @classmethod
    def from_play_cloud_record(
        cls, data: object, *, issued_at: datetime, token_valid: int
    ) -> Self:
        """Parse a PlayCloudRecord (2023-10-01) Result: lower-case `hls`, `mp4`."""
        f = _Fields.top(data, "PlayCloudRecord")
        hls = f.ident("hls", "HLS")
        return cls(
            hls_url=hls,
            mp4_url=f.opt_text("mp4", "MP4"),
            expires_at=_token_expiry(hls, issued_at, token_valid),
        )


def _token_expiry(url: str, issued_at: datetime, token_valid: int) -> datetime:
    """The `exp` of the URL's `X-JWT-Token`, else `issued_at + token_valid`."""
    expiry = _jwt_expiry(url)
    if expiry is not None:
        return expiry
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=UTC)
    return issued_at.astimezone(UTC) + timedelta(seconds=token_valid)


def _jwt_expiry(url: str) -> datetime | None:
    """`exp` from a JWT's payload, read without verifying it (only for timing)."""
    try:
        token = _query_param(urlsplit(url).query, "X-JWT-Token")
        parts = (token or "").split(".")
        if len(parts) != 3:
            return None
        payload = parts[1]
        claims = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        exp = claims.get("exp") if isinstance(claims, dict) else None
        if not isinstance(exp, int) or isinstance(exp, bool):
            return None
        return _time(exp, "exp")
    # binascii.Error, UnicodeDecodeError and JSONDecodeError are all ValueErrors;
    # a pathologically nested payload raises RecursionError.
    except ValueError, RecursionError, InvalidResponse:
        return None
