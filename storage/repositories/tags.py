"""Tags: finding and making them, follows of tags, featured tags, and what posts say about a
tag (its recent use, an account's posts with it, hashtag timelines' any / all / none)."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import FeaturedTag, Post, Tag, TagFollow
from ..states import Visibility
from .timelines import has_tag


async def get_tag_by_name(session: AsyncSession, name: str) -> Tag | None:
    return (await session.execute(select(Tag).where(Tag.name == name.lower()))).scalar_one_or_none()


async def put_tag(session: AsyncSession, display_name: str) -> Tag:
    """The tag of this name, made if new (a race with another writer is settled by the unique name)."""
    found = await get_tag_by_name(session, display_name)
    if found is None:
        found = Tag(name=display_name.lower(), display_name=display_name)
        session.add(found)
        await session.flush()
    return found


async def get_tag_follow(session: AsyncSession, account_id: int, tag_id: int) -> TagFollow | None:
    return (await session.execute(select(TagFollow).where(
        TagFollow.account_id == account_id, TagFollow.tag_id == tag_id))).scalar_one_or_none()


async def get_followed_tag_ids(session: AsyncSession, account_id: int, tag_ids) -> set[int]:
    ids = sorted(set(tag_ids))
    if not ids:
        return set()
    return set((await session.execute(select(TagFollow.tag_id).where(
        TagFollow.account_id == account_id, TagFollow.tag_id.in_(ids)))).scalars())


async def delete_tag_follow(session: AsyncSession, account_id: int, tag_id: int) -> None:
    await session.execute(delete(TagFollow).where(TagFollow.account_id == account_id, TagFollow.tag_id == tag_id))


def followed_tags_query(account_id: int):
    """A select of (follow id, Tag) for one page of the account's followed tags."""
    query = select(TagFollow.id, Tag).join(Tag, Tag.id == TagFollow.tag_id).where(TagFollow.account_id == account_id)
    return query, TagFollow.id


async def get_tag_follower_ids_of(session: AsyncSession, names) -> dict[str, set[int]]:
    """For each tag name, the accounts that follow the tag (only local accounts follow tags)."""
    names = sorted({name.lower() for name in names if isinstance(name, str)})
    found: dict[str, set[int]] = defaultdict(set)
    if names:
        rows = await session.execute(select(Tag.name, TagFollow.account_id).join(
            TagFollow, TagFollow.tag_id == Tag.id).where(Tag.name.in_(names)))
        for name, account_id in rows.all():
            found[name].add(account_id)
    return found


async def list_featured_tags(session: AsyncSession, account_id: int) -> list[tuple[FeaturedTag, Tag]]:
    rows = await session.execute(select(FeaturedTag, Tag).join(Tag, Tag.id == FeaturedTag.tag_id)
                                 .where(FeaturedTag.account_id == account_id).order_by(FeaturedTag.id))
    return [(featured, tag) for featured, tag in rows.all()]


async def get_featured_tag(session: AsyncSession, account_id: int, featured_id: int) -> FeaturedTag | None:
    found = await session.get(FeaturedTag, featured_id)
    return found if found is not None and found.account_id == account_id else None


async def get_featured_tag_ids(session: AsyncSession, account_id: int, tag_ids) -> set[int]:
    ids = sorted(set(tag_ids))
    if not ids:
        return set()
    return set((await session.execute(select(FeaturedTag.tag_id).where(
        FeaturedTag.account_id == account_id, FeaturedTag.tag_id.in_(ids)))).scalars())


async def delete_featured_tag(session: AsyncSession, account_id: int, tag_id: int) -> None:
    await session.execute(delete(FeaturedTag).where(FeaturedTag.account_id == account_id,
                                                    FeaturedTag.tag_id == tag_id))


async def get_tag_uses(session: AsyncSession, name: str, since: datetime, limit: int) -> list[tuple[datetime, int]]:
    """(created_at, author id) of posts with the tag since a moment, newest first, at most `limit`."""
    rows = await session.execute(select(Post.created_at, Post.account_id).where(
        has_tag(name), Post.reblog_of_id.is_(None), Post.created_at >= since)
        .order_by(Post.id.desc()).limit(limit))
    return [(created_at, account_id) for created_at, account_id in rows.all()]


async def any_post_with_tag(session: AsyncSession, name: str) -> bool:
    return (await session.execute(select(Post.id).where(has_tag(name)).limit(1))).first() is not None


async def get_account_tag_stats(session: AsyncSession, account_id: int, names) -> dict[str, tuple[int, datetime | None]]:
    """For each tag, how many public or unlisted posts of the account carry it, and the latest's time."""
    stats = {}
    for name in sorted(set(names)):
        count, last = (await session.execute(select(func.count(), func.max(Post.created_at)).where(
            Post.account_id == account_id, has_tag(name), Post.reblog_of_id.is_(None),
            Post.visibility.in_((Visibility.PUBLIC, Visibility.UNLISTED))))).one()
        stats[name] = (int(count), last)
    return stats


def tag_conditions(any_of: list[str], all_of: list[str], none_of: list[str]) -> list:
    """Hashtag timelines' `any[]` (or the path's tag), `all[]` and `none[]`, as conditions on Post."""
    conditions = []
    if any_of:
        conditions.append(or_(*[has_tag(name) for name in any_of]))
    if all_of:
        conditions.append(and_(*[has_tag(name) for name in all_of]))
    conditions += [~has_tag(name) for name in none_of]
    return conditions
