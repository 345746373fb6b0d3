"""Constants for the Volcengine Slow Live integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "volcengine_slow_live"
LOGGER = logging.getLogger(__package__)
