"""Fixtures for the generator tests: a loopback OpenAI-compatible image API."""

import pytest

from tests.openai_server import FakeImageAPI


@pytest.fixture
async def image_api():
    async with FakeImageAPI() as api:
        yield api
