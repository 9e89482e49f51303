"""The outbound side of a follow's lifecycle, and a local locked account's answers to requests.

    follow ----> requested --(Accept / authorize)--> accepted
       |            |                                   |
       |            +--(Reject / reject)--> removed      |
       +-- local unlocked target: accepted at once      +--(unfollow: Undo{Follow})--> removed

A remote target always starts `requested`; its Accept arrives through the inbox. Undo, Accept
and Reject embed the Follow they answer, rebuilt from the row (Mastodon and GoToSocial match
on the embedded object rather than fetching it). Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery
from activitypub.outbox import activities
from storage.errors import NotFound
from storage.models import Account, Follow
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id

from ..errors import ValidationError
from ..settings import Settings
from .common import notify, personal_inbox, require_local_person

BACKFILL_POSTS = 40


def follow_activity(row: Follow, follower: Account, target: Account) -> dict:
    return activities.follow(row.follow_uri, follower.actor_uri, target.actor_uri)


async def _backfill(session: AsyncSession, follower: Account, target: Account) -> None:
    """A new local follower's home feed gets the target's recent posts, as on Mastodon."""
    if follower.domain is not None:
        return
    posts = await post_repo.list_account_posts(session, target.id, visibilities=("public", "unlisted", "private"),
                                               limit=BACKFILL_POSTS)
    await post_repo.add_posts_to_home_feed(session, follower.id, [post.id for post in posts])


def _check_target(account: Account, target: Account) -> None:
    if target.id == account.id:
        raise ValidationError("you cannot follow yourself")
    if target.actor_type == "Application" and target.domain is None:
        raise ValidationError("this account cannot be followed")
    if target.gone_at is not None:
        raise ValidationError("this account is gone")


# --- outbound --------------------------------------------------------------------------

async def follow(session: AsyncSession, settings: Settings, account: Account, target: Account) -> Follow:
    """Follow `target`; following again returns the existing follow (requested or accepted)."""
    require_local_person(account)
    _check_target(account, target)
    existing = await follow_repo.get_follow(session, account.id, target.id)
    if existing is not None:
        return existing
    follow_id = new_id()
    accepted = target.domain is None and not target.locked
    row = Follow(id=follow_id, account_id=account.id, target_account_id=target.id,
                 follow_uri=f"{account.actor_uri}#follows/{follow_id}",
                 state="accepted" if accepted else "requested")
    session.add(row)
    await session.flush()
    if target.domain is None:
        notify(session, target, account, "follow" if accepted else "follow_request")
        if accepted:
            await _backfill(session, account, target)
        return row
    await enqueue_delivery(session, follow_activity(row, account, target), account, personal_inbox(target))
    return row


async def unfollow(session: AsyncSession, settings: Settings, account: Account, target: Account) -> None:
    """Stop following (or withdraw a request); a remote target gets Undo{Follow}."""
    require_local_person(account)
    row = await follow_repo.get_follow(session, account.id, target.id)
    if row is None:
        return
    original = follow_activity(row, account, target)
    await follow_repo.delete_follow(session, row)
    await post_repo.remove_author_from_home_feed(session, account.id, target.id)
    await enqueue_delivery(session, activities.undo(account.actor_uri, original), account, personal_inbox(target))


# --- answering requests to a locked local account ---------------------------------------

async def _pending(session: AsyncSession, account: Account, follower: Account) -> Follow:
    row = await follow_repo.get_follow(session, follower.id, account.id)
    if row is None or row.state != "requested":
        raise NotFound(f"no follow request from {follower.acct}")
    return row


async def authorize_follow_request(session: AsyncSession, settings: Settings, account: Account,
                                   follower: Account) -> Follow:
    """Accept a pending request; a remote follower gets Accept{Follow}."""
    require_local_person(account)
    row = await _pending(session, account, follower)
    row.state = "accepted"
    await session.flush()
    await _backfill(session, follower, account)
    accept = activities.accept_follow(account.actor_uri, follow_activity(row, follower, account))
    await enqueue_delivery(session, accept, account, personal_inbox(follower))
    return row


async def reject_follow_request(session: AsyncSession, settings: Settings, account: Account,
                                follower: Account) -> None:
    """Refuse a pending request; a remote follower gets Reject{Follow}."""
    require_local_person(account)
    row = await _pending(session, account, follower)
    reject = activities.reject_follow(account.actor_uri, follow_activity(row, follower, account))
    await follow_repo.delete_follow(session, row)
    await enqueue_delivery(session, reject, account, personal_inbox(follower))
