"""Queueing deliveries: one row per distinct inbox, shared inboxes preferred, written in the
caller's transaction so an activity and its deliveries are committed together."""

import json
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Delivery, DomainBlock, Follow
from storage.repositories.queues import mark_queued
from storage.snowflake import new_id
from storage.states import DomainBlockSeverity, FollowState, QueueState
from storage.types import utcnow

from ..shapes import host_of


def preferred_inbox(account: Account) -> str | None:
    """A remote account's shared inbox if it has one: one POST then serves every follower there."""
    if account.domain is None or account.gone_at is not None:
        return None
    return account.shared_inbox_uri or account.inbox_uri


def inboxes_of(accounts: Iterable[Account]) -> set[str]:
    return {inbox for inbox in (preferred_inbox(account) for account in accounts) if inbox}


async def follower_inboxes(session: AsyncSession, account_id: int) -> set[str]:
    """The inboxes that reach every remote follower of a local account."""
    result = await session.execute(
        select(Account)
        .join(Follow, Follow.account_id == Account.id)
        .where(Follow.target_account_id == account_id, Follow.state == FollowState.ACCEPTED, Account.domain.is_not(None))
    )
    return inboxes_of(result.scalars())


async def _not_suspended(session: AsyncSession, inbox_uris: list[str]) -> list[str]:
    """The inboxes not on a server the admins suspended: nothing is delivered there."""
    if not inbox_uris:
        return inbox_uris
    hosts = {host_of(inbox) for inbox in inbox_uris}
    cut_off = set((await session.execute(select(DomainBlock.domain).where(
        DomainBlock.domain.in_(hosts), DomainBlock.severity == DomainBlockSeverity.SUSPEND))).scalars())
    return [inbox for inbox in inbox_uris if host_of(inbox) not in cut_off]


async def enqueue_delivery(session: AsyncSession, activity: dict, signer: Account, inbox_uris: Iterable[str]) -> int:
    """Add a queued delivery of `activity` for each inbox not already queued for it."""
    activity_uri = activity["id"]
    wanted = await _not_suspended(session, sorted(set(inbox_uris)))
    if not wanted:
        return 0
    existing = await session.execute(
        select(Delivery.inbox_uri).where(Delivery.activity_uri == activity_uri, Delivery.inbox_uri.in_(wanted))
    )
    already = set(existing.scalars())
    body = json.dumps(activity, ensure_ascii=False)
    now = utcnow()
    # One Core INSERT for the whole fan-out: a thousand ORM objects cost more than sending.
    rows = [{"id": new_id(), "activity_uri": activity_uri, "inbox_uri": inbox, "host": host_of(inbox), "body": body,
             "signer_account_id": signer.id, "state": QueueState.QUEUED, "attempts": 0, "next_attempt_at": now,
             "created_at": now} for inbox in wanted if inbox not in already]
    if rows:
        await session.execute(insert(Delivery), rows)
        mark_queued(session)
    return len(rows)
