"""All queries of the coverage computation: one snapshot of communes, sites and stops."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def fingerprint(session: AsyncSession) -> str:
    """Changes whenever an import or an edit touches the tables coverage reads."""
    row = (
        await session.execute(
            text(
                "SELECT (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM site),"
                " (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM stop),"
                " (SELECT count(*) || '/' || coalesce(sum(population), 0) FROM commune"
                "  WHERE kind = 'commune-actuelle' AND location IS NOT NULL)"
            )
        )
    ).one()
    return "|".join(row)


async def communes(session: AsyncSession):
    """Every current commune with a centre (municipal arrondissements are inside their city)."""
    return (
        await session.execute(
            text(
                "SELECT code_insee, name, departement, coalesce(region, '') AS region, zone, population,"
                " ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon"
                " FROM commune WHERE kind = 'commune-actuelle' AND location IS NOT NULL ORDER BY code_insee"
            )
        )
    ).all()


async def sites(session: AsyncSession):
    return (
        await session.execute(
            text(
                "SELECT id, name, is_mobile, opening_hours, insee_code,"
                " ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon FROM site ORDER BY id"
            )
        )
    ).all()


async def stops(session: AsyncSession):
    return (
        await session.execute(
            text(
                "SELECT stop.id, stop.site_id, stop.name, stop.visits, site.name AS site_name,"
                " stop.insee_code, site.insee_code AS site_insee_code,"
                " ST_Y(stop.location::geometry) AS lat, ST_X(stop.location::geometry) AS lon"
                " FROM stop JOIN site ON site.id = stop.site_id"
                " WHERE stop.source <> 'removed'"  # hidden by an admin
                " ORDER BY stop.id"
            )
        )
    ).all()
