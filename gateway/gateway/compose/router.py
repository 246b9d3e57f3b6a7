"""Compositions that need two services at once."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from fs_common.errors import PROBLEM_RESPONSE_DOC, Unprocessable
from fs_common.params import DEMARCHE_CODE_PATTERN
from gateway.compose import service
from gateway.compose.schemas import HelpNearMeResponse

router = APIRouter(prefix="/v1", tags=["composition"])


@router.get(
    "/help-near-me",
    response_model=HelpNearMeResponse,
    summary="Où être aidé(e) pour cette démarche, au plus tôt et au plus près",
    description=service.RANKING,
    responses=PROBLEM_RESPONSE_DOC
    | {503: {"description": "Localisation indisponible", "content": {"application/problem+json": {}}}},
)
async def help_near_me(
    request: Request,
    demarche: Annotated[str, Query(pattern=DEMARCHE_CODE_PATTERN, examples=["carte-grise"])],
    q: Annotated[
        str | None, Query(min_length=2, max_length=200, description="Code postal, commune ou adresse")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, examples=[46.17])] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, examples=[1.87])] = None,
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
) -> HelpNearMeResponse:
    if lat is not None and lon is not None:
        where: dict[str, str | float] = {"lat": lat, "lon": lon}
    elif q and lat is None and lon is None:
        where = {"q": q}
    else:
        raise Unprocessable("Indiquez où chercher : q (code postal, commune ou adresse), ou lat et lon.")
    upstreams = request.app.state.upstreams
    return await service.help_near_me(
        locator=upstreams["locator"],
        booking=upstreams["booking"],
        demarche=demarche,
        where=where,
        limit=limit,
        horizon_days=request.app.state.settings.help_slot_horizon_days,
        now=dt.datetime.now(dt.UTC),
    )
