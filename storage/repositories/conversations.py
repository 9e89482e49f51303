"""Direct conversations of local accounts: found by participants, paged by their newest
post, one by id (only the owner's)."""

import hashlib

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import NotFound
from ..models import Conversation


def participants_key(participant_ids) -> str:
    """The digest that names a set of participants (any size, one fixed-width column)."""
    return hashlib.sha256(",".join(str(i) for i in sorted(set(participant_ids))).encode()).hexdigest()


async def get_conversations_by_keys(session: AsyncSession, pairs) -> dict[tuple[int, str], Conversation]:
    """The rows for (account id, participants key) pairs that exist."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    rows = await session.execute(select(Conversation).where(
        tuple_(Conversation.account_id, Conversation.participants_key).in_(pairs)))
    return {(row.account_id, row.participants_key): row for row in rows.scalars()}


def conversations_query(account_id: int):
    """A select of (newest post id, Conversation) for one page, keyed by the newest post."""
    query = select(Conversation.last_post_id, Conversation).where(Conversation.account_id == account_id)
    return query, Conversation.last_post_id


async def get_conversation(session: AsyncSession, account_id: int, conversation_id: int) -> Conversation:
    found = await session.get(Conversation, conversation_id)
    if found is None or found.account_id != account_id:
        raise NotFound(f"conversation {conversation_id} not found")
    return found


async def get_conversations_with_post(session: AsyncSession, post_id: int, account_ids) -> list[Conversation]:
    """The conversations of `account_ids` whose newest post is `post_id` (for the `direct` stream)."""
    ids = sorted(set(account_ids))
    if not ids:
        return []
    rows = await session.execute(select(Conversation).where(
        Conversation.last_post_id == post_id, Conversation.account_id.in_(ids)).order_by(Conversation.id))
    return list(rows.scalars())
