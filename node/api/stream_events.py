"""Turning committed changes into streaming events: which streams a post, an edit, a deletion or
a notification goes to, rendered as the client API renders it.

Routing follows Mastodon's fan-out: a post goes to the `user` stream of each account whose
home feed it entered; a public post that is not a boost also to `public`, `public:local` when
it is ours, and `hashtag` for each of its tags. Notifications go to the recipient's `user`
and `user:notification` streams. Nothing is rendered for streams nobody listens to.
"""

import json
import os
import signal

from aiohttp import web
from sqlalchemy import select

from storage.models import Account, Follow, HomeFeedEntry, Notification, Post
from storage.repositories import posts as post_repo

from .. import context
from ..actions.hiding import shown_posts
from ..change_feed import open_feed
from ..committed_changes import Changes, DeletedPost
from ..streaming_hub import STREAMING_HUB, Hub, Stream
from .conversations import conversation_events
from .list_stream import list_delete_events, list_post_events, without_exclusive_readers
from .notification_requests import is_hidden
from .notifications import render_notifications
from .status_entity import render_statuses
from .status_filters import public_payloads

USER_STREAMS = ("user", "user:notification")


def _dump(entity: dict) -> str:
    return json.dumps(entity, separators=(",", ":"))


def public_streams(post_local: bool, visibility: str, is_boost: bool, tags) -> list[Stream]:
    if visibility != "public" or is_boost:
        return []
    streams: list[Stream] = [("public", None)] + [("hashtag", tag) for tag in tags or []]
    if post_local:
        streams += [("public:local", None)] + [("hashtag:local", tag) for tag in tags or []]
    return streams


async def _home_readers(session, hub: Hub, post_id: int) -> set[int]:
    listening = hub.user_ids(("user",))
    if not listening:
        return set()
    rows = await session.execute(select(HomeFeedEntry.account_id, Post.account_id).join(
        Post, Post.id == HomeFeedEntry.post_id).where(
        HomeFeedEntry.post_id == post_id, HomeFeedEntry.account_id.in_(sorted(listening))))
    readers = rows.all()
    return await without_exclusive_readers(session, readers[0][1], {reader for reader, _a in readers}) \
        if readers else set()


async def _post_events(session, app: web.Application, hub: Hub, post_ids: list[int], event: str) -> None:
    urls = app[context.URLS]
    posts = await post_repo.get_posts_by_ids(session, post_ids)
    for post_id in post_ids:
        post = posts.get(post_id)
        if post is None:
            continue  # deleted again before the event went out
        for account_id in sorted(await _home_readers(session, hub, post.id)):
            viewer = await session.get(Account, account_id)
            shown = await shown_posts(session, viewer, [post])  # blocks, mutes, suspensions
            for entity in await render_statuses(session, urls, viewer, shown, filter_context="home"):
                hub.publish(("user", account_id), event, _dump(entity))
        streams = [s for s in public_streams(post.local, post.visibility, post.reblog_of_id is not None, post.tags)
                   if hub.listening(s)]
        if streams:
            for entity in await render_statuses(session, urls, None, await shown_posts(session, None, [post])):
                payload_of = await public_payloads(session, hub, streams, entity)
                for stream in streams:
                    hub.publish_each(stream, event, payload_of)


async def _delete_events(session, hub: Hub, deleted: list[DeletedPost]) -> None:
    """A deletion goes where the post could have been seen: public streams for a public post,
    and the `user` streams of its author and the author's followers."""
    for post in deleted:
        streams = public_streams(post.local, post.visibility, False, post.tags)
        listening = hub.user_ids(("user",))
        if listening:
            followers = set((await session.execute(select(Follow.account_id).where(
                Follow.target_account_id == post.account_id, Follow.account_id.in_(sorted(listening))))).scalars())
            streams += [("user", account_id) for account_id in sorted(followers | ({post.account_id} & listening))]
        for stream in streams:
            hub.publish(stream, "delete", str(post.post_id))


async def _notification_events(session, app: web.Application, hub: Hub, notification_ids: list[int]) -> None:
    listening = hub.user_ids(USER_STREAMS)
    for notification_id in notification_ids:
        notification = await session.get(Notification, notification_id)
        if notification is None or notification.account_id not in listening:
            continue
        if await is_hidden(session, notification):
            continue  # kept aside by the recipient's notification policy
        viewer = await session.get(Account, notification.account_id)
        for entity in await render_notifications(session, app[context.URLS], viewer, [notification]):
            for name in USER_STREAMS:
                hub.publish((name, notification.account_id), "notification", _dump(entity))


async def publish_changes(app: web.Application, changes: Changes) -> None:
    hub = app[STREAMING_HUB]
    if not hub.subscribers:
        return
    async with app[context.SESSIONMAKER]() as session:
        await _post_events(session, app, hub, changes.new_post_ids, "update")
        edited = [post_id for post_id in changes.edited_post_ids if post_id not in changes.new_post_ids]
        await _post_events(session, app, hub, edited, "status.update")
        await list_post_events(session, app, hub, changes.new_post_ids, "update")
        await conversation_events(session, app, hub, changes.new_post_ids)
        await list_post_events(session, app, hub, edited, "status.update")
        await _delete_events(session, hub, changes.deleted_posts)
        await list_delete_events(session, hub, changes.deleted_posts)
        await _notification_events(session, app, hub, changes.notification_ids)


async def streaming_ctx(app: web.Application):
    """cleanup_ctx entry (after the database's): the hub, fed by every commit of this node, in
    this process directly and from the node's other processes through the change feed."""
    hub = Hub()
    app[STREAMING_HUB] = hub
    settings = app[context.SETTINGS]
    # An extra web server `serve` started is a client of the serving process's feed, and
    # stops when that process is gone.
    feed = open_feed(app[context.ENGINE], settings, hub=settings.feed_hub,
                     on_gone=lambda: os.kill(os.getpid(), signal.SIGTERM))

    def publish(changes: Changes) -> None:
        if changes.new_post_ids or changes.edited_post_ids or changes.deleted_posts or changes.notification_ids:
            hub.run(publish_changes(app, changes))

    commits = app[context.COMMITS]
    commits.add(publish)
    commits.add(feed.send, local_only=True)
    await feed.listen(commits.remote)
    yield
    await feed.close()
    await hub.close()


async def close_listeners(app: web.Application) -> None:
    """on_shutdown: end every stream, so graceful shutdown does not wait on open sockets."""
    if STREAMING_HUB in app:
        await app[STREAMING_HUB].close()
