"""Property tests: input of any shape is refused cleanly, never with a crash.

* The client turns any HTTP answer into a result or one of its own `ApiError`s.
* The actions' time parsing gives a valid range or a translated refusal.
* The config flow answers any form input with a form error (or a schema refusal).
* The media source answers any identifier with a node, a link, or a translated error.

Hypothesis runs each property on an `async def` test: pytest-asyncio runs every example
in the test's event loop, and the fixtures (Home Assistant, the emulator, a local HTTP
server) are set up once per test, which these properties need and allow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
import contextlib
from datetime import UTC, date, datetime, timedelta, timezone
import json
from pathlib import Path
import re
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from homeassistant.components.media_player import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
    async_browse_media,
    async_resolve_media,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, UnknownFlow
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from hypothesis import (
    HealthCheck,
    assume,
    event,
    example,
    given,
    settings,
    strategies as st,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.volcengine_slow_live import playback, services
from custom_components.volcengine_slow_live.api import redact
from custom_components.volcengine_slow_live.api.client import (
    AiotVideoClient,
    RetryPolicy,
)
from custom_components.volcengine_slow_live.api.errors import (
    ACCOUNT_PREFIXES,
    AUTH_CODES,
    RATE_LIMIT_CODES,
    UNAVAILABLE_CODES,
    ApiError,
)
from custom_components.volcengine_slow_live.const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_REGION,
    CONF_SECRET_ACCESS_KEY,
    DOMAIN,
    SECTION_ADVANCED,
)
from emulator import Emulator

from .common import setup_integration
from .conftest import EmulatorFactory

pytestmark = pytest.mark.slow

_TRANSLATIONS = json.loads(
    (
        Path(__file__).parents[1]
        / "custom_components"
        / DOMAIN
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)
EXCEPTIONS: dict[str, dict[str, str]] = _TRANSLATIONS["exceptions"]
FLOW_ERRORS: frozenset[str] = frozenset(_TRANSLATIONS["config"]["error"])
_PLACEHOLDER = re.compile(r"{(\w+)}")


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, a heavier one more often.

    `one_of` picks a branch; repeating a strategy makes it the likelier pick. (Only
    roughly: Hypothesis favours variety and never runs the same example twice.)
    """
    return st.one_of(*(strategy for weight, strategy in choices for _ in range(weight)))


# Fixtures once per test, examples many: what these properties are written for.
PROPERTY = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_translated(err: HomeAssistantError) -> None:
    """Our translation domain, a key in en.json, and every placeholder it names."""
    assert err.translation_domain == DOMAIN, repr(err)
    assert err.translation_key in EXCEPTIONS, err.translation_key
    message = EXCEPTIONS[err.translation_key]["message"]
    needed = set(_PLACEHOLDER.findall(message))
    assert needed <= set(err.translation_placeholders or {}), (
        err.translation_key,
        err.translation_placeholders,
    )


@pytest.fixture(autouse=True)
def _forget_fuzzed_secrets() -> Iterator[None]:
    """Clients built from fuzzed keys register them for redaction; drop them after.

    Left registered, a fuzzed "secret" such as "00000000" would be masked in every
    later test's text.
    """
    before = set(redact._secrets)
    yield
    redact._secrets.intersection_update(before)


# --------------------------------------------------------------------------------------
# Strategies shared by the properties.

