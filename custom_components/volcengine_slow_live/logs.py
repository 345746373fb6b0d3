"""Keep URL tokens out of every log line, including other components' lines.

Home Assistant's stream component logs the source URL of a failing stream, masking only
user names and passwords; our pull URLs carry `volcSecret`. A filter on the root
logger's handlers passes each record through `redact_text` before any handler formats
it, and rewrites those it changed. `redact_text` itself decides, in well under a
microsecond for a plain line, that there is nothing to mask: it alone knows the token
names in every spelling (`'volcSecret': …`, `%26X-JWT-Token%3D…`, `x-security-token`)
and the registered secrets, so no list of markers here can fall behind it.
"""

from __future__ import annotations

import logging

from .api.redact import redact_text


class TokenRedactingFilter(logging.Filter):
    """Rewrites records that carry a token; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask tokens in the message (and in the exception text, if any)."""
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted is not message:  # the same object back: nothing was masked
            record.msg = redacted
            record.args = ()
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            redacted = redact_text(text)
            if redacted is not text:
                record.exc_text = redacted
        return True


def install_token_filter() -> None:
    """Attach the filter to every root handler that does not have it yet."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
            handler.addFilter(TokenRedactingFilter())
