"""SQL of partner keys."""

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from gateway.partners.models import PartnerKey


async def add(session: AsyncSession, key: PartnerKey) -> PartnerKey:
    session.add(key)
    await session.flush()
    return key


async def get_active_by_hash(session: AsyncSession, key_hash: str) -> PartnerKey | None:
    result = await session.execute(
        select(PartnerKey).where(col(PartnerKey.key_hash) == key_hash, col(PartnerKey.revoked_at).is_(None))
    )
    return result.scalar_one_or_none()


async def list_keys(session: AsyncSession) -> list[PartnerKey]:
    result = await session.execute(select(PartnerKey).order_by(col(PartnerKey.created_at)))
    return list(result.scalars())


async def revoke(session: AsyncSession, key_id: uuid.UUID, when: dt.datetime) -> PartnerKey | None:
    """Marks the key revoked (once); the key, or None when unknown."""
    await session.execute(
        update(PartnerKey)
        .where(col(PartnerKey.id) == key_id, col(PartnerKey.revoked_at).is_(None))
        .values(revoked_at=when)
    )
    return await session.get(PartnerKey, key_id, populate_existing=True)


async def active_origins(session: AsyncSession) -> set[str]:
    result = await session.execute(
        select(col(PartnerKey.origins)).where(col(PartnerKey.revoked_at).is_(None))
    )
    return {origin for origins in result.scalars() for origin in origins}
