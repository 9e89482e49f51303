"""`Idempotency-Key`s of recent posts: the same key within the window answers the same post."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import IdempotencyKey


async def get_idempotent_post_id(session: AsyncSession, account_id: int, key: str, since: datetime) -> int | None:
    result = await session.execute(
        select(IdempotencyKey.post_id)
        .where(IdempotencyKey.account_id == account_id, IdempotencyKey.key == key, IdempotencyKey.created_at >= since)
    )
    return result.scalar_one_or_none()


async def put_idempotency_key(session: AsyncSession, account_id: int, key: str, post_id: int,
                              expired_before: datetime) -> None:
    """Remember the key for the post, dropping the account's expired keys (the same key included)."""
    await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.account_id == account_id,
                                     (IdempotencyKey.created_at < expired_before) | (IdempotencyKey.key == key))
    )
    session.add(IdempotencyKey(account_id=account_id, key=key, post_id=post_id))
