"""Itinerary endpoints: nearest stops, access points (sites and stops), a site's itinerary; and the
admin API that creates, edits and deletes stops (Bearer ``LOCATOR_ADMIN_TOKEN``).

JSON, or GeoJSON on ``Accept: application/geo+json``.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from fs_common.agent_auth import Role, admin_caller
from fs_common.bounds import BoundedDate
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_JSON, PROBLEM_RESPONSE_DOC
from fs_common.params import IntId
from fs_common.responses import model_response
from locator.geojson import GEOJSON_DOC, feature_collection, wants_geojson
from locator.itineraries import service
from locator.itineraries.schemas import (
    AccessPointsResponse,
    Itinerary,
    NearestStopsResponse,
    StopCreate,
    StopOut,
    StopUpdate,
)
from locator.sites.router import Lat, Lon, Q, TravelModelDep, now, resolve_origin, situate
from locator.sites.schemas import Point
from locator.snapshot.live import SnapshotDep

router = APIRouter(prefix="/v1", tags=["itineraries"])

Limit = Annotated[int, Query(ge=1, le=100, description="Nombre de résultats")]
RadiusKm = Annotated[float | None, Query(gt=0, le=2000, description="Rayon de recherche, en km")]
DateFrom = Annotated[
    BoundedDate | None,
    Query(
        alias="from", description="Premier jour de la période (défaut : aujourd'hui)", examples=["2026-12-01"]
    ),
]
DateTo = Annotated[
    BoundedDate | None,
    Query(alias="to", description="Dernier jour (défaut : from + 14 jours ; 92 jours au plus)"),
]


async def around(
    request: Request,
    snapshot: SnapshotDep,
    lat: Lat = None,
    lon: Lon = None,
    q: Q = None,
    limit: Limit = 10,
    radius_km: RadiusKm = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> service.Around:
    current = now()
    span = service.window(date_from, date_to, current)
    origin = await resolve_origin(request, lat, lon, q)
    return service.Around(
        origin,
        situate(snapshot.communes, origin),
        span,
        current,
        limit,
        radius_km * 1000 if radius_km else None,
    )


AroundDep = Annotated[service.Around, Depends(around)]


def _answer(
    request: Request, where: service.Around, results: list, locations: list[Point], model: type
) -> Response:
    """The results as ``model`` (JSON), or as GeoJSON features at ``locations``."""
    if wants_geojson(request):
        return feature_collection(
            [(location, r.model_dump(mode="json")) for location, r in zip(locations, results, strict=True)],
            origin=where.origin.model_dump(mode="json"),
            window=where.span.model_dump(mode="json"),
        )
    return model_response(model(origin=where.origin, window=where.span, results=results))


@router.get(
    "/stops/nearest",
    response_model=NearestStopsResponse,
    summary="Les arrêts de bus et services itinérants les plus proches, avec leurs prochains passages",
    responses=PROBLEM_RESPONSE_DOC | GEOJSON_DOC,
)
async def nearest_stops(
    request: Request,
    session: SessionDep,
    snapshot: SnapshotDep,
    model: TravelModelDep,
    where: AroundDep,
    upcoming_only: Annotated[
        bool, Query(description="Seulement les arrêts desservis pendant la période (défaut : oui)")
    ] = True,
) -> Response:
    results = await service.nearest_stops(
        session, snapshot, model, where, upcoming_only=upcoming_only, routing=request.app.state.routing
    )
    return _answer(request, where, results, [r.stop.location for r in results], NearestStopsResponse)


@router.get(
    "/access-points/nearest",
    response_model=AccessPointsResponse,
    summary="Où être reçu : France Services fixes et prochains arrêts de bus, classés par temps de trajet",
    responses=PROBLEM_RESPONSE_DOC | GEOJSON_DOC,
)
async def nearest_access_points(
    request: Request, session: SessionDep, snapshot: SnapshotDep, model: TravelModelDep, where: AroundDep
) -> Response:
    results = await service.access_points(session, snapshot, model, where, routing=request.app.state.routing)
    return _answer(request, where, results, [r.location for r in results], AccessPointsResponse)


@router.get(
    "/sites/{site_id}/stops",
    response_model=Itinerary,
    summary="L'itinéraire d'un bus ou service itinérant : ses arrêts et leurs prochains passages",
    responses=PROBLEM_RESPONSE_DOC | GEOJSON_DOC,
)
async def site_stops(
    request: Request, session: SessionDep, site_id: IntId, date_from: DateFrom = None, date_to: DateTo = None
) -> Response:
    current = now()
    answer = await service.itinerary(session, site_id, service.window(date_from, date_to, current), current)
    if wants_geojson(request):
        return feature_collection(
            [(s.location, s.model_dump(mode="json")) for s in answer.stops],
            site=answer.site.model_dump(mode="json"),
            window=answer.window.model_dump(mode="json"),
        )
    return model_response(answer)


# Admin API


async def require_admin(request: Request, site_id: IntId) -> None:
    """A national admin's token, or a site admin's for this site (agents' tokens from the gateway); or,
    for scripts, the static ``LOCATOR_ADMIN_TOKEN`` when one is configured."""
    await admin_caller(
        request,
        roles=frozenset({Role.national_admin, Role.site_admin}),
        site_id=site_id,
        refusal="Réservé aux administrateurs nationaux et aux administrateurs de cette France Services.",
    )


_ADMIN_DOC = PROBLEM_RESPONSE_DOC | {
    status: {"description": title, "content": {PROBLEM_JSON: {}}}
    for status, title in ((401, "Authentification requise"), (403, "Accès refusé"))
}
admin_router = APIRouter(
    prefix="/v1/admin/sites/{site_id}/stops",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=_ADMIN_DOC,
)


@admin_router.post(
    "", response_model=StopOut, status_code=201, summary="Ajouter un arrêt à un bus ou service itinérant"
)
async def create_stop(session: SessionDep, site_id: IntId, body: StopCreate) -> Response:
    stop = await service.create_stop(session, site_id, body, now())
    return model_response(stop, status_code=201)


@admin_router.patch("/{stop_id}", response_model=StopOut, summary="Modifier un arrêt")
async def update_stop(session: SessionDep, site_id: IntId, stop_id: IntId, body: StopUpdate) -> Response:
    return model_response(await service.update_stop(session, site_id, stop_id, body, now()))


@admin_router.delete("/{stop_id}", status_code=204, response_class=Response, summary="Supprimer un arrêt")
async def delete_stop(session: SessionDep, site_id: IntId, stop_id: IntId) -> Response:
    await service.delete_stop(session, site_id, stop_id)
    return Response(status_code=204)
