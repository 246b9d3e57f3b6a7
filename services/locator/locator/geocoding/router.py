from typing import Annotated

from fastapi import APIRouter, Query, Request

from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from locator.geocoding import service
from locator.geocoding.ban_client import BanClient
from locator.geocoding.gazetteer import Gazetteer
from locator.geocoding.schemas import GeocodeResponse

router = APIRouter(prefix="/v1", tags=["géocodage"])


def ban_client(request: Request) -> BanClient | None:
    return getattr(request.app.state, "ban", None)


def gazetteer(request: Request) -> Gazetteer:
    """The worker's offline gazetteer, part of its snapshot (503 until it is first loaded)."""
    return request.app.state.snapshot.get().gazetteer


@router.get(
    "/geocode",
    response_model=GeocodeResponse,
    summary="Trouver un lieu à partir d'un code postal, d'une commune ou d'une adresse",
    responses=PROBLEM_RESPONSE_DOC,
)
async def geocode(
    request: Request,
    session: SessionDep,
    q: Annotated[
        str, Query(max_length=200, examples=["23000"], description="Code postal, commune ou adresse")
    ],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> GeocodeResponse:
    return await service.geocode(session, gazetteer(request), ban_client(request), q, limit)
