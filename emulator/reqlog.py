"""What the emulator saw: API request records, CDN fetch records and counters."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One API request and how it was answered (status 0 = connection dropped)."""

    time: float
    access_key: str | None
    action: str | None
    version: str | None
    method: str
    params: dict[str, Any]
    status: int
    code: str | None
    request_id: str
    duration: float

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CdnRecord:
    """One media fetch: its kind, path, status and stream.

    Kinds: live_m3u8, live_ts, live_flv, record_m3u8, record_ts, record_mp4, cover,
    screenshot, other.
    """

    time: float
    kind: str
    path: str
    status: int
    stream_id: str | None


class RequestLog:
    """Bounded logs plus unbounded counters (counters survive log rotation)."""

    def __init__(self, size: int = 10_000) -> None:
        """Keep the last `size` records of each log."""
        self.api: deque[RequestRecord] = deque(maxlen=size)
        self.cdn: deque[CdnRecord] = deque(maxlen=size)
        self.by_action: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.cdn_by_kind: Counter[str] = Counter()
        self.cdn_by_status: Counter[int] = Counter()

    def record_api(self, record: RequestRecord) -> None:
        """Remember an API request."""
        self.api.append(record)
        self.by_action[record.action or ""] += 1
        self.by_status[record.status] += 1

    def record_cdn(self, record: CdnRecord) -> None:
        """Remember a CDN fetch."""
        self.cdn.append(record)
        self.cdn_by_kind[record.kind] += 1
        self.cdn_by_status[record.status] += 1

    def requests(self, action: str | None = None) -> list[RequestRecord]:
        """The logged API requests, optionally of one action."""
        return [r for r in self.api if action is None or r.action == action]

    def count(self, action: str | None = None, status: int | None = None) -> int:
        """How many logged API requests match the action and/or status."""
        return sum(
            1
            for r in self.api
            if (action is None or r.action == action)
            and (status is None or r.status == status)
        )

    def cdn_count(self, kind: str | None = None, status: int | None = None) -> int:
        """How many logged CDN fetches match the kind and/or status."""
        return sum(
            1
            for r in self.cdn
            if (kind is None or r.kind == kind)
            and (status is None or r.status == status)
        )

    def stats(self) -> dict[str, Any]:
        """Counters as JSON."""
        return {
            "requests": sum(self.by_action.values()),
            "by_action": dict(self.by_action),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "throttled": self.by_status.get(429, 0),
            "cdn": dict(self.cdn_by_kind),
            "cdn_by_status": {str(k): v for k, v in self.cdn_by_status.items()},
        }

    def clear(self) -> None:
        """Forget everything."""
        self.api.clear()
        self.cdn.clear()
        self.by_action.clear()
        self.by_status.clear()
        self.cdn_by_kind.clear()
        self.cdn_by_status.clear()
