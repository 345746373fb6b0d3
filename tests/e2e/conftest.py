"""Register the e2e marker (scripts/test runs these tests too; `-m "not e2e"` skips)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker."""
    config.addinivalue_line(
        "markers", "e2e: starts real hass and emulator processes (about a minute)"
    )
