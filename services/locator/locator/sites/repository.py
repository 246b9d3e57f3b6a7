"""All queries on the site table."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from locator.sites.models import Site

_LAT = func.ST_Y(func.geometry(Site.location)).label("lat")
_LON = func.ST_X(func.geometry(Site.location)).label("lon")


async def upsert_many(session: AsyncSession, rows: Sequence[dict]) -> None:
    values = [
        {k: v for k, v in row.items() if k not in ("lat", "lon")}
        | {"location": f"SRID=4326;POINT({row['lon']} {row['lat']})"}
        for row in rows
    ]
    statement = insert(Site)
    statement = statement.on_conflict_do_update(
        index_elements=[col(Site.id)],
        set_={c: statement.excluded[c] for c in values[0] if c != "id"} | {"updated_at": func.now()},
    )
    await session.execute(statement, values)


async def count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Site))).scalar_one()


async def get(session: AsyncSession, site_id: int):
    result = await session.execute(select(Site, _LAT, _LON).where(col(Site.id) == site_id))
    return result.first()


async def all_located(session: AsyncSession) -> list:
    """Every site with its coordinates, in id order (the snapshot's)."""
    result = await session.execute(select(Site, _LAT, _LON).order_by(col(Site.id)))
    return list(result)
