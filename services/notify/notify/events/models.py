"""What notify remembers of the booking events: the ids it has handled, and each booking's latest state."""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from notify.db import NotifyModel, timestamptz


class ProcessedEvent(NotifyModel, table=True):
    """One row per event id acted upon: written in the same transaction as what the event causes."""

    __tablename__ = "processed_events"

    event_id: uuid.UUID = Field(primary_key=True)
    stream_id: str
    consumer: str = Field(description="The consumer (replica) that handled it")
    type: str
    booking_id: uuid.UUID = Field(index=True)
    occurred_at: dt.datetime = timestamptz()
    processed_at: dt.datetime = timestamptz()


class BookingState(NotifyModel, table=True):
    """The latest known state of a booking, fed by its events (for reminders and the support view).

    ``snapshot`` holds the contact details needed to send reminders: it never goes to the logs.
    """

    __tablename__ = "booking_states"
    __table_args__ = (Index("ix_booking_states_retention", "starts_at"),)

    booking_id: uuid.UUID = Field(primary_key=True)
    site_id: int = Field(index=True)
    status: str
    starts_at: dt.datetime = timestamptz()
    last_event_at: dt.datetime = timestamptz()
    ics_sequence: int = 0
    manage_url: str | None = None
    snapshot: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    anonymised_at: dt.datetime | None = timestamptz(nullable=True)
