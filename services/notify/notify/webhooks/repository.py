"""Queries on the webhook subscriptions."""

import uuid
from collections.abc import Sequence

from sqlalchemy import any_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notify.webhooks.models import WebhookSubscription


async def active_for(session: AsyncSession, event_type: str) -> Sequence[WebhookSubscription]:
    statement = select(WebhookSubscription).where(
        WebhookSubscription.active.is_(True),  # type: ignore[attr-defined]
        event_type == any_(WebhookSubscription.event_types),  # type: ignore[arg-type]
    )
    return (await session.scalars(statement)).all()


async def list_all(session: AsyncSession) -> Sequence[WebhookSubscription]:
    statement = select(WebhookSubscription).order_by(col(WebhookSubscription.created_at))
    return (await session.scalars(statement)).all()


async def get(session: AsyncSession, subscription_id: uuid.UUID) -> WebhookSubscription | None:
    return await session.get(WebhookSubscription, subscription_id)