_FIELD_NAMES = (
    "ResponseMetadata",
    "RequestId",
    "Action",
    "Version",
    "Error",
    "Code",
    "Message",
    "Result",
    "PageNumber",
    "PageSize",
    "TotalCount",
    "Spaces",
    "Devices",
    "Streams",
    "Channels",
    "Records",
    "Screenshots",
    "Items",
    "SpaceID",
    "SpaceName",
    "AccessType",
    "DeviceID",
    "DeviceNSID",
    "DeviceStreams",
    "StreamID",
    "StreamName",
    "Status",
    "PullUrls",
    "TransPullUrls",
    "PullOnDemand",
    "StartTime",
    "EndTime",
    "Duration",
    "Cover",
    "Path",
    "Format",
    "HLS",
    "Record",
    "RecordMeta",
    "Template",
    "CreatedAt",
    "UpdatedAt",
)
_ERROR_CODES = sorted(
    {*AUTH_CODES, *RATE_LIMIT_CODES, *UNAVAILABLE_CODES, *ACCOUNT_PREFIXES}
    | {"InvalidTimestamp", "NotFound", "NotFound.Stream", "InvalidParameter", ""}
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities too: json.dumps writes them, json.loads reads
    | st.text(max_size=24)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(_FIELD_NAMES) | st.text(max_size=8), inner)
    ),
    max_leaves=24,
)
response_metadata = st.fixed_dictionaries(
    {},
    optional={
        "RequestId": json_scalars,
        "Action": json_scalars,
        "Error": st.none()
        | json_values
        | st.fixed_dictionaries(
            {},
            optional={
                "Code": st.sampled_from(_ERROR_CODES) | json_scalars,
                "Message": json_scalars,
                "CodeN": json_scalars,
            },
        ),
    },
)
envelopes = st.fixed_dictionaries(
    {"ResponseMetadata": response_metadata | json_values},
    optional={"Result": json_values},
)
# A clean envelope around any Result: what gets past the envelope to the parsers.
results = st.fixed_dictionaries(
    {
        "ResponseMetadata": st.fixed_dictionaries(
            {}, optional={"RequestId": st.text(max_size=8)}
        ),
        "Result": json_values
        | st.dictionaries(st.sampled_from(_FIELD_NAMES), json_values, max_size=8),
    }
)
bodies = weighted(
    (3, results.map(json.dumps)),
    (3, envelopes.map(json.dumps)),
    (1, json_values.map(json.dumps)),
    (1, st.binary(max_size=64)),
    (1, st.text(max_size=64).map(str.encode)),
    (1, st.just(b"")),
)
# 204, 205 and 304 carry no body and 1xx are not final: the client never sees them so.
statuses = weighted(
    (4, st.just(200)),
    (1, st.sampled_from([400, 401, 403, 404, 429, 500, 502, 503])),
    (
        1,
        st.integers(min_value=200, max_value=599).filter(
            lambda s: s not in (204, 205, 304)
        ),
    ),
)


# --------------------------------------------------------------------------------------
# The client against a server that answers anything.


