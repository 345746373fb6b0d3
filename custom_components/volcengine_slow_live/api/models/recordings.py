"""Cloud recordings and screenshots: ListStreamRecords and ListStreamScreenshots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
import math
from typing import Self

from .fields import _MS_THRESHOLD, _Fields, _list, _Model

__all__ = [
    "RecordingSegment",
    "Screenshot",
    "parse_recordings",
    "parse_screenshots",
]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RecordingSegment(_Model):
    """One cloud recording file or TS segment (ListStreamRecords item)."""

    start: datetime
    end: datetime
    duration: float
    """Seconds; from the server, or end - start when it sends none."""
    cover_url: str | None = field(default=None, repr=False)
    format: str | None = None
    path: str | None = field(default=None, repr=False)
    kind: str = "record"
    """The item's `Type`: e.g. `record` or `record_metadata` (raw TS segments)."""

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse `{Type, Path, Record: {...}}` or `{Type, Path, RecordMeta: {...}}`.

        An item without either sub-object is read as flat.
        """
        plain = cls._from_plain(data)
        return cls._from_fields(data) if plain is None else plain

    @classmethod
    def _from_fields(cls, data: object) -> Self:
        """Any shape the tolerant readers accept (times as strings, ms, ISO…)."""
        item = _Fields.top(data, "RecordingSegment")
        if item.raw("Record") is not None:
            record, kind = item.child("Record"), "record"
        elif item.raw("RecordMeta") is not None:
            record, kind = item.child("RecordMeta"), "record_metadata"
        else:
            record, kind = item, "record"
        start = record.required_time("StartTime")
        end = record.required_time("EndTime")
        duration = record.opt_float("Duration")
        return cls(
            start=start,
            end=end,
            duration=(end - start).total_seconds() if duration is None else duration,
            cover_url=record.opt_text("Cover"),
            format=record.opt_text("Format"),
            path=item.opt_text("Path"),
            kind=item.opt_text("Type") or kind,
        )

    @classmethod
    def _from_plain(cls, data: object) -> Self | None:
        """The documented shape exactly (unix seconds, strings), else None.

        A replay's recorded check reads a segment per 6 s before the player gets its
        link, on the replay's critical path: this reads such an item about five times
        faster than the tolerant readers, which parse anything else (same result).
        """
        if type(data) is not dict:
            return None
        record = data.get("Record")
        kind = "record"
        if record is None:
            record, kind = data.get("RecordMeta"), "record_metadata"
        if type(record) is not dict:
            return None
        start, end = record.get("StartTime"), record.get("EndTime")
        if (
            type(start) is not int
            or type(end) is not int
            or not 0 < start <= _MS_THRESHOLD
            or not 0 < end <= _MS_THRESHOLD
        ):
            return None
        duration = record.get("Duration")
        if duration is None:
            seconds = float(end - start)
        elif type(duration) is int or (
            type(duration) is float and math.isfinite(duration)
        ):
            seconds = float(duration)
        else:
            return None
        cover, fmt = record.get("Cover"), record.get("Format")
        path, item_type = data.get("Path"), data.get("Type")
        if not (
            (cover is None or type(cover) is str)
            and (fmt is None or type(fmt) is str)
            and (path is None or type(path) is str)
            and (item_type is None or type(item_type) is str)
        ):
            return None
        return cls(
            start=datetime.fromtimestamp(start, UTC),
            end=datetime.fromtimestamp(end, UTC),
            duration=seconds,
            cover_url=(cover and cover.strip()) or None,
            format=(fmt and fmt.strip()) or None,
            path=(path and path.strip()) or None,
            kind=(item_type and item_type.strip()) or kind,
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Screenshot(_Model):
    """One stored screenshot (ListStreamScreenshots item)."""

    url: str = field(repr=False)
    taken_at: datetime

    @classmethod
    def from_api(cls, data: object) -> Self:
        """Parse `{Type: "screenshot", Path, Screenshot: {BornTs}}`."""
        item = _Fields.top(data, "Screenshot")
        return cls(
            url=item.ident("Path"),
            taken_at=item.child("Screenshot").required_time("BornTs"),
        )


_LIST_KEYS = ("Items", "Records", "Screenshots")


def _result_items(result: object, name: str) -> Sequence[object]:
    """The items of a list Result, whatever its shape.

    An array ([G], [J], docs), one object ([P]) or a wrapper object with
    `Items`/`Records`/`Screenshots`; None or {} means none.
    """
    if isinstance(result, Mapping):
        for key in _LIST_KEYS:
            if key in result:
                return _list(result[key], f"{name}.{key}")
        return (result,) if result else ()
    return _list(result, name)


def parse_recordings(result: object) -> tuple[RecordingSegment, ...]:
    """Parse a ListStreamRecords Result, sorted by start time."""
    segments = (
        RecordingSegment.from_api(item)
        for item in _result_items(result, "ListStreamRecords")
    )
    return tuple(sorted(segments, key=lambda s: (s.start, s.end)))


def parse_screenshots(result: object) -> tuple[Screenshot, ...]:
    """Parse a ListStreamScreenshots Result, sorted by time taken."""
    shots = (
        Screenshot.from_api(item)
        for item in _result_items(result, "ListStreamScreenshots")
    )
    return tuple(sorted(shots, key=lambda s: s.taken_at))
