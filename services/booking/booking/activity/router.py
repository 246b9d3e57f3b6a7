"""The activity figures each France Services reports, per month (and nationally for national admins)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from booking.activity import service
from booking.activity.export import activity_csv
from booking.activity.schemas import ActivityOut
from fs_common.agent_auth import CurrentAgent
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC

router = APIRouter(prefix="/v1/agent", tags=["activité (agents)"], responses=PROBLEM_RESPONSE_DOC)


@router.get(
    "/activity",
    response_model=ActivityOut,
    summary="Chiffres d'activité d'un mois (JSON, ou CSV avec format=csv) ; sans site_id : national",
    responses={200: {"content": {"text/csv": {}}}},
)
async def activity(
    request: Request,
    session: SessionDep,
    agent: CurrentAgent,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])],
    site_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> ActivityOut | PlainTextResponse:
    figures = await service.figures(session, agent, site_id, month)
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        name = f"activite-{site_id or 'national'}-{month}.csv"
        return PlainTextResponse(
            activity_csv(figures),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return figures