class _AnyAnswer:
    """A stand-in for the API endpoint: the answer is whatever the example drew."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.content_type = "application/json"

    async def handle(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(
            status=self.status, body=self.body, content_type=self.content_type
        )


@pytest.fixture
async def any_answer(socket_enabled: None) -> AsyncIterator[tuple[_AnyAnswer, str]]:
    """A local HTTP server answering each request with the drawn response; its URL."""
    answer = _AnyAnswer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield answer, f"http://{host}:{port}"
    finally:
        await runner.cleanup()


_START = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
_END = _START + timedelta(minutes=5)
CALLS: dict[str, Callable[[AiotVideoClient, str], Awaitable[Any]]] = {
    "request": lambda c, _: c.request("ListSpaces"),
    "list_spaces": lambda c, _: c.list_spaces(),
    "get_space": lambda c, _: c.get_space("space"),
    "list_devices": lambda c, _: c.list_devices("space"),
    "get_device": lambda c, _: c.get_device("space", "device"),
    "get_device_channels": lambda c, _: c.get_device_channels("device"),
    "list_streams": lambda c, _: c.list_streams("space"),
    "get_stream": lambda c, _: c.get_stream("stream", fresh_expired_pull=True),
    "start_stream": lambda c, _: c.start_stream("stream"),
    "stop_stream": lambda c, _: c.stop_stream("stream"),
    "cloud_record_play": lambda c, _: c.cloud_record_play(
        stream_id="stream", start=_START, end=_END
    ),
    "play_cloud_record": lambda c, _: c.play_cloud_record(
        "stream", start=_START, end=_END
    ),
    "list_stream_records": lambda c, _: c.list_stream_records(
        "stream", start=_START, end=_END
    ),
    "list_stream_screenshots": lambda c, _: c.list_stream_screenshots(
        "stream", start=_START, end=_END
    ),
    "cloud_control": lambda c, _: c.cloud_control(
        "stream", action="PTZControl", command="left", param=1
    ),
    "fetch_media": lambda c, url: c.fetch_media(f"{url}/cover.jpg", max_bytes=32),
}


@PROPERTY
@given(
    call=st.sampled_from(sorted(CALLS)),
    status=statuses,
    body=bodies,
    content_type=st.sampled_from(["application/json", "text/html", "text/plain"]),
)
async def test_client_raises_only_its_own_errors(
    any_answer: tuple[_AnyAnswer, str],
    call: str,
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    answer, url = any_answer
    answer.status, answer.body, answer.content_type = status, body, content_type
    async with aiohttp.ClientSession() as session:
        client = AiotVideoClient(
            session,
            "AKLTpropertyTestKey0001",
            "property-test-secret-0001",
            endpoint=url,
            rate_limit=0,
            timeout=5,
            # One retry without waiting: the retry path runs, the example stays fast.
            retry=RetryPolicy(max_retries=1, base_delay=0.0),
        )
        try:
            await CALLS[call](client, url)
        except ApiError as err:
            error = err
        else:
            event("result")
            return
    event(type(error).__name__)
    assert isinstance(error.code, str)
    assert str(error)


# --------------------------------------------------------------------------------------
# Time ranges of the recording actions.

_NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
offsets = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59),
    max_value=timedelta(hours=23, minutes=59),
).map(timezone)
aware_datetimes = st.datetimes(timezones=st.timezones() | offsets)
# Mostly near "now", where the interesting refusals are; also anywhere at all.
near_now = (
    st.datetimes(
        min_value=datetime(2026, 11, 18), max_value=datetime(2026, 11, 22)
    ).map(lambda d: d.replace(tzinfo=UTC))
    | aware_datetimes
)


def _iso(parts: tuple[int, int, int, int, int, int, str, str]) -> str:
    year, month, day, hour, minute, second, separator, zone = parts
    return (
        f"{year:04d}-{month:02d}-{day:02d}{separator}"
        f"{hour:02d}:{minute:02d}:{second:02d}{zone}"
    )


# Well formed, not always valid: 2026-02-30, 25:61, +99:00 ...
iso_like = st.tuples(
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["T", " "]),
    st.sampled_from(
        ["", "Z", "+08:00", "-05:30", "+99:00", "-23:59", "+24:00", "+0800"]
    ),
).map(_iso)
time_texts = st.one_of(
    st.text(max_size=40),
    iso_like,
    near_now.map(datetime.isoformat),
    st.integers(0, 10**12).map(str),
    st.from_regex(r"\A\s*\d{9,11}(\.\d{1,6})?\s*\Z"),
    st.sampled_from(
        ["now", "", "   ", "\u0661\u0667" + "\u0660" * 8, "1e10", "-1", "NaN", "inf"]
    ),
)
moments = st.one_of(
    time_texts,
    near_now,
    aware_datetimes,
    st.datetimes(),  # naive: Home Assistant's time zone
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
durations = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\A[+-]?\d{1,14}:\d{1,14}(:\d{1,14}(\.\d+)?)?\Z"),
    st.timedeltas(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(),
    st.dictionaries(
        st.sampled_from(["days", "hours", "minutes", "seconds", "milliseconds", "x"]),
        st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=5),
        max_size=3,
    ),
    st.sampled_from(["00:05:00", "5:00", "-00:05:00", "300", {"minutes": 5}]),
    st.none(),
    st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(value=moments, field=st.sampled_from(["start", "end"]))
# Well formed but impossible: Home Assistant's parser raises ValueError for these.
@example(value="0000-0-0T0:0", field="start")
@example(value="2026-02-30T00:00:00", field="end")
def test_parse_moment_gives_an_aware_time_or_a_translated_refusal(
    value: Any, field: str
) -> None:
    try:
        moment = services.parse_moment(value, field)
    except ServiceValidationError as err:
        assert_translated(err)
        event(f"refused: {err.translation_key}")
        return
    event("accepted")
    assert moment.tzinfo is not None


@settings(max_examples=500, deadline=None)
@given(value=durations)
# Too long for a timedelta: Home Assistant's validator raises OverflowError.
@example(value="90000000000000")
@example(value="0:2000000000000")
@example(value={"days": 1_000_000_000})
def test_parse_duration_gives_a_timedelta_or_a_translated_refusal(value: Any) -> None:
    try:
        duration = services.parse_duration(value)
    except ServiceValidationError as err:
        assert_translated(err)
        event(f"refused: {err.translation_key}")
        return
    event("accepted")
    assert isinstance(duration, timedelta)


@settings(max_examples=500, deadline=None)
@given(
    start=st.none() | near_now,
    end=st.none() | near_now,
    duration=st.none()
    | st.timedeltas(min_value=timedelta(hours=-30), max_value=timedelta(hours=30))
    | st.timedeltas(),
    now=st.none() | near_now,
)
# Beyond what a datetime holds, once subtracted or shown in local time.
@example(start=None, end=None, duration=timedelta(days=739944), now=None)
@example(
    start=None,
    end=datetime(1, 1, 1, 0, 30, tzinfo=UTC),
    duration=timedelta(hours=1),
    now=None,
)
@example(
    start=datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12))),
    end=None,
    duration=None,
    now=None,
)
@example(
    start=datetime(1, 1, 1, tzinfo=UTC),
    end=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))),
    duration=None,
    now=None,
)
def test_resolve_range_is_valid_or_refused(
    start: datetime | None,
    end: datetime | None,
    duration: timedelta | None,
    now: datetime | None,
) -> None:
    try:
        span = playback.resolve_range(start=start, end=end, duration=duration, now=now)
    except ServiceValidationError as err:
        assert_translated(err)
        event(f"refused: {err.translation_key}")
        return
    event("accepted")
    assert span.start < span.end <= (now or dt_util.utcnow())
    assert span.end - span.start <= playback.MAX_SPAN


@settings(max_examples=500, deadline=None)
@given(
    data=st.fixed_dictionaries(
        {}, optional={"start": moments, "end": moments, "duration": durations}
    )
)
def test_action_time_fields_give_a_range_or_a_translated_refusal(
    data: dict[str, Any],
) -> None:
    """What get_recording and play_recording do with their three time fields."""
    try:
        span = services._range(data, services._event(data))
    except ServiceValidationError as err:
        assert_translated(err)
        event(f"refused: {err.translation_key}")
        return
    event("accepted")
    assert span.start < span.end
    assert span.end - span.start <= playback.MAX_SPAN


# --------------------------------------------------------------------------------------
# The config flow.

_CONTROL = "".join(chr(c) for c in (*range(32), 127))
weird_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=_CONTROL, max_size=10),
    st.text(min_size=257, max_size=2000),
    st.text(
        alphabet=st.characters(codec="ascii", exclude_characters=" "), max_size=300
    ),
    st.sampled_from(["", " ", "\t", "\n", "\u3000", "\u200b", "é" * 10, "密钥" * 5]),
)


def _padded(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The value with the whitespace people paste around it."""
    space = st.sampled_from(["", " ", "  ", "\t", "\n", "\u3000", "\u00a0"])
    return st.builds("{}{}{}".format, space, value, space)


