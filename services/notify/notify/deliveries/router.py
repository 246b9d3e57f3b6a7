"""The delivery log of a booking, for the agents of its site and support."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fs_common.agent_auth import CurrentAgent
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from notify.deliveries import service
from notify.deliveries.schemas import BookingNotifications

router = APIRouter(prefix="/v1", tags=["notifications"])


@router.get(
    "/notifications",
    response_model=BookingNotifications,
    summary="Les messages d'un rendez-vous : statut, tentatives, raison",
    responses=PROBLEM_RESPONSE_DOC
    | {
        401: {"description": "Jeton d'agent absent ou invalide"},
        403: {"description": "Autre France Services"},
    },
)
async def booking_notifications(
    booking_id: Annotated[uuid.UUID, Query(description="Identifiant du rendez-vous")],
    session: SessionDep,
    agent: CurrentAgent,
) -> BookingNotifications:
    return await service.booking_notifications(session, booking_id, agent)
