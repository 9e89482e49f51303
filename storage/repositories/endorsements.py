"""Endorsed accounts (Mastodon's account pins), and the account lists built on follows that
the directory and familiar followers need."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ..models import Account, Endorsement, Follow, Post
from ..states import FollowState


async def get_endorsement(session: AsyncSession, account_id: int, target_id: int) -> Endorsement | None:
    result = await session.execute(select(Endorsement).where(Endorsement.account_id == account_id,
                                                             Endorsement.target_account_id == target_id))
    return result.scalar_one_or_none()


async def put_endorsement(session: AsyncSession, account_id: int, target_id: int) -> None:
    if await get_endorsement(session, account_id, target_id) is None:
        session.add(Endorsement(account_id=account_id, target_account_id=target_id))
        await session.flush()


async def delete_endorsement(session: AsyncSession, account_id: int, target_id: int) -> None:
    await session.execute(delete(Endorsement).where(Endorsement.account_id == account_id,
                                                    Endorsement.target_account_id == target_id))


async def get_endorsed_ids(session: AsyncSession, account_id: int, target_ids) -> set[int]:
    ids = list(set(target_ids))
    if not ids:
        return set()
    result = await session.execute(select(Endorsement.target_account_id).where(
        Endorsement.account_id == account_id, Endorsement.target_account_id.in_(ids)))
    return set(result.scalars())


async def list_endorsed_page(session: AsyncSession, account_id: int, page) -> list[tuple[int, Account]]:
    """(endorsement id, account) newest first; the endorsement ids are the page cursors."""
    query = select(Endorsement.id, Account).join(Account, Account.id == Endorsement.target_account_id) \
        .where(Endorsement.account_id == account_id)
    rows = (await session.execute(page.apply(query, Endorsement.id))).all()
    return page.newest_first([(row_id, account) for row_id, account in rows])


async def familiar_followers(session: AsyncSession, viewer_id: int, target_ids: list[int],
                             limit: int) -> dict[int, list[Account]]:
    """For each target, accounts the viewer follows that follow the target too."""
    mine, theirs = aliased(Follow), aliased(Follow)
    result = await session.execute(
        select(theirs.target_account_id, Account)
        .join(mine, (mine.target_account_id == theirs.account_id) & (mine.account_id == viewer_id)
              & (mine.state == FollowState.ACCEPTED))
        .join(Account, Account.id == theirs.account_id)
        .where(theirs.target_account_id.in_(target_ids), theirs.state == FollowState.ACCEPTED)
        .order_by(theirs.id.desc()))
    found: dict[int, list[Account]] = {target_id: [] for target_id in target_ids}
    for target_id, account in result.all():
        if len(found[target_id]) < limit:
            found[target_id].append(account)
    return found


async def list_directory(session: AsyncSession, *, order: str, local: bool, offset: int,
                         limit: int) -> list[Account]:
    """Discoverable people: the most recently active first (their newest post), or the newest."""
    query = select(Account).where(Account.discoverable.is_(True), Account.actor_type.in_(("Person", "Service")),
                                  Account.gone_at.is_(None))
    if local:
        query = query.where(Account.domain.is_(None))
    if order == "new":
        query = query.order_by(Account.created_at.desc(), Account.id.desc())
    else:
        latest = select(Post.account_id, func.max(Post.id).label("latest")).group_by(Post.account_id).subquery()
        query = query.outerjoin(latest, latest.c.account_id == Account.id) \
            .order_by(latest.c.latest.desc().nulls_last(), Account.id.desc())
    result = await session.execute(query.offset(offset).limit(limit))
    return list(result.scalars())
