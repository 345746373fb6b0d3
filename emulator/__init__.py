"""A faithful local emulator of Volcengine's aiotvideo (慢直播) OpenAPI and its CDN.

Tests, the demo and the benchmark talk to it over real HTTP; see `server` for the
request pipeline, `auth` for signature checks, `actions` for the API surface,
`cdn` for the media routes and `faults` for fault injection.
"""

from __future__ import annotations

from .config import EmulatorConfig
from .faults import FaultRule
from .fleet import Fleet
from .reqlog import RequestRecord
from .server import Emulator

__all__ = ["Emulator", "EmulatorConfig", "FaultRule", "Fleet", "RequestRecord"]
