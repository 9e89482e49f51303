"""The workers' push rounds: queue new notifications for the subscriptions that want them
(`queue_round`), then seal and send what is due (`send_round`).

Queueing reads notifications past each subscription's high-water mark, so nothing has to be
added where notifications are made (node/actions/notify.py); the mark is moved with a
compare-and-set, so two workers never queue the same notification twice. A push service's
404 or 410 means the subscription expired or was withdrawn (RFC 8030 §7.3): the
subscription is deleted with its queue. 429 and 5xx answers and network errors are retried
with backoff; any other answer ends that one message.
"""

import asyncio
import logging
import random
from datetime import datetime, timedelta

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from activitypub.errors import FetchError
from activitypub.netguard import check_url
from storage.models import Account, Post, PushDelivery, PushSubscription
from storage.repositories import push as push_repo
from storage.repositories import queues
from storage.states import QueueState
from storage.types import utcnow

from ..settings import Settings
from ..urls import Urls
from .payload import push_payload
from .seal import SealError, seal
from .vapid import vapid_key

log = logging.getLogger(__name__)

FANOUT_BATCH = 500
SEND_BATCH = 100
LEASE_SECONDS = 120.0
MAX_ATTEMPTS = 8  # about a day of retries, within the message's 48-hour TTL
BASE_DELAY = 30.0
GONE = (404, 410)
RETRYABLE = {408, 425, 429}

# The policy of a subscription: whose notifications it wants (Mastodon's `policy`).
POLICIES = ("all", "followed", "follower", "none")


def _wanted(subscription: PushSubscription, kind: str, follows: set[tuple[int, int]], sender_id: int) -> bool:
    if not (subscription.alerts or {}).get(kind):
        return False
    if subscription.policy == "none":
        return False
    if subscription.policy == "followed":
        return (subscription.account_id, sender_id) in follows
    if subscription.policy == "follower":
        return (sender_id, subscription.account_id) in follows
    return True


async def queue_round(sessionmaker: async_sessionmaker, urls: Urls) -> int:
    """Queue pushes for notifications made since the last round; returns how many were considered."""
    async with sessionmaker() as session:
        found = await push_repo.list_unpushed(session, FANOUT_BATCH)
        if not found:
            return 0
        pairs = {pair for s, n in found for pair in ((s.account_id, n.from_account_id), (n.from_account_id, s.account_id))}
        follows = await push_repo.follow_pairs(session, pairs)
        senders = await _by_id(session, Account, {n.from_account_id for _, n in found})
        posts = await _by_id(session, Post, {n.post_id for _, n in found if n.post_id is not None})
        by_subscription: dict[int, list] = {}
        for subscription, notification in found:
            by_subscription.setdefault(subscription.id, []).append((subscription, notification))
        rows = []
        for items in by_subscription.values():
            subscription = items[0][0]
            newest = max(notification.id for _, notification in items)
            if not await push_repo.advance_subscription(session, subscription.id, subscription.last_notification_id,
                                                        newest):
                continue
            for _, notification in items:
                sender = senders.get(notification.from_account_id)
                if sender is None or not _wanted(subscription, notification.type, follows, sender.id):
                    continue
                body = push_payload(urls, notification, sender, posts.get(notification.post_id))
                rows.append({"subscription_id": subscription.id, "notification_id": notification.id, "body": body})
        await push_repo.queue_pushes(session, rows)
        await session.commit()
    return len(found)


async def _by_id(session, model, ids) -> dict:
    if not ids:
        return {}
    result = await session.execute(select(model).where(model.id.in_(list(ids))))
    return {row.id: row for row in result.scalars()}


def _subject(settings: Settings) -> str:
    """VAPID `sub`: how a push service reaches the node's admin (RFC 8292 §2.1)."""
    return f"mailto:{settings.contact_email}" if settings.contact_email else settings.base_url


async def send_round(http: aiohttp.ClientSession, sessionmaker: async_sessionmaker, settings: Settings) -> int:
    """Send the due push messages; returns how many were attempted."""
    async with sessionmaker() as session:
        batch = await queues.claim(session, PushDelivery, limit=SEND_BATCH, lease_seconds=LEASE_SECONDS)
        if not batch:
            return 0
        key = await vapid_key(session)
        subscriptions = await push_repo.get_subscriptions_by_ids(session, {row.subscription_id for row in batch})
        await session.commit()
    subject = _subject(settings)

    async def attempt(row: PushDelivery) -> tuple[str, int | None, str]:
        subscription = subscriptions.get(row.subscription_id)
        if subscription is None:
            return "final", None, "the subscription is gone"
        return await _send(http, subscription, row.body.encode(), key.private_pem, subject,
                           settings.allow_private_addresses)

    outcomes = await asyncio.gather(*(attempt(row) for row in batch))
    await _settle(sessionmaker, batch, outcomes, subscriptions)
    return len(batch)


async def _send(http: aiohttp.ClientSession, subscription: PushSubscription, payload: bytes, vapid_pem: str,
                subject: str, allow_private: bool) -> tuple[str, int | None, str]:
    """One POST to the push service: ("done" | "retry" | "final" | "gone", status, error)."""
    try:
        check_url(subscription.endpoint, allow_private)
        sealed = seal(subscription, payload, vapid_pem, subject)
    except (FetchError, SealError) as exc:
        return "final", None, str(exc)
    try:
        async with http.post(subscription.endpoint, data=sealed.body, headers=sealed.headers,
                             timeout=aiohttp.ClientTimeout(total=15), allow_redirects=False) as response:
            await response.content.read(4096)
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, FetchError, OSError) as exc:
        return "retry", None, f"{type(exc).__name__}: {exc}"
    if 200 <= status < 300:
        return "done", status, ""
    if status in GONE:
        return "gone", status, f"the push service answered {status}"
    if status in RETRYABLE or status >= 500:
        return "retry", status, f"the push service answered {status}"
    return "final", status, f"the push service answered {status}"


def _retry_at(attempts: int, now: datetime) -> datetime | None:
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=BASE_DELAY * 3 ** (attempts - 1) * random.uniform(0.85, 1.15))


async def _settle(sessionmaker: async_sessionmaker, batch: list[PushDelivery], outcomes: list,
                  subscriptions: dict[int, PushSubscription]) -> None:
    now = utcnow()
    async with sessionmaker() as session:
        result = await session.execute(select(PushDelivery).where(PushDelivery.id.in_([row.id for row in batch])))
        fresh = {row.id: row for row in result.scalars()}
        gone = set()
        for row, (kind, status, error) in zip(batch, outcomes):
            current = fresh.get(row.id)
            if current is None or current.state != QueueState.QUEUED:
                continue
            if kind == "gone":
                gone.add(row.subscription_id)
                continue
            if kind == "done":
                await queues.settle_done(session, current)
            else:
                retry_at = _retry_at(current.attempts + 1, now) if kind == "retry" else None
                await queues.settle_retry(session, current, error=error, retry_at=retry_at)
                log.info("push %s to %s: %s %s", row.id, subscriptions.get(row.subscription_id) and
                         subscriptions[row.subscription_id].endpoint, kind, error)
            current.last_status = status
        for subscription_id in gone:
            # The push service forgot the subscription: drop it (its queue goes with it).
            await push_repo.delete_subscription(session, subscription_id)
        await session.commit()
