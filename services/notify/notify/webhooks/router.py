"""Partner webhook registration: national admins, or the static admin token (``NationalAdmin``)."""

import uuid

from fastapi import APIRouter, Request, Response

from fs_common.agent_auth import NationalAdmin
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from notify.webhooks import service
from notify.webhooks.schemas import WebhookCreate, WebhookCreated, WebhookOut
from notify.webhooks.targets import TargetPolicy

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks partenaires"])
_AUTH_DOC = PROBLEM_RESPONSE_DOC | {
    401: {"description": "Jeton absent ou invalide"},
    403: {"description": "Réservé aux administrateurs"},
}


@router.post(
    "", status_code=201, response_model=WebhookCreated, summary="Abonner un partenaire", responses=_AUTH_DOC
)
async def register_webhook(
    request: Request, data: WebhookCreate, session: SessionDep, admin: NationalAdmin
) -> WebhookCreated:
    """The URL must be the partner's: https, and a host whose every address is public (422 otherwise)."""
    policy = TargetPolicy.of(request.app.state.settings)
    subscription = await service.register(session, data, by=admin, policy=policy)
    return WebhookCreated.model_validate(subscription, from_attributes=True)


@router.get(
    "", response_model=list[WebhookOut], summary="Les abonnements (sans leurs secrets)", responses=_AUTH_DOC
)
async def list_webhooks(session: SessionDep, admin: NationalAdmin) -> list[WebhookOut]:
    return [WebhookOut.model_validate(s, from_attributes=True) for s in await service.list_all(session)]


@router.delete("/{subscription_id}", status_code=204, summary="Désactiver un abonnement", responses=_AUTH_DOC)
async def deactivate_webhook(
    subscription_id: uuid.UUID, session: SessionDep, admin: NationalAdmin
) -> Response:
    await service.deactivate(session, subscription_id, by=admin)
    return Response(status_code=204)
