"""The notification policy of a local account (Mastodon 4.3) as conditions on notifications.

The policy is read when notifications are read, not when they are written: a notification
is *filtered* (kept aside in a request per sender) or *dropped* (never shown) while a
condition of its sender holds that the policy filters or drops, unless the account accepted
that sender. The conditions are Mastodon's NotifyService::FilterCondition: the account does
not follow the sender; the sender does not follow the account; the sender's account is
younger than 30 days; a private mention (direct, not a reply to the account) from someone
the account does not follow. Limited accounts need moderation, which this node does not
have yet: that setting is kept and answered, and limits nobody.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, or_
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Follow, Notification, NotificationPermission, NotificationPolicy, Post
from ..states import FollowState, Visibility

DEFAULTS = {"for_not_following": "accept", "for_not_followers": "accept", "for_new_accounts": "accept",
            "for_private_mentions": "filter", "for_limited_accounts": "filter"}
ACTIONS = ("accept", "filter", "drop")
NEW_ACCOUNT_AGE = timedelta(days=30)


async def get_policy(session: AsyncSession, account_id: int) -> dict[str, str]:
    row = await session.get(NotificationPolicy, account_id)
    return {name: getattr(row, name) for name in DEFAULTS} if row is not None else dict(DEFAULTS)


async def put_policy(session: AsyncSession, account_id: int, values: dict[str, str]) -> dict[str, str]:
    row = await session.get(NotificationPolicy, account_id)
    if row is None:
        row = NotificationPolicy(account_id=account_id, **DEFAULTS)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    await session.flush()
    return {name: getattr(row, name) for name in DEFAULTS}


def _conditions(recipient_id: int, now: datetime) -> dict:
    sender = Notification.from_account_id
    not_following = ~exists().where(Follow.account_id == recipient_id, Follow.target_account_id == sender,
                                    Follow.state == FollowState.ACCEPTED)
    return {
        "for_not_following": not_following,
        "for_not_followers": ~exists().where(Follow.account_id == sender, Follow.target_account_id == recipient_id,
                                             Follow.state == FollowState.ACCEPTED),
        "for_new_accounts": exists().where(Account.id == sender, Account.created_at > now - NEW_ACCOUNT_AGE),
        "for_private_mentions": and_(Notification.type == "mention", not_following, exists().where(
            Post.id == Notification.post_id, Post.visibility == Visibility.DIRECT,
            or_(Post.in_reply_to_account_id.is_(None), Post.in_reply_to_account_id != recipient_id))),
    }


def policy_clauses(policy: dict[str, str], recipient_id: int, now: datetime):
    """(filtered, dropped): conditions on Notification for the recipient's policy."""
    conditions = _conditions(recipient_id, now)
    accepted = exists().where(NotificationPermission.account_id == recipient_id,
                              NotificationPermission.from_account_id == Notification.from_account_id)

    def holding(action: str):
        chosen = [conditions[name] for name in conditions if policy.get(name) == action]
        return and_(~accepted, or_(*chosen)) if chosen else false()

    dropped = holding("drop")
    return and_(holding("filter"), ~dropped), dropped


async def put_permission(session: AsyncSession, account_id: int, from_account_id: int) -> None:
    if await session.get(NotificationPermission, (account_id, from_account_id)) is None:
        session.add(NotificationPermission(account_id=account_id, from_account_id=from_account_id))
        await session.flush()
