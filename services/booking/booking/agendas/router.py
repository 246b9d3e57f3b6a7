"""Agendas, edited by the site's agents and admins (agent token required)."""

from fastapi import APIRouter, Response, status

from booking.agendas import service
from booking.agendas.schemas import AgendaOut, AgendaUpdate, ExceptionIn, ExceptionOut, StopAgendaIn
from booking.clock import now
from booking.deps import LocatorDep, SettingsDep
from fs_common.agent_auth import CurrentAgent
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from fs_common.params import IntId

router = APIRouter(prefix="/v1/agent", tags=["agendas (agents)"], responses=PROBLEM_RESPONSE_DOC)


async def _out(session: SessionDep, agenda) -> AgendaOut:
    exceptions = await service.upcoming_exceptions(session, agenda, now().date())
    return AgendaOut.of(agenda, exceptions)


@router.get("/sites/{site_id}/agenda", response_model=AgendaOut, summary="L'agenda d'une France Services")
async def get_site_agenda(
    session: SessionDep, locator: LocatorDep, settings: SettingsDep, agent: CurrentAgent, site_id: IntId
) -> AgendaOut:
    agent.require_site(site_id)
    return await _out(session, await service.site_agenda(session, locator, settings, site_id))


@router.put(
    "/stops/{stop_id}/agenda", response_model=AgendaOut, summary="Ouvrir ou remplacer l'agenda d'un arrêt"
)
async def put_stop_agenda(
    session: SessionDep,
    locator: LocatorDep,
    settings: SettingsDep,
    agent: CurrentAgent,
    stop_id: IntId,
    data: StopAgendaIn,
) -> AgendaOut:
    """Only for a stop that the locator lists in the itinerary of ``site_id``, by an agent of that site
    (403 otherwise)."""
    agenda = await service.put_stop_agenda(session, locator, settings, agent, stop_id, data, now())
    return await _out(session, agenda)


@router.patch("/agendas/{agenda_id}", response_model=AgendaOut, summary="Modifier les règles d'un agenda")
async def update_agenda(
    session: SessionDep, agent: CurrentAgent, agenda_id: IntId, data: AgendaUpdate
) -> AgendaOut:
    agenda = await service.agenda_for_agent(session, agent, agenda_id)
    return await _out(session, await service.update(session, agenda, data, now()))


@router.post(
    "/agendas/{agenda_id}/exceptions",
    response_model=ExceptionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Ajouter une fermeture ou une ouverture exceptionnelle",
)
async def add_exception(
    session: SessionDep, agent: CurrentAgent, agenda_id: IntId, data: ExceptionIn
) -> ExceptionOut:
    agenda = await service.agenda_for_agent(session, agent, agenda_id)
    return ExceptionOut.of(await service.add_exception(session, agenda, data))


@router.delete(
    "/agendas/{agenda_id}/exceptions/{exception_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Supprimer une exception",
)
async def delete_exception(
    session: SessionDep, agent: CurrentAgent, agenda_id: IntId, exception_id: IntId
) -> None:
    agenda = await service.agenda_for_agent(session, agent, agenda_id)
    await service.delete_exception(session, agenda, exception_id)
