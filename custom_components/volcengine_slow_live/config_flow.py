"""Config flow: credentials checked against the API, then the spaces to import.

An account can be added more than once, each entry with spaces no other entry has:
Home Assistant holds at most 10,000 enabled entities per entry (budget.py), so a fleet
larger than that is split over several entries. The spaces step offers only the
spaces no other entry holds; an account whose spaces are all taken is refused.

Reauth and reconfigure accept a rotated key only when it still sees at least one of
the entry's spaces, i.e. it belongs to the same account; the entry's unique_id (the
AccessKey ID, and a number for a further entry of the same key: "AKLT… 2") follows
the new key.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain, count
import re
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api.client import DEFAULT_ENDPOINT, DEFAULT_REGION
from .api.errors import (
    AccountError,
    ApiError,
    AuthError,
    ClockSkew,
    RateLimited,
    Unavailable,
)
from .api.models import Space
from .const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_INSTANT_ALARMS,
    CONF_LINK_VALIDITY,
    CONF_LIVE_PROTOCOL,
    CONF_RECORDING_WAIT,
    CONF_REGION,
    CONF_SCAN_INTERVAL,
    CONF_SECRET_ACCESS_KEY,
    CONF_SPACES,
    CONF_STILL_TTL,
    CONF_STREAM_QUALITY,
    DEFAULT_LINK_VALIDITY,
    DEFAULT_LIVE_PROTOCOL,
    DEFAULT_RECORDING_WAIT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_STILL_TTL,
    DEFAULT_STREAM_QUALITY,
    DOMAIN,
    LOGGER,
    MAX_LINK_VALIDITY,
    MAX_RECORDING_WAIT,
    MAX_SCAN_INTERVAL,
    MAX_STILL_TTL,
    MIN_LINK_VALIDITY,
    MIN_SCAN_INTERVAL,
    MIN_STILL_TTL,
    SECTION_ADVANCED,
    LiveProtocol,
    StreamQuality,
)
from .data import create_client
from .entry_title import entry_title

# Home Assistant keeps URLs out of translated strings: the default endpoint is filled in.
_ENDPOINT_PLACEHOLDERS = {"default_endpoint": DEFAULT_ENDPOINT}

# Keys and secrets go into an HTTP header: printable ASCII without spaces only.
_KEY_RE = re.compile(r"^[\x21-\x7e]{8,256}$")
_REGION_RE = re.compile(r"^[a-z0-9-]{2,64}$")

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


def _credentials_schema(*, secret_optional: bool = False) -> vol.Schema:
    secret = (
        vol.Optional(CONF_SECRET_ACCESS_KEY)
        if secret_optional
        else vol.Required(CONF_SECRET_ACCESS_KEY)
    )
    return vol.Schema(
        {
            vol.Required(CONF_ACCESS_KEY_ID): _TEXT,
            secret: _PASSWORD,
            vol.Required(CONF_REGION, default=DEFAULT_REGION): _TEXT,
            vol.Required(SECTION_ADVANCED): section(
                vol.Schema(
                    {vol.Required(CONF_ENDPOINT, default=DEFAULT_ENDPOINT): _URL}
                ),
                {"collapsed": True},
            ),
        }
    )


def _credentials(
    user_input: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Entry data from a credentials form; a blank secret keeps the current one."""
    current = current or {}
    advanced = user_input.get(SECTION_ADVANCED) or {}
    secret = str(user_input.get(CONF_SECRET_ACCESS_KEY) or "").strip()
    return {
        CONF_ACCESS_KEY_ID: str(user_input[CONF_ACCESS_KEY_ID]).strip(),
        CONF_SECRET_ACCESS_KEY: secret or current.get(CONF_SECRET_ACCESS_KEY, ""),
        CONF_REGION: str(user_input.get(CONF_REGION) or DEFAULT_REGION).strip(),
        CONF_ENDPOINT: str(
            advanced.get(CONF_ENDPOINT)
            or current.get(CONF_ENDPOINT)
            or DEFAULT_ENDPOINT
        ).strip(),
    }


