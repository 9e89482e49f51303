"""Storing a post that another server sent (a Create, a boosted post fetched from its
origin, a search result): its row, reply and quote links and images, then the same arrival
as a local post (node/actions/arrival.py) and, for a quote, the same consent rules
(node/actions/quotes.py). Nothing here commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import RemoteNote
from storage.models import Account, MediaAttachment, Post
from storage.repositories import blocks as block_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id

from ..errors import ValidationError
from ..settings import Settings
from .arrival import posts_arrived
from .edits import MAX_REMOTE_IMAGES, local_mentions_of
from .polls import store_remote_poll
from .quotes import attach_quote


async def receive_post(session: AsyncSession, settings: Settings, author: Account, note: RemoteNote, *,
                       verified_authorization: str | None = None) -> Post | None:
    """Store the post unless it is held already (that copy is returned) or was deleted
    before it arrived (None). A quote whose QuoteAuthorization the caller fetched and checked
    passes it as `verified_authorization`."""
    [post] = await receive_posts(session, settings, [(author, note, verified_authorization)])
    return post


async def receive_posts(session: AsyncSession, settings: Settings,
                        arrivals: list[tuple[Account, RemoteNote, str | None]]) -> list[Post | None]:
    """`receive_post` for several posts at once, in a fixed number of statements whatever
    their number (the inbox stores a busy peer's posts in groups); one answer per arrival."""
    if any(author.domain is None for author, _note, _granted in arrivals):
        raise ValidationError("a local account's posts are written here, not received")
    uris = [note.object_uri for _author, note, _granted in arrivals]
    tombstoned = await post_repo.get_tombstoned(session, uris)
    held = await post_repo.get_posts_by_uris(session, uris)
    linked = await post_repo.get_posts_by_uris(session, [uri for _a, note, _g in arrivals for uri in
                                                        (note.fields["in_reply_to_uri"], note.fields["quote_of_uri"])])
    mentioned = await local_mentions_of(session, [note for _author, note, _granted in arrivals])
    refused = await _blocked_answers(session, arrivals, linked)
    new: list[tuple[Post, Account, RemoteNote, str | None]] = []
    for author, note, granted in arrivals:
        if note.object_uri in tombstoned or note.object_uri in held or note.object_uri in refused:
            continue
        post = Post(id=new_id(), account_id=author.id, local=False, **note.fields)
        parent, quoted = linked.get(post.in_reply_to_uri or ""), linked.get(post.quote_of_uri or "")
        if parent is not None:
            post.in_reply_to_id, post.in_reply_to_account_id = parent.id, parent.account_id
        post.quote_of_id = quoted.id if quoted is not None else None
        held[note.object_uri] = post  # the same post twice in one group is stored once
        new.append((post, author, note, granted))
    session.add_all(post for post, *_ in new)
    await session.flush()  # the posts before the rows that point at them
    session.add_all(MediaAttachment(account_id=author.id, post_id=post.id, position=position, **row)
                    for post, author, note, _g in new for position, row in enumerate(note.attachments[:MAX_REMOTE_IMAGES]))
    await session.flush()
    for post, _author, note, _g in new:
        await store_remote_poll(session, post, note.poll)
    await posts_arrived(session, [(post, author, mentioned(note)) for post, author, note, _g in new])
    for post, author, _note, granted in new:
        if post.quote_of_uri:
            await attach_quote(session, post, author, linked.get(post.quote_of_uri), verified_authorization=granted)
    return [None if note.object_uri in tombstoned or note.object_uri in refused else held[note.object_uri]
            for _a, note, _g in arrivals]


async def _blocked_answers(session: AsyncSession, arrivals, linked: dict[str, Post]) -> set[str]:
    """The posts that reply to or quote a post whose author blocks theirs: refused, as the
    client API refuses them to a blocked local user (node/actions/hiding.py)."""
    wanted = {}
    for author, note, _granted in arrivals:
        for uri in (note.fields["in_reply_to_uri"], note.fields["quote_of_uri"]):
            if uri in linked and linked[uri].account_id != author.id:
                wanted.setdefault(note.object_uri, []).append((linked[uri].account_id, author.id))
    blocked = await block_repo.list_blocked_pairs(session, [pair for pairs in wanted.values() for pair in pairs])
    return {uri for uri, pairs in wanted.items() if any(pair in blocked for pair in pairs)}
