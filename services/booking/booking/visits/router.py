"""Walk-ins (accompaniments without an appointment), recorded by the site's agents."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from booking.clock import now
from booking.visits import service
from booking.visits.schemas import VisitIn, VisitOut
from fs_common.agent_auth import CurrentAgent
from fs_common.bounds import BoundedDate
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from fs_common.params import IntId

router = APIRouter(
    prefix="/v1/agent", tags=["passages sans rendez-vous (agents)"], responses=PROBLEM_RESPONSE_DOC
)


@router.post(
    "/sites/{site_id}/visits",
    response_model=VisitOut,
    status_code=status.HTTP_201_CREATED,
    summary="Enregistrer un passage sans rendez-vous (aucune donnée personnelle)",
)
async def record_visit(session: SessionDep, agent: CurrentAgent, site_id: IntId, data: VisitIn) -> VisitOut:
    return await service.record(session, agent, site_id, data, now())


@router.get(
    "/sites/{site_id}/visits",
    response_model=list[VisitOut],
    summary="Les passages sans rendez-vous d'un jour",
)
async def day_visits(
    session: SessionDep,
    agent: CurrentAgent,
    site_id: IntId,
    date: Annotated[BoundedDate, Query(description="Jour, heure locale du site")],
) -> list[VisitOut]:
    return await service.day_of_site(session, agent, site_id, date)
