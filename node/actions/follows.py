"""A follow's lifecycle, for local and remote followers and targets alike.

    follow ----> requested --(accept)--> accepted
       |            |                       |
       |            +--(reject)--> removed   +--(unfollow)--> removed
       +-- local target that is not locked: accepted at once

Who may follow whom, which state a new follow starts in, who is notified and what a new
follower's home feed gets are decided here, whether the follow was made through the client
API or arrived as a Follow in the inbox. What travels depends only on where the other side
lives: a remote target gets Follow and Undo{Follow}; a remote follower gets Accept{Follow}
or Reject{Follow}. Undo, Accept and Reject embed the Follow they answer, rebuilt from the
row (Mastodon and GoToSocial match on the embedded object rather than fetching it).
Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery
from activitypub.outbox import activities
from storage.errors import NotFound
from storage.models import Account, Follow
from storage.repositories import follows as follow_repo
from storage.repositories import lists as list_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id
from storage.states import USER_ACTOR_TYPES, FollowState, NotificationType

from ..errors import ValidationError
from ..settings import Settings
from .blocks import check_not_blocked
from .common import personal_inbox, require_local_person
from .notify import notify
from .visibility import FOLLOWER_VISIBILITIES

BACKFILL_POSTS = 40


def follow_activity(row: Follow, follower: Account, target: Account) -> dict:
    return activities.follow(row.follow_uri, follower.actor_uri, target.actor_uri)


def check_may_follow(follower: Account, target: Account) -> None:
    """ValidationError unless `follower` may ask to follow `target`: a local follower is a
    local user; a local target is a user or a bot (not the instance actor); nobody follows
    themselves or an account that is gone; two remote accounts' follows are not ours."""
    if follower.domain is None:
        require_local_person(follower)
    if target.id == follower.id:
        raise ValidationError("you cannot follow yourself")
    if target.domain is None and target.actor_type not in USER_ACTOR_TYPES:
        raise ValidationError("this account cannot be followed")
    if follower.domain is not None and target.domain is not None:
        raise ValidationError("neither account is on this server")
    if target.gone_at is not None:
        raise ValidationError("this account is gone")


async def _backfill(session: AsyncSession, follower: Account, target: Account) -> None:
    """A local follower's home feed gets the target's recent posts when the follow is
    accepted, as on Mastodon."""
    if follower.domain is not None:
        return
    posts = await post_repo.list_account_posts(session, target.id, visibilities=FOLLOWER_VISIBILITIES,
                                               limit=BACKFILL_POSTS)
    await post_repo.add_posts_to_home_feed(session, follower.id, [post.id for post in posts])


async def _accepted(session: AsyncSession, row: Follow, follower: Account, target: Account) -> None:
    """What an accepted follow brings: the follower's home feed, and an Accept for a remote
    follower from the local target."""
    row.state = FollowState.ACCEPTED
    await session.flush()
    await _backfill(session, follower, target)
    if follower.domain is not None:
        accept = activities.accept_follow(target.actor_uri, follow_activity(row, follower, target))
        await enqueue_delivery(session, accept, target, personal_inbox(follower))


# --- asking -------------------------------------------------------------------------------

async def follow(session: AsyncSession, settings: Settings, follower: Account, target: Account, *,
                 follow_uri: str | None = None) -> Follow:
    """`follower` asks to follow `target`; asking again returns the existing follow.

    A local follower's follow gets an id minted here; a remote follower's arrives with the id
    of its Follow (`follow_uri`). A local target that is not locked accepts at once.
    """
    check_may_follow(follower, target)
    await check_not_blocked(session, follower, target)
    if follower.domain is not None and not follow_uri:
        raise ValidationError("a remote follow needs the id of its Follow")
    existing = await follow_repo.get_follow(session, follower.id, target.id)
    if existing is not None:
        return await _asked_again(session, existing, follower, target, follow_uri)
    follow_id = new_id()
    row = Follow(id=follow_id, account_id=follower.id, target_account_id=target.id,
                 follow_uri=follow_uri or f"{follower.actor_uri}#follows/{follow_id}",
                 state=FollowState.REQUESTED)
    session.add(row)
    await session.flush()
    if target.domain is not None:
        await enqueue_delivery(session, follow_activity(row, follower, target), follower, personal_inbox(target))
        return row
    if target.locked:
        notify(session, target, follower, NotificationType.FOLLOW_REQUEST)
        return row
    notify(session, target, follower, NotificationType.FOLLOW)
    await _accepted(session, row, follower, target)
    return row


