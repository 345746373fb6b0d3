"""The entry's title: the region (and spaces when needed), never the key.

New entries get it from the config flow (tests/test_config_flow.py); entries made
before, titled after their AccessKey ID, get it when they are set up, unless the
user renamed them.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import DOMAIN
from custom_components.volcengine_slow_live.entry_title import entry_title
from emulator import Emulator, Fleet

from .common import entry_data


async def _set_up(
    hass: HomeAssistant,
    emulator: Emulator,
    title: str,
    *,
    access_key: str | None = None,
    secret_key: str | None = None,
    spaces: list[str] | None = None,
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=access_key or emulator.access_key,
        data=entry_data(
            emulator, access_key=access_key, secret_key=secret_key, spaces=spaces
        ),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.parametrize("title", ["Slow Live AKLT…demo", "Slow Live **REDACTED**"])
async def test_a_title_made_of_the_key_becomes_the_region(
    hass: HomeAssistant, emulator: Emulator, title: str
) -> None:
    entry = await _set_up(hass, emulator, title)
    assert entry.title == "Volcengine Slow Live (cn-north-1)"


@pytest.mark.parametrize(
    "title",
    [
        "My cameras",
        # Close to the old form, but written by the user.
        "Slow Live at home",
        "Slow Live AKLT…demo (old key)",
    ],
)
async def test_a_title_the_user_chose_stays(
    hass: HomeAssistant, emulator: Emulator, title: str
) -> None:
    entry = await _set_up(hass, emulator, title)
    assert entry.title == title
    # Also after a restart.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.title == title


async def test_two_accounts_of_one_region_are_told_apart(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    first = await _set_up(hass, emulator, "Slow Live AKLT…demo")
    fleet = Fleet.demo(seed=7)
    other_key, other_secret = emulator.add_account("other", fleet)
    second = await _set_up(
        hass,
        emulator,
        f"Slow Live {other_key[:4]}…{other_key[-4:]}",
        access_key=other_key,
        secret_key=other_secret,
        spaces=list(fleet.spaces),
    )
    assert first.title == "Volcengine Slow Live (cn-north-1)"
    # Its spaces in the cloud's order (newest first), as the config flow lists them.
    assert second.title == "Volcengine Slow Live (cn-north-1: Tea Garden Live, Farm +1)"
    # Set up again, each keeps its title (the other's does not make it change).
    for entry in (first, second):
        assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert first.title == "Volcengine Slow Live (cn-north-1)"
    assert second.title == "Volcengine Slow Live (cn-north-1: Tea Garden Live, Farm +1)"


async def test_a_title_taken_every_way_gets_a_number(hass: HomeAssistant) -> None:
    for title in (
        "Volcengine Slow Live (cn-north-1)",
        "Volcengine Slow Live (cn-north-1: Home)",
        "Volcengine Slow Live (cn-north-1) 2",
    ):
        MockConfigEntry(domain=DOMAIN, title=title).add_to_hass(hass)
    assert (
        entry_title(hass, "cn-north-1", ["Home"])
        == "Volcengine Slow Live (cn-north-1) 3"
    )
    # No spaces to name: the region, then a number.
    assert entry_title(hass, "cn-north-1", []) == "Volcengine Slow Live (cn-north-1) 3"
    assert entry_title(hass, "cn-beijing", []) == "Volcengine Slow Live (cn-beijing)"
    assert (
        entry_title(hass, "cn-north-1", ["Home", "Farm"])
        == "Volcengine Slow Live (cn-north-1: Home, Farm)"
    )
