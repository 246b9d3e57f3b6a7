"""Coverage endpoints: who is within reach of a France Services, maps, and where to open next.

The router brings its own lifespan (merged into the app's by ``include_router``): the travel model
from the settings, the routing engine's HTTP client when one is configured, and the snapshot cache.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse

from fs_common.errors import PROBLEM_RESPONSE_DOC, Unprocessable
from fs_common.responses import json_response
from locator.config import LocatorSettings
from locator.coverage import answers, suggestions
from locator.coverage.cache import CoverageState
from locator.coverage.ferries import FerryCrossings
from locator.coverage.network import Scope
from locator.coverage.schemas import CommuneFeatureCollection, CoverageOut, SuggestionsOut
from locator.geojson import GEOJSON
from locator.snapshot.live import SnapshotDep
from locator.travel.model import PROMISE_MINUTES


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs inside the app's lifespan, which creates the settings, the travel model and the routing
    engine client."""
    settings: LocatorSettings = app.state.settings
    app.state.coverage = CoverageState(
        app.state.travel_model,
        app.state.routing,
        settings.routing_candidates,
        FerryCrossings.from_settings(settings),
    )
    yield


router = APIRouter(prefix="/v1/coverage", tags=["coverage"], lifespan=lifespan)


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


async def coverage_state(request: Request) -> CoverageState:
    return request.app.state.coverage


StateDep = Annotated[CoverageState, Depends(coverage_state)]
Departement = Annotated[
    str | None, Query(pattern=r"^(\d{2}|2[AB]|\d{3})$", description="Code du département", examples=["23"])
]
Region = Annotated[
    str | None, Query(pattern=r"^\d{2}$", description="Code INSEE de la région", examples=["75"])
]
Minutes = Annotated[float, Query(gt=0, le=240, description="Seuil en minutes")]
IncludeMobile = Annotated[
    bool, Query(description="Compter les bus, services itinérants et leurs arrêts (les jours de passage)")
]


async def scope(departement: Departement = None, region: Region = None) -> Scope:
    if departement and region:
        raise Unprocessable("Choisissez un département ou une région, pas les deux.")
    return Scope(departement=departement, region=region)


ScopeDep = Annotated[Scope, Depends(scope)]


async def map_scope(chosen: ScopeDep) -> Scope:
    if not (chosen.departement or chosen.region):
        raise Unprocessable("Indiquez un département ou une région à cartographier.")
    return chosen


@router.get(
    "",
    response_model=CoverageOut,
    summary="Population à moins de N minutes d'une France Services",
    responses=PROBLEM_RESPONSE_DOC,
)
async def get_coverage(
    snapshot: SnapshotDep,
    state: StateDep,
    chosen: ScopeDep,
    minutes: Minutes = PROMISE_MINUTES,
    include_mobile: IncludeMobile = False,
) -> CoverageOut:
    return await answers.coverage(state, snapshot, chosen, minutes=minutes, include_mobile=include_mobile)


@router.get(
    "/communes.geojson",
    response_model=CommuneFeatureCollection,
    response_class=GeoJSONResponse,
    summary="Chaque commune, son temps d'accès et son lieu le plus proche (GeoJSON)",
    responses=PROBLEM_RESPONSE_DOC,
)
async def get_communes_geojson(
    snapshot: SnapshotDep, state: StateDep, chosen: ScopeDep, include_mobile: IncludeMobile = False
) -> Response:
    collection = await answers.communes_geojson(state, snapshot, chosen, include_mobile=include_mobile)
    return json_response(collection, media_type=GEOJSON)


@router.get(
    "/map.png",
    response_class=Response,
    summary="Carte des temps d'accès (PNG, sans fond de carte externe)",
    responses=PROBLEM_RESPONSE_DOC | {200: {"content": {"image/png": {}}, "description": "Image PNG"}},
)
async def get_map(
    snapshot: SnapshotDep,
    state: StateDep,
    chosen: Annotated[Scope, Depends(map_scope)],
    include_mobile: IncludeMobile = False,
    width: Annotated[int, Query(ge=300, le=4000, description="Largeur en pixels")] = 1200,
    height: Annotated[int, Query(ge=300, le=4000, description="Hauteur en pixels")] = 900,
) -> Response:
    png = await answers.coverage_map(
        state, snapshot, chosen, include_mobile=include_mobile, width=width, height=height
    )
    return Response(png, media_type="image/png")


@router.get(
    "/suggestions",
    response_model=SuggestionsOut,
    summary="Où ouvrir un site (ou un arrêt de bus) pour servir le plus de monde",
    responses=PROBLEM_RESPONSE_DOC,
)
async def get_suggestions(
    snapshot: SnapshotDep,
    state: StateDep,
    chosen: ScopeDep,
    minutes: Minutes = PROMISE_MINUTES,
    include_mobile: IncludeMobile = False,
    count: Annotated[int, Query(ge=1, le=20)] = 3,
) -> SuggestionsOut:
    return await suggestions.suggestions(
        state, snapshot, chosen, minutes=minutes, include_mobile=include_mobile, count=count
    )
