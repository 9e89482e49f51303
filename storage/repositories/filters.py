"""Filters of local accounts: the filters with their keywords and posts, one of each by id
(only the owner's), and the active filters that apply to what an account reads."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import NotFound
from ..models import Filter, FilterKeyword, FilterStatus


async def list_filters(session: AsyncSession, account_id: int) -> list[Filter]:
    result = await session.execute(select(Filter).where(Filter.account_id == account_id).order_by(Filter.id))
    return list(result.scalars())


async def count_filters(session: AsyncSession, account_id: int) -> int:
    return int((await session.execute(
        select(func.count()).select_from(Filter).where(Filter.account_id == account_id))).scalar_one())


async def list_active_filters(session: AsyncSession, account_id: int, now: datetime) -> list[Filter]:
    result = await session.execute(select(Filter).where(
        Filter.account_id == account_id, or_(Filter.expires_at.is_(None), Filter.expires_at > now)))
    return list(result.scalars())


async def get_filter(session: AsyncSession, account_id: int, filter_id: int) -> Filter:
    found = await session.get(Filter, filter_id)
    if found is None or found.account_id != account_id:
        raise NotFound(f"filter {filter_id} not found")
    return found


async def get_keywords(session: AsyncSession, filter_ids) -> dict[int, list[FilterKeyword]]:
    found: dict[int, list[FilterKeyword]] = defaultdict(list)
    ids = sorted(set(filter_ids))
    if ids:
        rows = await session.execute(select(FilterKeyword).where(FilterKeyword.filter_id.in_(ids))
                                     .order_by(FilterKeyword.id))
        for row in rows.scalars():
            found[row.filter_id].append(row)
    return found


async def get_filter_statuses(session: AsyncSession, filter_ids) -> dict[int, list[FilterStatus]]:
    found: dict[int, list[FilterStatus]] = defaultdict(list)
    ids = sorted(set(filter_ids))
    if ids:
        rows = await session.execute(select(FilterStatus).where(FilterStatus.filter_id.in_(ids))
                                     .order_by(FilterStatus.id))
        for row in rows.scalars():
            found[row.filter_id].append(row)
    return found


async def get_keyword(session: AsyncSession, account_id: int, keyword_id: int) -> tuple[FilterKeyword, Filter]:
    row = (await session.execute(select(FilterKeyword, Filter).join(Filter, Filter.id == FilterKeyword.filter_id)
                                 .where(FilterKeyword.id == keyword_id, Filter.account_id == account_id))).first()
    if row is None:
        raise NotFound(f"filter keyword {keyword_id} not found")
    return row[0], row[1]


async def get_filter_status(session: AsyncSession, account_id: int, status_id: int) -> tuple[FilterStatus, Filter]:
    row = (await session.execute(select(FilterStatus, Filter).join(Filter, Filter.id == FilterStatus.filter_id)
                                 .where(FilterStatus.id == status_id, Filter.account_id == account_id))).first()
    if row is None:
        raise NotFound(f"filter status {status_id} not found")
    return row[0], row[1]


async def delete_filter(session: AsyncSession, found: Filter) -> None:
    await session.execute(delete(FilterKeyword).where(FilterKeyword.filter_id == found.id))
    await session.execute(delete(FilterStatus).where(FilterStatus.filter_id == found.id))
    await session.delete(found)
    await session.flush()
