"""Fixtures for the emulator's own tests: an HTTP session and a signing client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from emulator import Emulator

from .helpers import Client


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session; closed (with its connections) when the test ends."""
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def client(session: aiohttp.ClientSession, emulator: Emulator) -> Client:
    """A client of the demo emulator with the default credentials."""
    return Client(session, emulator)
