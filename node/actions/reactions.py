"""Liking and boosting posts, and taking either back: rows, counters, notifications, and the
Like / Announce / Undo they send. Like and Undo{Like} go to the post's author only; an
Announce goes to the booster's followers and the author. Nothing here commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.context import PUBLIC
from activitypub.delivery.queue import enqueue_delivery, follower_inboxes, inboxes_of
from activitypub.outbox import activities
from storage.models import Account, Favourite, Post
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .common import (PUBLIC_VISIBILITIES, announce_of, check_visible, get_post, in_session, notify,
                     original_of, personal_inbox, require_local_person)


async def _bump(session: AsyncSession, post: Post, column: str, delta: int) -> None:
    """Change a counter in SQL (concurrent workers may change it too), then reread it so the
    caller's copy of the post shows the new figure."""
    await post_repo.change_counter(session, post.id, column, delta)
    await session.refresh(post, [column])


# --- favourites ------------------------------------------------------------------------

async def favourite(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Favourite:
    """Like a post (a boost stands for the post it boosts); liking twice changes nothing."""
    require_local_person(account)
    post = await original_of(session, post)
    await check_visible(session, account, post)
    existing = await post_repo.get_favourite(session, account.id, post.id)
    if existing is not None:
        return existing
    favourite_id = new_id()
    row = Favourite(id=favourite_id, account_id=account.id, post_id=post.id,
                    like_uri=f"{account.actor_uri}#likes/{favourite_id}")
    session.add(row)
    await session.flush()
    await _bump(session, post, "favourites_count", 1)
    author = await account_repo.get_account_by_id(session, post.account_id)
    notify(session, author, account, "favourite", post)
    # Like.object is the post's id as a string (see DESIGN.md, wire rules).
    like = activities.like(row.like_uri, account.actor_uri, post.object_uri)
    await enqueue_delivery(session, like, account, personal_inbox(author))
    return row


async def unfavourite(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Post:
    """Take a like back; returns the liked post. Without a like there is nothing to undo."""
    require_local_person(account)
    post = await original_of(session, post)
    row = await post_repo.get_favourite(session, account.id, post.id)
    if row is None:
        return post
    like = activities.like(row.like_uri, account.actor_uri, post.object_uri)
    await session.delete(row)
    await session.flush()
    await _bump(session, post, "favourites_count", -1)
    author = await account_repo.get_account_by_id(session, post.account_id)
    await enqueue_delivery(session, activities.undo(account.actor_uri, like), account, personal_inbox(author))
    return post


# --- boosts ----------------------------------------------------------------------------

def _new_boost(urls: Urls, account: Account, original: Post, author: Account) -> Post:
    boost_id = new_id()
    # The boost's id is its Announce's id, served at /users/{name}/statuses/{id}/activity.
    return Post(
        id=boost_id, account_id=account.id, local=True, visibility="public", reblog_of_id=original.id,
        object_uri=f"{urls.status(account.username, boost_id)}/activity",
        to_uris=[PUBLIC], cc_uris=[account.followers_uri, author.actor_uri], created_at=utcnow(),
    )


async def _boost_audience(session: AsyncSession, account: Account, author: Account) -> set[str]:
    return await follower_inboxes(session, account.id) | inboxes_of([author])


async def boost(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Post:
    """Boost a public or unlisted post; returns the boost row (the same one when boosted twice)."""
    require_local_person(account)
    original = await original_of(session, post)
    await check_visible(session, account, original)
    if original.visibility not in PUBLIC_VISIBILITIES:
        raise ValidationError("only public and unlisted posts can be boosted")
    existing = await post_repo.get_boost(session, account.id, original.id)
    if existing is not None:
        return existing
    author = await account_repo.get_account_by_id(session, original.account_id)
    row = _new_boost(Urls(settings), account, original, author)
    session.add(row)
    await session.flush()
    await _bump(session, original, "reblogs_count", 1)
    notify(session, author, account, "reblog", original)
    readers = {account.id} | set(await follow_repo.get_local_follower_ids(session, account.id))
    await post_repo.add_to_home_feeds(session, row.id, readers)
    announce = announce_of(row, account, original, author)
    await enqueue_delivery(session, announce, account, await _boost_audience(session, account, author))
    return row


async def _boost_and_original(session: AsyncSession, account: Account, post: Post) -> tuple[Post | None, Post]:
    if post.reblog_of_id is not None and post.account_id == account.id:
        return await in_session(session, post), await get_post(session, post.reblog_of_id)
    original = await original_of(session, post)
    return await post_repo.get_boost(session, account.id, original.id), original


async def unboost(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Post:
    """Undo a boost, given the boost row or the boosted post; returns the boosted post."""
    require_local_person(account)
    row, original = await _boost_and_original(session, account, post)
    if row is None:
        return original
    author = await account_repo.get_account_by_id(session, original.account_id)
    announce = announce_of(row, account, original, author)
    inboxes = await _boost_audience(session, account, author)
    await post_repo.delete_post(session, row)
    await _bump(session, original, "reblogs_count", -1)
    await enqueue_delivery(session, activities.undo(account.actor_uri, announce), account, inboxes)
    return original
