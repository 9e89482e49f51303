"""Deleting posts and whole accounts: a local author's delete (which sends Delete{Tombstone}),
a remote author's Delete arriving in the inbox, and a remote account deleted on its server.

Whichever side it comes from, a removed post leaves a tombstone (so a stale copy arriving
later cannot bring it back), takes its boosts, likes, images and feed entries with it, and
gives back the reply and boost it counted; deleting a boost is undoing it. Nothing here commits.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery
from activitypub.outbox import activities
from activitypub.outbox.note import addressing
from storage.models import Account, Favourite, Post
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from .common import in_session
from .posts import audience, mentions_of, own_local_post
from .quotes import source_removed
from .reactions import unboost


async def remove_post(session: AsyncSession, post: Post) -> None:
    """Remove a stored post (not a boost) with everything that hangs on it; its quotes stay,
    shown as quoting a deleted post."""
    await source_removed(session, post)
    await post_repo.put_tombstone(session, post.object_uri)
    await post_repo.delete_post(session, post)


async def delete_post(session: AsyncSession, settings: Settings, account: Account, post: Post) -> None:
    """Delete a local post (or undo a boost given as its row) and queue a Delete{Tombstone}."""
    if post.reblog_of_id is not None and post.account_id == account.id:
        await unboost(session, settings, account, post)
        return
    post = await in_session(session, post)
    own_local_post(account, post)
    mentions = await mentions_of(session, post)
    inboxes = await audience(session, post, account, mentions)
    to, cc = post.to_uris, post.cc_uris
    if not to and not cc:
        to, cc = addressing(post.visibility, account.actor_uri, account.followers_uri,
                            [item.actor_uri for item in mentions])
    delete = activities.delete_object(account.actor_uri, post.object_uri, list(to), list(cc))
    await remove_post(session, post)
    await enqueue_delivery(session, delete, account, inboxes)
    await session.flush()


async def receive_delete(session: AsyncSession, settings: Settings, author: Account, object_uri: str) -> None:
    """A remote author deleted a post or a boost. One not stored yet leaves a tombstone, so
    a Create that arrives after its Delete is ignored."""
    post = await post_repo.get_post_by_uri(session, object_uri)
    if post is None:
        await post_repo.put_tombstone(session, object_uri)
        return
    if post.account_id != author.id or post.local:
        raise ValidationError("only a post's author can delete it")
    if post.reblog_of_id is not None:
        await unboost(session, settings, author, post)
        await post_repo.put_tombstone(session, object_uri)
        return
    await remove_post(session, post)


async def delete_remote_account(session: AsyncSession, settings: Settings, account: Account) -> None:
    """A remote account was deleted on its server: its posts, boosts, likes and follows go,
    and the account is marked gone (nothing more is delivered to it)."""
    if account.domain is None:
        raise ValidationError("a local account is deleted through its own node")
    await purge_account(session, settings, account)
    account.gone_at = utcnow()


async def purge_account(session: AsyncSession, settings: Settings, account: Account) -> None:
    """Everything an account left on this node goes: posts (with their images), boosts,
    likes and follows both ways (a deleted, suspended or purged account)."""
    posts = (await session.execute(select(Post).where(Post.account_id == account.id).order_by(Post.id.desc())))
    for post in list(posts.scalars()):
        if account.domain is not None:
            await receive_delete(session, settings, account, post.object_uri)
        elif post.reblog_of_id is not None:
            # A local account's boosts go quietly: the Delete of the actor tells the peers.
            await post_repo.change_counter(session, post.reblog_of_id, "reblogs_count", -1)
            await post_repo.delete_post(session, post)
        else:
            await remove_post(session, post)
    favourites = await session.execute(select(Favourite).where(Favourite.account_id == account.id))
    for favourite in list(favourites.scalars()):
        await post_repo.change_counter(session, favourite.post_id, "favourites_count", -1)
        await session.delete(favourite)
    await follow_repo.delete_follows_of_account(session, account.id)
