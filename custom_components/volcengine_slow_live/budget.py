"""The entry's budget of enabled entities: every channel's main camera comes first.

Home Assistant adds at most `MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY` (10,000) enabled
entities to one config entry. Past that it refuses every new enabled entity with a
single warning in the log, whichever platform happens to add it, and a big fleet
would silently lose cameras. Entities already in the entity registry are always added
(enabled or disabled as the registry says), and disabled ones do not count.

So the entities a channel gets are admitted here, platform by platform in the order
of `PRIORITY`, which is also the order the entry sets its platforms up in:

* A main camera is always enabled. One that does not fit under the limit at all is
  not handed to Home Assistant (which would refuse it): its channel is *held*, gets
  none of its entities, and a repair issue says how many cameras are missing and
  what to do. Held channels are taken again as soon as there is room.
* Every other kind Home Assistant would enable by default (the alarm event, the last
  alarm picture, the connectivity and stream sensors, PTZ controls) stays enabled by
  default while the entry's enabled entities stay within `BUDGET_SHARE` of the limit,
  counting that kind for the whole fleet. From the first kind that does not fit on,
  the later ones are disabled by default too, for every channel: a kind further down
  never takes the room a kind before it could not have, and the channels of one
  entry look alike. The rest of the limit is left for the cameras of channels added
  later and for entities the user enables.

Only the default of entities new to the registry is set here: what the user enabled
or disabled stays as it is. The decisions hold until the entry is set up again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import sys
from typing import Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_platform, entity_registry as er

from .const import DOMAIN, LOGGER
from .repairs import async_clear_entity_limit_issue, async_raise_entity_limit_issue

# Which kinds get the room first. Main cameras before anything else; then what
# automations and dashboards use (alarms), the diagnostic sensors, and last the PTZ
# controls: they are the most numerous (eight per dome) and come only once a camera's
# details have been read, in the background in a large fleet.
PRIORITY: Final = (
    Platform.CAMERA,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.BINARY_SENSOR,
    Platform.SENSOR,
    Platform.SELECT,
    Platform.BUTTON,
)
# Kinds other than the main camera stay within this share of the limit.
BUDGET_SHARE: Final = 0.9
# Names of missing cameras a repair issue shows.
_NAMES_SHOWN: Final = 5


def entity_limit() -> int:
    """Home Assistant's limit of enabled entities per config entry.

    Read where Home Assistant's own check reads it, at the time of use; a release
    without the limit has, in effect, an endless one.
    """
    limit: int = getattr(
        entity_platform, "MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY", sys.maxsize
    )
    return limit


class Budgeted(Protocol):
    """What the budget needs of an entity (every `entity.SlowLiveEntity` is one).

    Said here rather than imported: the entity's module reads the budget from the
    entry's runtime data, which holds the budget (no import circle).
    """

    essential: bool

    @property
    def unique_id(self) -> str | None:
        """The registry's key of the entity."""

    @property
    def channel_name(self) -> str:
        """The channel's name, for the repair issue."""

    @property
    def entity_registry_enabled_default(self) -> bool:
        """Whether the entity is registered enabled when new."""

    def disable_by_default(self) -> None:
        """Have the entity registered disabled if new."""


