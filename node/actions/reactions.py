"""Liking and boosting posts, and taking either back, by local and remote accounts alike:
rows, counters, home feeds and notifications are written here once, whether the reaction
came through the client API or arrived as a Like or Announce in the inbox.

A local account's reactions travel: Like and Undo{Like} go to the post's author only; an
Announce and its Undo go to the booster's followers and the author. A remote account's
reactions arrive with the id of their activity and travel nowhere. Nothing here commits.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.context import PUBLIC
from activitypub.delivery.queue import enqueue_delivery, follower_inboxes, inboxes_of
from activitypub.outbox import activities
from storage.models import Account, Favourite, Post
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id
from storage.states import PUBLIC_VISIBILITIES, NotificationType, Visibility
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .common import announce_of, get_post, in_session, original_of, personal_inbox, require_local_person
from .notify import notify
from .visibility import check_visible


def _check_actor(account: Account, activity_uri: str | None, what: str) -> None:
    """A local account acts through this node; a remote one's reaction names its activity."""
    if account.domain is None:
        require_local_person(account)
    elif not activity_uri:
        raise ValidationError(f"a remote {what} needs the id of its activity")


async def _bump(session: AsyncSession, post: Post, column: str, delta: int) -> None:
    """Change a counter in SQL (concurrent workers may change it too), then reread it so the
    caller's copy of the post shows the new figure."""
    await post_repo.change_counter(session, post.id, column, delta)
    await session.refresh(post, [column])


# --- favourites ------------------------------------------------------------------------

async def favourite(session: AsyncSession, settings: Settings, account: Account, post: Post, *,
                    like_uri: str | None = None) -> Favourite | None:
    """Like a post the account may see (a boost stands for the post it boosts); liking twice
    changes nothing. A remote account's like counts only on this node's own posts: one of
    another server's post is counted there, and here nothing is written (None)."""
    _check_actor(account, like_uri, "like")
    post = await original_of(session, post)
    if account.domain is not None and not post.local:
        return None
    await check_visible(session, account, post)
    existing = await post_repo.get_favourite(session, account.id, post.id)
    if existing is not None:
        return existing
    favourite_id = new_id()
    row = Favourite(id=favourite_id, account_id=account.id, post_id=post.id,
                    like_uri=like_uri or f"{account.actor_uri}#likes/{favourite_id}")
    session.add(row)
    await session.flush()
    await _bump(session, post, "favourites_count", 1)
    author = await account_repo.get_account_by_id(session, post.account_id)
    notify(session, author, account, NotificationType.FAVOURITE, post)
    if account.domain is None:
        # Like.object is the post's id as a string (see DESIGN.md, wire rules).
        like = activities.like(row.like_uri, account.actor_uri, post.object_uri)
        await enqueue_delivery(session, like, account, personal_inbox(author))
    return row


async def unfavourite(session: AsyncSession, settings: Settings, account: Account, post: Post) -> Post:
    """Take a like back; returns the liked post. Without a like there is nothing to undo."""
    if account.domain is None:
        require_local_person(account)
    post = await original_of(session, post)
    row = await post_repo.get_favourite(session, account.id, post.id)
    if row is None:
        return post
    like = activities.like(row.like_uri, account.actor_uri, post.object_uri)
    await session.delete(row)
    await session.flush()
    await _bump(session, post, "favourites_count", -1)
    if account.domain is None:
        author = await account_repo.get_account_by_id(session, post.account_id)
        await enqueue_delivery(session, activities.undo(account.actor_uri, like), account, personal_inbox(author))
    return post


# --- boosts ----------------------------------------------------------------------------

def _local_boost(urls: Urls, account: Account, original: Post, author: Account) -> Post:
    boost_id = new_id()
    # The boost's id is its Announce's id, served at /users/{name}/statuses/{id}/activity.
    return Post(
        id=boost_id, account_id=account.id, local=True, visibility=Visibility.PUBLIC, reblog_of_id=original.id,
        object_uri=f"{urls.status(account.username, boost_id)}/activity",
        to_uris=[PUBLIC], cc_uris=[account.followers_uri, author.actor_uri], created_at=utcnow(),
    )


def _remote_boost(account: Account, original: Post, announce_uri: str, visibility: str | None,
                  published: datetime | None) -> Post:
    return Post(account_id=account.id, object_uri=announce_uri, local=False, reblog_of_id=original.id,
                visibility=visibility or Visibility.PUBLIC, created_at=published or utcnow())


async def _boost_audience(session: AsyncSession, account: Account, author: Account) -> set[str]:
    return await follower_inboxes(session, account.id) | inboxes_of([author])


async def boost(session: AsyncSession, settings: Settings, account: Account, post: Post, *,
                announce_uri: str | None = None, visibility: str | None = None,
                published: datetime | None = None) -> Post:
    """Boost a public or unlisted post the account may see; returns the boost row (the same
    one when boosted twice). A remote boost arrives with its Announce's id, audience and time."""
    _check_actor(account, announce_uri, "boost")
    original = await original_of(session, post)
    await check_visible(session, account, original)
    if original.visibility not in PUBLIC_VISIBILITIES:
        raise ValidationError("only public and unlisted posts can be boosted")
    existing = await post_repo.get_boost(session, account.id, original.id)
    if existing is not None:
        return existing
    author = await account_repo.get_account_by_id(session, original.account_id)
    if account.domain is None:
        row = _local_boost(Urls(settings), account, original, author)
    else:
        row = _remote_boost(account, original, announce_uri, visibility, published)
    session.add(row)
    await session.flush()
    await _bump(session, original, "reblogs_count", 1)
    notify(session, author, account, NotificationType.REBLOG, original)
    readers = set(await follow_repo.get_local_follower_ids(session, account.id))
    if account.domain is None:
        readers.add(account.id)
    await post_repo.add_to_home_feeds(session, row.id, readers)
    if account.domain is None:
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
    if account.domain is None:
        require_local_person(account)
    row, original = await _boost_and_original(session, account, post)
    if row is None:
        return original
    author = await account_repo.get_account_by_id(session, original.account_id)
    announce = announce_of(row, account, original, author) if account.domain is None else None
    inboxes = await _boost_audience(session, account, author) if account.domain is None else set()
    await post_repo.delete_post(session, row)
    await _bump(session, original, "reblogs_count", -1)
    if announce is not None:
        await enqueue_delivery(session, activities.undo(account.actor_uri, announce), account, inboxes)
    return original
