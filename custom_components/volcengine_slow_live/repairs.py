"""Repair issues for problems only the user can fix: the account, the clock, the size.

The account's and the clock's are raised when a refresh fails for that reason and
removed by the first refresh that succeeds again, so they never outlive the problem.
The entity limit's is raised while cameras of the entry do not fit under Home
Assistant's limit of enabled entities per entry (budget.py), and removed once they do.
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


ENTITY_LIMIT = "entity_limit"


@callback
def async_raise_entity_limit_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    missing: int,
    channels: int,
    limit: int,
    names: list[str],
) -> None:
    """Say which cameras did not fit, and how to make room for them."""
    shown = ", ".join(names)
    if missing > len(names):
        shown += ", …"
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(entry, ENTITY_LIMIT),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ENTITY_LIMIT,
        translation_placeholders={
            "title": entry.title,
            "missing": f"{missing:,}",
            "channels": f"{channels:,}",
            "limit": f"{limit:,}",
            "names": shown,
        },
    )


@callback
def async_clear_entity_limit_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Every camera of the entry fits (again), or the entry is unloaded."""
    ir.async_delete_issue(hass, DOMAIN, _issue_id(entry, ENTITY_LIMIT))
