"""Public slot search: free start times of a site or a bus stop for one or several démarches."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from booking.agendas import service as agendas
from booking.clock import now
from booking.deps import LocatorDep, SettingsDep
from booking.slots import service
from booking.slots.schemas import SlotsOut
from fs_common.agent_auth import CurrentAgent
from fs_common.bounds import BoundedDate
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from fs_common.params import IntId

router = APIRouter(prefix="/v1", tags=["créneaux"], responses=PROBLEM_RESPONSE_DOC)

Demarches = Annotated[
    list[str],
    Query(alias="demarche", min_length=1, max_length=5, description="Code(s) de démarche ; répétable"),
]
From = Annotated[BoundedDate | None, Query(alias="from", description="Premier jour (heure locale du lieu)")]
To = Annotated[BoundedDate | None, Query(alias="to", description="Dernier jour inclus")]


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


@router.get(
    "/sites/{site_id}/slots", response_model=SlotsOut, summary="Créneaux libres d'une France Services"
)
async def site_slots(
    session: SessionDep,
    locator: LocatorDep,
    settings: SettingsDep,
    site_id: IntId,
    demarche: Demarches,
    day_from: From = None,
    day_to: To = None,
) -> Response:
    agenda = await agendas.site_agenda(session, locator, settings, site_id)
    return _json(await service.search(session, agenda, demarche, day_from, day_to, now()))


@router.get(
    "/stops/{stop_id}/slots", response_model=SlotsOut, summary="Créneaux libres lors des passages d'un bus"
)
async def stop_slots(
    session: SessionDep, stop_id: IntId, demarche: Demarches, day_from: From = None, day_to: To = None
) -> Response:
    agenda = await agendas.stop_agenda(session, stop_id)
    return _json(await service.search(session, agenda, demarche, day_from, day_to, now()))


@router.get(
    "/agent/sites/{site_id}/slots",
    response_model=SlotsOut,
    tags=["créneaux (agents)"],
    summary="Créneaux libres pour prendre rendez-vous pour une personne (sans délai de prévenance)",
)
async def agent_site_slots(
    session: SessionDep,
    locator: LocatorDep,
    settings: SettingsDep,
    agent: CurrentAgent,
    site_id: IntId,
    demarche: Demarches,
    day_from: From = None,
    day_to: To = None,
) -> Response:
    agent.require_site(site_id)
    agenda = await agendas.site_agenda(session, locator, settings, site_id)
    return _json(await service.search(session, agenda, demarche, day_from, day_to, now(), notice=False))


@router.get(
    "/agent/stops/{stop_id}/slots",
    response_model=SlotsOut,
    tags=["créneaux (agents)"],
    summary="Créneaux libres d'un arrêt de bus de l'agent (sans délai de prévenance)",
)
async def agent_stop_slots(
    session: SessionDep,
    agent: CurrentAgent,
    stop_id: IntId,
    demarche: Demarches,
    day_from: From = None,
    day_to: To = None,
) -> Response:
    agenda = await agendas.stop_agenda(session, stop_id)
    agent.require_site(agenda.site_id)
    return _json(await service.search(session, agenda, demarche, day_from, day_to, now(), notice=False))
