"""A new post arriving on this node, whether a local user wrote it or it came from another
server: its reply count, whom it mentions, the home feeds it enters and who is notified.

Readers are the author (when local), the author's local followers (unless the post is
direct) and every mentioned local account. Mentioned local accounts are notified. Edits
notify only accounts they newly mention. (The author of a quoted post is told when the quote
is accepted: node/actions/quotes.py.) Nothing here commits.
"""

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Post
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.states import NotificationType, Visibility

from .notify import notify


async def mention(session: AsyncSession, post: Post, author: Account, mentions: Iterable[Account], *,
                  before: Iterable[int] = ()) -> None:
    """Record whom the post mentions; each mentioned local account not among `before` (the
    ids it mentioned until an edit) is notified."""
    mentions, before = list(mentions), set(before)
    await post_repo.put_mentions(session, post.id, {account.id for account in mentions})
    for account in mentions:
        if account.id not in before:
            notify(session, account, author, NotificationType.MENTION, post)


async def post_arrived(session: AsyncSession, post: Post, author: Account, mentions: list[Account]) -> None:
    """Everything a stored new post changes on this node besides its own rows."""
    if post.in_reply_to_id is not None:
        await post_repo.change_counter(session, post.in_reply_to_id, "replies_count", 1)
    await mention(session, post, author, mentions)
    readers = {account.id for account in mentions if account.domain is None}
    if author.domain is None:
        readers.add(author.id)
    if post.visibility != Visibility.DIRECT:
        readers |= set(await follow_repo.get_local_follower_ids(session, author.id))
    await post_repo.add_to_home_feeds(session, post.id, readers)
