"""Fixtures for the emulator's own tests: an HTTP session and a signing client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from emulator import Emulator

from .helpers import Client, Clock


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session; closed (with its connections) when the test ends."""
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: Emulator) -> Client:
    """A client of the demo emulator with the default credentials."""
    return Client(session, emulator)


@pytest.fixture
async def clocked(
    emulator_factory: Any, session: aiohttp.ClientSession
) -> tuple[Emulator, Client, Clock]:
    """An emulator on a hand-moved clock (no rate limit), so requests land at known
    instants, and a client of it."""
    clock = Clock()
    emu = await emulator_factory(clock=clock, rate_limit=0)
    return emu, Client(session, emu), clock
