"""What a committed transaction changed that someone may be watching: new, edited and deleted
posts and new notifications (for the streams), and new rows in a work queue (deliveries,
inbox items, generation jobs: the workers wake for them), reported once the commit
succeeded (never before it, never after a rollback).

Every writer (API actions, web pages, the inbox worker) goes through the node's one
sessionmaker, so watching its sessions is the narrowest hook that sees local actions and
remote activity alike. `watch_sessions` gives one app's sessionmaker a Session class of its
own with these listeners, so two nodes in one process (tests) never see each other's rows;
`CommitListeners` hands each report to everyone who listens (the streaming hub, the change
feed to the node's other processes, the workers' wake-up).
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.models import Delivery, GenerationJob, InboxItem, Notification, Post
from storage.repositories.queues import QUEUED_WORK_KEY

INFO_KEY = "muralist_committed_changes"
# Rows that a worker draws. Inbox items are stored with a Core INSERT the flush does not see;
# the inbox endpoint wakes the workers itself (node/federation/inbox.py).
QUEUE_ROWS = (Delivery, InboxItem, GenerationJob)


@dataclass
class DeletedPost:
    post_id: int
    account_id: int
    visibility: str
    local: bool
    tags: list


@dataclass
class Changes:
    new_post_ids: list[int] = field(default_factory=list)
    edited_post_ids: list[int] = field(default_factory=list)
    deleted_posts: list[DeletedPost] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)
    queued_work: bool = False

    def __bool__(self) -> bool:
        return bool(self.new_post_ids or self.edited_post_ids or self.deleted_posts or self.notification_ids
                    or self.queued_work)

    @classmethod
    def merged(cls, batch: list["Changes"]) -> "Changes":
        """What several commits changed, in their order."""
        merged = cls()
        for changes in batch:
            merged.new_post_ids += changes.new_post_ids
            merged.edited_post_ids += changes.edited_post_ids
            merged.deleted_posts += changes.deleted_posts
            merged.notification_ids += changes.notification_ids
            merged.queued_work = merged.queued_work or changes.queued_work
        return merged


def _changes(session: Session) -> Changes:
    return session.info.setdefault(INFO_KEY, Changes())


def _after_flush(session: Session, _flush_context) -> None:
    # The session's new/dirty lists and attribute histories still show this flush here.
    changes = _changes(session)
    for row in session.new:
        if isinstance(row, Post):
            changes.new_post_ids.append(row.id)
        elif isinstance(row, Notification):
            changes.notification_ids.append(row.id)
        elif isinstance(row, QUEUE_ROWS):
            changes.queued_work = True
    for row in session.dirty:
        if isinstance(row, Post) and inspect(row).attrs.edited_at.history.has_changes():
            changes.edited_post_ids.append(row.id)


def _before_delete(state) -> None:
    """Posts are deleted in bulk (`delete(Post).where(...)`), which flush events never see:
    read what the statement is about to remove, in the same transaction."""
    # The statement holds an annotated copy of the table, so compare names rather than objects.
    if not state.is_delete or getattr(getattr(state.statement, "table", None), "name", None) != Post.__tablename__:
        return
    whereclause = state.statement.whereclause
    query = select(Post.id, Post.account_id, Post.visibility, Post.local, Post.tags)
    rows = state.session.execute(query.where(whereclause) if whereclause is not None else query)
    _changes(state.session).deleted_posts.extend(DeletedPost(*row) for row in rows)


def watch_sessions(sessionmaker: async_sessionmaker[AsyncSession], report: Callable[[Changes], None]) -> None:
    """Make `sessionmaker`'s sessions call `report(changes)` soon after each commit that changed
    something; `report` runs on the event loop, outside the session."""

    def after_commit(session: Session) -> None:
        changes = session.info.pop(INFO_KEY, None)
        if session.info.pop(QUEUED_WORK_KEY, False):
            changes = changes or Changes()
            changes.queued_work = True
        if changes:
            # Commit events run inside the session's call; report once it has returned.
            asyncio.get_running_loop().call_soon(report, changes)

    def after_rollback(session: Session) -> None:
        session.info.pop(INFO_KEY, None)
        session.info.pop(QUEUED_WORK_KEY, None)

    base = sessionmaker.kw.get("sync_session_class", Session)
    watched = type("WatchedSession", (base,), {})
    event.listen(watched, "after_flush", _after_flush)
    event.listen(watched, "do_orm_execute", _before_delete)
    event.listen(watched, "after_commit", after_commit)
    event.listen(watched, "after_rollback", after_rollback)
    sessionmaker.configure(sync_session_class=watched)


class CommitListeners:
    """Everyone who hears of committed changes: `local` is what this process committed (the
    sessions' report), `remote` what the node's other processes committed (the change feed).
    A listener added with `local_only` hears only the first (the feed that tells the others)."""

    def __init__(self) -> None:
        self._listeners: list[tuple[Callable[[Changes], None], bool]] = []

    def add(self, listener: Callable[[Changes], None], *, local_only: bool = False) -> None:
        self._listeners.append((listener, local_only))

    def local(self, changes: Changes) -> None:
        for listener, _local_only in list(self._listeners):
            listener(changes)

    def remote(self, changes: Changes) -> None:
        for listener, local_only in list(self._listeners):
            if not local_only:
                listener(changes)