_key_like = st.text(
    st.sampled_from("ABCDEFabcdef0123456789+/="), min_size=8, max_size=64
)
not_text = st.integers() | st.none() | st.lists(st.text(max_size=3), max_size=2)


def _endpoints(base_url: str) -> st.SearchStrategy[str]:
    """Endpoints on this machine with any scheme and shape, and text that is none."""
    port = URL(base_url).port
    schemes = ["http", "HTTP", "https", "ftp", "ws", "file", "rtmp", "", "javascript"]
    hosts = [f"127.0.0.1:{port}", "127.0.0.1:1", "", "[::1", "127.0.0.1:99999"]
    tails = ["", "/", "//", "/path?q=1", "#frag", "?a=b&c", "/%zz", "/\x00"]
    return st.one_of(
        st.builds(
            "{}://{}{}".format,
            st.sampled_from(schemes),
            st.sampled_from(hosts),
            st.sampled_from(tails),
        ),
        st.sampled_from(
            [f"127.0.0.1:{port}", "open.volcengineapi.com", "http:", "https://", "//"]
        ),
        weird_text,
    )


def _goes_elsewhere(endpoint: Any) -> bool:
    """An http(s) URL with a host other than 127.0.0.1: it would leave this machine.

    So would a blank one: it means the default endpoint, Volcengine's.
    """
    if not isinstance(endpoint, str):
        return False
    if not endpoint.strip():
        return True
    try:
        url = URL(endpoint.strip().rstrip("/"))
    except ValueError:
        return False
    return url.scheme in ("http", "https") and url.host not in (None, "127.0.0.1")


