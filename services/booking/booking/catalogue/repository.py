"""All queries on the démarche catalogue."""

from collections.abc import Sequence

from sqlalchemy import any_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.catalogue.models import Demarche


async def list_demarches(
    session: AsyncSession,
    *,
    partner: str | None = None,
    modality: str | None = None,
    active_only: bool = True,
) -> Sequence[Demarche]:
    statement = select(Demarche).order_by(col(Demarche.partner), col(Demarche.label))
    if active_only:
        statement = statement.where(col(Demarche.active).is_(True))
    if partner:
        statement = statement.where(col(Demarche.partner) == partner)
    if modality:
        statement = statement.where(any_(col(Demarche.modalities)) == modality)
    return (await session.scalars(statement)).all()


async def get_many(session: AsyncSession, codes: Sequence[str]) -> dict[str, Demarche]:
    rows = await session.scalars(select(Demarche).where(col(Demarche.code).in_(codes)))
    return {row.code: row for row in rows}


async def get(session: AsyncSession, code: str) -> Demarche | None:
    return await session.get(Demarche, code)


async def insert_new(session: AsyncSession, values: dict) -> bool:
    """Insert unless the code exists; True when inserted."""
    statement = insert(Demarche).values(**values).on_conflict_do_nothing(index_elements=["code"])
    result = await session.execute(statement.returning(col(Demarche.code)))
    return result.scalar_one_or_none() is not None
