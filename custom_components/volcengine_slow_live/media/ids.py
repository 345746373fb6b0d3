"""The media browser's identifiers, built and parsed here and nowhere else.

An identifier names a node of the browser (after `media-source://volcengine_slow_live/`):

    ""                                   the root
    <entry>                              an account
    <entry>/spaces/<space>[/<page>]      a space's cameras (a page of 100 of them)
    <entry>/<key>                        a camera (key: its main StreamID, quoted)
    <entry>/<key>/last_hour              its last hour
    <entry>/<key>/rec/<lo>-<hi>          a recording: unix seconds [lo, hi)
    <entry>/<key>/day/<date>[/<lo>-<hi>] a local day, or a part of it
    <entry>/<key>/alarms                 its alarms (the last 7 days)
    <entry>/<key>/alarms/<date>[/<lo>-<hi>] its alarms of a local day, or a part of it
    <entry>/<key>/none                   a line of text (nothing to open or play)

Identifiers are what players and automations keep (an alarm event's
`media_content_id`, a blueprint's input), so these forms do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
import re
from typing import Self
from urllib.parse import quote, unquote

from homeassistant.components.media_source import generate_media_source_id

from ..const import ALARM_POST_ROLL, ALARM_PRE_ROLL, DOMAIN

_SPAN = re.compile(r"(\d{1,10})-(\d{1,10})")
# Not str.isdigit: it accepts "²", which int() refuses.
_PAGE = re.compile(r"[0-9]{1,6}")


class View(StrEnum):
    """What of a camera an identifier names."""

    CAMERA = ""
    LAST_HOUR = "last_hour"
    RECORDING = "rec"
    DAY = "day"
    ALARMS = "alarms"
    NOTE = "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaId:
    """One node of the media browser."""

    entry_id: str = ""
    space_id: str = ""
    page: int | None = None
    key: str = ""
    view: View = View.CAMERA
    day: str | None = None
    """An ISO date as given; whether it is a day the browser offers is checked
    where it is used (media_source)."""
    span: tuple[int, int] | None = None

    @classmethod
    def camera(cls, entry_id: str, key: str, view: View = View.CAMERA) -> Self:
        """A camera, or one of its fixed views (last hour, alarms, a note)."""
        return cls(entry_id=entry_id, key=key, view=view)

    @classmethod
    def recording(cls, entry_id: str, key: str, lo: int, hi: int) -> Self:
        """A camera's recording of [lo, hi) (unix seconds)."""
        return cls(entry_id=entry_id, key=key, view=View.RECORDING, span=(lo, hi))

    @classmethod
    def of_alarm(cls, entry_id: str, key: str, at: datetime) -> Self:
        """The recording around an alarm at `at`.

        What its event, its item in the media browser and a voice replay play: from
        a little before the alarm to a while after it.
        """
        return cls.recording(
            entry_id,
            key,
            int((at - ALARM_PRE_ROLL).timestamp()),
            int((at + ALARM_POST_ROLL).timestamp()),
        )

    @classmethod
    def day_of(
        cls, entry_id: str, key: str, day: date, span: tuple[int, int] | None = None
    ) -> Self:
        """A camera's local day, or the part [lo, hi) of it."""
        return cls(
            entry_id=entry_id, key=key, view=View.DAY, day=day.isoformat(), span=span
        )

    @classmethod
    def alarm_day(
        cls, entry_id: str, key: str, day: date, span: tuple[int, int] | None = None
    ) -> Self:
        """A camera's alarms of a local day, or of the part [lo, hi) of it."""
        return cls(
            entry_id=entry_id,
            key=key,
            view=View.ALARMS,
            day=day.isoformat(),
            span=span,
        )

    @classmethod
    def space(cls, entry_id: str, space_id: str, page: int | None = None) -> Self:
        """A space's cameras (one page of them)."""
        return cls(entry_id=entry_id, space_id=space_id, page=page)

    @property
    def identifier(self) -> str:
        """The identifier (without the `media-source://<domain>/` prefix)."""
        if not self.entry_id:
            return ""
        if self.space_id:
            parts = [self.entry_id, "spaces", quote(self.space_id, safe="")]
            if self.page is not None:
                parts.append(str(self.page))
            return "/".join(parts)
        if not self.key:
            return self.entry_id
        parts = [self.entry_id, quote(self.key, safe="")]
        if self.view is not View.CAMERA:
            parts.append(self.view.value)
        if self.day is not None:
            parts.append(self.day)
        if self.span is not None:
            parts.append(f"{self.span[0]}-{self.span[1]}")
        return "/".join(parts)

    @property
    def media_content_id(self) -> str:
        """What a player is given: `media-source://volcengine_slow_live/...`."""
        return generate_media_source_id(DOMAIN, self.identifier)

    @classmethod
    def parse(cls, identifier: str | None) -> Self:
        """The node an identifier names; ValueError if it names none."""
        if not identifier:
            return cls()
        entry_id, *rest = identifier.split("/")
        match rest:
            case []:
                return cls(entry_id=entry_id)
            case ["spaces", space]:
                return cls(entry_id=entry_id, space_id=unquote(space))
            case ["spaces", space, page] if _PAGE.fullmatch(page):
                return cls(entry_id=entry_id, space_id=unquote(space), page=int(page))
            case [key] if key and key != "spaces":
                return cls(entry_id=entry_id, key=unquote(key))
            case [key, ("last_hour" | "alarms" | "none") as view]:
                return cls(entry_id=entry_id, key=unquote(key), view=View(view))
            case [key, ("day" | "alarms") as view, day, *part] if len(part) <= 1:
                return cls(
                    entry_id=entry_id,
                    key=unquote(key),
                    view=View(view),
                    day=day,
                    span=_span(part[0]) if part else None,
                )
            case [key, "rec", span]:
                return cls(
                    entry_id=entry_id,
                    key=unquote(key),
                    view=View.RECORDING,
                    span=_span(span),
                )
        raise ValueError(identifier)


def _span(text: str) -> tuple[int, int]:
    if not (match := _SPAN.fullmatch(text)):
        raise ValueError(text)
    return int(match[1]), int(match[2])
