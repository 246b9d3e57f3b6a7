"""The delivery log: one row per message to send (e-mail, SMS, webhook), its attempts and outcome.

Rows are written by the event consumer and the reminder scheduler, and sent by the dispatcher: an
outbox, so that nothing is lost when SMTP, the SMS provider or a partner is down.
"""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from notify.db import NotifyModel, timestamptz


class Channel(StrEnum):
    email = "email"
    sms = "sms"
    webhook = "webhook"


class Kind(StrEnum):
    confirmation = "confirmation"
    reschedule = "reschedule"
    cancellation_person = "cancellation_person"
    cancellation_site = "cancellation_site"
    reminder = "reminder"
    event = "event"  # a partner webhook carrying the booking event


class Status(StrEnum):
    pending = "pending"  # waiting for its first attempt
    retrying = "retrying"  # failed temporarily, next attempt at next_attempt_at
    sending = "sending"  # claimed by a dispatcher until lease_until
    sent = "sent"  # accepted by the SMTP server, the SMS provider or the partner
    dead = "dead"  # permanent failure or too many attempts (dead-letter)
    skipped = "skipped"  # no longer relevant (booking cancelled or moved, start passed)


class Delivery(NotifyModel, table=True):
    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    booking_id: uuid.UUID = Field(index=True)
    site_id: int
    event_id: uuid.UUID | None = None
    reminder_id: uuid.UUID | None = None
    subscription_id: uuid.UUID | None = None
    channel: str
    kind: str
    recipient: str = Field(description="E-mail address, phone number or webhook URL: never logged")
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    status: str = Status.pending
    attempts: int = 0
    last_error: str | None = None
    created_at: dt.datetime = timestamptz()
    next_attempt_at: dt.datetime = timestamptz()
    lease_until: dt.datetime | None = timestamptz(nullable=True)
    expires_at: dt.datetime | None = timestamptz(nullable=True)
    sent_at: dt.datetime | None = timestamptz(nullable=True)
