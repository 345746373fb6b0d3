"""HLS playlist text as the relay serves it: a media playlist with absolute URIs.

The relay answers at a stable address of its own, so every relative URI of the
CDN's playlist (segments, `#EXT-X-MAP`, keys) is made absolute against the URL the
playlist came from: the puller then fetches segments straight from the CDN, each
with the token of the playlist it was listed in. A master playlist is not served
as such (its variant URI would again be an expiring URL the puller keeps): the
relay follows it to the variant it names first.
"""

from __future__ import annotations

import re

from yarl import URL

_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


class PlaylistError(Exception):
    """The CDN's answer is not an HLS playlist."""


def is_master(text: str) -> bool:
    """Whether `text` lists variants (a master playlist) rather than segments."""
    return "#EXT-X-STREAM-INF" in text


def first_variant(text: str, base: str) -> str:
    """The absolute URL of the first variant a master playlist names."""
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("#EXT-X-STREAM-INF"):
            for uri in lines:
                if uri.strip() and not uri.startswith("#"):
                    return _absolute(uri.strip(), base)
    raise PlaylistError("a master playlist without a variant")


def absolute_media_playlist(text: str, base: str) -> str:
    """`text` with every URI absolute against `base`; raises PlaylistError."""
    if not text.startswith("#EXTM3U"):
        raise PlaylistError("not an HLS playlist")
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if "URI=" in line:
                line = _URI_ATTRIBUTE.sub(
                    lambda m: f'URI="{_absolute(m[1], base)}"', line
                )
            out.append(line)
        else:
            out.append(_absolute(line, base))
    return "\n".join(out) + "\n"


def _absolute(uri: str, base: str) -> str:
    # `encoded=True`: the CDN's escapes and token characters are kept as sent.
    return str(URL(base, encoded=True).join(URL(uri, encoded=True)))
