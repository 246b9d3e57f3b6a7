"""Reminders scheduled before a booking's start; stored, so that they survive restarts."""

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from notify.db import NotifyModel, timestamptz


class ReminderStatus(StrEnum):
    scheduled = "scheduled"
    queued = "queued"  # its messages were written to the delivery log
    cancelled = "cancelled"  # the booking was cancelled or moved before it was due
    skipped = "skipped"  # found irrelevant when due (see reason)


class Reminder(NotifyModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    booking_id: uuid.UUID = Field(index=True)
    offset_minutes: int
    starts_at: dt.datetime = timestamptz(description="The start it reminds of")
    due_at: dt.datetime = timestamptz()
    status: str = ReminderStatus.scheduled
    reason: str | None = None
    created_at: dt.datetime = timestamptz()
