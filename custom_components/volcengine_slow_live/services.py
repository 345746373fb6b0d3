"""The recording actions: get_recording (links only) and play_recording (to players).

Targets are our camera entities (directly, or through their devices and areas). Times
are accepted as people write them in automations: datetimes with or without an offset
(naive means Home Assistant's time zone), what templates render, Unix seconds and
RFC 3339 strings; durations as "00:05:00", seconds or {minutes: 5}.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import re
from typing import Any

from homeassistant.components.media_player import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    ATTR_MEDIA_EXTRA,
    DOMAIN as MEDIA_PLAYER_DOMAIN,
    SERVICE_PLAY_MEDIA,
)
from homeassistant.components.media_source import URI_SCHEME
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.typing import VolSchemaType
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import DOMAIN, MAX_LINK_VALIDITY, MIN_LINK_VALIDITY
from .media.ids import MediaId, View
from .media.titles import DASH
from .playback import (
    MIME_HLS,
    MIME_MP4,
    Recording,
    async_recording,
    resolve_range,
)
from .ptz.services import async_setup_ptz_services
from .recorded import TimeRange
from .refusals import invalid
from .targets import CameraTarget, resolve_camera, targeted_cameras

SERVICE_GET_RECORDING = "get_recording"
SERVICE_PLAY_RECORDING = "play_recording"
ATTR_MEDIA_PLAYER = "media_player"
ATTR_START = "start"
ATTR_END = "end"
ATTR_DURATION = "duration"
ATTR_FORMAT = "format"
ATTR_STREAM = "stream"
ATTR_LINK_VALIDITY = "link_validity"
ATTR_STRICT = "strict"
ATTR_EVENT = "event"
ATTR_WAIT = "wait_for_footage"
FORMATS = ("hls", "mp4")
STREAMS = ("main", "sub")

_UNIX_RE = re.compile(r"^\d{9,11}(\.\d+)?$")
# None counts as "not given": blueprints and templates often pass empty fields.
_TIME_INPUT = vol.Any(None, datetime, int, float, str)
_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_START): _TIME_INPUT,
    vol.Optional(ATTR_END): _TIME_INPUT,
    vol.Optional(ATTR_DURATION): vol.Any(None, timedelta, int, float, str, dict),
    vol.Optional(ATTR_FORMAT, default="hls"): vol.In(FORMATS),
    vol.Optional(ATTR_STREAM): vol.In(STREAMS),
    vol.Optional(ATTR_LINK_VALIDITY): vol.All(
        vol.Coerce(int), vol.Range(min=MIN_LINK_VALIDITY, max=MAX_LINK_VALIDITY)
    ),
    vol.Optional(ATTR_STRICT, default=False): cv.boolean,
    vol.Optional(ATTR_WAIT): cv.boolean,
    # An alarm event of ours (its data, or its media_content_id): its range.
    vol.Optional(ATTR_EVENT): vol.Any(None, str, dict),
}


def _schema(fields: dict[vol.Marker, Any]) -> VolSchemaType:
    """A target, as entity services have one, or an alarm event (its own camera)."""
    keys: dict[Any, Any] = {
        vol.Remove("metadata"): dict,
        **fields,
        **cv.ENTITY_SERVICE_FIELDS,
    }
    return vol.All(
        vol.Schema(keys),
        cv.has_at_least_one_key(
            *(str(key) for key in cv.ENTITY_SERVICE_FIELDS), ATTR_EVENT
        ),
    )


GET_SCHEMA = _schema(_FIELDS)
PLAY_SCHEMA = _schema({vol.Required(ATTR_MEDIA_PLAYER): cv.entity_ids, **_FIELDS})


def parse_moment(value: Any, field: str) -> datetime:
    """A point in time from what an automation or a person gives."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_unix(value, field)
    elif isinstance(value, str) and (text := value.strip()):
        if _UNIX_RE.match(text):
            moment = _from_unix(float(text), field)
        elif (parsed := _parse_datetime(text)) is not None:
            moment = parsed
        else:
            raise invalid("invalid_time", field=field, value=text[:64])
    else:
        raise invalid("invalid_time", field=field, value=str(value)[:64])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
    return moment


