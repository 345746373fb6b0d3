"""The signer reproduces the API notes' test vectors and the official SDK's signatures."""

from __future__ import annotations

from datetime import UTC, datetime
import json

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from volcenginesdkcore.signv4 import SignerV4

from custom_components.volcengine_slow_live.api.signer import (
    EMPTY_BODY_SHA256,
    Signer,
    canonical_query,
    signing_key,
)

AK = "AKLTexampleAccessKeyId0000000000"
SK = "ZXhhbXBsZVNlY3JldEtleQ=="
HOST = "open.volcengineapi.com"
WHEN = datetime(2024, 12, 19, 3, 31, 33, tzinfo=UTC)
SCOPE = "20241219/cn-north-1/aiotvideo/request"
STREAM = "4b9ee060-9fed-4c0e-aaa4-283b17a1b2c3"


def _signer(token: str | None = None) -> Signer:
    return Signer(AK, SK, "cn-north-1", "aiotvideo", token)


def _signature(authorization: str) -> str:
    return authorization.rsplit("Signature=", 1)[1]


def test_case1_get_list_streams() -> None:
    query = [
        ("Action", "ListStreams"),
        ("Version", "2021-01-01"),
        ("SpaceID", "517ff7ec-7700-4862-b1e7-7967a492df79"),
        ("PageNumber", "1"),
        ("PageSize", "20"),
        ("StreamName", "front door"),
    ]
    signed = _signer().sign(
        "GET",
        HOST,
        query=query,
        headers={"Content-Type": "text/plain"},
        body=b"",
        now=WHEN,
    )
    assert signed.query == (
        "Action=ListStreams&PageNumber=1&PageSize=20"
        "&SpaceID=517ff7ec-7700-4862-b1e7-7967a492df79"
        "&StreamName=front%20door&Version=2021-01-01"
    )
    assert signed.headers["X-Content-Sha256"] == EMPTY_BODY_SHA256
    assert signed.headers["X-Date"] == "20241219T033133Z"
    assert signed.headers["Authorization"] == (
        f"HMAC-SHA256 Credential={AK}/{SCOPE}, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, "
        "Signature=8ff5074888705dfa6c20d36b4f84c7df20e20edc5b49a5b36d4e4af87d33875b"
    )


_START_BODY = json.dumps({"StreamID": STREAM, "StreamingIndex": 0}).encode()
_START_QUERY = [("Action", "StartStream"), ("Version", "2021-01-01")]


def test_case2_post_start_stream() -> None:
    signed = _signer().sign(
        "POST",
        HOST,
        query=_START_QUERY,
        headers={"Content-Type": "application/json"},
        body=_START_BODY,
        now=WHEN,
    )
    assert (
        signed.headers["X-Content-Sha256"]
        == "8c0a3f13c6ff975f4139100d5f02ea897f55391d7dd908839e6d635ab70c2b0f"
    )
    assert (
        "SignedHeaders=content-type;host;x-content-sha256;x-date,"
        in (signed.headers["Authorization"])
    )
    assert _signature(signed.headers["Authorization"]) == (
        "a68adcf0724367c8985550c9c1068d20aa7331b97a699007e196d5a64c3d7b77"
    )


def test_case3_docs_header_set() -> None:
    signed = _signer().sign(
        "POST", HOST, query=_START_QUERY, headers={}, body=_START_BODY, now=WHEN
    )
    assert (
        "SignedHeaders=host;x-content-sha256;x-date,"
        in (signed.headers["Authorization"])
    )
    assert _signature(signed.headers["Authorization"]) == (
        "9ee92d055ef0206312f6d926ab16e943f502d21a279f4d59f9ff72bb45d536d2"
    )


