"""Partner webhook subscriptions: registration and removal."""

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.errors import NotFound, Unprocessable
from notify.webhooks import repository
from notify.webhooks.models import WebhookSubscription
from notify.webhooks.schemas import WebhookCreate
from notify.webhooks.targets import TargetPolicy, TargetRefused, check

logger = logging.getLogger(__name__)


async def register(
    session: AsyncSession, data: WebhookCreate, *, by: str, policy: TargetPolicy
) -> WebhookSubscription:
    """Only a partner's public https address: never one of ours (422 with the reason)."""
    try:
        await check(str(data.url), policy)
    except TargetRefused as exc:
        raise Unprocessable(str(exc)) from exc
    subscription = WebhookSubscription(
        name=data.name,
        url=str(data.url),
        secret=data.secret or secrets.token_urlsafe(32),
        event_types=sorted({t.value for t in data.event_types}),
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(subscription)
    await session.flush()
    logger.info("webhook registered", extra={"subscription_id": str(subscription.id), "by": by})
    return subscription


async def list_all(session: AsyncSession) -> Sequence[WebhookSubscription]:
    return await repository.list_all(session)


async def deactivate(session: AsyncSession, subscription_id: uuid.UUID, *, by: str) -> None:
    """Stops new deliveries; pending ones end in dead-letter. Kept for the delivery log."""
    subscription = await repository.get(session, subscription_id)
    if subscription is None or not subscription.active:
        raise NotFound("Aucun abonnement actif avec cet identifiant.")
    subscription.active = False
    logger.info("webhook deactivated", extra={"subscription_id": str(subscription_id), "by": by})
