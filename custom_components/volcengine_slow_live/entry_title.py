"""The entry's title: the service and the account's region, never its key.

The title is what the integration's page, the devices page, the media browser and
repairs call the account. The cloud offers no name for an account (no alias in
aiotvideo's API); what a person recognises is its region and its spaces. Entries
made before were titled after the AccessKey ID ("Slow Live AKLT…MDAx"): they get the
new title when they are set up, unless the user has renamed them.
"""

from __future__ import annotations

from collections.abc import Sequence
import re

from homeassistant.core import HomeAssistant, callback

from .api.client import DEFAULT_REGION
from .api.redact import MASK
from .const import CONF_REGION, DOMAIN
from .data import SlowLiveConfigEntry

TITLE = "Volcengine Slow Live"
# Spaces named in a title that has to tell two entries of one region apart.
_SPACES_SHOWN = 2
# The title entries were given before: "Slow Live " and the shortened key.
_KEYED_TITLE = re.compile(rf"^Slow Live (?:\S{{4}}…\S{{4}}|{re.escape(MASK)})$")


def entry_title(
    hass: HomeAssistant,
    region: str,
    space_names: Sequence[str],
    *,
    entry_id: str | None = None,
) -> str:
    """A title no other entry of ours has (`entry_id`: the entry it is for).

    The region alone ("Volcengine Slow Live (cn-north-1)"); when another entry has
    that, the region and the spaces ("… (cn-north-1: Home, Farm +1)"); when that is
    taken too, the region and a number.
    """
    taken = {
        entry.title
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != entry_id
    }
    plain = f"{TITLE} ({region})"
    candidates = [plain]
    if space_names:
        shown = ", ".join(space_names[:_SPACES_SHOWN])
        if len(space_names) > _SPACES_SHOWN:
            shown += f" +{len(space_names) - _SPACES_SHOWN}"
        candidates.append(f"{TITLE} ({region}: {shown})")
    for title in candidates:
        if title not in taken:
            return title
    number = 2
    while f"{plain} {number}" in taken:
        number += 1
    return f"{plain} {number}"


@callback
def async_retitle_keyed_entry(
    hass: HomeAssistant, entry: SlowLiveConfigEntry, space_names: Sequence[str]
) -> None:
    """Give an entry still titled after its key the title a new one gets.

    Only the title it was given then is replaced: one the user chose is theirs.
    """
    if _KEYED_TITLE.match(entry.title):
        region = entry.data.get(CONF_REGION) or DEFAULT_REGION
        hass.config_entries.async_update_entry(
            entry,
            title=entry_title(hass, region, space_names, entry_id=entry.entry_id),
        )