@pytest.fixture
async def fast_emulator(emulator_factory: EmulatorFactory) -> Emulator:
    """The demo fleet without the per-action rate limit: hundreds of probes in a row."""
    return await emulator_factory(rate_limit=0)


@settings(PROPERTY, max_examples=400)
@given(data=st.data())
async def test_config_flow_answers_any_input_with_a_form_error(
    hass: HomeAssistant, fast_emulator: Emulator, data: st.DataObject
) -> None:
    emulator = fast_emulator
    # Each example spoils some fields (often one, so that the error is its own) and
    # gives the others as a person would: the real value, maybe padded with spaces.
    real: dict[str, str] = {
        CONF_ACCESS_KEY_ID: emulator.access_key,
        CONF_SECRET_ACCESS_KEY: emulator.secret_key,
        CONF_REGION: "cn-north-1",
        CONF_ENDPOINT: emulator.base_url,
    }
    spoilt: dict[str, st.SearchStrategy[Any]] = {
        # Right format, wrong value: our checks pass it, the emulator refuses it.
        CONF_ACCESS_KEY_ID: _key_like | weird_text | not_text,
        CONF_SECRET_ACCESS_KEY: _key_like | weird_text,
        CONF_REGION: st.from_regex(r"\A[a-z0-9-]{2,64}\Z") | weird_text,
        CONF_ENDPOINT: _endpoints(emulator.base_url),
    }
    chosen = data.draw(st.sets(st.sampled_from(sorted(real))), "spoilt fields")
    values = {
        name: data.draw(
            spoilt[name] if name in chosen else _padded(st.just(value)), name
        )
        for name, value in real.items()
    }
    endpoint = values.pop(CONF_ENDPOINT)
    user_input: dict[str, Any] = {**values, SECTION_ADVANCED: {CONF_ENDPOINT: endpoint}}
    assume(not _goes_elsewhere(endpoint))
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    flow_id = result["flow_id"]
    try:
        result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    except InvalidData:
        event("schema refused")
        return  # Home Assistant's schema refused it: a clean rejection
    finally:
        with contextlib.suppress(UnknownFlow):  # a form answer leaves it open
            hass.config_entries.flow.async_abort(flow_id)
    assert result["type"] is FlowResultType.FORM, result
    event(f"{result['step_id']}: {sorted(result['errors'].values())}")
    if result["step_id"] == "spaces":  # the real key pair, however it was padded
        assert not result["errors"]
        return
    assert result["step_id"] == "user"
    assert result["errors"], result
    assert set(result["errors"].values()) <= FLOW_ERRORS, result["errors"]


# --------------------------------------------------------------------------------------
# The media source.

PREFIX = f"media-source://{DOMAIN}"


# Identifiers are drawn as templates: <entry>, <key:n>, <space:n> name the loaded
# entry and its n-th channel and space, <day:n> the local day n days ago and <now:n>
# the Unix time n seconds from now; the test fills them in. Most are one of the
# shapes the media source knows with some of their parts spoilt; some are any text.
_TOKEN = re.compile(r"<(entry|ENTRY|key|space|day|now)(?::(-?\d+))?>")
_numbers = st.one_of(
    st.integers(0, 10**10).map(str),
    st.from_regex(r"\A\d{1,12}\Z"),
    st.sampled_from(["\u00b2", "\u0663", "-1", "1e3", "0x10", "", " 1", "9" * 5000]),
)
_seconds_ago = st.integers(-3600, 40 * 86400)
_real_spans = st.one_of(
    st.builds(
        "<now:{}>-<now:{}>".format,
        _seconds_ago.map(int.__neg__),
        _seconds_ago.map(int.__neg__),
    ),
    st.tuples(_seconds_ago, st.integers(-600, 90000)).map(
        lambda t: f"<now:{-t[0]}>-<now:{t[1] - t[0]}>"
    ),
)
_SHAPES = (
    ("entry",),
    ("entry", "key"),
    ("entry", "spaces", "space"),
    ("entry", "spaces", "space", "part"),
    ("entry", "key", "last_hour"),
    ("entry", "key", "rec", "span"),
    ("entry", "key", "day", "day_"),
    ("entry", "key", "day", "day_", "span"),
)
_PARTS: dict[str, st.SearchStrategy[str]] = {
    "entry": st.just("<entry>"),
    "key": st.integers(0, 20).map("<key:{}>".format),
    "space": st.integers(0, 5).map("<space:{}>".format),
    "part": st.integers(0, 3).map(str),
    "span": _real_spans,
    "day_": st.integers(-3, 33).map("<day:{}>".format),
}
_spoilt = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["spaces", "day", "rec", "last_hour", "", "%2F", "..", "%", "\n", "<ENTRY>"]
    ),
    _numbers,
    st.builds("{}-{}".format, _numbers, _numbers),
    st.dates().map(date.isoformat),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
    st.sampled_from(
        [
            "2026-02-30",
            "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0662\u0660",
            "today",
        ]
    ),
)