def _form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Suggested values for a credentials form (never the secret)."""
    return {
        CONF_ACCESS_KEY_ID: data.get(CONF_ACCESS_KEY_ID, ""),
        CONF_REGION: data.get(CONF_REGION, DEFAULT_REGION),
        SECTION_ADVANCED: {CONF_ENDPOINT: data.get(CONF_ENDPOINT, DEFAULT_ENDPOINT)},
    }


class SlowLiveConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Volcengine account."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing validated."""
        self._credentials: dict[str, str] = {}
        self._spaces: list[Space] = []

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> SlowLiveOptionsFlow:
        """Options for a loaded entry."""
        return SlowLiveOptionsFlow()

    async def _async_probe(self, credentials: Mapping[str, str]) -> dict[str, str]:
        """Check the credentials with a real call; form errors, empty when fine."""
        if not _KEY_RE.match(credentials[CONF_ACCESS_KEY_ID]) or not _KEY_RE.match(
            credentials[CONF_SECRET_ACCESS_KEY]
        ):
            return {"base": "invalid_key_format"}
        if not _REGION_RE.match(credentials[CONF_REGION]):
            return {CONF_REGION: "invalid_region"}
        try:
            client = create_client(self.hass, credentials)
        except ValueError:
            return {"base": "invalid_endpoint"}
        try:
            self._spaces = [space async for space in client.iter_spaces()]
        except AuthError:
            return {"base": "invalid_auth"}
        except ClockSkew:
            return {"base": "clock_skew"}
        except AccountError:
            return {"base": "account_not_ready"}
        except Unavailable, RateLimited:
            return {"base": "cannot_connect"}
        except ApiError as err:
            LOGGER.warning("Unexpected answer while checking credentials: %s", err)
            return {"base": "unknown"}
        if not self._spaces:
            return {"base": "no_spaces"}
        return {}

    def _same_account_error(self, entry: ConfigEntry) -> dict[str, str]:
        """A new key must see one of the entry's spaces; otherwise it is another account."""
        visible = {space.space_id for space in self._spaces}
        if visible.isdisjoint(entry.data.get(CONF_SPACES, [])):
            return {"base": "wrong_account"}
        return {}

    def _others(self, entry: ConfigEntry | None) -> list[ConfigEntry]:
        """The entries of the integration but `entry`."""
        return [
            other
            for other in self._async_current_entries(include_ignore=False)
            if entry is None or other.entry_id != entry.entry_id
        ]

    def _free_spaces(self, entry: ConfigEntry | None) -> list[Space]:
        """The account's spaces no other entry holds: one space, one entry."""
        taken = {
            space_id
            for other in self._others(entry)
            for space_id in other.data.get(CONF_SPACES, [])
        }
        return [space for space in self._spaces if space.space_id not in taken]

    def _unique_id(self, key: str, entry: ConfigEntry | None = None) -> str:
        """The AccessKey ID, numbered from 2 for further entries of the same key.

        An entry that has one for this key keeps it.
        """
        if entry is not None and (entry.unique_id or "").split(" ")[0] == key:
            return str(entry.unique_id)
        taken = {other.unique_id for other in self._others(entry)}
        return next(
            unique_id
            for unique_id in chain([key], (f"{key} {n}" for n in count(2)))
            if unique_id not in taken
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the AccessKey pair."""
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = _credentials(user_input)
            if not (errors := await self._async_probe(credentials)):
                if not self._free_spaces(None):
                    return self.async_abort(reason="already_configured")
                self._credentials = credentials
                return await self.async_step_spaces()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(),
                _form_values(_credentials(user_input)) if user_input else {},
            ),
            description_placeholders=_ENDPOINT_PLACEHOLDERS,
            errors=errors,
        )

    async def async_step_spaces(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the spaces whose channels become cameras."""
        errors: dict[str, str] = {}
        entry = (
            self._get_reconfigure_entry() if self.source == SOURCE_RECONFIGURE else None
        )
        free = self._free_spaces(entry)
        known = {space.space_id for space in free}
        if user_input is not None:
            chosen = [s for s in user_input.get(CONF_SPACES, []) if s in known]
            if not chosen:
                errors[CONF_SPACES] = "no_space_selected"
            else:
                data: dict[str, Any] = {**self._credentials, CONF_SPACES: chosen}
                unique_id = self._unique_id(data[CONF_ACCESS_KEY_ID], entry)
                if entry is not None:
                    return self.async_update_reload_and_abort(
                        entry, unique_id=unique_id, data=data
                    )
                await self.async_set_unique_id(unique_id)
                names = [s.name or s.space_id for s in free if s.space_id in chosen]
                return self.async_create_entry(
                    title=entry_title(self.hass, data[CONF_REGION], names), data=data
                )
        if entry is not None:
            current = entry.data.get(CONF_SPACES, [])
            default = [s for s in current if s in known] or sorted(known)
        else:
            default = [space.space_id for space in free]
        options = [
            SelectOptionDict(
                value=space.space_id,
                label=f"{space.name or space.space_id} ({space.access_type})",
            )
            for space in free
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_SPACES, default=default): SelectSelector(
                    SelectSelectorConfig(
                        options=options,
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                    )
                )
            }
        )
        return self.async_show_form(step_id="spaces", data_schema=schema, errors=errors)

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The cloud refused the key: ask for a working one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """New AccessKey pair for the same account."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            self._credentials = _credentials(
                {**_form_values(entry.data), **user_input}, entry.data
            )
            errors = await self._async_probe(
                self._credentials
            ) or self._same_account_error(entry)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=self._unique_id(
                        self._credentials[CONF_ACCESS_KEY_ID], entry
                    ),
                    data_updates=self._credentials,
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_ACCESS_KEY_ID): _TEXT,
                        vol.Required(CONF_SECRET_ACCESS_KEY): _PASSWORD,
                    }
                ),
                {CONF_ACCESS_KEY_ID: entry.data.get(CONF_ACCESS_KEY_ID, "")},
            ),
            description_placeholders={"title": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change keys, region or endpoint, then the spaces."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            self._credentials = _credentials(user_input, entry.data)
            errors = await self._async_probe(
                self._credentials
            ) or self._same_account_error(entry)
            if not errors:
                return await self.async_step_spaces()
        values = _form_values(
            _credentials(user_input, entry.data) if user_input else entry.data
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _credentials_schema(secret_optional=True), values
            ),
            description_placeholders=_ENDPOINT_PLACEHOLDERS,
            errors=errors,
        )


def _number(low: int, high: int, step: int = 1) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low,
            max=high,
            step=step,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


def _choice(key: str, values: list[str]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=values,
            translation_key=key,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_LIVE_PROTOCOL, default=DEFAULT_LIVE_PROTOCOL): _choice(
            CONF_LIVE_PROTOCOL, [p.value for p in LiveProtocol]
        ),
        vol.Required(CONF_STREAM_QUALITY, default=DEFAULT_STREAM_QUALITY): _choice(
            CONF_STREAM_QUALITY, [q.value for q in StreamQuality]
        ),
        vol.Required(CONF_STILL_TTL, default=DEFAULT_STILL_TTL): vol.All(
            _number(MIN_STILL_TTL, MAX_STILL_TTL), vol.Coerce(int)
        ),
        # 0 is automatic (the clip's length plus a margin); else MIN..MAX seconds,
        # checked in the step: a schema saying "0 or at least MIN" cannot be sent
        # to the frontend by Home Assistant 2026.8 (the options form would fail).
        vol.Required(CONF_LINK_VALIDITY, default=DEFAULT_LINK_VALIDITY): vol.All(
            _number(0, MAX_LINK_VALIDITY, 60), vol.Coerce(int)
        ),
        vol.Required(CONF_RECORDING_WAIT, default=DEFAULT_RECORDING_WAIT): vol.All(
            _number(0, MAX_RECORDING_WAIT), vol.Coerce(int)
        ),
        vol.Required(CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL): vol.All(
            _number(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL), vol.Coerce(int)
        ),
        vol.Required(CONF_INSTANT_ALARMS, default=False): BooleanSelector(),
    }
)


class SlowLiveOptionsFlow(OptionsFlowWithReload):
    """How live view, stills and recording links behave."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One page of options; saving reloads the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if 0 < user_input[CONF_LINK_VALIDITY] < MIN_LINK_VALIDITY:
                errors[CONF_LINK_VALIDITY] = "link_validity_too_short"
            else:
                return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, dict(user_input or self.config_entry.options)
            ),
            errors=errors,
        )