class EntityBudget:
    """What of its entities an entry's platforms hand to Home Assistant, and how."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Nothing decided yet: the platforms' first batches (at setup) decide."""
        self._hass = hass
        self._entry = entry
        self._registry = er.async_get(hass)
        # Enabled entities the fleet gets by the decisions so far (every channel of
        # each kind, registered or not): what a kind is measured against at setup.
        self._planned = 0
        self._decided: set[str] = set()
        # Kinds from this index of PRIORITY on are disabled by default.
        self._cut = len(PRIORITY)
        # Handed to Home Assistant enabled but perhaps not registered yet.
        self._pending: dict[tuple[str, str], None] = {}
        # Channels whose main camera did not fit: key -> name.
        self.held: dict[str, str] = {}

    def _enabled(self) -> int:
        """Enabled entities of the entry: registered, and handed over since."""
        registered = self._registry.async_get_entity_id
        for domain, unique_id in list(self._pending):
            if registered(domain, DOMAIN, unique_id) is not None:
                del self._pending[domain, unique_id]
        return self._registry.entities.get_enabled_count_for_config_entry_id(
            self._entry.entry_id
        ) + len(self._pending)

    @callback
    def buildable(self, domain: str, keys: Sequence[str]) -> list[str]:
        """The channels a platform builds entities for now.

        A held channel's main camera is tried again while there is room; its other
        entities wait for it.
        """
        if not self.held:
            return list(keys)
        room = entity_limit() - self._enabled() if domain == PRIORITY[0] else 0
        result: list[str] = []
        for key in keys:
            if key in self.held:
                if room <= 0:
                    continue
                room -= 1
            result.append(key)
        return result

    def _is_new(self, domain: str, entity: Budgeted) -> bool:
        """Whether the registry has yet to hear of the entity."""
        return (
            self._registry.async_get_entity_id(domain, DOMAIN, entity.unique_id or "")
            is None
        )

    @callback
    def admit[E: Budgeted](
        self, domain: str, built: Mapping[str, Sequence[E]]
    ) -> list[E]:
        """The entities of a platform's new channels to add, their defaults settled."""
        first = domain not in self._decided
        self._decided.add(domain)
        limit = entity_limit()
        used = self._enabled()
        touched = first and domain == PRIORITY[0]
        admitted: list[E] = []
        kind_total = 0
        kind_new: list[E] = []
        for key, made in built.items():
            main = next((entity for entity in made if entity.essential), None)
            if main is not None:
                if first:
                    self._planned += 1
                if self._is_new(domain, main):
                    # A new main camera needs room under the limit itself; without
                    # it, its channel waits with all its entities.
                    if used >= limit:
                        self.held[key] = main.channel_name
                        touched = True
                        continue
                    used += 1
                    self._pending[domain, main.unique_id or ""] = None
                touched |= self.held.pop(key, None) is not None
            admitted.extend(made)
            for entity in made:
                if entity is not main and entity.entity_registry_enabled_default:
                    kind_total += 1
                    if self._is_new(domain, entity):
                        kind_new.append(entity)
        if kind_total:
            self._settle(
                domain,
                first=first,
                total=kind_total,
                new=kind_new,
                used=used,
                limit=limit,
            )
        if touched:
            self._sync_issue(limit)
        return admitted

    def _settle(
        self,
        domain: str,
        *,
        first: bool,
        total: int,
        new: Sequence[Budgeted],
        used: int,
        limit: int,
    ) -> None:
        """Enable a kind's new entities by default only while the kind fits."""
        budget = int(limit * BUDGET_SHARE)
        index = PRIORITY.index(Platform(domain))
        fits = index < self._cut and used + len(new) <= budget
        if fits and first:
            # At setup the whole fleet is measured: a kind that fits now but not
            # for every channel would leave the channels of one entry unlike.
            fits = self._planned + total <= budget
        if fits:
            self._planned += total if first else 0
            for entity in new:
                self._pending[domain, entity.unique_id or ""] = None
            return
        if index < self._cut:
            LOGGER.info(
                "%s: %s and the kinds after it are disabled by default for new "
                "entities, to stay within %d of Home Assistant's limit of %d enabled "
                "entities per entry",
                self._entry.title,
                domain,
                budget,
                limit,
            )
            self._cut = index
        for entity in new:
            entity.disable_by_default()

    def _sync_issue(self, limit: int) -> None:
        """Raise the repair issue while channels are held, remove it once none are.

        Called when the held channels changed, and at setup (an issue of the entry's
        last run that no longer holds goes).
        """
        if not self.held:
            async_clear_entity_limit_issue(self._hass, self._entry)
            return
        coordinator = self._entry.runtime_data.coordinator
        async_raise_entity_limit_issue(
            self._hass,
            self._entry,
            missing=len(self.held),
            channels=len(coordinator.data.channels),
            limit=limit,
            names=sorted(self.held.values())[:_NAMES_SHOWN],
        )
