"""Bookmarks: posts a local user saves for later. They are private to the user and never
federate; a boost stands for the post it boosts, and only a post the user may see can be
saved. Nothing here commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Post
from storage.repositories import bookmarks as bookmark_repo

from ..settings import Settings
from .common import original_of, require_local_person
from .visibility import check_visible


async def bookmark(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Post:
    """Save a post (saving twice keeps the first bookmark); returns the saved post."""
    require_local_person(account)
    original = await original_of(session, post)
    await check_visible(session, account, original)
    await bookmark_repo.put_bookmark(session, account.id, original.id)
    return original


async def unbookmark(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Post:
    """Forget a saved post; without a bookmark there is nothing to forget."""
    require_local_person(account)
    original = await original_of(session, post)
    await bookmark_repo.delete_bookmark(session, account.id, original.id)
    return original
