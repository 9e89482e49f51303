"""Posts, their media and mentions, the home feed, favourites and tombstones."""

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Favourite, HomeFeedEntry, MediaAttachment, Mention, Post, Tombstone


async def get_post_by_id(session: AsyncSession, post_id: int) -> Post | None:
    return await session.get(Post, post_id)


async def get_post_by_uri(session: AsyncSession, object_uri: str) -> Post | None:
    result = await session.execute(select(Post).where(Post.object_uri == object_uri))
    return result.scalar_one_or_none()


async def get_boost(session: AsyncSession, account_id: int, post_id: int) -> Post | None:
    result = await session.execute(
        select(Post).where(Post.account_id == account_id, Post.reblog_of_id == post_id)
    )
    return result.scalars().first()


async def list_media(session: AsyncSession, post_ids: list[int]) -> dict[int, list[MediaAttachment]]:
    if not post_ids:
        return {}
    result = await session.execute(
        select(MediaAttachment).where(MediaAttachment.post_id.in_(post_ids)).order_by(MediaAttachment.position)
    )
    grouped: dict[int, list[MediaAttachment]] = {}
    for media in result.scalars():
        grouped.setdefault(media.post_id, []).append(media)
    return grouped


async def replace_media(session: AsyncSession, post: Post, media: list[MediaAttachment]) -> None:
    await session.execute(delete(MediaAttachment).where(MediaAttachment.post_id == post.id))
    for position, item in enumerate(media):
        item.post_id = post.id
        item.position = position
        session.add(item)


async def put_mentions(session: AsyncSession, post_id: int, account_ids: set[int]) -> None:
    await session.execute(delete(Mention).where(Mention.post_id == post_id))
    session.add_all(Mention(post_id=post_id, account_id=account_id) for account_id in sorted(account_ids))


async def add_to_home_feeds(session: AsyncSession, post_id: int, account_ids: set[int] | list[int]) -> None:
    """Insert the post into each listed home feed, ignoring ones it is already in."""
    await put_home_feed_rows(session, [(account_id, post_id) for account_id in set(account_ids)])


async def put_home_feed_rows(session: AsyncSession, pairs) -> None:
    """Insert (account id, post id) home-feed rows in one statement, skipping ones there."""
    rows = [{"account_id": account_id, "post_id": post_id} for account_id, post_id in sorted(set(pairs))]
    if not rows:
        return
    dialect = session.bind.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(HomeFeedEntry).values(rows).on_conflict_do_nothing())


async def get_posts_by_uris(session: AsyncSession, uris) -> dict[str, Post]:
    wanted = sorted({uri for uri in uris if uri})
    if not wanted:
        return {}
    result = await session.execute(select(Post).where(Post.object_uri.in_(wanted)))
    return {post.object_uri: post for post in result.scalars()}


async def get_tombstoned(session: AsyncSession, uris) -> set[str]:
    wanted = sorted({uri for uri in uris if uri})
    if not wanted:
        return set()
    return set((await session.execute(select(Tombstone.uri).where(Tombstone.uri.in_(wanted)))).scalars())


def add_mentions(session: AsyncSession, pairs) -> None:
    """Mention rows (post id, account id) of new posts, which have none yet."""
    session.add_all(Mention(post_id=post_id, account_id=account_id) for post_id, account_id in sorted(set(pairs)))


async def change_counter(session: AsyncSession, post_id: int, column: str, delta: int) -> None:
    """Adjust a denormalised counter in SQL, so concurrent workers never lose an increment."""
    field = getattr(Post, column)
    await session.execute(
        update(Post).where(Post.id == post_id).values({column: field + delta})
        .execution_options(synchronize_session=False)
    )


async def get_favourite(session: AsyncSession, account_id: int, post_id: int) -> Favourite | None:
    result = await session.execute(
        select(Favourite).where(Favourite.account_id == account_id, Favourite.post_id == post_id)
    )
    return result.scalar_one_or_none()


async def get_favourite_by_uri(session: AsyncSession, like_uri: str) -> Favourite | None:
    result = await session.execute(select(Favourite).where(Favourite.like_uri == like_uri))
    return result.scalar_one_or_none()


async def is_tombstoned(session: AsyncSession, uri: str) -> bool:
    return await session.get(Tombstone, uri) is not None


async def put_tombstone(session: AsyncSession, uri: str) -> None:
    if await session.get(Tombstone, uri) is None:
        session.add(Tombstone(uri=uri))


