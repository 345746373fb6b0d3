"""Keep URL tokens out of every log line, including other components' lines.

Home Assistant's stream component logs the source URL of a failing stream, masking only
user names and passwords; our pull URLs carry `volcSecret`. A filter on the root
logger's handlers passes each record that mentions one of our token names through
`redact_text` before any handler formats it.
"""

from __future__ import annotations

import logging
from typing import Final

from .api.redact import redact_text

_MARKERS: Final = ("volcSecret", "X-JWT-Token", "X-Security-Token", "Signature=")


class TokenRedactingFilter(logging.Filter):
    """Rewrites records that carry a token; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask tokens in the message (and in the exception text, if any)."""
        message = record.getMessage()
        if any(marker in message for marker in _MARKERS):
            record.msg = redact_text(message)
            record.args = ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if any(marker in text for marker in _MARKERS):
                record.exc_text = redact_text(text)
        return True


def install_token_filter() -> None:
    """Attach the filter to every root handler that does not have it yet."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
            handler.addFilter(TokenRedactingFilter())
