"""The visibility rule (node/actions/visibility.py) as the client API asks it: a post by id
that the viewer may see, else 404, revealing nothing, as Mastodon does."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Post

from ..actions.common import get_post, original_of
from ..actions.hiding import blocked_from
from ..actions.visibility import visible_posts
from .params import parse_id

__all__ = ["get_visible_post", "visible_posts"]


async def get_visible_post(session: AsyncSession, viewer: Account | None, post_id) -> Post:
    """A post by id (a boost needs its original visible too); NotFound when the viewer may not see it."""
    key = parse_id(post_id)
    if key is None:  # past 2**63 no post has this id; asking the database would overflow its BIGINT
        raise NotFound(f"post {post_id} not found")
    post = await get_post(session, key)
    checked = [post] if post.reblog_of_id is None else [post, await original_of(session, post)]
    if len(await visible_posts(session, viewer, checked)) != len(checked) or \
            any([await blocked_from(session, viewer, item.account_id) for item in checked]):
        raise NotFound(f"post {post_id} not found")
    return post
