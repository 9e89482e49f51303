"""Notifications of local accounts: paged selects, one by id, dismissing and clearing."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Notification


def notifications_query(account_id: int, *, types: list[str] | None = None, exclude_types: list[str] | None = None,
                        from_account_id: int | None = None):
    """A select of (id, Notification) for one page, keyed by the notification id."""
    query = select(Notification.id, Notification).where(Notification.account_id == account_id)
    if types:
        query = query.where(Notification.type.in_(types))
    if exclude_types:
        query = query.where(Notification.type.not_in(exclude_types))
    if from_account_id is not None:
        query = query.where(Notification.from_account_id == from_account_id)
    return query, Notification.id


async def get_notification(session: AsyncSession, account_id: int, notification_id: int) -> Notification | None:
    result = await session.execute(
        select(Notification).where(Notification.id == notification_id, Notification.account_id == account_id)
    )
    return result.scalar_one_or_none()


async def delete_notification(session: AsyncSession, account_id: int, notification_id: int) -> None:
    await session.execute(
        delete(Notification).where(Notification.id == notification_id, Notification.account_id == account_id)
    )


async def delete_notifications(session: AsyncSession, account_id: int) -> None:
    await session.execute(delete(Notification).where(Notification.account_id == account_id))


async def count_notifications_after(session: AsyncSession, account_id: int, after_id: int, limit: int, *,
                                    exclude=None) -> int:
    """Notifications newer than `after_id`, up to `limit`; `exclude`: a condition on those not counted."""
    query = select(Notification.id).where(Notification.account_id == account_id, Notification.id > after_id)
    if exclude is not None:
        query = query.where(~exclude)
    inner = query.limit(limit).subquery()
    return int((await session.execute(select(func.count()).select_from(inner))).scalar_one())
