"""All queries on the stop table."""

from collections.abc import Sequence

from sqlalchemy import delete, func, literal_column, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from locator.communes.models import Commune
from locator.geo import ewkt_point
from locator.itineraries.models import REMOVED, Stop
from locator.sites.models import Site

_LAT = func.ST_Y(func.geometry(Stop.location)).label("lat")
_LON = func.ST_X(func.geometry(Stop.location)).label("lon")
_VISIBLE = col(Stop.source) != REMOVED  # stops an admin removed are kept only for re-imports


def _point(lat: float, lon: float):
    return text("ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography").bindparams(lat=lat, lon=lon)


async def of_site(session: AsyncSession, site_id: int) -> list:
    """Rows (Stop, lat, lon) of one site, in a stable order."""
    result = await session.execute(
        select(Stop, _LAT, _LON)
        .where(col(Stop.site_id) == site_id, _VISIBLE)
        .order_by(col(Stop.name), col(Stop.id))
    )
    return list(result)


async def get(session: AsyncSession, site_id: int, stop_id: int):
    result = await session.execute(
        select(Stop, _LAT, _LON).where(col(Stop.id) == stop_id, col(Stop.site_id) == site_id, _VISIBLE)
    )
    return result.first()


async def nearest(
    session: AsyncSession, lat: float, lon: float, *, limit: int, offset: int, radius_m: float | None
) -> list:
    """Rows (Stop, lat, lon, distance_m, Site) by distance (KNN on the GiST index)."""
    point = _point(lat, lon)
    distance = func.ST_Distance(Stop.location, point, False).label("distance_m")
    statement = (
        select(Stop, _LAT, _LON, distance, Site).join(Site, col(Site.id) == col(Stop.site_id)).where(_VISIBLE)
    )
    if radius_m is not None:
        statement = statement.where(func.ST_DWithin(Stop.location, point, radius_m, False))
    statement = statement.order_by(
        col(Stop.location).op("<->")(point), literal_column("distance_m"), col(Stop.id)
    )
    result = await session.execute(statement.offset(offset).limit(limit))
    return list(result)


async def all_listed(session: AsyncSession) -> list:
    """Every stop shown, in id order, with its site's name and commune (the snapshot's)."""
    result = await session.execute(
        select(
            col(Stop.id),
            col(Stop.name),
            col(Stop.visits),
            col(Stop.insee_code),
            col(Site.name).label("site_name"),
            col(Site.insee_code).label("site_insee_code"),
            _LAT,
            _LON,
        )
        .join(Site, col(Site.id) == col(Stop.site_id))
        .where(_VISIBLE)
        .order_by(col(Stop.id))
    )
    return list(result)


async def insert(session: AsyncSession, values: dict) -> int:
    stop = Stop(**_located(values))
    session.add(stop)
    await session.flush()
    return stop.id  # type: ignore[return-value]


async def update_one(session: AsyncSession, stop_id: int, values: dict) -> None:
    await session.execute(
        update(Stop).where(col(Stop.id) == stop_id).values(**_located(values), updated_at=func.now())
    )


async def delete_ids(session: AsyncSession, stop_ids: Sequence[int]) -> None:
    if stop_ids:
        await session.execute(delete(Stop).where(col(Stop.id).in_(stop_ids)))


async def of_sites(session: AsyncSession, site_ids: Sequence[int]) -> list:
    """Rows (Stop, lat, lon) of several sites (the import's refresh)."""
    result = await session.execute(
        select(Stop, _LAT, _LON).where(col(Stop.site_id).in_(site_ids)).order_by(col(Stop.id))
    )
    return list(result)


def _located(values: dict) -> dict:
    """``lat``/``lon`` → the geography column."""
    values = dict(values)
    if "lat" in values:
        values["location"] = ewkt_point(values.pop("lat"), values.pop("lon"))
    return values


async def commune(session: AsyncSession, insee_code: str):
    """(code_insee, name, lat, lon) of a current commune, or None."""
    result = await session.execute(
        select(
            col(Commune.code_insee),
            col(Commune.name),
            func.ST_Y(func.geometry(Commune.location)).label("lat"),
            func.ST_X(func.geometry(Commune.location)).label("lon"),
        ).where(col(Commune.code_insee) == insee_code, col(Commune.kind) != "arrondissement-municipal")
    )
    return result.first()
