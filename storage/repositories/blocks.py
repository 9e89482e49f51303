"""Blocks, mutes and user-level domain blocks: reads and writes of their rows, and the select
of the accounts one viewer has hidden (the lists' WHERE clauses are built from it)."""

from datetime import datetime

from sqlalchemy import delete, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, AccountDomainBlock, Block, Mute


async def get_block(session: AsyncSession, account_id: int, target_account_id: int) -> Block | None:
    return (await session.execute(select(Block).where(
        Block.account_id == account_id, Block.target_account_id == target_account_id))).scalar_one_or_none()


async def get_block_by_uri(session: AsyncSession, block_uri: str) -> Block | None:
    return (await session.execute(select(Block).where(Block.block_uri == block_uri))).scalar_one_or_none()


async def get_mute(session: AsyncSession, account_id: int, target_account_id: int) -> Mute | None:
    return (await session.execute(select(Mute).where(
        Mute.account_id == account_id, Mute.target_account_id == target_account_id))).scalar_one_or_none()


async def is_blocked_either_way(session: AsyncSession, one_id: int, other_id: int) -> bool:
    found = await session.execute(select(Block.id).where(or_(
        (Block.account_id == one_id) & (Block.target_account_id == other_id),
        (Block.account_id == other_id) & (Block.target_account_id == one_id))).limit(1))
    return found.first() is not None


async def list_blocked_pairs(session: AsyncSession, pairs) -> set[tuple[int, int]]:
    """Which of the (blocker, blocked) pairs are blocks, in one query."""
    pairs = set(pairs)
    if not pairs:
        return set()
    rows = await session.execute(select(Block.account_id, Block.target_account_id).where(
        Block.account_id.in_({blocker for blocker, _ in pairs}),
        Block.target_account_id.in_({blocked for _, blocked in pairs})))
    return {(blocker, blocked) for blocker, blocked in rows.all() if (blocker, blocked) in pairs}


async def blocks_domain(session: AsyncSession, account_id: int, domain: str | None) -> bool:
    """Whether the account hides the whole server `domain` (None: this node, never hidden)."""
    if domain is None:
        return False
    found = await session.execute(select(AccountDomainBlock.id).where(
        AccountDomainBlock.account_id == account_id, AccountDomainBlock.domain == domain.lower()).limit(1))
    return found.first() is not None


def hidden_by(viewer_id: int, now: datetime):
    """A select of the ids of accounts the viewer does not want to see or may not see: those
    the viewer blocks or mutes (a mute until it expires), those who block the viewer, and the
    accounts of servers the viewer hides."""
    return union(
        select(Block.target_account_id).where(Block.account_id == viewer_id),
        select(Block.account_id).where(Block.target_account_id == viewer_id),
        select(Mute.target_account_id).where(Mute.account_id == viewer_id,
                                             or_(Mute.expires_at.is_(None), Mute.expires_at > now)),
        select(Account.id).join(AccountDomainBlock, AccountDomainBlock.domain == Account.domain)
        .where(AccountDomainBlock.account_id == viewer_id),
    )


async def list_hidden_ids(session: AsyncSession, viewer_id: int, now: datetime) -> set[int]:
    return set((await session.execute(hidden_by(viewer_id, now))).scalars())


async def list_muted_notification_ids(session: AsyncSession, viewer_id: int, now: datetime) -> set[int]:
    """Accounts whose notifications the viewer does not want: blocked either way, muted with
    notifications (the default), or on a hidden server."""
    return set((await session.execute(union(
        select(Block.target_account_id).where(Block.account_id == viewer_id),
        select(Block.account_id).where(Block.target_account_id == viewer_id),
        select(Mute.target_account_id).where(Mute.account_id == viewer_id, Mute.notifications.is_(True),
                                             or_(Mute.expires_at.is_(None), Mute.expires_at > now)),
        select(Account.id).join(AccountDomainBlock, AccountDomainBlock.domain == Account.domain)
        .where(AccountDomainBlock.account_id == viewer_id),
    ))).scalars())


def blocks_page_query(account_id: int):
    query = (select(Block.id, Account).join(Account, Account.id == Block.target_account_id)
             .where(Block.account_id == account_id))
    return query, Block.id


def mutes_page_query(account_id: int, now: datetime):
    query = (select(Mute.id, Account).join(Account, Account.id == Mute.target_account_id)
             .where(Mute.account_id == account_id, or_(Mute.expires_at.is_(None), Mute.expires_at > now)))
    return query, Mute.id


def domain_blocks_page_query(account_id: int):
    query = select(AccountDomainBlock.id, AccountDomainBlock.domain).where(AccountDomainBlock.account_id == account_id)
    return query, AccountDomainBlock.id


async def delete_domain_block(session: AsyncSession, account_id: int, domain: str) -> None:
    await session.execute(delete(AccountDomainBlock).where(AccountDomainBlock.account_id == account_id,
                                                           AccountDomainBlock.domain == domain))


async def relationship_rows(session: AsyncSession, viewer_id: int, target_ids: list[int], now: datetime):
    """For the Relationship entity: the targets the viewer blocks, those blocking the viewer,
    the viewer's live mutes of them ({target: Mute}), and the servers the viewer hides."""
    blocks = (await session.execute(select(Block.account_id, Block.target_account_id).where(or_(
        (Block.account_id == viewer_id) & Block.target_account_id.in_(target_ids),
        (Block.target_account_id == viewer_id) & Block.account_id.in_(target_ids))))).all()
    blocking = {target for owner, target in blocks if owner == viewer_id}
    blocked_by = {owner for owner, target in blocks if target == viewer_id}
    mutes = (await session.execute(select(Mute).where(
        Mute.account_id == viewer_id, Mute.target_account_id.in_(target_ids),
        or_(Mute.expires_at.is_(None), Mute.expires_at > now)))).scalars()
    domains = set((await session.execute(select(AccountDomainBlock.domain).where(
        AccountDomainBlock.account_id == viewer_id))).scalars())
    return blocking, blocked_by, {mute.target_account_id: mute for mute in mutes}, domains
