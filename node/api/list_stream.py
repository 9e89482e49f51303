"""The `list` stream (`?stream=list&list=ID`): a list's new and edited posts and deletions, for
its owner only, and the rule that keeps an exclusive list's members out of `user` streams.

A post goes to a list's stream when it would show in the list's timeline (the same select,
storage.repositories.lists.list_timeline_query, narrowed to the one post), rendered for the
list's owner as the timeline renders it.
"""

import json

from sqlalchemy import select

from storage.models import Account, ListAccount
from storage.repositories import lists as list_repo
from storage.repositories import posts as post_repo

from .. import context
from ..committed_changes import DeletedPost
from ..streaming_hub import Hub
from .status_entity import render_statuses


def listened_list_ids(hub: Hub) -> list[int]:
    return sorted(parameter for (name, parameter) in hub.subscribers if name == "list")


async def owns_list(app, account_id: int, list_id: int) -> bool:
    async with app[context.SESSIONMAKER]() as session:
        found = (await list_repo.get_lists_by_ids(session, [list_id])).get(list_id)
    return found is not None and found.account_id == account_id


async def list_post_events(session, app, hub: Hub, post_ids: list[int], event: str) -> None:
    listening = listened_list_ids(hub)
    if not listening or not post_ids:
        return
    lists = list((await list_repo.get_lists_by_ids(session, listening)).values())
    posts = await post_repo.get_posts_by_ids(session, post_ids)
    for post_id in post_ids:
        post = posts.get(post_id)
        if post is None:
            continue
        for found in await list_repo.lists_showing(session, lists, post_id):
            viewer = await session.get(Account, found.account_id)
            for entity in await render_statuses(session, app[context.URLS], viewer, [post], filter_context="home"):
                hub.publish(("list", found.id), event, json.dumps(entity, separators=(",", ":")))


async def list_delete_events(session, hub: Hub, deleted: list[DeletedPost]) -> None:
    """A deleted post leaves the streams of the lists that hold its author."""
    listening = listened_list_ids(hub)
    if not listening or not deleted:
        return
    for post in deleted:
        rows = await session.execute(select(ListAccount.list_id).where(
            ListAccount.account_id == post.account_id, ListAccount.list_id.in_(listening)))
        for list_id in sorted(set(rows.scalars())):
            hub.publish(("list", list_id), "delete", str(post.post_id))


async def without_exclusive_readers(session, author_id: int, reader_ids: set[int]) -> set[int]:
    """The readers whose home feed shows the author's posts: an exclusive list of the reader
    that holds the author keeps them out, as the home timeline does."""
    return reader_ids - await list_repo.get_exclusive_readers(session, author_id, reader_ids)
