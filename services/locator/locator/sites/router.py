"""Public site endpoints: nearest search, list, detail.

JSON, or GeoJSON on ``Accept: application/geo+json``.
"""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from fs_common.bounds import BoundedDatetime
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC, Unprocessable
from fs_common.params import IntId
from fs_common.partners import Partner
from fs_common.responses import json_response, model_response
from locator.geocoding.router import ban_client, gazetteer
from locator.geocoding.service import locate
from locator.geojson import GEOJSON_DOC, feature_collection, wants_geojson
from locator.sites import service
from locator.sites.index import SiteFilters
from locator.sites.models import SiteKind
from locator.sites.schemas import NearestSitesResponse, Origin, Point, SiteOut, SitePage, Weekday
from locator.sites.service import OpenFilter
from locator.snapshot.communes import Communes, Whereabouts
from locator.snapshot.live import SnapshotDep
from locator.travel.model import TravelModel

router = APIRouter(prefix="/v1", tags=["sites"])


Lat = Annotated[float | None, Query(ge=-90, le=90, description="Latitude WGS-84", examples=[46.17])]
Lon = Annotated[float | None, Query(ge=-180, le=180, description="Longitude WGS-84", examples=[1.87])]
Q = Annotated[
    str | None,
    Query(min_length=2, max_length=200, description="Code postal, commune ou adresse", examples=["23000"]),
]


async def resolve_origin(request: Request, lat: float | None, lon: float | None, q: str | None) -> Origin:
    """The searched point: the coordinates given, or ``q`` geocoded."""
    if lat is not None and lon is not None:
        return Origin(lat=lat, lon=lon, source="coordinates")
    if lat is not None or lon is not None:
        raise Unprocessable("Donnez à la fois lat et lon, ou bien q (code postal, commune ou adresse).")
    if not q:
        raise Unprocessable("Indiquez où chercher : lat et lon, ou q (code postal, commune ou adresse).")
    async with request.app.state.sessionmaker() as session:
        place, source = await locate(session, gazetteer(request), ban_client(request), q)
    return Origin(
        lat=place.lat, lon=place.lon, label=place.label, source=source.value, insee_code=place.insee_code
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def travel_model(request: Request) -> TravelModel:
    """The one travel model, built from the app's settings at start-up."""
    return request.app.state.travel_model


TravelModelDep = Annotated[TravelModel, Depends(travel_model)]


def situate(communes: Communes, origin: Origin) -> Whereabouts:
    """The searched place's road territory and classes; the origin names its territory."""
    where = communes.locate(origin.lat, origin.lon, origin.insee_code)
    origin.territory = where.territory.name
    return where


@router.get(
    "/sites/nearest",
    response_model=NearestSitesResponse,
    summary="Les France Services les plus proches",
    responses=PROBLEM_RESPONSE_DOC | GEOJSON_DOC,
)
async def nearest_sites(
    request: Request,
    snapshot: SnapshotDep,
    model: TravelModelDep,
    lat: Lat = None,
    lon: Lon = None,
    q: Q = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    radius_km: Annotated[float | None, Query(gt=0, le=2000)] = None,
    open_now: Annotated[bool, Query(description="Seulement les sites ouverts maintenant")] = False,
    open_at: Annotated[
        BoundedDatetime | None,
        Query(description="Seulement les sites ouverts à cet instant (sans fuseau : heure locale du site)"),
    ] = None,
    weekday: Annotated[
        Weekday | None, Query(description="Seulement les sites ouverts ce jour de la semaine")
    ] = None,
    partner: Partner | None = None,
    appointment_required: Annotated[
        bool | None, Query(description="Sur rendez-vous (true) ou non (false)")
    ] = None,
    kind: Annotated[list[SiteKind] | None, Query()] = None,
    include_mobile: Annotated[bool, Query(description="Inclure les bus et services itinérants")] = True,
) -> Response:
    origin = await resolve_origin(request, lat, lon, q)
    current = now()
    filters = SiteFilters(
        kinds=tuple(k.value for k in kind or ()),
        partner=partner.value if partner else None,
        appointment_required=appointment_required,
        include_mobile=include_mobile,
        weekday=weekday.number if weekday else None,
    )
    open_filter = OpenFilter(open_at) if open_at else OpenFilter(current) if open_now else None
    hits = await service.nearest_sites(
        snapshot.sites,
        model,
        origin.lat,
        origin.lon,
        situate(snapshot.communes, origin),
        filters,
        limit=limit,
        radius_m=radius_km * 1000 if radius_km else None,
        open_filter=open_filter,
        routing=request.app.state.routing,
    )
    if wants_geojson(request):
        return feature_collection(
            [(Point(lat=h.site.lat, lon=h.site.lon), h.as_json(current)) for h in hits],
            origin=origin.model_dump(mode="json"),
        )
    return json_response(
        {"origin": origin.model_dump(mode="json"), "results": [h.as_serialised(current) for h in hits]}
    )


@router.get(
    "/sites",
    response_model=SitePage,
    summary="Toutes les France Services, par pages",
    responses=PROBLEM_RESPONSE_DOC | GEOJSON_DOC,
)
async def list_sites(
    request: Request,
    snapshot: SnapshotDep,
    departement: Annotated[str | None, Query(pattern=r"^(\d{2}|2[AB]|\d{3})$", examples=["23"])] = None,
    insee_code: Annotated[str | None, Query(pattern=r"^(\d{5}|2[AB]\d{3})$", examples=["23096"])] = None,
    kind: Annotated[list[SiteKind] | None, Query()] = None,
    partner: Partner | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    filters = SiteFilters(
        departement=departement,
        insee_code=insee_code,
        kinds=tuple(k.value for k in kind or ()),
        partner=partner.value if partner else None,
    )
    page = service.list_sites(snapshot.sites, filters, offset=offset, limit=limit, now=now())
    if wants_geojson(request):
        return feature_collection(
            [(s.location, s.model_dump(mode="json")) for s in page.items],
            total=page.total,
            offset=offset,
            limit=limit,
        )
    return model_response(page)


@router.get(
    "/sites/{site_id}",
    response_model=SiteOut,
    summary="Une France Services",
    responses=PROBLEM_RESPONSE_DOC | GEOJSON_DOC,
)
async def get_site(request: Request, session: SessionDep, site_id: IntId) -> Response:
    site = await service.get_site(session, site_id, now())
    if wants_geojson(request):
        return feature_collection([(site.location, site.model_dump(mode="json"))])
    return model_response(site)
