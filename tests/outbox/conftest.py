"""Fixtures for the outbox tests: a session on a migrated database, with no app running, so
no worker touches the deliveries a test queues."""

import pytest

from storage.db import create_engine, create_sessionmaker


@pytest.fixture
async def db(settings):
    engine = create_engine(settings.database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def session(db):
    async with db() as session:
        yield session
