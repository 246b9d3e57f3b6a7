"""All queries on the commune table."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import any_, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from locator.communes.models import Commune


@dataclass(frozen=True)
class CommuneRef:
    """The fields of a commune that imports and geocoding need, detached from the session."""

    code_insee: str
    name: str
    kind: str
    departement: str
    parent_code: str | None
    postcodes: tuple[str, ...]
    population: int
    lat: float | None
    lon: float | None


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
)


def _ref(row) -> CommuneRef:  # noqa: ANN001
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


async def count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Commune))).scalar_one()


async def by_postcode(session: AsyncSession, postcode: str) -> list[CommuneRef]:
    result = await session.execute(
        select(*_REF_COLUMNS)
        .where(any_(col(Commune.postcodes)) == postcode)
        .where(col(Commune.location).is_not(None))
        # In Paris, Lyon and Marseille the arrondissement is the precise answer for its postcode.
        .order_by((col(Commune.kind) == "arrondissement-municipal").desc(), col(Commune.population).desc())
    )
    return [_ref(row) for row in result]


async def by_name(session: AsyncSession, key: str, limit: int) -> list[CommuneRef]:
    """Exact matches on the search key first, then names starting with it, most populous first."""
    exact = col(Commune.search_key) == key
    result = await session.execute(
        select(*_REF_COLUMNS)
        .where(col(Commune.search_key).startswith(key))
        .where(col(Commune.location).is_not(None))
        .order_by(exact.desc(), col(Commune.population).desc())
        .limit(limit)
    )
    return [_ref(row) for row in result]


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
