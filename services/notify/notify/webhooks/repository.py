"""Queries on the webhook subscriptions."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notify.webhooks.models import WebhookSubscription


async def active(session: AsyncSession) -> Sequence[WebhookSubscription]:
    statement = select(WebhookSubscription).where(col(WebhookSubscription.active).is_(True))
    return (await session.scalars(statement)).all()


async def list_all(session: AsyncSession) -> Sequence[WebhookSubscription]:
    statement = select(WebhookSubscription).order_by(col(WebhookSubscription.created_at))
    return (await session.scalars(statement)).all()


async def get(session: AsyncSession, subscription_id: uuid.UUID) -> WebhookSubscription | None:
    return await session.get(WebhookSubscription, subscription_id)