def _parse_datetime(text: str) -> datetime | None:
    """ISO 8601 / RFC 3339, or None; a well-formed impossible time is None too.

    Home Assistant's parser raises ValueError for "2026-02-30T00:00" or "+99:00"
    instead of returning None.
    """
    try:
        return dt_util.parse_datetime(text)
    except ValueError:
        return None


def _from_unix(value: float, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(value, UTC)
    except OverflowError, OSError, ValueError:
        raise invalid("invalid_time", field=field, value=str(value)[:64]) from None


def parse_duration(value: Any) -> timedelta:
    """A length of time: "00:05:00", "5:00", seconds, or {minutes: 5}."""
    try:
        duration: timedelta = cv.time_period(value)
    # Home Assistant's validator lets timedelta's OverflowError through
    # ("90000000000000", {days: 1e9}).
    except vol.Invalid, OverflowError:
        raise invalid("invalid_duration", value=str(value)[:64]) from None
    return duration


def _event(data: dict[str, Any]) -> MediaId | None:
    """The recording an alarm event points at (None: no event given)."""
    event = data.get(ATTR_EVENT)
    if event is None or event == "":
        return None
    content_id = event.get("media_content_id") if isinstance(event, dict) else event
    prefix = f"{URI_SCHEME}{DOMAIN}/"
    if isinstance(content_id, str) and content_id.startswith(prefix):
        try:
            media = MediaId.parse(content_id.removeprefix(prefix))
        except ValueError:
            media = None
        if media is not None and media.view is View.RECORDING and media.span:
            if any(
                data.get(k) is not None for k in (ATTR_START, ATTR_END, ATTR_DURATION)
            ):
                raise invalid("event_with_range")
            return media
    raise invalid("invalid_event", value=str(event)[:80])


def _range(data: dict[str, Any], media: MediaId | None) -> TimeRange:
    """The range asked for: the alarm event's (`media`), or start/end/duration."""
    if media is not None and media.span is not None:
        lo, hi = media.span
        return resolve_range(
            start=dt_util.utc_from_timestamp(lo),
            end=dt_util.utc_from_timestamp(hi),
            duration=None,
        )
    start, end, duration = (data.get(k) for k in (ATTR_START, ATTR_END, ATTR_DURATION))
    return resolve_range(
        start=None if start is None else parse_moment(start, ATTR_START),
        end=None if end is None else parse_moment(end, ATTR_END),
        duration=None if duration is None else parse_duration(duration),
    )


def _cameras(
    hass: HomeAssistant, call: ServiceCall, media: MediaId | None
) -> list[CameraTarget]:
    """Our cameras named by the call, or the camera of its alarm event (`media`)."""
    named, reached = targeted_cameras(hass, call)
    targets = named + reached
    if not targets and media is not None:
        # No camera named: the one whose alarm it is.
        owner = er.async_get(hass).async_get_entity_id("camera", DOMAIN, media.key)
        if owner is not None:
            targets.append(resolve_camera(hass, owner))
    if not targets:
        raise invalid("no_camera")
    return targets


async def _async_recording(
    target: CameraTarget,
    span: TimeRange,
    data: dict[str, Any],
    media: MediaId | None,
) -> Recording:
    stream = data.get(ATTR_STREAM)
    # A replay plays at once what is stored: someone pressed a button or asked, and
    # the newest seconds (on their way to storage) would keep them waiting. An
    # alarm's replay waits for them (up to the entry's option): the alarm's moment is
    # the point of it. `wait_for_footage` decides otherwise either way.
    wait = data.get(ATTR_WAIT, media is not None)
    return await async_recording(
        target,
        span,
        sub=None if stream is None else stream == "sub",
        validity=data.get(ATTR_LINK_VALIDITY),
        strict=data[ATTR_STRICT],
        wait=None if wait else 0,
    )


def _response(recording: Recording) -> dict[str, Any]:
    """What the actions answer for one camera: links, and what they play."""
    urls = recording.urls
    return {
        "hls": urls.hls_url,
        "mp4": urls.mp4_url,
        "playlist": urls.playlist_url,
        # What the links play: the requested range, or its recorded part.
        "start": _local(recording.played.start),
        "end": _local(recording.played.end),
        "expires": _local(urls.expires_at),
        "stream": "sub" if recording.sub else "main",
        "requested": _range_dict(recording.requested),
        "played": _range_dict(recording.played),
        "gaps": [_range_dict(gap) for gap in recording.coverage.gaps],
        "recorded": [
            {**_range_dict(span), "duration": span.duration.total_seconds()}
            for span in recording.coverage.spans
        ],
    }


def _title(hass: HomeAssistant, target: CameraTarget, played: TimeRange) -> str:
    """The camera's name and the played range: "Front Gate 14:02-14:07" (en dash).

    With seconds unless both ends fall on whole minutes: an alarm's 40 s would read
    "22:07-22:07", and two replays of one minute could not be told apart.
    """
    state = hass.states.get(target.entity_id)
    name = state.name if state is not None else target.channel.name
    start = dt_util.as_local(played.start)
    end = dt_util.as_local(played.end)
    day = "" if start.date() == dt_util.now().date() else f"{start:%Y-%m-%d} "
    clock = "%H:%M:%S" if start.second or end.second else "%H:%M"
    return f"{name} {day}{start.strftime(clock)}{DASH}{end.strftime(clock)}"


def _local(moment: datetime) -> str:
    return dt_util.as_local(moment).isoformat()


def _range_dict(span: TimeRange) -> dict[str, str]:
    return {"start": _local(span.start), "end": _local(span.end)}


async def _async_get_recording(call: ServiceCall) -> ServiceResponse:
    media = _event(call.data)
    span = _range(call.data, media)
    return {
        target.entity_id: _response(
            await _async_recording(target, span, call.data, media)
        )
        for target in _cameras(call.hass, call, media)
    }


def _pairs(
    hass: HomeAssistant, cameras: list[CameraTarget], players: list[str]
) -> list[tuple[CameraTarget, list[str]]]:
    """One camera to every player, or camera i to player i."""
    for player in players:
        if hass.states.get(player) is None:
            raise invalid("unknown_media_player", entity_id=player)
    if len(cameras) == 1:
        return [(cameras[0], players)]
    if len(cameras) == len(players):
        return [
            (camera, [player]) for camera, player in zip(cameras, players, strict=True)
        ]
    raise invalid(
        "players_mismatch", cameras=str(len(cameras)), players=str(len(players))
    )


async def _async_play_recording(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    media = _event(call.data)
    span = _range(call.data, media)
    pairs = _pairs(hass, _cameras(hass, call, media), call.data[ATTR_MEDIA_PLAYER])
    mp4 = call.data[ATTR_FORMAT] == "mp4"
    response: dict[str, Any] = {}
    for target, players in pairs:
        recording = await _async_recording(target, span, call.data, media)
        url = recording.urls.mp4_url if mp4 else recording.urls.hls_url
        if not url:
            raise invalid("format_unavailable", format=call.data[ATTR_FORMAT])
        # Blocking and in the caller's context: a player's refusal reaches the caller.
        await hass.services.async_call(
            MEDIA_PLAYER_DOMAIN,
            SERVICE_PLAY_MEDIA,
            {
                ATTR_ENTITY_ID: players,
                ATTR_MEDIA_CONTENT_ID: url,
                ATTR_MEDIA_CONTENT_TYPE: MIME_MP4 if mp4 else MIME_HLS,
                # Shown by players that show a title (Cast, Kodi…) instead of the link.
                ATTR_MEDIA_EXTRA: {"title": _title(hass, target, recording.played)},
            },
            blocking=True,
            context=call.context,
        )
        response[target.entity_id] = {**_response(recording), "media_players": players}
    return response


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every entry)."""
    async_setup_ptz_services(hass)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_RECORDING,
        _async_get_recording,
        schema=GET_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PLAY_RECORDING,
        _async_play_recording,
        schema=PLAY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
