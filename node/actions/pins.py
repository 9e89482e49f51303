"""Pinned posts: a local author pins (at most MAX_PINS of her own posts, never a boost or a
direct message, as Mastodon's StatusPinValidator says) and unpins, and her followers' servers
hear of it as Mastodon says it: `Add`/`Remove` of the post to/from the actor's `featured`
collection. Remote actors' pins arrive the same way, or are read from their collection.
Nothing here commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, follower_inboxes
from activitypub.outbox import activities
from storage.models import Account, Post
from storage.repositories import pins as pin_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id
from storage.states import Visibility

from ..errors import ValidationError
from .common import in_session
from .posts import own_local_post

MAX_PINS = 5  # configuration.accounts.max_pinned_statuses


def featured_uri(account: Account) -> str:
    return account.featured_uri or f"{account.actor_uri}/collections/featured"


async def pin(session: AsyncSession, account: Account, post: Post) -> Post:
    post = await in_session(session, post)
    own_local_post(account, post)
    if post.visibility == Visibility.DIRECT:
        raise ValidationError("direct messages cannot be pinned")
    if await pin_repo.get_pin(session, account.id, post.id) is not None:
        return post
    if await pin_repo.count_pins(session, account.id) >= MAX_PINS:
        raise ValidationError(f"at most {MAX_PINS} posts can be pinned")
    await pin_repo.put_pin(session, account.id, post.id)
    await _tell_followers(session, account, post, activities.add_to_collection)
    return post


async def unpin(session: AsyncSession, account: Account, post: Post) -> Post:
    post = await in_session(session, post)
    own_local_post(account, post)
    if await pin_repo.get_pin(session, account.id, post.id) is None:
        return post
    await pin_repo.delete_pin(session, account.id, post.id)
    await _tell_followers(session, account, post, activities.remove_from_collection)
    return post


async def _tell_followers(session: AsyncSession, account: Account, post: Post, build) -> None:
    if post.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        return  # a followers-only pin is shown only here, where its readers are known
    activity = build(f"{account.actor_uri}#pins/{new_id()}", account.actor_uri, post.object_uri,
                     featured_uri(account))
    await enqueue_delivery(session, activity, account, await follower_inboxes(session, account.id))


# --- remote pins --------------------------------------------------------------------------

async def receive_pin(session: AsyncSession, actor: Account, object_uri: str, pinned: bool) -> None:
    """A remote actor's Add or Remove on its featured collection; a post not held here is
    left for the next reading of the collection."""
    post = await post_repo.get_post_by_uri(session, object_uri)
    if post is None or post.account_id != actor.id:
        return
    if pinned:
        await pin_repo.put_pin(session, actor.id, post.id)
    else:
        await pin_repo.delete_pin(session, actor.id, post.id)


async def replace_remote_pins(session: AsyncSession, actor: Account, posts: list[Post]) -> None:
    """The pins of a remote actor, as its featured collection lists them now."""
    own = [post.id for post in posts if post.account_id == actor.id][:MAX_PINS * 4]
    await pin_repo.replace_pins(session, actor.id, own)
