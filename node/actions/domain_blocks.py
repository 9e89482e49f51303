"""Domain blocks: a local user hiding a whole server, and the admins limiting (`silence`) or
cutting off (`suspend`) one for the whole node. Nothing here commits.

Mastodon's rules: a user's domain block hides the server's accounts from her and ends their
follows of her; an admin's `silence` lets only followers see the server's accounts
(node/actions/hiding.py); `suspend` purges its accounts' posts, media, likes and follows,
refuses its inbox requests (node/federation/inbox.py), and sends it nothing more
(activitypub/delivery/queue.py leaves it out, and what was queued for it is dropped here).
"""

import re

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, AccountDomainBlock, Delivery, DomainBlock, Follow
from storage.repositories import blocks as block_repo
from storage.repositories import domain_blocks as domain_block_repo
from storage.states import DomainBlockSeverity, QueueState
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from .common import require_local_person
from .deletes import purge_account
from .follows import reject_follow

# A host name (with an optional port, as test and local peers have): labels of letters,
# digits and hyphens.
DOMAIN = re.compile(r"^(?=.{1,253}(:\d{1,5})?$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$")
MAX_COMMENT = 1000


def normalize_domain(text, settings: Settings | None = None) -> str:
    """A domain as stored: lowercased, without a scheme or path; ValidationError otherwise."""
    domain = text.strip().lower() if isinstance(text, str) else ""
    if not DOMAIN.match(domain):
        raise ValidationError(f"domain {str(text)[:100]!r} is not a domain name")
    if settings is not None and domain == settings.domain.lower():
        raise ValidationError("this node's own domain cannot be blocked")
    return domain


# --- by a user ---------------------------------------------------------------------------

async def hide_domain(session: AsyncSession, settings: Settings, account: Account, domain: str) -> None:
    """A user hides a server; its accounts' follows of her end (a Reject tells them)."""
    require_local_person(account)
    domain = normalize_domain(domain, settings)
    if await block_repo.blocks_domain(session, account.id, domain):
        return
    session.add(AccountDomainBlock(account_id=account.id, domain=domain))
    await session.flush()
    followers = await session.execute(select(Follow).join(Account, Account.id == Follow.account_id).where(
        Follow.target_account_id == account.id, Account.domain == domain))
    for follow in list(followers.scalars()):
        await reject_follow(session, settings, follow)


async def unhide_domain(session: AsyncSession, account: Account, domain: str) -> None:
    require_local_person(account)
    await block_repo.delete_domain_block(session, account.id, normalize_domain(domain))


# --- by the admins -------------------------------------------------------------------------

async def block_domain(session: AsyncSession, settings: Settings, domain: str, *, severity: str = "silence",
                       public_comment: str = "", private_comment: str = "", reject_media: bool = False,
                       reject_reports: bool = False, obfuscate: bool = False) -> DomainBlock:
    """Create or change the node's block of a server; a suspension purges its accounts."""
    domain = normalize_domain(domain, settings)
    if severity not in DomainBlockSeverity.__members__.values():
        raise ValidationError("severity must be one of noop, silence, suspend")
    if max(len(public_comment), len(private_comment)) > MAX_COMMENT:
        raise ValidationError(f"comments are limited to {MAX_COMMENT} characters")
    row = await domain_block_repo.get_domain_block(session, domain)
    if row is None:
        row = DomainBlock(domain=domain)
        session.add(row)
    row.severity, row.reject_media, row.reject_reports = severity, reject_media, reject_reports
    row.public_comment, row.private_comment, row.obfuscate = public_comment, private_comment, obfuscate
    row.updated_at = utcnow()
    await session.flush()
    if severity == DomainBlockSeverity.SUSPEND:
        await _suspend_domain(session, settings, domain)
    return row


async def _suspend_domain(session: AsyncSession, settings: Settings, domain: str) -> None:
    accounts = await session.execute(select(Account).where(Account.domain == domain))
    now = utcnow()
    for account in list(accounts.scalars()):
        if account.suspended_at is None:
            account.suspended_at = now
        await purge_account(session, settings, account)
    await session.execute(update(Delivery).where(Delivery.host == domain, Delivery.state == QueueState.QUEUED)
                          .values(state=QueueState.FAILED, last_error="the domain is suspended", finished_at=now))
    await session.flush()


async def unblock_domain(session: AsyncSession, domain: str) -> None:
    """Lift the node's block; accounts suspended with it are unsuspended (Mastodon's
    UnblockDomainService), ones suspended on their own stay so."""
    row = await domain_block_repo.get_domain_block(session, normalize_domain(domain))
    if row is None:
        raise NotFound(f"{domain} is not blocked")
    await session.execute(update(Account).where(Account.domain == row.domain, Account.suspended_at >= row.updated_at)
                          .values(suspended_at=None))
    await session.delete(row)
    await session.flush()
