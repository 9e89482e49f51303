"""The admins' domain blocks: the servers this node limits or cuts off."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import DomainBlock
from ..states import DomainBlockSeverity


async def get_domain_block(session: AsyncSession, domain: str) -> DomainBlock | None:
    return (await session.execute(select(DomainBlock).where(DomainBlock.domain == domain.lower()))).scalar_one_or_none()


async def list_domain_blocks(session: AsyncSession) -> list[DomainBlock]:
    return list((await session.execute(select(DomainBlock).order_by(DomainBlock.id))).scalars())


def limited_domains_select():
    """Servers whose accounts are hidden from those who do not follow them (silenced or
    suspended), as a select to use inside another statement."""
    return select(DomainBlock.domain).where(
        DomainBlock.severity.in_((DomainBlockSeverity.SILENCE, DomainBlockSeverity.SUSPEND)))


async def list_limited_domains(session: AsyncSession) -> list[str]:
    return list((await session.execute(limited_domains_select())).scalars())


async def is_suspended_domain(session: AsyncSession, domain: str | None) -> bool:
    if not domain:
        return False
    found = await session.execute(select(DomainBlock.id).where(
        DomainBlock.domain == domain.lower(), DomainBlock.severity == DomainBlockSeverity.SUSPEND).limit(1))
    return found.first() is not None
