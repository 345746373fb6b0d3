"""Server error codes map to the error classes callers act on."""

from __future__ import annotations

import pytest

from custom_components.volcengine_slow_live.api.errors import (
    AccountError,
    ApiError,
    AuthError,
    ClockSkew,
    NotFound,
    RateLimited,
    Unavailable,
    error_class_for,
)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InvalidAccessKey", 401, AuthError),
        ("SignatureDoesNotMatch", 401, AuthError),
        ("MissingAuthenticationToken", 401, AuthError),
        ("InvalidSecretToken", 401, AuthError),
        ("AccessDenied", 403, AuthError),
        ("LackPolicy", 403, AuthError),
        ("InvalidTimestamp", 400, ClockSkew),
        ("InvalidTimestamp", 403, ClockSkew),
        ("FlowLimitExceeded", 429, RateLimited),
        ("AccountFlowLimitExceeded", 429, RateLimited),
        ("", 429, RateLimited),
        ("OperationDeny.AccountOverdue", 403, AccountError),
        ("OperationDeny.AccountNotIdentification", 403, AccountError),
        ("ServiceUnavailable.AccountNotReady", 503, AccountError),
        ("NotFound.Stream", 404, NotFound),
        ("NotFound.StreamRecord", 500, NotFound),
        ("InternalError", 500, Unavailable),
        ("ServiceUnavailableTemp", 503, Unavailable),
        ("InternalServiceTimeout", 504, Unavailable),
        ("", 502, Unavailable),
        ("InvalidParameter.StartTs", 400, ApiError),
        ("InvalidActionOrVersion", 404, ApiError),
    ],
)
def test_error_class_for(code: str, status: int, expected: type[ApiError]) -> None:
    assert error_class_for(code, status) is expected


def test_message_names_code_action_and_request_id() -> None:
    err = NotFound(
        "stream not found",
        code="NotFound.Stream",
        request_id="20241219113133ABCDEF0123456789",
        action="GetStream",
        http_status=404,
    )
    assert str(err) == (
        "NotFound.Stream: stream not found "
        "(action=GetStream, http=404, RequestId=20241219113133ABCDEF0123456789)"
    )
    assert str(ApiError()) == "ApiError"


def test_messages_are_redacted() -> None:
    err = ApiError("bad url http://x/y.m3u8?volcSecret=0123456789abcdef", code="X")
    assert "0123456789abcdef" not in str(err)
    assert "0123456789abcdef" not in err.message


def test_server_fields_are_redacted_too() -> None:
    """Code and RequestId come from the answer too: an echoed query is masked there."""
    leak = (
        "x.m3u8?volcSecret=0123456789abcdef&X-JWT-Token=eyJhbGciOiJIUzI1NiJ9.e30.c2ln"
    )
    err = ApiError(
        "bad request",
        code=f"InvalidParameter {leak}",
        request_id=f"{{'Signature': '{'ab' * 32}'}}",
        action=f"GetStream {leak}",
        http_status=400,
    )
    for text in (str(err), repr(err), err.code, err.request_id, err.action):
        assert text
        assert "0123456789abcdef" not in text
        assert "eyJhbGci" not in text
        assert "abababab" not in text
    assert err.code.startswith("InvalidParameter x.m3u8?volcSecret=**REDACTED**")
