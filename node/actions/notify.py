"""Notifications: the one place a Notification row is made, for local actions and remote
activity alike, so the same event notifies the same way whichever side it came from."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Notification, Post
from storage.states import NotificationType


def notify(session: AsyncSession, recipient: Account, sender: Account, kind: NotificationType,
           post: Post | None = None, *, allow_self: bool = False) -> Notification | None:
    """A notification for a local recipient; nobody is notified of their own action (but an
    author is told that her own poll ended, `allow_self`, as Mastodon does), and remote
    accounts are notified by their own servers."""
    if recipient.domain is not None or (recipient.id == sender.id and not allow_self):
        return None
    row = Notification(account_id=recipient.id, type=NotificationType(kind), from_account_id=sender.id,
                       post_id=post.id if post is not None else None)
    session.add(row)
    return row
