"""Repair issues for problems only the user can fix: the account, or the clock.

They are raised when a refresh fails for that reason and removed by the first refresh
that succeeds again, so they never outlive the problem.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api.errors import AccountError, ApiError, ClockSkew
from .const import DOMAIN

_KINDS = {AccountError: "account_not_ready", ClockSkew: "clock_skew"}


def _issue_id(entry: ConfigEntry, kind: str) -> str:
    return f"{kind}_{entry.entry_id}"


@callback
def async_raise_cloud_issue(
    hass: HomeAssistant, entry: ConfigEntry, err: ApiError
) -> None:
    """Show the user what to fix; `err` is an AccountError or a ClockSkew."""
    kind = next(key for cls, key in _KINDS.items() if isinstance(err, cls))
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(entry, kind),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=kind,
        translation_placeholders={
            "title": entry.title,
            "code": err.code or type(err).__name__,
            "request_id": err.request_id or "-",
        },
    )


@callback
def async_clear_cloud_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The cloud answered normally again: drop the issues of this entry."""
    for kind in _KINDS.values():
        ir.async_delete_issue(hass, DOMAIN, _issue_id(entry, kind))
