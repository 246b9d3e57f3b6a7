"""Bookings: created by the public, managed by the person through a link, followed by the site's agents."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from booking.bookings import service
from booking.bookings.export import day_csv
from booking.bookings.models import BookingStatus
from booking.bookings.schemas import (
    AgentBookingCreate,
    AgentBookingOut,
    AgentBookingWithLink,
    BookingCreate,
    BookingOut,
    BookingWithLink,
    ManageIn,
    RescheduleIn,
    SlotTakenProblem,
)
from booking.clock import now
from booking.deps import LocatorDep, SettingsDep
from fs_common.agent_auth import CurrentAgent
from fs_common.bounds import BoundedAwareDatetime, BoundedDate
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_JSON, PROBLEM_RESPONSE_DOC
from fs_common.params import IntId

router = APIRouter(prefix="/v1", responses=PROBLEM_RESPONSE_DOC)

_SLOT_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "Créneau déjà pris (avec les créneaux libres les plus proches), ou délai dépassé",
        "model": SlotTakenProblem,
        "content": {PROBLEM_JSON: {}},
    }
}


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Une même clé rejouée renvoie le même rendez-vous, jamais un second",
    ),
]


@router.post(
    "/bookings",
    response_model=BookingWithLink,
    status_code=status.HTTP_201_CREATED,
    tags=["rendez-vous"],
    summary="Prendre rendez-vous",
    responses=_SLOT_TAKEN,
)
async def create_booking(
    response: Response,
    session: SessionDep,
    locator: LocatorDep,
    settings: SettingsDep,
    data: BookingCreate,
    idempotency_key: IdempotencyKey = None,
) -> BookingWithLink:
    booking, replayed = await service.create(session, locator, settings, data, idempotency_key, now())
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return booking


@router.post(
    "/bookings/manage",
    response_model=BookingOut,
    tags=["rendez-vous"],
    summary="Voir son rendez-vous (jeton du lien reçu, dans le corps)",
)
async def view_booking(session: SessionDep, settings: SettingsDep, data: ManageIn) -> BookingOut:
    return await service.view(session, settings, data.token)


@router.post(
    "/bookings/manage/cancel",
    response_model=BookingOut,
    tags=["rendez-vous"],
    summary="Annuler son rendez-vous (jusqu'à 4 h avant par défaut)",
    responses=_SLOT_TAKEN,
)
async def cancel_booking(session: SessionDep, settings: SettingsDep, data: ManageIn) -> BookingOut:
    return await service.cancel(session, settings, data.token, now())


@router.post(
    "/bookings/manage/reschedule",
    response_model=BookingWithLink,
    tags=["rendez-vous"],
    summary="Reporter son rendez-vous (jusqu'à 24 h avant par défaut) ; un nouveau lien remplace l'ancien",
    responses=_SLOT_TAKEN,
)
async def reschedule_booking(
    session: SessionDep, settings: SettingsDep, data: RescheduleIn
) -> BookingWithLink:
    return await service.reschedule(session, settings, data.token, data.starts_at, now())


@router.post(
    "/agent/bookings",
    response_model=AgentBookingWithLink,
    status_code=status.HTTP_201_CREATED,
    tags=["rendez-vous (agents)"],
    summary="Prendre rendez-vous pour une personne (au guichet ou au téléphone) : un nom suffit",
    responses=_SLOT_TAKEN,
)
async def create_booking_for(
    response: Response,
    session: SessionDep,
    locator: LocatorDep,
    settings: SettingsDep,
    agent: CurrentAgent,
    data: AgentBookingCreate,
    idempotency_key: IdempotencyKey = None,
) -> BookingWithLink:
    """Same créneaux and same capacity guarantee as online, without the minimum notice; only at the
    agent's sites and their bus stops (403 otherwise). The booking records the agent who made it."""
    booking, replayed = await service.create(
        session, locator, settings, data, idempotency_key, now(), agent=agent
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return booking


class AgentRescheduleIn(BaseModel):
    starts_at: BoundedAwareDatetime


@router.post(
    "/agent/bookings/{booking_id}/reschedule",
    response_model=AgentBookingWithLink,
    tags=["rendez-vous (agents)"],
    summary="Reporter un rendez-vous pour la personne (sans délai de prévenance) ; nouveau lien envoyé",
    responses=_SLOT_TAKEN,
)
async def reschedule_for(
    session: SessionDep,
    settings: SettingsDep,
    agent: CurrentAgent,
    booking_id: uuid.UUID,
    data: AgentRescheduleIn,
) -> BookingWithLink:
    return await service.reschedule_for(session, settings, agent, booking_id, data.starts_at, now())


@router.get(
    "/agent/sites/{site_id}/bookings",
    response_model=list[AgentBookingOut],
    tags=["rendez-vous (agents)"],
    summary="Les rendez-vous d'une journée (JSON, ou CSV avec format=csv ou Accept: text/csv)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def day_bookings(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    agent: CurrentAgent,
    site_id: IntId,
    date: Annotated[BoundedDate, Query(description="Jour, heure locale du site")],
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> list[AgentBookingOut] | PlainTextResponse:
    bookings = await service.day_of_site(session, settings, agent, site_id, date)
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        return PlainTextResponse(
            day_csv(bookings),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="rendez-vous-{site_id}-{date}.csv"'},
        )
    return bookings


class StatusIn(BaseModel):
    status: Literal["honoured", "no_show", "excused", "cancelled", "cancelled_by_site"]


@router.patch(
    "/agent/bookings/{booking_id}",
    response_model=AgentBookingOut,
    tags=["rendez-vous (agents)"],
    summary="Honoré, absent, excusé, annulé à la demande de la personne ou par la France Services",
    responses=_SLOT_TAKEN,
)
async def update_status(
    session: SessionDep, settings: SettingsDep, agent: CurrentAgent, booking_id: uuid.UUID, data: StatusIn
) -> AgentBookingOut:
    return await service.set_status(session, settings, agent, booking_id, BookingStatus(data.status), now())
