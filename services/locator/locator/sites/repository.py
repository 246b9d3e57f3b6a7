"""All queries on the site table."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, any_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from locator.sites.models import Site

_LAT = func.ST_Y(func.geometry(Site.location)).label("lat")
_LON = func.ST_X(func.geometry(Site.location)).label("lon")


@dataclass(frozen=True)
class SiteFilters:
    departement: str | None = None
    insee_code: str | None = None
    kinds: tuple[str, ...] = ()
    partner: str | None = None
    appointment_required: bool | None = None
    include_mobile: bool = True
    weekday: int | None = None


def _filtered(statement: Select, filters: SiteFilters) -> Select:
    if filters.departement:
        statement = statement.where(col(Site.departement) == filters.departement)
    if filters.insee_code:
        statement = statement.where(col(Site.insee_code) == filters.insee_code)
    if filters.kinds:
        statement = statement.where(col(Site.kind).in_(filters.kinds))
    if filters.partner:
        statement = statement.where(any_(col(Site.partners)) == filters.partner)
    if filters.appointment_required is not None:
        statement = statement.where(col(Site.appointment_required) == filters.appointment_required)
    if not filters.include_mobile:
        statement = statement.where(col(Site.is_mobile).is_(False))
    if filters.weekday is not None:
        statement = statement.where(Site.opening_hours.has_key(str(filters.weekday)))  # type: ignore[attr-defined]
    return statement


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


async def page(session: AsyncSession, filters: SiteFilters, *, offset: int, limit: int) -> tuple[int, list]:
    total = (await session.execute(_filtered(select(func.count()).select_from(Site), filters))).scalar_one()
    result = await session.execute(
        _filtered(select(Site, _LAT, _LON), filters).order_by(col(Site.id)).offset(offset).limit(limit)
    )
    return total, list(result)


async def all_located(session: AsyncSession) -> list:
    """Every site with its coordinates, in id order (the search index's snapshot)."""
    result = await session.execute(select(Site, _LAT, _LON).order_by(col(Site.id)))
    return list(result)
