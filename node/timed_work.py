"""Work that falls due at a time rather than on arrival: polls closing at their end (and,
with them, the notifications and final counts) and scheduled statuses posted at their time.
Run by the workers each round."""

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.repositories import polls as poll_repo
from storage.types import utcnow

from . import actions
from .actions.scheduled import post_due
from .settings import Settings

log = logging.getLogger(__name__)

BATCH = 100


async def close_due_polls(sessionmaker: async_sessionmaker, settings: Settings) -> int:
    """Close the polls whose end has come, one transaction for the batch; answers how many."""
    async with sessionmaker() as session:
        due = await poll_repo.list_due_polls(session, utcnow(), BATCH)
        for poll in due:
            await actions.close_poll(session, settings, poll)
        await session.commit()
    return len(due)


async def post_scheduled(sessionmaker: async_sessionmaker, settings: Settings) -> int:
    async with sessionmaker() as session:
        posted = await post_due(session, settings, utcnow())
        await session.commit()
    return posted


async def due_round(sessionmaker: async_sessionmaker, settings: Settings) -> int:
    return await close_due_polls(sessionmaker, settings) + await post_scheduled(sessionmaker, settings)