@st.composite
def identifier_templates(draw: st.DrawFn) -> str:
    """A known shape with some parts spoilt (and maybe more after it), or any text."""
    if draw(st.integers(0, 7)) == 0:
        text: str = draw(st.text(max_size=60))
        return text
    shape = draw(st.sampled_from(_SHAPES))
    spoilt = draw(st.sets(st.integers(0, len(shape) - 1), max_size=2))
    parts = [
        draw(_spoilt if i in spoilt else _PARTS.get(name, st.just(name)))
        for i, name in enumerate(shape)
    ]
    if draw(st.integers(0, 3)) == 0:
        parts += draw(st.lists(_spoilt, min_size=1, max_size=2))
    return "/".join(parts)


def _fill(template: str, entry: MockConfigEntry) -> str:
    data = entry.runtime_data.coordinator.data
    keys = sorted(data.channels)
    spaces = sorted(data.spaces)
    today = dt_util.now().date()
    now = int(dt_util.utcnow().timestamp())

    def value(match: re.Match[str]) -> str:
        name, n = match[1], int(match[2] or 0)
        match name:
            case "entry":
                return entry.entry_id
            case "ENTRY":
                return entry.entry_id.upper()
            case "key":
                return quote(keys[n % len(keys)], safe="")
            case "space":
                return quote(spaces[n % len(spaces)], safe="")
            case "day":
                return (today - timedelta(days=n)).isoformat()
        return str(now + n)

    return _TOKEN.sub(value, template)


def _check_media_error(hass: HomeAssistant, err: HomeAssistantError, uri: str) -> None:
    event(f"{type(err).__name__}: {err.translation_key}")
    if err.translation_domain == "media_source":
        # Home Assistant refused the URI itself, before asking us.
        with pytest.raises(ValueError):
            MediaSourceItem.from_uri(hass, uri, None)
        return
    assert_translated(err)


@pytest.fixture
async def media_entry(hass: HomeAssistant, fast_emulator: Emulator) -> MockConfigEntry:
    """The media browser and a loaded entry for the emulator's demo fleet."""
    assert await async_setup_component(hass, "media_source", {})
    entry: MockConfigEntry = await setup_integration(hass, fast_emulator)
    return entry


@settings(PROPERTY, max_examples=400)
@given(template=identifier_templates())
@example(template="<entry>/spaces/<space:0>/\u00b2")  # "²".isdigit(), int("²") fails
@example(template="<entry>/<key:0>/rec/<now:-600>-<now:0>")
@example(template="<entry>/<key:0>/day/<day:0>")
async def test_media_source_answers_any_identifier(
    hass: HomeAssistant, media_entry: MockConfigEntry, template: str
) -> None:
    identifier = _fill(template, media_entry)
    uri = f"{PREFIX}/{identifier}"
    try:
        node = await async_browse_media(hass, uri)
    except BrowseError as err:
        _check_media_error(hass, err, uri)
    else:
        assert isinstance(node, BrowseMediaSource)
        event("browsed")
    try:
        media = await async_resolve_media(hass, uri, None)
    except Unresolvable as err:
        _check_media_error(hass, err, uri)
    else:
        assert isinstance(media, PlayMedia)
        event("resolved")
