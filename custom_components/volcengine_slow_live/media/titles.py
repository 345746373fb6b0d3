"""The media browser's titles, in Home Assistant's language.

Home Assistant asks a media source for its folders without saying who is looking or
in which language, so the titles follow the language configured for Home Assistant
itself (Settings → System → General). The words are in translations/*.json under
`selector.media_titles.options`: the one translation category whose keys are free
(a selector's options), so they sit beside every other text translators see. A key
missing in a language falls back to English (Home Assistant merges English in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN

DASH = "\u2013"  # en dash, between the times of a title
_PREFIX = f"component.{DOMAIN}.selector.media_titles.options."
# What a title says when no translation could be read at all.
_FALLBACK = {
    "root": "Volcengine Slow Live",
    "last_hour": "Last hour",
    "today": "Today",
    "yesterday": "Yesterday",
    "day": "{weekday} {day} {month}",
    "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    "months": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
    "recordings_one": "{count} recording",
    "recordings_other": "{count} recordings",
    "cameras": "{name} · {count} cameras",
    "no_recordings": "No recordings in the last {days} days",
    "not_recorded": "No cloud recording (no recording template)",
    "alarms": "Alarms",
    "no_alarms": "No alarms in the last {days} days",
    "alarm_motion": "Motion",
    "alarm_intrusion": "Intrusion",
    "alarm_line_crossing": "Line crossing",
    "alarm_loitering": "Loitering",
    "alarm_object": "Object left or removed",
    "alarm_tampering": "Tampering or video loss",
    "alarm_device_fault": "Device fault",
    "alarm_other": "Other alarm",
    "alarms_last_days": "Alarms of the last {days} days",
    "alarms_count_one": "{count} alarm",
    "alarms_count_other": "{count} alarms",
    "alarm_not_recorded": "not recorded",
    "recording_of": "{name} · {day} · {times}",
}


@dataclass(frozen=True, slots=True)
class MediaTitles:
    """Titles in one language."""

    words: dict[str, str]

    @classmethod
    def english(cls) -> MediaTitles:
        """The titles before any translation was read."""
        return cls(dict(_FALLBACK))

    @classmethod
    async def async_load(
        cls, hass: HomeAssistant, language: str | None = None
    ) -> MediaTitles:
        """The titles in `language`, else Home Assistant's (cached by Home Assistant)."""
        strings = await async_get_translations(
            hass, language or hass.config.language, "selector", [DOMAIN]
        )
        words = dict(_FALLBACK)
        words.update(
            (key.removeprefix(_PREFIX), text)
            for key, text in strings.items()
            if key.startswith(_PREFIX)
        )
        return cls(words)

    def say(self, key: str, **values: object) -> str:
        """The title `key` with its values filled in."""
        return self.words[key].format(**values)

    def day(self, day: date, today: date) -> str:
        """Today, yesterday, else the weekday and date."""
        if day == today:
            return self.say("today")
        if day == today - timedelta(days=1):
            return self.say("yesterday")
        weekdays = self.words["weekdays"].split(",")
        months = self.words["months"].split(",")
        return self.say(
            "day",
            weekday=weekdays[day.weekday()],
            day=day.day,
            month=months[day.month - 1],
        )

    def recordings(self, count: int) -> str:
        """How many recordings: "1 recording", "12 recordings"."""
        return self.say(
            "recordings_one" if count == 1 else "recordings_other", count=count
        )
