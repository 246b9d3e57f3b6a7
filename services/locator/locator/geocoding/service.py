"""Geocoding: the national geocoder when configured and reachable, else the offline gazetteer of the
commune table (``gazetteer.py``)."""

import re
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.errors import NotFound, Unprocessable
from locator.communes import repository as communes
from locator.geocoding.ban_client import BanClient, GeocoderUnavailable
from locator.geocoding.gazetteer import Found, Gazetteer
from locator.geocoding.schemas import GeocodeResponse, GeocodeSource, Place

_POSTCODE = re.compile(r"^\d{5}$|^2[AB]\d{3}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _commune_place(found: Found) -> Place:
    commune = found.commune
    code = found.postcode or (commune.postcodes[0] if commune.postcodes else None)
    label = f"{commune.name} ({code})" if code else commune.name
    if found.former_name:
        label += f", anciennement {found.former_name}"
    assert commune.lat is not None and commune.lon is not None  # the gazetteer holds located communes only
    return Place(
        label=label,
        lat=commune.lat,
        lon=commune.lon,
        kind="municipality",
        precision="municipality",
        insee_code=commune.code_insee,
        postcode=code,
        commune=commune.name,
        score=found.score,
    )


def checked(q: str) -> str:
    """The query, stripped; 422 in French when it cannot be a place."""
    if _CONTROL.search(q):
        raise Unprocessable(
            "La recherche contient des caractères de contrôle : saisissez une adresse, une commune ou un "
            "code postal."
        )
    query = " ".join(q.split())
    if len(query) < 2:
        raise Unprocessable(
            "Saisissez au moins deux caractères : un code postal, une commune ou une adresse."
        )
    return query


async def offline(session: AsyncSession, gazetteer: Gazetteer, query: str, limit: int) -> list[Place]:
    """The gazetteer's answers, each commune read back from the table: the snapshot may be a moment
    behind an import, PostgreSQL is the source of truth (a commune gone since is dropped)."""
    found = gazetteer.find(query, limit)
    current = await communes.by_codes(session, [f.commune.code_insee for f in found])
    return [
        _commune_place(replace(f, commune=current[f.commune.code_insee]))
        for f in found
        if f.commune.code_insee in current and current[f.commune.code_insee].lat is not None
    ]


async def geocode(
    session: AsyncSession, gazetteer: Gazetteer, ban: BanClient | None, q: str, limit: int = 5
) -> GeocodeResponse:
    query = checked(q)
    if ban is not None and ban.available:
        try:
            places = await ban.search(query, limit)
            if places:
                return GeocodeResponse(query=q, source=GeocodeSource.ban, attribution="BAN", results=places)
        except GeocoderUnavailable:
            pass
    places = await offline(session, gazetteer, query, limit)
    return GeocodeResponse(query=q, source=GeocodeSource.communes, results=places)


async def locate(
    session: AsyncSession, gazetteer: Gazetteer, ban: BanClient | None, q: str
) -> tuple[Place, GeocodeSource]:
    """The best place for ``q``; NotFound with a French explanation when nothing matches."""
    answer = await geocode(session, gazetteer, ban, q, limit=1)
    if not answer.results:
        query = " ".join(q.split())
        if _POSTCODE.match(query):
            raise NotFound(f"Le code postal {query} est inconnu.")
        shown = query if len(query) <= 80 else query[:80] + "…"
        raise NotFound(
            f"Aucun lieu ne correspond à « {shown} ». Essayez un code postal, un nom de commune ou une "
            "adresse avec son code postal."
        )
    return answer.results[0], answer.source
