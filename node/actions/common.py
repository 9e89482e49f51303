"""What the actions share: who may act, where one-to-one activities go, finding posts, and
turning stored posts into the activities that carry them (also served by the outbox)."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.actor import format_datetime
from activitypub.delivery.queue import preferred_inbox
from activitypub.outbox import activities
from activitypub.outbox.note import post_to_note
from activitypub.outbox.question import as_question
from storage.errors import NotFound
from storage.models import Account, Poll, Post, Quote
from storage.repositories import accounts as account_repo
from storage.repositories import polls as poll_repo
from storage.repositories import posts as post_repo
from storage.repositories import quotes as quote_repo
from storage.states import USER_ACTOR_TYPES, QuoteState

from ..errors import ValidationError
from ..urls import Urls



def require_local_person(account: Account) -> None:
    if account.domain is not None or account.actor_type not in USER_ACTOR_TYPES:
        raise ValidationError("only a local user can do this")


def personal_inbox(account: Account) -> list[str]:
    """The inbox for an activity meant for one remote actor (Follow, Like, Accept, Undo).

    Mastodon sends these to the actor's own inbox; a shared inbox is the fallback.
    """
    if account.domain is None or account.gone_at is not None:
        return []
    inbox = account.inbox_uri or preferred_inbox(account)
    return [inbox] if inbox else []


MAX_KEY = (1 << 63) - 1


def parse_key(value) -> int | None:
    """A row id from a path or a parameter; None for anything that cannot be one (a 20-digit
    number would overflow PostgreSQL's BIGINT and fail as a server error instead of a 404)."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    # At most 19 digits: longer text can never be a key, and is not worth converting.
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_KEY:
        return None
    return int(text)


async def get_post(session: AsyncSession, post_id) -> Post:
    key = parse_key(post_id)
    post = await post_repo.get_post_by_id(session, key) if key is not None else None
    if post is None:
        raise NotFound(f"post {post_id} not found")
    return post


async def in_session(session: AsyncSession, post: Post) -> Post:
    """This session's copy of a post (the same object when the caller loaded it here), so an
    action can change it even when it was handed a post loaded elsewhere."""
    return await get_post(session, post.id)


async def original_of(session: AsyncSession, post: Post) -> Post:
    """The boosted post for a boost (likes, replies and boosts act on it), else the post."""
    return await get_post(session, post.reblog_of_id if post.reblog_of_id is not None else post.id)


def note_of(urls: Urls, post: Post, author: Account, media: list, mentions: list[Account],
            quote: Quote | None = None, poll: Poll | None = None) -> dict:
    """The Note of a local post (its Question when it has a poll); a quote carries its
    authorization once it was granted."""
    from .polls import question_parts

    granted = quote.authorization_uri if quote is not None and quote.state == QuoteState.ACCEPTED else None
    note = post_to_note(post, author, media, media_url=urls.media, mentions=mentions, tag_url=urls.tag,
                        quote_authorization=granted)
    return as_question(note, **question_parts(poll)) if poll is not None else note


def announce_of(boost: Post, booster: Account, original: Post, original_author: Account) -> dict:
    return activities.announce(boost.object_uri, booster.actor_uri, original.object_uri, booster.followers_uri,
                               original_author.actor_uri, format_datetime(boost.created_at))


async def load_note(session: AsyncSession, urls: Urls, post: Post, author: Account) -> dict:
    media = await post_repo.list_media(session, [post.id])
    mentions = await post_repo.list_mentioned_accounts(session, [post.id])
    quote = await quote_repo.get_quote_by_post_id(session, post.id) if post.quote_of_uri else None
    poll = await poll_repo.get_poll_by_post_id(session, post.id)
    return note_of(urls, post, author, media.get(post.id, []), mentions.get(post.id, []), quote, poll)


async def activities_of(session: AsyncSession, urls: Urls, author: Account, posts: list[Post]) -> list[dict]:
    """The Create (post) or Announce (boost) of each of an author's posts, loaded in batches."""
    ids = [post.id for post in posts if post.reblog_of_id is None]
    media = await post_repo.list_media(session, ids)
    mentions = await post_repo.list_mentioned_accounts(session, ids)
    originals = await post_repo.get_posts_by_ids(session, [p.reblog_of_id for p in posts if p.reblog_of_id])
    quotes = await quote_repo.get_quotes_by_post_ids(session, [post.id for post in posts if post.quote_of_uri])
    polls = await poll_repo.get_polls_by_post_ids(session, ids)
    items = []
    for post in posts:
        if post.reblog_of_id is None:
            note = note_of(urls, post, author, media.get(post.id, []), mentions.get(post.id, []), quotes.get(post.id),
                           polls.get(post.id))
            items.append(activities.create(author.actor_uri, note))
        elif post.reblog_of_id in originals:
            original = originals[post.reblog_of_id]
            original_author = await account_repo.get_account_by_id(session, original.account_id)
            items.append(announce_of(post, author, original, original_author))
    return items
