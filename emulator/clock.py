"""The emulator's two clocks.

* `wall_time` is `time.time()` looked up on every call, so a test that freezes time
  with freezegun (which patches the `time` module's attributes) moves the emulated
  cloud's clock too: signatures, URL expiry, recordings all follow.
* `real_monotonic` is the real `time.monotonic`, captured at import, for what must
  keep running under a frozen clock: the rate-limit window, FLV pacing, request
  durations. It is kept inside a tuple because freezegun also rewrites module
  attributes that *are* the real time functions.
"""

from __future__ import annotations

import time

_MONOTONIC = (time.monotonic,)


def wall_time() -> float:
    """Unix time now, as the (possibly frozen) `time.time` says."""
    return time.time()


def real_monotonic() -> float:
    """Seconds on the real monotonic clock, never frozen."""
    return _MONOTONIC[0]()
