"""Errors the emulated API answers with, and the HTTP status each one carries.

Gateway errors (API notes §3.2) carry a numeric `CodeN`; business errors (§3.3,
`Category.Detail`) do not, which is what the real service appears to do.
"""

from __future__ import annotations

# Code -> (HTTP status, CodeN or None). Only codes with a documented CodeN get one.
GATEWAY_CODES: dict[str, tuple[int, int | None]] = {
    "MissingParameter": (400, 100002),
    "MissingAuthenticationToken": (401, 100003),
    "MissingRequestInfo": (400, 100004),
    "MissingSignature": (401, 100005),
    # [I] 400 vs 403 differs between docs pages (API notes §7.17); 400 is the default.
    "InvalidTimestamp": (400, 100006),
    "ServiceNotFound": (404, 100007),
    "InvalidActionOrVersion": (404, 100008),
    "InvalidAccessKey": (401, 100009),
    "SignatureDoesNotMatch": (401, 100010),
    "LackPolicy": (403, 100012),
    "AccessDenied": (403, 100013),
    "InternalError": (500, 100014),
    "FailToConnect": (502, 100015),
    "InternalServiceTimeout": (504, 100016),
    "FlowLimitExceeded": (429, 100018),
    "AccountFlowLimitExceeded": (429, None),
    "RequestLimitExceeded": (429, None),
    "ServiceUnavailableTemp": (503, None),
    "MethodNotAllowed": (405, None),
    "InvalidAuthorization": (400, None),
    "InvalidCredential": (400, None),
    "InvalidSecretToken": (401, None),
    "InternalServiceError": (502, None),
}

# Default code for a bare HTTP status (used by the `http_error` fault kind).
STATUS_CODES: dict[int, str] = {
    400: "InvalidParameter",
    401: "InvalidAccessKey",
    403: "AccessDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    429: "FlowLimitExceeded",
    500: "InternalError",
    502: "FailToConnect",
    503: "ServiceUnavailableTemp",
    504: "InternalServiceTimeout",
}

# Business error categories -> HTTP status, for codes like `NotFound.Stream`.
_CATEGORY_STATUS: dict[str, int] = {
    "InvalidParameter": 400,
    "MissingParameter": 400,
    "NotFound": 404,
    "OperationDeny": 403,
    "InternalError": 500,
    "ServiceUnavailable": 503,
}


def status_for(code: str) -> int:
    """Return the HTTP status the service answers `code` with."""
    if code in GATEWAY_CODES:
        return GATEWAY_CODES[code][0]
    return _CATEGORY_STATUS.get(code.split(".", 1)[0], 400)


class ApiError(Exception):
    """An error answer: code, message, HTTP status and (for gateway codes) CodeN."""

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        """Describe the error; the status defaults to the one `code` carries."""
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else status_for(code)
        gateway = GATEWAY_CODES.get(code)
        self.code_n = gateway[1] if gateway is not None else None

    def error_body(self) -> dict[str, object]:
        """Return the `ResponseMetadata.Error` object."""
        body: dict[str, object] = {"Code": self.code}
        if self.code_n is not None:
            body["CodeN"] = self.code_n
        body["Message"] = self.message
        return body


def missing(field: str) -> ApiError:
    """A required business parameter is absent."""
    return ApiError(f"MissingParameter.{field}", f"The parameter {field} is required.")


def invalid(field: str, detail: str) -> ApiError:
    """A business parameter has a value the service refuses."""
    return ApiError(
        f"InvalidParameter.{field}", f"The parameter {field} is invalid: {detail}"
    )


def not_found(kind: str, ident: str) -> ApiError:
    """A space, device or stream does not exist (for this account)."""
    return ApiError(
        f"NotFound.{kind}", f"The specified {kind.lower()} {ident} does not exist."
    )
