"""Errors raised by the aiotvideo client.

Every error carries what the server said (code, message, RequestId, HTTP status) so
that callers can show it, and nothing secret: every text passes through `redact_text`.
"""

from __future__ import annotations

from .redact import redact_text


class ApiError(Exception):
    """An aiotvideo call failed; the base of every error the client raises."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "",
        request_id: str | None = None,
        action: str | None = None,
        http_status: int | None = None,
    ) -> None:
        """Keep what the server said; every text is redacted on the way in.

        Code and RequestId come from the answer as much as the message does: a broken
        or hostile server (or a proxy's error page) may echo the signed query into any
        of them, and repairs and service errors show them to the user. Redacting a real
        code or RequestId changes nothing (it names no token), and errors are rare.
        (`error_class_for` reads the code before, as the server sent it.)
        """
        self.code = redact_text(code)
        self.message = redact_text(message)
        self.request_id = redact_text(request_id) if request_id else request_id
        self.action = redact_text(action) if action else action
        self.http_status = http_status
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [self.code or type(self).__name__]
        if self.message:
            parts.append(self.message)
        text = ": ".join(parts)
        extra = []
        if self.action:
            extra.append(f"action={self.action}")
        if self.http_status is not None:
            extra.append(f"http={self.http_status}")
        if self.request_id:
            extra.append(f"RequestId={self.request_id}")
        return f"{text} ({', '.join(extra)})" if extra else text


class AuthError(ApiError):
    """The credentials were refused: bad key or secret, revoked key, missing policy."""


class RateLimited(ApiError):
    """The server throttled the call (HTTP 429, FlowLimitExceeded)."""


class ClockSkew(ApiError):
    """The server rejected the request time (InvalidTimestamp): the local clock is off."""


class NotFound(ApiError):
    """The space, device, stream or record does not exist (any more)."""


class AccountError(ApiError):
    """The account cannot use the service now (overdue, not verified, not ready)."""


class Unavailable(ApiError):
    """The service could not be reached or failed on its side (5xx, timeout, network)."""


class InvalidResponse(ApiError):
    """The server answered something this client cannot understand."""


AUTH_CODES = frozenset(
    {
        "MissingAuthenticationToken",
        "MissingSignature",
        "InvalidAuthorization",
        "InvalidCredential",
        "InvalidAccessKey",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "InvalidSecretToken",
        "AccessDenied",
        "LackPolicy",
        "LackProjectPolicy",
    }
)
RATE_LIMIT_CODES = frozenset(
    {"FlowLimitExceeded", "AccountFlowLimitExceeded", "RequestLimitExceeded"}
)
UNAVAILABLE_CODES = frozenset(
    {
        "ServiceUnavailableTemp",
        "InternalError",
        "InternalServiceError",
        "InternalServiceTimeout",
        "FailToConnect",
    }
)
ACCOUNT_PREFIXES = (
    "OperationDeny.Account",
    "ServiceUnavailable.Account",
    "NotFound.CheckAccountStatus",
)


def error_class_for(code: str, http_status: int) -> type[ApiError]:
    """Pick the error class for a server error code and HTTP status."""
    if code in AUTH_CODES:
        return AuthError
    if code == "InvalidTimestamp":
        return ClockSkew
    if code in RATE_LIMIT_CODES or "FlowLimit" in code or http_status == 429:
        return RateLimited
    if code.startswith(ACCOUNT_PREFIXES):
        return AccountError
    if code.startswith("NotFound.") or code == "NotFound":
        return NotFound
    if code in UNAVAILABLE_CODES or http_status >= 500:
        return Unavailable
    return ApiError
