"""What the development configuration lets a person do in the UI (config/configuration.yaml
as scripts/develop and these tests start it): an automation made from a blueprint is
saved and loaded, and the core settings can be changed on the General page.

On the browser tests' one Home Assistant, after test_ui.py (which adds the entry
through the UI first); nothing here is left behind for the tests after.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time
from typing import Any

from playwright.async_api import Locator, Page

from tests.e2e import provision

from .ui import Seen, Stack, click_text, no_errors_of_ours, page_text, wait_for_text

BLUEPRINT = "Replay a camera's own alarm on a media player"
# The General page's fields: disabled, with a notice naming configuration.yaml, while
# any core setting is in YAML.
CORE_FIELDS = ("timeZone", "elevation", "currency", "country", "language")
DISABLED_FIELDS = """(names) => {
  const found = {};
  const walk = (root) => {
    for (const el of root.querySelectorAll('[name]')) {
      if (names.includes(el.getAttribute('name')) && !(el.getAttribute('name') in found)) {
        found[el.getAttribute('name')] = Boolean(el.disabled);
      }
    }
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(document);
  return found;
}"""


async def _pick(page: Page, picker: Locator, name: str) -> None:
    """Choose an entity in an entity picker, as a person does: open, type, click."""
    await picker.click()
    await page.wait_for_timeout(300)
    await page.keyboard.type(name)
    await page.locator(
        f"ha-combo-box-item >> text={name} >> visible=true"
    ).first.click()


def _automations(stack: Stack) -> list[dict[str, Any]]:
    """The automation entities named after the blueprint."""
    return [
        state
        for state in stack.api("GET", "/api/states")
        if state["entity_id"].startswith("automation.")
        and state["attributes"].get("friendly_name") == BLUEPRINT
    ]


async def test_an_automation_made_from_a_blueprint_is_loaded(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    """Blueprints → the alarm blueprint → its inputs → 保存: the automation is in
    automations.yaml, loaded and on, and listed in both languages."""
    assert not _automations(with_entry)
    page = await open_page("/config/blueprint/dashboard", language="zh-Hans")
    await wait_for_text(page, BLUEPRINT)
    await click_text(page, BLUEPRINT)
    # The blueprint's own inputs (its texts are its own, not translated).
    await wait_for_text(page, "Alarm event")
    pickers = page.locator("ha-entity-picker >> visible=true")
    await _pick(page, pickers.nth(0), "Front Gate")
    await _pick(page, pickers.nth(1), "TV")
    await click_text(page, "保存")
    deadline = time.monotonic() + 20
    while not (made := _automations(with_entry)):
        assert time.monotonic() < deadline, await page_text(page)
        await page.wait_for_timeout(250)
    try:
        (automation,) = made
        assert automation["state"] == "on", automation
        saved = (with_entry.config / "automations.yaml").read_text(encoding="utf-8")
        assert "volcengine_slow_live/replay_alarm.yaml" in saved
        assert "event.front_gate_alarm" in saved
        assert "media_player.tv" in saved
        # Listed, not "We couldn't find any automations"; in both languages.
        for language, heading in (("zh-Hans", "自动化"), ("en", "Automations")):
            page = await open_page("/config/automation/dashboard", language=language)
            said = await wait_for_text(page, BLUEPRINT)
            assert heading in said
    finally:
        # Gone again, so no alarm of the gate plays on the TV in a later test.
        with_entry.api(
            "DELETE", f"/api/config/automation/config/{made[0]['attributes']['id']}"
        )
    no_errors_of_ours(seen, with_entry)


async def test_the_core_settings_can_be_changed(
    with_entry: Stack, open_page: Callable[..., Awaitable[Page]], seen: Seen
) -> None:
    """Settings → System → General is not read-only (nothing of it is in YAML), in
    both languages; a change made there is saved."""
    assert with_entry.api("GET", "/api/config")["config_source"] == "storage"
    for language in ("zh-Hans", "en"):
        page = await open_page("/config/general", language=language)
        await wait_for_text(page, "公制" if language == "zh-Hans" else "Metric")
        fields = await page.evaluate(DISABLED_FIELDS, list(CORE_FIELDS))
        assert fields == dict.fromkeys(CORE_FIELDS, False), fields
        assert "configuration.yaml" not in await page_text(page)
    # Elevation: typed, saved, and Home Assistant has it.
    before = with_entry.api("GET", "/api/config")["elevation"]
    try:
        field = page.locator('input[name="elevation"] >> visible=true').first
        await field.fill(str(before + 1))
        # The page's last Save is the location card's (the first, the name's).
        await page.locator(
            "ha-progress-button >> text=Save >> visible=true"
        ).last.click()
        deadline = time.monotonic() + 10
        while with_entry.api("GET", "/api/config")["elevation"] != before + 1:
            assert time.monotonic() < deadline, "the elevation was not saved"
            await page.wait_for_timeout(250)
    finally:
        answer = await asyncio.to_thread(
            provision.websocket_command,
            with_entry.base,
            with_entry.token,
            {"type": "config/core/update", "elevation": before},
        )
        assert answer["success"], answer
    no_errors_of_ours(seen, with_entry)
