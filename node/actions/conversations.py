"""Direct conversations: each local participant of a direct post sees it in the conversation
with the post's other participants (its author and the accounts it mentions), as Mastodon's
AccountConversation groups them. The post is unread for everyone but its author. Called
from node/actions/arrival.py for every new post, local or remote. Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Conversation, Post
from storage.repositories import conversations as conversation_repo
from storage.states import Visibility
from storage.types import utcnow

KEPT_POSTS = 50  # the newest posts a conversation remembers, to fall back on when one is deleted


def _participants(post: Post, author: Account, mentions: list[Account]) -> set[int]:
    return {author.id} | {account.id for account in mentions}


async def record_direct_posts(session: AsyncSession, arrivals: list[tuple[Post, Account, list[Account]]]) -> None:
    """Put each new direct post into its local participants' conversations."""
    entries = []  # (local account id, other participant ids, post, unread)
    for post, author, mentions in arrivals:
        if post.visibility != Visibility.DIRECT:
            continue
        everyone = _participants(post, author, mentions)
        local = {author.id} if author.domain is None else set()
        local |= {account.id for account in mentions if account.domain is None}
        for account_id in sorted(local):
            others = sorted(everyone - {account_id})
            entries.append((account_id, others, post, account_id != author.id))
    if not entries:
        return
    keys = {(account_id, conversation_repo.participants_key(others)) for account_id, others, _p, _u in entries}
    rows = await conversation_repo.get_conversations_by_keys(session, keys)
    for account_id, others, post, unread in entries:
        key = (account_id, conversation_repo.participants_key(others))
        row = rows.get(key)
        if row is None:
            row = rows[key] = Conversation(account_id=account_id, participants_key=key[1], participant_ids=others,
                                           post_ids=[], last_post_id=post.id)
            session.add(row)
        row.post_ids = sorted(set(row.post_ids or []) | {post.id})[-KEPT_POSTS:]
        if post.id >= row.last_post_id:
            # Mastodon: the newest post decides; its author has read it, the others have not.
            row.last_post_id, row.unread = post.id, unread
        row.updated_at = utcnow()
