"""Cloud recordings: from a camera and a time range to playable links.

One place for what the actions, the media browser and voice all need: resolving the
time range people give (a start, an end, a duration), finding the channel behind one of
our camera entities, and asking the cloud (CloudRecordPlay) for HLS/MP4 links. Every
refusal is a translated ServiceValidationError; every cloud failure a translated
HomeAssistantError naming the API code and RequestId, never a URL token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .api.errors import ApiError
from .api.models import RecordingUrls
from .const import (
    CONF_LINK_VALIDITY,
    DEFAULT_LINK_VALIDITY,
    DOMAIN,
    MAX_LINK_VALIDITY,
    MIN_LINK_VALIDITY,
)
from .coordinator import ChannelData
from .data import SlowLiveConfigEntry

# The cloud serves at most a day per playback request.
MAX_SPAN = timedelta(hours=24)
MIME_HLS = "application/vnd.apple.mpegurl"
MIME_MP4 = "video/mp4"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A validated recording range (aware datetimes, start before end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class CameraTarget:
    """One of our camera entities, resolved to its entry and channel."""

    entity_id: str
    entry: SlowLiveConfigEntry
    channel: ChannelData
    sub: bool

    @property
    def streaming_index(self) -> int:
        """0 for the main stream, 1 for the sub stream."""
        return 1 if self.sub else 0


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def resolve_range(
    *,
    start: datetime | None,
    end: datetime | None,
    duration: timedelta | None,
    now: datetime | None = None,
) -> TimeRange:
    """`start` (+ `end`, default now) or `duration` back from `end`; validated.

    An end in the future means "until now": nothing is recorded after now.
    """
    now = now or dt_util.utcnow()
    if start is None and duration is None:
        raise _invalid("range_missing")
    if start is not None and duration is not None:
        raise _invalid("range_ambiguous")
    end = min(end or now, now)
    if duration is not None:
        if duration <= timedelta(0):
            raise _invalid("duration_not_positive")
        if duration > MAX_SPAN:  # before subtracting: a huge one would overflow
            raise _too_long()
        try:
            start = end - duration
        except OverflowError:  # an end within a day after 0001-01-01
            raise _invalid("invalid_time", field="end", value=end.isoformat()) from None
    assert start is not None  # noqa: S101 - one of the two branches set it
    if start > now:
        raise _invalid("start_in_future", start=_local(start))
    if end <= start:
        raise _invalid("end_before_start", start=_local(start), end=_local(end))
    if end - start > MAX_SPAN:
        raise _too_long()
    return TimeRange(start=start, end=end)


def _too_long() -> ServiceValidationError:
    return _invalid("range_too_long", hours=str(int(MAX_SPAN.total_seconds() // 3600)))


def _local(moment: datetime) -> str:
    try:
        return dt_util.as_local(moment).isoformat(timespec="seconds")
    except OverflowError:  # near 0001-01-01 or 9999-12-31: keep its own offset
        return moment.isoformat(timespec="seconds")


def resolve_camera(hass: HomeAssistant, entity_id: str) -> CameraTarget:
    """The entry and channel behind one of our cameras; refuses anything else."""
    entry_reg = er.async_get(hass).async_get(entity_id)
    if (
        entry_reg is None
        or entry_reg.platform != DOMAIN
        or entry_reg.domain != "camera"
        or entry_reg.config_entry_id is None
    ):
        raise _invalid("not_our_camera", entity_id=entity_id)
    entry: SlowLiveConfigEntry | None = hass.config_entries.async_get_entry(
        entry_reg.config_entry_id
    )
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        raise _invalid("entry_not_loaded", entity_id=entity_id)
    sub = entry_reg.unique_id.endswith("_sub")
    key = entry_reg.unique_id.removesuffix("_sub")
    channel = entry.runtime_data.coordinator.data.channels.get(key)
    if channel is None:
        raise _invalid("channel_gone", entity_id=entity_id)
    return CameraTarget(entity_id=entity_id, entry=entry, channel=channel, sub=sub)


def link_validity(entry: SlowLiveConfigEntry, requested: int | None) -> int:
    """Seconds the links stay valid: the request, else the entry's option."""
    if requested is None:
        return int(entry.options.get(CONF_LINK_VALIDITY, DEFAULT_LINK_VALIDITY))
    return max(MIN_LINK_VALIDITY, min(MAX_LINK_VALIDITY, requested))


async def async_recording_urls(
    target: CameraTarget,
    span: TimeRange,
    *,
    sub: bool | None = None,
    validity: int | None = None,
) -> RecordingUrls:
    """Ask the cloud (CloudRecordPlay) for links to exactly this range."""
    use_sub = target.sub if sub is None else sub
    if use_sub and not target.channel.has_sub_stream:
        raise _invalid("no_sub_stream", entity_id=target.entity_id)
    client = target.entry.runtime_data.client
    try:
        return await client.cloud_record_play(
            stream_id=target.channel.key,
            streaming_index=1 if use_sub else 0,
            start=span.start,
            end=span.end,
            token_valid=link_validity(target.entry, validity),
        )
    except ApiError as err:
        raise cloud_error(err) from err


def cloud_error(err: ApiError) -> HomeAssistantError:
    """A translated error naming what the cloud said (code, RequestId), no URL."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="cloud_error",
        translation_placeholders={
            "code": err.code or type(err).__name__,
            "message": err.message or "-",
            "request_id": err.request_id or "-",
        },
    )