def test_case4_sts_get_stream() -> None:
    query = [
        ("Action", "GetStream"),
        ("Version", "2021-01-01"),
        ("StreamID", STREAM),
        ("StreamingIndex", "0"),
        ("FreshExpiredPull", "1"),
    ]
    signed = _signer("STSTOKENexample==").sign(
        "GET",
        HOST,
        query=query,
        headers={"Content-Type": "text/plain"},
        body=b"",
        now=WHEN,
    )
    assert signed.headers["X-Security-Token"] == "STSTOKENexample=="
    assert (
        "SignedHeaders=content-type;host;x-content-sha256;x-date;x-security-token,"
        in signed.headers["Authorization"]
    )
    assert _signature(signed.headers["Authorization"]) == (
        "9777399e819dc82bc02de245a2d164265ddc98b87f65c884ddb1010731e98aae"
    )


@pytest.mark.parametrize(
    ("host", "signed_as"),
    [
        ("example.com:443", "example.com"),
        ("example.com:80", "example.com"),
        ("127.0.0.1:8765", "127.0.0.1:8765"),
    ],
)
def test_default_ports_are_not_signed(host: str, signed_as: str) -> None:
    with_port = _signer().sign("GET", host, query=[], headers={}, body=b"", now=WHEN)
    without = _signer().sign("GET", signed_as, query=[], headers={}, body=b"", now=WHEN)
    assert with_port.headers["Host"] == host
    assert with_port.headers["Authorization"] == without.headers["Authorization"]


def test_repr_hides_the_secret() -> None:
    assert SK not in repr(_signer("STSTOKENexample=="))
    assert "STSTOKEN" not in repr(_signer("STSTOKENexample=="))


def test_signing_key_matches_sdk() -> None:
    assert signing_key(SK, "20241219", "cn-north-1", "aiotvideo") == (
        SignerV4.get_signing_secret_key_v4(SK, "20241219", "cn-north-1", "aiotvideo")
    )


_text = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from(list(" ~*'()!&=+/%?#[]中文🙂")),
    ),
    max_size=24,
)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(["GET", "POST"]),
    params=st.dictionaries(_text, _text, max_size=30),
    body=st.one_of(st.none(), st.dictionaries(_text, _text, max_size=8)),
    token=st.one_of(st.none(), st.text(min_size=1, max_size=40).filter(str.strip)),
    access_key=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        min_size=8,
        max_size=40,
    ),
    secret_key=st.text(min_size=1, max_size=60).filter(
        lambda s: "\x00" not in s and all(not 0xD800 <= ord(c) <= 0xDFFF for c in s)
    ),
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)
    ),
    region=st.sampled_from(["cn-north-1", "cn-beijing", "ap-southeast-1"]),
)
def test_equals_official_sdk(
    method: str,
    params: dict[str, str],
    body: dict[str, str] | None,
    token: str | None,
    access_key: str,
    secret_key: str,
    moment: datetime,
    region: str,
) -> None:
    """Same request, same clock: our Authorization equals the SDK's, byte for byte."""
    query = {"Action": "ListStreams", "Version": "2021-01-01", **params}
    body_text = "" if body is None or method == "GET" else json.dumps(body)
    content_type = "text/plain" if method == "GET" else "application/json"
    sdk_headers = {"Host": HOST, "Content-Type": content_type}
    with freeze_time(moment):
        SignerV4.sign(
            "/",
            method,
            sdk_headers,
            body_text,
            None,
            query,
            access_key,
            secret_key,
            region,
            "aiotvideo",
            token,
        )
    ours = Signer(access_key, secret_key, region, "aiotvideo", token).sign(
        method,
        HOST,
        query=query.items(),
        headers={"Content-Type": content_type},
        body=body_text.encode(),
        now=moment.replace(tzinfo=UTC),
    )
    assert ours.query == SignerV4.canonical_query(query)
    assert ours.headers["Authorization"] == sdk_headers["Authorization"]
    assert ours.headers["X-Content-Sha256"] == sdk_headers["X-Content-Sha256"]


def test_canonical_query_sorts_by_encoded_key() -> None:
    assert canonical_query([("b", "2"), ("a b", "x"), ("A", "~*")]) == (
        "A=~%2A&a%20b=x&b=2"
    )
