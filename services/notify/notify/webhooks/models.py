"""Partner webhook subscriptions."""

import datetime as dt
import uuid

from sqlalchemy import Column, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from notify.db import NotifyModel, timestamptz


class WebhookSubscription(NotifyModel, table=True):
    __tablename__ = "webhook_subscriptions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str
    url: str
    secret: str = Field(description="Shared HMAC key; needed in clear to sign, never returned after creation")
    event_types: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    active: bool = True
    created_at: dt.datetime = timestamptz()
