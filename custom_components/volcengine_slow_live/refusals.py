"""The refusals every action, intent and media item raises, translated.

A refusal of what the caller asked is a ServiceValidationError; a failure of the cloud a
HomeAssistantError naming its API code and RequestId, never a URL token.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api.errors import ApiError
from .const import DOMAIN


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated refusal of what the caller asked (actions, voice, media)."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


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
