"""A new post arriving on this node, whether a local user wrote it or it came from another
server: its reply count, whom it mentions, the home feeds it enters and who is notified.

Readers are the author (when local), the author's local followers (unless the post is
direct), the local accounts that follow one of its tags (when it is public), and every
mentioned local account. Mentioned local accounts are notified, and a
direct post enters its local participants' conversations (node/actions/conversations.py). Edits
notify only accounts they newly mention. (The author of a quoted post is told when the quote
is accepted: node/actions/quotes.py.) Nothing here commits.
"""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Post
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.states import NotificationType, Visibility

from .conversations import record_direct_posts
from .notify import notify
from .tags import tag_readers


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
    await posts_arrived(session, [(post, author, mentions)])


async def posts_arrived(session: AsyncSession, arrivals: list[tuple[Post, Account, list[Account]]]) -> None:
    """`post_arrived` for several new posts at once, in a fixed number of statements (the
    inbox stores a busy peer's posts in groups)."""
    replies = Counter(post.in_reply_to_id for post, _author, _mentions in arrivals if post.in_reply_to_id)
    for parent_id, count in replies.items():
        await post_repo.change_counter(session, parent_id, "replies_count", count)
    post_repo.add_mentions(session, [(post.id, account.id) for post, _author, mentions in arrivals
                                     for account in mentions])
    for post, author, mentions in arrivals:
        for account in mentions:
            notify(session, account, author, NotificationType.MENTION, post)
    followers = await follow_repo.get_local_follower_ids_of(
        session, {author.id for post, author, _m in arrivals if post.visibility != Visibility.DIRECT})
    by_tag = await tag_readers(session, [post for post, _author, _mentions in arrivals])
    rows = []
    for post, author, mentions in arrivals:
        readers = {account.id for account in mentions if account.domain is None} | by_tag.get(post.id, set())
        if author.domain is None:
            readers.add(author.id)
        if post.visibility != Visibility.DIRECT:
            readers.update(followers.get(author.id, ()))
        rows += [(reader, post.id) for reader in readers]
    await post_repo.put_home_feed_rows(session, rows)
    await record_direct_posts(session, arrivals)
