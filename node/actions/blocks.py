"""Blocks, for local and remote blockers alike: the one place a block is written or lifted.

A block (Mastodon's BlockService, and its inbox handler for a remote Block) ends follows
both ways and takes each side's posts out of the other's home feed; while it stands, the
blocked account may not follow the blocker, and the blocker's posts are "not found" to it
(node/actions/hiding.py), so it cannot like, boost, reply to or quote them. A local user's
block of a remote account travels as Block and its lifting as Undo{Block} to the blocked
actor's inbox; Mastodon then hides the blocker's posts from the blocked account the same
way. A remote blocker's Block arrives with its id, which its Undo names. Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery
from activitypub.outbox import activities
from storage.models import Account, Block
from storage.repositories import blocks as block_repo
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id

from ..errors import ValidationError
from ..settings import Settings
from .common import personal_inbox, require_local_person


def block_activity(row: Block, account: Account, target: Account) -> dict:
    return activities.block(row.block_uri, account.actor_uri, target.actor_uri)


def _check_pair(account: Account, target: Account, block_uri: str | None) -> None:
    if account.domain is None:
        require_local_person(account)
    elif not block_uri:
        raise ValidationError("a remote block needs the id of its Block")
    if target.id == account.id:
        raise ValidationError("you cannot block yourself")
    if account.domain is not None and target.domain is not None:
        raise ValidationError("neither account is on this server")


async def _part(session: AsyncSession, account: Account, target: Account) -> None:
    """Follows both ways end, without Undo or Reject: the Block tells the other server."""
    for follower, followed in ((account, target), (target, account)):
        row = await follow_repo.get_follow(session, follower.id, followed.id)
        if row is not None:
            await follow_repo.delete_follow(session, row)
        await post_repo.remove_author_from_home_feed(session, follower.id, followed.id)


async def block(session: AsyncSession, settings: Settings, account: Account, target: Account, *,
                block_uri: str | None = None) -> Block:
    """`account` blocks `target`; blocking again returns the standing block."""
    _check_pair(account, target, block_uri)
    existing = await block_repo.get_block(session, account.id, target.id)
    if existing is not None:
        return existing
    block_id = new_id()
    row = Block(id=block_id, account_id=account.id, target_account_id=target.id,
                block_uri=block_uri or f"{account.actor_uri}#blocks/{block_id}")
    session.add(row)
    await session.flush()
    await _part(session, account, target)
    if account.domain is None and target.domain is not None:
        await enqueue_delivery(session, block_activity(row, account, target), account, personal_inbox(target))
    return row


async def unblock(session: AsyncSession, settings: Settings, account: Account, target: Account) -> None:
    """Lift a block; a remote target's server gets Undo{Block}. Without a block nothing happens."""
    if account.domain is None:
        require_local_person(account)
    row = await block_repo.get_block(session, account.id, target.id)
    if row is None:
        return
    original = block_activity(row, account, target)
    await session.delete(row)
    await session.flush()
    if account.domain is None and target.domain is not None:
        await enqueue_delivery(session, activities.undo(account.actor_uri, original), account, personal_inbox(target))


async def check_not_blocked(session: AsyncSession, account: Account, target: Account) -> None:
    """403 (refusing a follow, say) when either account blocks the other."""
    if await block_repo.is_blocked_either_way(session, account.id, target.id):
        raise ValidationError("this account is blocked", status=403)
    if await block_repo.blocks_domain(session, target.id, account.domain):
        raise ValidationError("this account's server is blocked", status=403)