async def delete_post(session: AsyncSession, post: Post) -> None:
    """Remove a post with its boosts, media rows, mentions, favourites and feed entries."""
    boost_ids = select(Post.id).where(Post.reblog_of_id == post.id).scalar_subquery()
    for model, column in ((HomeFeedEntry, HomeFeedEntry.post_id), (Favourite, Favourite.post_id),
                          (Mention, Mention.post_id), (MediaAttachment, MediaAttachment.post_id)):
        await session.execute(delete(model).where(column.in_(boost_ids)))
        await session.execute(delete(model).where(column == post.id))
    await session.execute(delete(Post).where(Post.reblog_of_id == post.id))
    await session.execute(delete(Post).where(Post.id == post.id))
    if post.in_reply_to_id is not None:
        await change_counter(session, post.in_reply_to_id, "replies_count", -1)


async def list_replies(session: AsyncSession, parent_ids: list[int], limit: int) -> list[Post]:
    if not parent_ids:
        return []
    result = await session.execute(
        select(Post).where(Post.in_reply_to_id.in_(parent_ids)).order_by(Post.id).limit(limit)
    )
    return list(result.scalars())


async def detach_media(session: AsyncSession, post_id: int) -> None:
    """Give a post's images back to their owner as unattached uploads (delete-and-redraft reuses them)."""
    await session.execute(
        update(MediaAttachment).where(MediaAttachment.post_id == post_id).values(post_id=None)
        .execution_options(synchronize_session=False)
    )


async def count_local_posts(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(Post).where(Post.local.is_(True), Post.reblog_of_id.is_(None))
    )
    return int(result.scalar_one())


async def get_media_by_ids(session: AsyncSession, media_ids: list[int]) -> list[MediaAttachment]:
    if not media_ids:
        return []
    result = await session.execute(select(MediaAttachment).where(MediaAttachment.id.in_(media_ids)))
    return list(result.scalars())


_POSTS_BY_IDS = select(Post).where(Post.id.in_(bindparam("ids", expanding=True)))  # built once: every page runs it


async def get_posts_by_ids(session: AsyncSession, post_ids: list[int]) -> dict[int, Post]:
    if not post_ids:
        return {}
    result = await session.execute(_POSTS_BY_IDS, {"ids": sorted(set(post_ids))})
    return {post.id: post for post in result.scalars()}


async def list_mentioned_accounts(session: AsyncSession, post_ids: list[int]) -> dict[int, list[Account]]:
    """The accounts each post mentions, keyed by post id."""
    if not post_ids:
        return {}
    result = await session.execute(
        select(Mention.post_id, Account).join(Account, Account.id == Mention.account_id)
        .where(Mention.post_id.in_(post_ids)).order_by(Mention.post_id, Account.id)
    )
    grouped: dict[int, list[Account]] = {}
    for post_id, account in result.all():
        grouped.setdefault(post_id, []).append(account)
    return grouped


def _of_account(account_id: int, visibilities: tuple[str, ...]) -> tuple:
    return (Post.account_id == account_id, Post.visibility.in_(visibilities))


async def list_account_posts(session: AsyncSession, account_id: int, *, visibilities: tuple[str, ...],
                             max_id: int | None = None, limit: int = 20) -> list[Post]:
    """An account's posts and boosts with one of the visibilities, newest first."""
    query = select(Post).where(*_of_account(account_id, visibilities)).order_by(Post.id.desc()).limit(limit)
    if max_id is not None:
        query = query.where(Post.id < max_id)
    return list((await session.execute(query)).scalars())


async def count_account_posts(session: AsyncSession, account_id: int, *, visibilities: tuple[str, ...]) -> int:
    query = select(func.count()).select_from(Post).where(*_of_account(account_id, visibilities))
    return int((await session.execute(query)).scalar_one())


async def remove_author_from_home_feed(session: AsyncSession, account_id: int, author_id: int) -> None:
    """Take an author's posts and boosts out of one home feed (after an unfollow)."""
    authored = select(Post.id).where(Post.account_id == author_id).scalar_subquery()
    await session.execute(
        delete(HomeFeedEntry).where(HomeFeedEntry.account_id == account_id, HomeFeedEntry.post_id.in_(authored))
    )


async def add_posts_to_home_feed(session: AsyncSession, account_id: int, post_ids: list[int]) -> None:
    """Insert several posts into one home feed (a new follow's backfill), skipping ones there."""
    rows = [{"account_id": account_id, "post_id": post_id} for post_id in sorted(set(post_ids))]
    if not rows:
        return
    dialect = session.bind.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(insert(HomeFeedEntry).values(rows).on_conflict_do_nothing())
