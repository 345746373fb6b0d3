"""Shared fixtures: the aiotvideo emulator, reached over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from emulator import Emulator, EmulatorConfig, Fleet

from .common import setup_integration

TESTS = Path(__file__).parent

type EmulatorFactory = Callable[..., Awaitable[Emulator]]


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncIterator[Emulator]:
    """A started emulator with the demo fleet on a free port."""
    emu = Emulator(EmulatorConfig(host="127.0.0.1", port=0, fleet=Fleet.demo()))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def emulator_factory(socket_enabled: None) -> AsyncIterator[EmulatorFactory]:
    """Start emulators with a custom config (or EmulatorConfig keyword arguments).

    `await emulator_factory(fleet=Fleet.generate(channels=1000))`; all are stopped
    when the test ends.
    """
    started: list[Emulator] = []

    async def factory(
        config: EmulatorConfig | None = None, **overrides: Any
    ) -> Emulator:
        if config is None:
            overrides.setdefault("host", "127.0.0.1")
            overrides.setdefault("port", 0)
            config = EmulatorConfig(**overrides)
        emu = Emulator(config)
        await emu.start()
        started.append(emu)
        return emu

    try:
        yield factory
    finally:
        for emu in started:
            await emu.stop()


# --------------------------------------------------------------------------------------
# The integration, set up against the emulator.


@pytest.fixture(autouse=True)
def _integration_tests_load_custom_components(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load custom_components/ in the integration's tests.

    The client's and the emulator's own tests (in subfolders) need no Home Assistant
    instance, so they do not get one.
    """
    if request.node.path.parent == TESTS:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture
async def setup_entry(hass: HomeAssistant, emulator: Emulator) -> MockConfigEntry:
    """A loaded config entry for the emulator's default account, all spaces selected."""
    entry: MockConfigEntry = await setup_integration(hass, emulator)
    return entry
