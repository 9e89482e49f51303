"""The moderation half of the Relationship entity (https://docs.joinmastodon.org/entities/Relationship/):
`blocking`, `blocked_by`, `muting`, `muting_notifications`, `domain_blocking`, read for many
targets in a fixed number of queries."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Mute
from storage.repositories import blocks as block_repo
from storage.types import utcnow


@dataclass
class Moderation:
    blocking: set[int] = field(default_factory=set)
    blocked_by: set[int] = field(default_factory=set)
    mutes: dict[int, Mute] = field(default_factory=dict)
    hidden_domains: set[str] = field(default_factory=set)
    domains: dict[int, str | None] = field(default_factory=dict)

    def fields(self, target_id: int) -> dict:
        mute = self.mutes.get(target_id)
        fields = {
            "blocking": target_id in self.blocking,
            "blocked_by": target_id in self.blocked_by,
            "muting": mute is not None,
            "muting_notifications": mute is not None and mute.notifications,
            "domain_blocking": self.domains.get(target_id) in self.hidden_domains,
        }
        return fields


async def moderation_of(session: AsyncSession, viewer_id: int, target_ids: list[int]) -> Moderation:
    if not target_ids:
        return Moderation()
    blocking, blocked_by, mutes, hidden_domains = await block_repo.relationship_rows(
        session, viewer_id, target_ids, utcnow())
    domains = {}
    if hidden_domains:
        domains = dict((await session.execute(select(Account.id, Account.domain).where(
            Account.id.in_(target_ids)))).all())
    return Moderation(blocking, blocked_by, mutes, hidden_domains, domains)
