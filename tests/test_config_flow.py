"""Config flow against the emulator: every step, every error, reauth, reconfigure, options."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.volcengine_slow_live.const import (
    CONF_ACCESS_KEY_ID,
    CONF_ENDPOINT,
    CONF_LINK_VALIDITY,
    CONF_LIVE_PROTOCOL,
    CONF_REGION,
    CONF_SCAN_INTERVAL,
    CONF_SECRET_ACCESS_KEY,
    CONF_SPACES,
    CONF_STILL_TTL,
    CONF_STREAM_QUALITY,
    DOMAIN,
    SECTION_ADVANCED,
)
from emulator import Emulator, FaultRule
from emulator.fleet import Fleet

from .common import demo_space_ids, entry_data


def _user_input(emulator: Emulator, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        CONF_ACCESS_KEY_ID: emulator.access_key,
        CONF_SECRET_ACCESS_KEY: emulator.secret_key,
        CONF_REGION: "cn-north-1",
        SECTION_ADVANCED: {CONF_ENDPOINT: emulator.base_url},
    }
    values.update(overrides)
    return values


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result["flow_id"]


async def test_user_flow_creates_entry(hass: HomeAssistant, emulator: Emulator) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "spaces"
    spaces = demo_space_ids(emulator)
    schema_default = result["data_schema"]({})[CONF_SPACES]
    assert sorted(schema_default) == sorted(spaces)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SPACES: spaces[:1]}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == emulator.access_key
    assert entry.data == {
        CONF_ACCESS_KEY_ID: emulator.access_key,
        CONF_SECRET_ACCESS_KEY: emulator.secret_key,
        CONF_REGION: "cn-north-1",
        CONF_ENDPOINT: emulator.base_url,
        CONF_SPACES: spaces[:1],
    }
    # Named after the region, never the key.
    assert entry.title == "Volcengine Slow Live (cn-north-1)"


async def test_entries_of_one_region_get_titles_apart(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    titles = []
    for index in range(3):
        fleet = Fleet.demo(seed=7 + index)
        key, secret = emulator.add_account(f"other{index}", fleet)
        flow_id = await _start(hass)
        result = await hass.config_entries.flow.async_configure(
            flow_id,
            _user_input(
                emulator, **{CONF_ACCESS_KEY_ID: key, CONF_SECRET_ACCESS_KEY: secret}
            ),
        )
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_SPACES: list(fleet.spaces)[:1]}
        )
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.CREATE_ENTRY
        titles.append(result["result"].title)
    # The region; then the spaces chosen; then a number.
    assert titles == [
        "Volcengine Slow Live (cn-north-1)",
        "Volcengine Slow Live (cn-north-1: Home)",
        "Volcengine Slow Live (cn-north-1) 2",
    ]


async def test_whitespace_is_trimmed(hass: HomeAssistant, emulator: Emulator) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        _user_input(
            emulator,
            **{
                CONF_ACCESS_KEY_ID: f"  {emulator.access_key} ",
                CONF_SECRET_ACCESS_KEY: f"{emulator.secret_key}\n",
                SECTION_ADVANCED: {CONF_ENDPOINT: f" {emulator.base_url}/ "},
            },
        ),
    )
    assert result["step_id"] == "spaces"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (
            {CONF_SECRET_ACCESS_KEY: "WrongSecretKey0000000000"},
            {"base": "invalid_auth"},
        ),
        ({CONF_ACCESS_KEY_ID: "AKLTunknownKey000000000000"}, {"base": "invalid_auth"}),
        ({CONF_ACCESS_KEY_ID: "has spaces in it"}, {"base": "invalid_key_format"}),
        (
            {CONF_SECRET_ACCESS_KEY: "密钥密钥密钥密钥密钥"},
            {"base": "invalid_key_format"},
        ),
        ({CONF_SECRET_ACCESS_KEY: "x" * 300}, {"base": "invalid_key_format"}),
        ({CONF_REGION: "CN North 1"}, {CONF_REGION: "invalid_region"}),
        (
            {SECTION_ADVANCED: {CONF_ENDPOINT: "ftp://example.com"}},
            {"base": "invalid_endpoint"},
        ),
        (
            {SECTION_ADVANCED: {CONF_ENDPOINT: "not a url"}},
            {"base": "invalid_endpoint"},
        ),
    ],
)
async def test_user_input_errors_then_recover(
    hass: HomeAssistant,
    emulator: Emulator,
    overrides: dict[str, Any],
    error: dict[str, str],
) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator, **overrides)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == error
    # What the user typed is kept (never the secret).
    suggested = {
        key.schema: (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert CONF_SECRET_ACCESS_KEY not in {k for k, v in suggested.items() if v}
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["step_id"] == "spaces"


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        (FaultRule(kind="clock_skew", seconds=3600), "clock_skew"),
        (
            FaultRule(
                kind="http_error", status=403, code="OperationDeny.AccountOverdue"
            ),
            "account_not_ready",
        ),
        (
            FaultRule(kind="http_error", status=503, code="ServiceUnavailableTemp"),
            "cannot_connect",
        ),
        (FaultRule(kind="rate_limit"), "cannot_connect"),
        (FaultRule(kind="malformed_json"), "unknown"),
        (
            FaultRule(kind="http_error", status=400, code="InvalidParameter.PageSize"),
            "unknown",
        ),
    ],
)
async def test_cloud_errors(
    hass: HomeAssistant, emulator: Emulator, rule: FaultRule, error: str
) -> None:
    flow_id = await _start(hass)
    rule_id = emulator.faults.add(rule)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["errors"] == {"base": error}
    emulator.faults.remove(rule_id)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["step_id"] == "spaces"


async def test_cannot_connect_when_the_cloud_is_down(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    flow_id = await _start(hass)
    await emulator.stop()
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["errors"] == {"base": "cannot_connect"}
    await emulator.start()
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["step_id"] == "spaces"


async def test_account_without_spaces(hass: HomeAssistant, emulator: Emulator) -> None:
    access_key, secret_key = emulator.add_account("empty", Fleet())
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        _user_input(
            emulator,
            **{CONF_ACCESS_KEY_ID: access_key, CONF_SECRET_ACCESS_KEY: secret_key},
        ),
    )
    assert result["errors"] == {"base": "no_spaces"}


async def test_spaces_step_needs_a_choice(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, _user_input(emulator))
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            flow_id, {CONF_SPACES: ["not-a-space-of-this-account"]}
        )
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_SPACES: []})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SPACES: "no_space_selected"}


async def test_same_key_twice_aborts(hass: HomeAssistant, emulator: Emulator) -> None:
    # The entry holds every space the key sees: nothing is left to add.
    MockConfigEntry(
        domain=DOMAIN, unique_id=emulator.access_key, data=entry_data(emulator)
    ).add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_same_key_again_for_the_other_spaces(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """A fleet too large for one entry: the account again, with other spaces."""
    home, farm, tea = demo_space_ids(emulator)
    first = MockConfigEntry(
        domain=DOMAIN,
        unique_id=emulator.access_key,
        title="Volcengine Slow Live (cn-north-1)",
        data=entry_data(emulator, spaces=[home]),
    )
    first.add_to_hass(hass)
    # An entry numbered 2 already (the first of the key was removed, say).
    MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"{emulator.access_key} 2",
        data=entry_data(emulator, spaces=[farm]),
    ).add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, _user_input(emulator)
    )
    assert result["step_id"] == "spaces"
    # Only the space no entry holds is offered.
    offered = [option["value"] for option in _space_options(result)]
    assert offered == [tea]
    assert result["data_schema"]({})[CONF_SPACES] == [tea]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SPACES: [tea]}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == f"{emulator.access_key} 3"
    assert entry.data[CONF_SPACES] == [tea]
    assert entry.title == "Volcengine Slow Live (cn-north-1: Tea Garden Live)"

    # Reconfiguring the first offers its own space (and no other entry's), and
    # keeps its unique ID.
    result = await first.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCESS_KEY_ID: emulator.access_key,
            CONF_REGION: "cn-north-1",
            SECTION_ADVANCED: {CONF_ENDPOINT: emulator.base_url},
        },
    )
    assert [option["value"] for option in _space_options(result)] == [home]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SPACES: [home]}
    )
    assert result["reason"] == "reconfigure_successful"
    assert first.unique_id == emulator.access_key


def _space_options(result: Any) -> list[Any]:
    """The spaces a spaces form offers."""
    selector = result["data_schema"].schema[CONF_SPACES]
    options: list[Any] = selector.config["options"]
    return options


async def test_reauth_with_rotated_key(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    new_key, new_secret = emulator.add_key()
    emulator.revoke(emulator.access_key)
    result = await setup_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCESS_KEY_ID: emulator.access_key,
            CONF_SECRET_ACCESS_KEY: emulator.secret_key,
        },
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_ACCESS_KEY_ID: new_key, CONF_SECRET_ACCESS_KEY: new_secret},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert setup_entry.unique_id == new_key
    assert setup_entry.data[CONF_ACCESS_KEY_ID] == new_key
    assert setup_entry.data[CONF_SECRET_ACCESS_KEY] == new_secret
    assert setup_entry.data[CONF_SPACES] == demo_space_ids(emulator)


async def test_reauth_refuses_another_account(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    other_key, other_secret = emulator.add_account("other", Fleet.demo(seed=7))
    result = await setup_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_ACCESS_KEY_ID: other_key, CONF_SECRET_ACCESS_KEY: other_secret},
    )
    assert result["errors"] == {"base": "wrong_account"}
    assert setup_entry.unique_id == emulator.access_key


async def test_reauth_with_the_key_of_another_entry_of_the_account(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    """A rotated key is entered in each entry of the account: no clash of IDs."""
    new_key, new_secret = emulator.add_key()
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id=new_key,
        data=entry_data(emulator, access_key=new_key, secret_key=new_secret),
    )
    other.add_to_hass(hass)
    result = await setup_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_ACCESS_KEY_ID: new_key, CONF_SECRET_ACCESS_KEY: new_secret},
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert setup_entry.data[CONF_ACCESS_KEY_ID] == new_key
    assert setup_entry.unique_id == f"{new_key} 2"
    assert other.unique_id == new_key


async def test_reconfigure_keeps_secret_and_changes_spaces(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    spaces = demo_space_ids(emulator)
    result = await setup_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCESS_KEY_ID: emulator.access_key,
            CONF_REGION: "cn-north-1",
            SECTION_ADVANCED: {CONF_ENDPOINT: emulator.base_url},
        },
    )
    assert result["step_id"] == "spaces"
    assert sorted(result["data_schema"]({})[CONF_SPACES]) == sorted(spaces)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SPACES: spaces[-1:]}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert setup_entry.data[CONF_SECRET_ACCESS_KEY] == emulator.secret_key
    assert setup_entry.data[CONF_SPACES] == spaces[-1:]


async def test_reconfigure_errors_keep_input(
    hass: HomeAssistant, emulator: Emulator, setup_entry: MockConfigEntry
) -> None:
    other_key, other_secret = emulator.add_account("other", Fleet.demo(seed=7))
    result = await setup_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCESS_KEY_ID: other_key,
            CONF_SECRET_ACCESS_KEY: other_secret,
            CONF_REGION: "cn-north-1",
            SECTION_ADVANCED: {CONF_ENDPOINT: emulator.base_url},
        },
    )
    assert result["errors"] == {"base": "wrong_account"}
    suggested = {
        key.schema: (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested[CONF_ACCESS_KEY_ID] == other_key


async def test_options_flow(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client: Any
) -> None:
    # Opened as the frontend opens it: Home Assistant 2026.8 could not send a schema
    # saying "0 or at least 60" and answered 500 (the dialog failed).
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    response = await client.post(
        "/api/config/config_entries/options/flow",
        json={"handler": setup_entry.entry_id},
    )
    assert response.status == 200, await response.text()
    hass.config_entries.options.async_abort((await response.json())["flow_id"])
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    # A link validity under a minute (but not 0, automatic) is refused, kept shown.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_LINK_VALIDITY: 30}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_LINK_VALIDITY: "link_validity_too_short"}
    options = {
        CONF_LIVE_PROTOCOL: "flv",
        CONF_STREAM_QUALITY: "sub",
        CONF_STILL_TTL: 120,
        CONF_LINK_VALIDITY: 7200,
        CONF_SCAN_INTERVAL: 30,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], options
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # What the form left out takes its default: wait 20 s for new footage, alarms
    # read by polling.
    assert setup_entry.options == {
        **options,
        "recording_wait": 20,
        "instant_alarms": False,
    }
    assert setup_entry.runtime_data.coordinator.update_interval.total_seconds() == 30
