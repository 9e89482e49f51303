"""Web Push rows: the node's kept keys, subscriptions (one per access token), and the
fan-out of new notifications into the push queue."""

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Follow, NodeKey, Notification, OAuthToken, PushDelivery, PushSubscription
from ..snowflake import new_id
from ..states import FollowState, QueueState
from ..types import utcnow
from .queues import mark_queued


async def get_node_key(session: AsyncSession, name: str) -> NodeKey | None:
    return await session.get(NodeKey, name)


async def put_node_key(session: AsyncSession, name: str, private_pem: str, public_key: str) -> NodeKey:
    """Keep a new key unless another process kept one first: the first one stays."""
    try:
        async with session.begin_nested():
            session.add(NodeKey(name=name, private_pem=private_pem, public_key=public_key))
    except IntegrityError:
        pass
    key = await session.get(NodeKey, name, populate_existing=True)
    assert key is not None
    return key


async def get_subscription_by_token(session: AsyncSession, token_id: int) -> PushSubscription | None:
    result = await session.execute(select(PushSubscription).where(PushSubscription.token_id == token_id))
    return result.scalar_one_or_none()


async def put_subscription(session: AsyncSession, *, token_id: int, account_id: int, endpoint: str, key_p256dh: str,
                           key_auth: str, standard: bool, alerts: dict, policy: str) -> PushSubscription:
    """A token's subscription, replacing the one it had (as Mastodon does); notifications
    made before it are not pushed."""
    await delete_subscription_of_token(session, token_id)
    newest = await session.execute(select(func.max(Notification.id)).where(Notification.account_id == account_id))
    row = PushSubscription(token_id=token_id, account_id=account_id, endpoint=endpoint, key_p256dh=key_p256dh,
                           key_auth=key_auth, standard=standard, alerts=alerts, policy=policy,
                           last_notification_id=newest.scalar_one_or_none() or 0)
    session.add(row)
    await session.flush()
    return row


async def delete_subscription_of_token(session: AsyncSession, token_id: int) -> None:
    await session.execute(delete(PushSubscription).where(PushSubscription.token_id == token_id))


async def delete_subscription(session: AsyncSession, subscription_id: int) -> None:
    await session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))


async def list_unpushed(session: AsyncSession, limit: int) -> list[tuple[PushSubscription, Notification]]:
    """Notifications newer than each subscription's high-water mark, oldest first; a revoked
    token's subscription gets nothing more."""
    result = await session.execute(
        select(PushSubscription, Notification)
        .join(Notification, (Notification.account_id == PushSubscription.account_id)
              & (Notification.id > PushSubscription.last_notification_id))
        .join(OAuthToken, (OAuthToken.id == PushSubscription.token_id) & OAuthToken.revoked_at.is_(None))
        .order_by(Notification.id).limit(limit)
    )
    return [(subscription, notification) for subscription, notification in result.all()]


async def advance_subscription(session: AsyncSession, subscription_id: int, seen_id: int, to_id: int) -> bool:
    """Move the high-water mark from `seen_id` to `to_id`; False when another worker moved it
    first (then that worker pushes these notifications, not this one)."""
    result = await session.execute(
        update(PushSubscription)
        .where(PushSubscription.id == subscription_id, PushSubscription.last_notification_id == seen_id)
        .values(last_notification_id=to_id).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def queue_pushes(session: AsyncSession, rows: list[dict]) -> None:
    """Queue push deliveries ({subscription_id, notification_id, body}) in one INSERT."""
    if not rows:
        return
    now = utcnow()
    await session.execute(insert(PushDelivery), [
        {"id": new_id(), "state": QueueState.QUEUED, "attempts": 0, "next_attempt_at": now, "created_at": now, **row}
        for row in rows
    ])
    mark_queued(session)


async def get_subscriptions_by_ids(session: AsyncSession, ids) -> dict[int, PushSubscription]:
    ids = list(set(ids))
    if not ids:
        return {}
    result = await session.execute(select(PushSubscription).where(PushSubscription.id.in_(ids)))
    return {row.id: row for row in result.scalars()}


async def follow_pairs(session: AsyncSession, pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (follower, followed) pairs are accepted follows, in one query."""
    if not pairs:
        return set()
    followers = {a for a, _ in pairs} | {b for _, b in pairs}
    result = await session.execute(
        select(Follow.account_id, Follow.target_account_id)
        .where(Follow.account_id.in_(followers), Follow.target_account_id.in_(followers),
               Follow.state == FollowState.ACCEPTED)
    )
    return {(a, b) for a, b in result.all()} & pairs
