"""Signature verification: API notes §2.2 vectors, tampering, every error code, SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import hashlib
import json
import warnings

import aiohttp
import pytest
from volcenginesdkcore.signv4 import SignerV4
from yarl import URL

from emulator import Emulator
from emulator.auth import (
    KeyPair,
    Verifier,
    canonical_query,
    parse_raw_query,
    rfc3986,
)
from emulator.errors import ApiError

from .helpers import Client, query_string, sign_headers

AK = "AKLTexampleAccessKeyId0000000000"
SK = "ZXhhbXBsZVNlY3JldEtleQ=="
TOKEN = "STSTOKENexample=="
HOST = "open.volcengineapi.com"
WHEN = datetime(2024, 12, 19, 3, 31, 33, tzinfo=UTC)
STREAM = "4b9ee060-9fed-4c0e-aaa4-283b17a1b2c3"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SCOPE = "20241219/cn-north-1/aiotvideo/request"
CASE2_BODY = (
    b'{"StreamID": "4b9ee060-9fed-4c0e-aaa4-283b17a1b2c3", "StreamingIndex": 0}'
)
CASE1_QUERY = (
    "Action=ListStreams&Version=2021-01-01&SpaceID=517ff7ec-7700-4862-b1e7-7967a492df79"
    "&PageNumber=1&PageSize=20&StreamName=front%20door"
)
CASE4_QUERY = f"Action=GetStream&Version=2021-01-01&StreamID={STREAM}&StreamingIndex=0&FreshExpiredPull=1"


def _auth(signed: str, signature: str, ak: str = AK, scope: str = SCOPE) -> str:
    return f"HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={signed}, Signature={signature}"


def case1() -> tuple[str, str, dict[str, str], bytes]:
    headers = {
        "Host": HOST,
        "Content-Type": "text/plain",
        "X-Date": "20241219T033133Z",
        "X-Content-Sha256": EMPTY,
        "Authorization": _auth(
            "content-type;host;x-content-sha256;x-date",
            "8ff5074888705dfa6c20d36b4f84c7df20e20edc5b49a5b36d4e4af87d33875b",
        ),
    }
    return "GET", CASE1_QUERY, headers, b""


def case2(
    signed: str = "content-type;host;x-content-sha256;x-date",
) -> tuple[str, str, dict[str, str], bytes]:
    signature = {
        "content-type;host;x-content-sha256;x-date": "a68adcf0724367c8985550c9c1068d20aa7331b97a699007e196d5a64c3d7b77",
        "host;x-content-sha256;x-date": "9ee92d055ef0206312f6d926ab16e943f502d21a279f4d59f9ff72bb45d536d2",
    }[signed]
    headers = {
        "Host": HOST,
        "Content-Type": "application/json",
        "X-Date": "20241219T033133Z",
        "X-Content-Sha256": "8c0a3f13c6ff975f4139100d5f02ea897f55391d7dd908839e6d635ab70c2b0f",
        "Authorization": _auth(signed, signature),
    }
    return "POST", "Action=StartStream&Version=2021-01-01", headers, CASE2_BODY


def case4() -> tuple[str, str, dict[str, str], bytes]:
    headers = {
        "Host": HOST,
        "Content-Type": "text/plain",
        "X-Date": "20241219T033133Z",
        "X-Content-Sha256": EMPTY,
        "X-Security-Token": TOKEN,
        "Authorization": _auth(
            "content-type;host;x-content-sha256;x-date;x-security-token",
            "9777399e819dc82bc02de245a2d164265ddc98b87f65c884ddb1010731e98aae",
        ),
    }
    return "GET", CASE4_QUERY, headers, b""


def verifier(token: str | None = None) -> Verifier:
    pair = KeyPair(AK, SK, session_token=token)
    return Verifier(lambda ak: pair if ak == AK else None)


def verify(
    case: tuple[str, str, dict[str, str], bytes],
    *,
    token: str | None = None,
    now: float | None = None,
) -> KeyPair:
    method, query, headers, body = case
    return verifier(token).verify(
        method=method,
        raw_query=query,
        headers=headers,
        body=body,
        now=WHEN.timestamp() if now is None else now,
    )


def code_of(case: tuple[str, str, dict[str, str], bytes], **kwargs: object) -> str:
    with pytest.raises(ApiError) as err:
        verify(case, **kwargs)  # type: ignore[arg-type]
    return err.value.code


# ------------------------------------------------------------------ unit level
def test_vectors_verify() -> None:
    assert verify(case1()).access_key == AK
    assert verify(case2()).access_key == AK
    assert verify(case2("host;x-content-sha256;x-date")).access_key == AK
    assert verify(case4(), token=TOKEN).session_token == TOKEN


def test_canonical_query_matches_api_notes() -> None:
    assert canonical_query(parse_raw_query(CASE1_QUERY)) == (
        "Action=ListStreams&PageNumber=1&PageSize=20&SpaceID=517ff7ec-7700-4862-b1e7-"
        "7967a492df79&StreamName=front%20door&Version=2021-01-01"
    )
    # Whatever the client's encoding, the canonical form is RFC 3986 upper-case.
    assert canonical_query(parse_raw_query("b=%7e&a=x%2fy&c=%e4%b8%ad&&d")) == (
        "a=x%2Fy&b=~&c=%E4%B8%AD&d="
    )
    assert canonical_query(parse_raw_query("a=1+2")) == "a=1%2B2"
    assert rfc3986("a b/ü") == "a%20b%2F%C3%BC"
    # Invalid UTF-8 survives a decode/encode round trip.
    assert canonical_query(parse_raw_query("a=%ff")) == "a=%FF"


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (
            lambda m, q, h, b: (m, q.replace("front%20door", "front%20gate"), h, b),
            "SignatureDoesNotMatch",
        ),
        (lambda m, q, h, b: (m, q + "&Extra=1", h, b), "SignatureDoesNotMatch"),
        (lambda m, q, h, b: ("POST", q, h, b), "SignatureDoesNotMatch"),
        (
            lambda m, q, h, b: (m, q, {**h, "Content-Type": "application/json"}, b),
            "SignatureDoesNotMatch",
        ),
        (
            lambda m, q, h, b: (m, q, {**h, "Host": "evil.example.com"}, b),
            "SignatureDoesNotMatch",
        ),
        (
            lambda m, q, h, b: (m, q, {**h, "X-Date": "20241219T033134Z"}, b),
            "SignatureDoesNotMatch",
        ),
        (
            lambda m, q, h, b: (m, q, {**h, "X-Date": "20241219T043133Z"}, b),
            "InvalidTimestamp",
        ),
        (
            lambda m, q, h, b: (m, q, {**h, "X-Date": "yesterday"}, b),
            "InvalidTimestamp",
        ),
        (
            lambda m, q, h, b: (m, q, {k: v for k, v in h.items() if k != "X-Date"}, b),
            "MissingRequestInfo",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {k: v for k, v in h.items() if k != "Content-Type"},
                b,
            ),
            "SignatureDoesNotMatch",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {k: v for k, v in h.items() if k != "Authorization"},
                b,
            ),
            "MissingAuthenticationToken",
        ),
        (
            lambda m, q, h, b: (m, q, {**h, "Authorization": "Bearer abc"}, b),
            "InvalidAuthorization",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {
                    **h,
                    "Authorization": h["Authorization"].replace(
                        "cn-north-1", "cn-beijing"
                    ),
                },
                b,
            ),
            "InvalidCredential",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {**h, "Authorization": h["Authorization"].replace("aiotvideo", "iam")},
                b,
            ),
            "InvalidCredential",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {
                    **h,
                    "Authorization": h["Authorization"].replace(
                        "/20241219/", "/20241218/"
                    ),
                },
                b,
            ),
            "SignatureDoesNotMatch",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {**h, "Authorization": h["Authorization"].replace(AK, "AKLTunknown")},
                b,
            ),
            "InvalidAccessKey",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {
                    **h,
                    "Authorization": h["Authorization"].replace(
                        "content-type;host;", "content-type;"
                    ),
                },
                b,
            ),
            "InvalidAuthorization",
        ),
        (
            lambda m, q, h, b: (
                m,
                q,
                {**h, "Authorization": h["Authorization"].replace("8ff5", "0ff5")},
                b,
            ),
            "SignatureDoesNotMatch",
        ),
        (
            lambda m, q, h, b: (m, q, {**h, "X-Security-Token": TOKEN}, b),
            "InvalidSecretToken",
        ),
        (lambda m, q, h, b: (m, q, h, b"x"), "SignatureDoesNotMatch"),
    ],
)
def test_tampering_case1(mutate: object, code: str) -> None:
    assert code_of(mutate(*case1())) == code  # type: ignore[operator]


def test_tampering_body_and_sts() -> None:
    method, query, headers, body = case2()
    assert (
        code_of((method, query, headers, body.replace(b"0}", b"1}")))
        == "SignatureDoesNotMatch"
    )
    # The body matches a forged X-Content-Sha256, but the signature covers the header.
    forged = body.replace(b"0}", b"1}")
    assert (
        code_of(
            (
                method,
                query,
                {**headers, "X-Content-Sha256": hashlib.sha256(forged).hexdigest()},
                forged,
            )
        )
        == "SignatureDoesNotMatch"
    )
    sts = case4()
    assert code_of(sts) == "InvalidSecretToken"  # permanent key, token sent
    assert code_of(sts, token="OTHER") == "InvalidSecretToken"
    method, query, headers, body = sts
    no_token = {k: v for k, v in headers.items() if k != "X-Security-Token"}
    assert code_of((method, query, no_token, body), token=TOKEN) == "InvalidSecretToken"
    unsigned = {
        **headers,
        "Authorization": headers["Authorization"].replace(";x-security-token", ""),
    }
    assert code_of((method, query, unsigned, body), token=TOKEN) == "InvalidSecretToken"
    # A clock more than the window away is refused either way.
    assert code_of(case1(), now=WHEN.timestamp() - 901) == "InvalidTimestamp"
    assert verify(case1(), now=WHEN.timestamp() + 900).access_key == AK


def test_host_port_stripping() -> None:
    pair = KeyPair(AK, SK)
    check = Verifier(lambda ak: pair)
    for host, signed_host in (
        ("example.com:443", "example.com"),
        ("example.com:8443", "example.com:8443"),
    ):
        headers = sign_headers(
            method="GET",
            host=signed_host,
            pairs=[("Action", "ListSpaces")],
            body=b"",
            ak=AK,
            sk=SK,
            when=WHEN,
            content_type=None,
        )
        headers["Host"] = host
        assert (
            check.verify(
                method="GET",
                raw_query="Action=ListSpaces",
                headers=headers,
                body=b"",
                now=WHEN.timestamp(),
            )
            is pair
        )


# ------------------------------------------------------------------ over HTTP
async def _send(
    session: aiohttp.ClientSession,
    emu: Emulator,
    case: tuple[str, str, dict[str, str], bytes],
) -> tuple[int, dict[str, object]]:
    method, query, headers, body = case
    url = URL(f"{emu.base_url}/?{query}", encoded=True)
    async with session.request(
        method, url, data=body, headers=headers, skip_auto_headers=["Content-Type"]
    ) as resp:
        return resp.status, await resp.json()


async def test_vectors_over_http(
    emulator_factory: object, session: aiohttp.ClientSession
) -> None:
    """The four vectors, sent byte for byte, pass the check (then fail on the ids)."""
    emu = await emulator_factory(access_key=AK, secret_key=SK, clock=WHEN.timestamp)  # type: ignore[operator]
    status, data = await _send(session, emu, case1())
    assert status == 404
    assert data["ResponseMetadata"]["Error"]["Code"] == "NotFound.Space"  # type: ignore[index]
    for case in (case2(), case2("host;x-content-sha256;x-date")):
        status, data = await _send(session, emu, case)
        assert data["ResponseMetadata"]["Error"]["Code"] == "NotFound.Stream"  # type: ignore[index]
    status, data = await _send(session, emu, case4())
    assert data["ResponseMetadata"]["Error"]["Code"] == "InvalidSecretToken"  # type: ignore[index]
    sts = await emulator_factory(
        access_key=AK, secret_key=SK, session_token=TOKEN, clock=WHEN.timestamp
    )  # type: ignore[operator]
    status, data = await _send(session, sts, case4())
    assert data["ResponseMetadata"]["Error"]["Code"] == "NotFound.Stream"  # type: ignore[index]
    method, query, headers, body = case1()
    status, data = await _send(
        session, emu, (method, query.replace("front", "back"), headers, body)
    )
    assert (status, data["ResponseMetadata"]["Error"]["Code"]) == (
        401,
        "SignatureDoesNotMatch",
    )  # type: ignore[index]


async def test_error_statuses_over_http(client: Client, emulator: Emulator) -> None:
    async def status_code(**kwargs: object) -> tuple[int, str | None]:
        reply = await client.call("ListSpaces", **kwargs)  # type: ignore[arg-type]
        return reply.status, reply.error

    assert await status_code(headers={"Authorization": ""}) == (
        401,
        "MissingAuthenticationToken",
    )
    assert await status_code(headers={"Authorization": "HMAC-SHA256 nonsense"}) == (
        400,
        "InvalidAuthorization",
    )
    assert await status_code(when=datetime.now(UTC) - timedelta(hours=1)) == (
        400,
        "InvalidTimestamp",
    )
    reply = await client.call("ListSpaces", when=datetime.now(UTC) - timedelta(hours=1))
    assert reply.data["ResponseMetadata"]["Error"]["CodeN"] == 100006
    emulator.revoke(emulator.access_key)
    assert await status_code() == (401, "InvalidAccessKey")
    bad = Client(client.session, emulator, ak="AKLTnobody", sk="x")
    assert (await bad.call("ListSpaces")).error == "InvalidAccessKey"


async def test_missing_x_date_and_region_over_http(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    pairs = [("Action", "ListSpaces"), ("Version", "2021-01-01")]
    host = URL(emulator.base_url).raw_authority
    when = datetime.fromtimestamp(emulator.now(), UTC)
    url = URL(f"{emulator.base_url}/?{query_string(pairs)}", encoded=True)
    headers = sign_headers(
        method="GET",
        host=host,
        pairs=pairs,
        body=b"",
        ak=emulator.access_key,
        sk=emulator.secret_key,
        when=when,
        content_type=None,
        region="cn-beijing",
    )
    async with session.get(url, headers=headers) as resp:
        assert resp.status == 400
        assert (await resp.json())["ResponseMetadata"]["Error"][
            "Code"
        ] == "InvalidCredential"
    headers = sign_headers(
        method="GET",
        host=host,
        pairs=pairs,
        body=b"",
        ak=emulator.access_key,
        sk=emulator.secret_key,
        when=when,
        content_type=None,
    )
    del headers["X-Date"]
    async with session.get(url, headers=headers) as resp:
        assert resp.status == 400
        assert (await resp.json())["ResponseMetadata"]["Error"][
            "Code"
        ] == "MissingRequestInfo"


def _sdk_sign(
    emu: Emulator,
    method: str,
    query: dict[str, str],
    body: str,
    token: str | None = None,
    ak: str | None = None,
    sk: str | None = None,
) -> dict[str, str]:
    headers = {
        "Host": URL(emu.base_url).raw_authority,
        "Content-Type": "application/json" if method == "POST" else "text/plain",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # utcnow()
        SignerV4.sign(
            "/",
            method,
            headers,
            body,
            {},
            list(query.items()),
            ak or emu.access_key,
            sk or emu.secret_key,
            "cn-north-1",
            "aiotvideo",
            token,
        )
    return headers


async def test_sdk_signed_requests_are_accepted(
    emulator_factory: object, session: aiohttp.ClientSession
) -> None:
    """Requests signed by the official SDK's SignerV4 pass (GET, POST, STS, odd chars)."""
    emu = await emulator_factory(session_token="sts-token/with+odd=chars")  # type: ignore[operator]
    space = next(s for s in emu.fleet.spaces.values() if s.name == "Home")
    query = {
        "Action": "ListStreams",
        "Version": "2021-01-01",
        "SpaceID": space.space_id,
        "StreamName": "门 ~*'()!:/?#[]@$&+,;=",
        "PageSize": "5",
    }
    headers = _sdk_sign(emu, "GET", query, "", token=emu.session_token)
    url = URL(f"{emu.base_url}/?{query_string(list(query.items()))}", encoded=True)
    async with session.get(url, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
    front = next(s for s in emu.fleet.streams.values() if s.title == "Front Gate")
    body = json.dumps({"StreamID": front.stream_id, "StreamingIndex": 0})
    query = {"Action": "GetStream", "Version": "2021-01-01"}
    headers = _sdk_sign(emu, "POST", query, body, token=emu.session_token)
    url = URL(f"{emu.base_url}/?{query_string(list(query.items()))}", encoded=True)
    async with session.post(url, data=body.encode(), headers=headers) as resp:
        data = await resp.json()
        assert resp.status == 200, data
        assert data["Result"]["StreamID"] == front.stream_id
    # Signed without the token the key needs: refused.
    headers = _sdk_sign(emu, "POST", query, body)
    async with session.post(url, data=body.encode(), headers=headers) as resp:
        assert (await resp.json())["ResponseMetadata"]["Error"][
            "Code"
        ] == "InvalidSecretToken"


async def test_rotated_key_and_second_account(
    emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    from emulator import Fleet

    ak2, sk2 = emulator.add_key()
    assert ak2.startswith("AKLT")
    assert len(ak2) == 32
    assert len(sk2) == 40
    rotated = Client(session, emulator, ak=ak2, sk=sk2)
    spaces = (await rotated.call("ListSpaces")).result["Spaces"]
    assert {s["SpaceName"] for s in spaces} == {"Home", "Farm", "Tea Garden Live"}
    ak3, sk3 = emulator.add_account(
        "other", Fleet.generate(spaces=2, channels=10, seed=7)
    )
    other = Client(session, emulator, ak=ak3, sk=sk3)
    theirs = (await other.call("ListSpaces")).result
    assert int(theirs["TotalCount"]) == 2
    assert not {s["SpaceID"] for s in theirs["Spaces"]} & {s["SpaceID"] for s in spaces}
    # The other account cannot see the default account's objects.
    reply = await other.call("GetSpace", query={"SpaceID": spaces[0]["SpaceID"]})
    assert (reply.status, reply.error) == (404, "NotFound.Space")
    emulator.revoke(ak2)
    assert (await rotated.call("ListSpaces")).error == "InvalidAccessKey"
    assert (await Client(session, emulator).call("ListSpaces")).status == 200
    sts_ak, _ = emulator.add_key(session_token="tok")
    assert emulator.accounts.lookup(sts_ak).session_token == "tok"  # type: ignore[union-attr]
    with pytest.raises(KeyError):
        emulator.revoke("AKLTnope")
    with pytest.raises(KeyError):
        emulator.add_key("nobody")
    with pytest.raises(ValueError, match="exists"):
        emulator.add_account("other", Fleet.demo(seed=3))


async def test_invalid_timestamp_status_is_configurable(
    emulator_factory: object, session: aiohttp.ClientSession
) -> None:
    emu = await emulator_factory(invalid_timestamp_status=403)  # type: ignore[operator]
    reply = await Client(session, emu).call(
        "ListSpaces", when=datetime.now(UTC) - timedelta(hours=2)
    )
    assert (reply.status, reply.error) == (403, "InvalidTimestamp")
