"""Geocoding: the national geocoder when configured and reachable, else the commune table."""

import re

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.errors import NotFound, Unprocessable
from locator.communes import repository as communes
from locator.communes.repository import CommuneRef
from locator.geocoding.ban_client import BanClient, GeocoderUnavailable
from locator.geocoding.schemas import GeocodeResponse, GeocodeSource, Place
from locator.text import search_key

_POSTCODE = re.compile(r"^\d{5}$|^2[AB]\d{3}$")


def _commune_place(commune: CommuneRef, postcode: str | None, score: float) -> Place:
    code = postcode or (commune.postcodes[0] if commune.postcodes else None)
    return Place(
        label=f"{commune.name} ({code})" if code else commune.name,
        lat=commune.lat,
        lon=commune.lon,
        kind="municipality",
        insee_code=commune.code_insee,
        postcode=code,
        commune=commune.name,
        score=score,
    )


async def geocode_communes(session: AsyncSession, q: str, limit: int) -> list[Place]:
    query = q.strip()
    if _POSTCODE.match(query):
        found = await communes.by_postcode(session, query)
        return [_commune_place(c, query, 1.0 if i == 0 else 0.8) for i, c in enumerate(found[:limit])]
    key = search_key(query)
    # "23000 Guéret" or "Guéret 23000": use the postcode to narrow the name.
    postcode = next((w for w in query.split() if _POSTCODE.match(w)), None)
    if postcode:
        key = search_key(query.replace(postcode, ""))
        found = [
            c for c in await communes.by_postcode(session, postcode) if search_key(c.name).startswith(key)
        ]
        if found:
            return [_commune_place(c, postcode, 1.0) for c in found[:limit]]
    if not key:
        return []
    found = await communes.by_name(session, key, limit)
    return [_commune_place(c, None, 1.0 if search_key(c.name) == key else 0.6) for c in found]


async def geocode(session: AsyncSession, ban: BanClient | None, q: str, limit: int = 5) -> GeocodeResponse:
    if len(q.strip()) < 2:
        raise Unprocessable(
            "Saisissez au moins deux caractères : un code postal, une commune ou une adresse."
        )
    if ban is not None and ban.available:
        try:
            places = await ban.search(q, limit)
            if places:
                return GeocodeResponse(query=q, source=GeocodeSource.ban, attribution="BAN", results=places)
        except GeocoderUnavailable:
            pass
    places = await geocode_communes(session, q, limit)
    return GeocodeResponse(query=q, source=GeocodeSource.communes, results=places)


async def locate(session: AsyncSession, ban: BanClient | None, q: str) -> tuple[Place, GeocodeSource]:
    """The best place for ``q``; NotFound with a French explanation when nothing matches."""
    answer = await geocode(session, ban, q, limit=1)
    if not answer.results:
        if _POSTCODE.match(q.strip()):
            raise NotFound(f"Le code postal {q.strip()} est inconnu.")
        raise NotFound(
            f"Aucun lieu ne correspond à « {q.strip()} ». Essayez un code postal ou un nom de commune."
        )
    return answer.results[0], answer.source
