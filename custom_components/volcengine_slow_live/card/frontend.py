"""Serves the card's JavaScript and hands it to the frontend: no resource to add.

The bundle (built from the repository's `frontend/`, committed) is served from a
static path; its URL carries a hash of its content, so a browser fetches a new
release's card at once and keeps an unchanged one in its cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant

from ..const import DOMAIN

BUNDLE = Path(__file__).parent.parent / "frontend" / "slow-live-card.js"
URL_BASE = f"/{DOMAIN}/frontend"


def _versioned_url() -> str:
    """The bundle's URL with a hash of its content (reads the file: executor)."""
    digest = hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:12]
    return f"{URL_BASE}/{BUNDLE.name}?v={digest}"


async def async_setup_frontend(hass: HomeAssistant) -> None:
    """Serve the card and load it on every page of the frontend (once per start)."""
    url = await hass.async_add_executor_job(_versioned_url)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(URL_BASE, str(BUNDLE.parent), cache_headers=True)]
    )
    # Without the frontend (an installation that runs none) there is no one to load it.
    if "frontend" in hass.config.components:
        add_extra_js_url(hass, url)
