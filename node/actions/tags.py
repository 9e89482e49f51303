"""Tags: following a hashtag (its public posts, local and remote, enter the follower's home
feed as they arrive, as Mastodon's FanOutOnWriteService#deliver_to_hashtag_followers!) and
featuring one on a profile. A tag name is what a hashtag in a post may be: word characters
with at least one that is not a digit (node/actions/text.py). Nothing here commits.
"""

import re

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, FeaturedTag, Post, Tag, TagFollow
from storage.repositories import tags as tag_repo
from storage.states import Visibility

from ..errors import ValidationError

TAG_NAME = re.compile(r"\w*[^\W\d]\w*")
MAX_TAG = 100
MAX_FEATURED = 10  # Mastodon's FeaturedTag::LIMIT
MAX_FOLLOWED = 1000


def tag_name(raw) -> str:
    """The tag a path or a field names (a leading `#` allowed); ValidationError for one no post could use."""
    name = raw.strip().lstrip("#") if isinstance(raw, str) else ""
    if not TAG_NAME.fullmatch(name) or len(name) > MAX_TAG:
        raise ValidationError(f"{raw!r} is not a hashtag name (letters, digits and _, at most {MAX_TAG})")
    return name


async def follow_tag(session: AsyncSession, account: Account, name: str) -> Tag:
    tag = await tag_repo.put_tag(session, tag_name(name))
    if await tag_repo.get_tag_follow(session, account.id, tag.id) is None:
        session.add(TagFollow(account_id=account.id, tag_id=tag.id))
        await session.flush()
    return tag


async def unfollow_tag(session: AsyncSession, account: Account, name: str) -> Tag | None:
    tag = await tag_repo.get_tag_by_name(session, tag_name(name))
    if tag is not None:
        await tag_repo.delete_tag_follow(session, account.id, tag.id)
    return tag


async def feature_tag(session: AsyncSession, account: Account, name: str, *, strict: bool = True) -> FeaturedTag:
    """Feature a tag on the profile; featuring it twice is a 422 with `strict` (Mastodon's
    POST /featured_tags), answered as it is without (POST /tags/:name/feature)."""
    tag = await tag_repo.put_tag(session, tag_name(name))
    featured = await tag_repo.list_featured_tags(session, account.id)
    for row, other in featured:
        if other.id == tag.id:
            if strict:
                raise ValidationError("Validation failed: Tag has already been taken")
            return row
    if len(featured) >= MAX_FEATURED:
        raise ValidationError(f"Validation failed: you can feature at most {MAX_FEATURED} tags")
    row = FeaturedTag(account_id=account.id, tag_id=tag.id)
    session.add(row)
    await session.flush()
    return row


async def tag_readers(session: AsyncSession, posts: list[Post]) -> dict[int, set[int]]:
    """For each public post (not a boost), the local accounts that follow one of its tags."""
    tagged = [post for post in posts if post.visibility == Visibility.PUBLIC and post.reblog_of_id is None
              and post.tags]
    if not tagged:
        return {}
    followers = await tag_repo.get_tag_follower_ids_of(session, {name for post in tagged for name in post.tags})
    return {post.id: set().union(*(followers.get(str(name).lower(), set()) for name in post.tags)) for post in tagged}
