"""All queries on the commune table."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from locator.communes.models import Commune


@dataclass(frozen=True)
class CommuneRef:
    """The fields of a commune that imports, geocoding and the snapshot need, detached from the session."""

    code_insee: str
    name: str
    kind: str
    departement: str
    parent_code: str | None
    postcodes: tuple[str, ...]
    population: int
    lat: float | None
    lon: float | None
    region: str | None
    zone: str  # metro, drom or com


_REF_COLUMNS = (
    col(Commune.code_insee),
    col(Commune.name),
    col(Commune.kind),
    col(Commune.departement),
    col(Commune.parent_code),
    col(Commune.postcodes),
    col(Commune.population),
    func.ST_Y(func.geometry(Commune.location)).label("lat"),
    func.ST_X(func.geometry(Commune.location)).label("lon"),
    col(Commune.region),
    col(Commune.zone),
)


def _ref(row) -> CommuneRef:
    return CommuneRef(
        code_insee=row.code_insee,
        name=row.name,
        kind=row.kind,
        departement=row.departement,
        parent_code=row.parent_code,
        postcodes=tuple(row.postcodes),
        population=row.population,
        lat=row.lat,
        lon=row.lon,
        region=row.region,
        zone=row.zone,
    )


async def upsert_many(session: AsyncSession, rows: Sequence[dict]) -> None:
    statement = insert(Commune)
    statement = statement.on_conflict_do_update(
        index_elements=[col(Commune.code_insee)],
        set_={c: statement.excluded[c] for c in rows[0] if c != "code_insee"},
    )
    await session.execute(statement, rows)


async def all_refs(session: AsyncSession) -> list[CommuneRef]:
    result = await session.execute(select(*_REF_COLUMNS))
    return [_ref(row) for row in result]


async def by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, CommuneRef]:
    """The communes (or arrondissements) of ``codes``, as the table holds them now."""
    if not codes:
        return {}
    result = await session.execute(select(*_REF_COLUMNS).where(col(Commune.code_insee).in_(codes)))
    return {row.code_insee: _ref(row) for row in result}


async def count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Commune))).scalar_one()


async def nearest(session: AsyncSession, lat: float, lon: float) -> CommuneRef | None:
    point = text("ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography").bindparams(lat=lat, lon=lon)
    result = await session.execute(
        select(*_REF_COLUMNS)
        .where(col(Commune.location).is_not(None))
        .order_by(col(Commune.location).op("<->")(point))
        .limit(1)
    )
    row = result.first()
    return _ref(row) if row else None