async def _asked_again(session: AsyncSession, row: Follow, follower: Account, target: Account,
                       follow_uri: str | None) -> Follow:
    """A Follow sent again by a remote follower (a new id, or after the target unlocked) is
    answered again, as Mastodon does, so a follower whose server lost the Accept recovers."""
    if follower.domain is None:
        return row
    if follow_uri and follow_uri != row.follow_uri:
        row.follow_uri = follow_uri
        await session.flush()
    if row.state == FollowState.ACCEPTED or not target.locked:
        await _accepted(session, row, follower, target)
    return row


# --- answering ------------------------------------------------------------------------------

async def accept_follow(session: AsyncSession, settings: Settings, row: Follow) -> Follow:
    """The target accepts a requested follow (a local user authorising a request, or a remote
    server's Accept); accepting twice changes nothing."""
    if row.state == FollowState.ACCEPTED:
        return row
    follower = await session.get(Account, row.account_id)
    target = await session.get(Account, row.target_account_id)
    await _accepted(session, row, follower, target)
    return row


async def reject_follow(session: AsyncSession, settings: Settings, row: Follow) -> None:
    """The target refuses a follow (or ends an accepted one): the row goes, and a remote
    follower gets Reject{Follow} from the local target."""
    follower = await session.get(Account, row.account_id)
    target = await session.get(Account, row.target_account_id)
    reject = activities.reject_follow(target.actor_uri, follow_activity(row, follower, target))
    await follow_repo.delete_follow(session, row)
    await post_repo.remove_author_from_home_feed(session, follower.id, target.id)
    await list_repo.remove_from_owner_lists(session, follower.id, target.id)  # lists hold followed accounts only
    if target.domain is None:
        await enqueue_delivery(session, reject, target, personal_inbox(follower))


async def pending_request(session: AsyncSession, target: Account, follower: Account) -> Follow:
    """The follow request from `follower` that the local `target` has not answered yet."""
    require_local_person(target)
    row = await follow_repo.get_follow(session, follower.id, target.id)
    if row is None or row.state != FollowState.REQUESTED:
        raise NotFound(f"no follow request from {follower.acct}")
    return row


async def authorize_follow_request(session: AsyncSession, settings: Settings, account: Account,
                                   follower: Account) -> Follow:
    """A locked local account accepts a pending request."""
    return await accept_follow(session, settings, await pending_request(session, account, follower))


async def reject_follow_request(session: AsyncSession, settings: Settings, account: Account,
                                follower: Account) -> None:
    """A locked local account refuses a pending request."""
    await reject_follow(session, settings, await pending_request(session, account, follower))


# --- withdrawing ------------------------------------------------------------------------------

async def unfollow(session: AsyncSession, settings: Settings, follower: Account, target: Account) -> None:
    """Stop following (or withdraw a request): the row and the target's posts in the
    follower's home feed go; a remote target gets Undo{Follow}. Without a follow there is
    nothing to undo."""
    if follower.domain is None:
        require_local_person(follower)
    row = await follow_repo.get_follow(session, follower.id, target.id)
    if row is None:
        return
    original = follow_activity(row, follower, target)
    await follow_repo.delete_follow(session, row)
    await post_repo.remove_author_from_home_feed(session, follower.id, target.id)
    await list_repo.remove_from_owner_lists(session, follower.id, target.id)  # lists hold followed accounts only
    if follower.domain is None:
        await enqueue_delivery(session, activities.undo(follower.actor_uri, original), follower,
                               personal_inbox(target))
