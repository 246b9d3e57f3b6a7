import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from booking.db import BookingModel


class BookingStatus(StrEnum):
    confirmed = "confirmed"
    cancelled = "cancelled"
    honoured = "honoured"
    no_show = "no_show"
    excused = "excused"
    cancelled_by_site = "cancelled_by_site"


class Channel(StrEnum):
    """How a booking was made."""

    online = "online"
    agent = "agent"  # by an agent, for the person at the desk or on the phone


class Booking(BookingModel, table=True):
    __tablename__ = "booking"
    __table_args__ = (Index("ix_booking_site_starts", "site_id", "starts_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    agenda_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    site_id: int
    stop_id: int | None = None
    starts_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    occupied_until: dt.datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False),
        description="End of the appointment plus the buffer, rounded up to the agenda's units",
    )
    demarches: list[str] = Field(sa_column=Column(ARRAY(String), nullable=False))
    units: list[dt.datetime] = Field(
        sa_column=Column(ARRAY(DateTime(timezone=True)), nullable=False),
        description="The slot_load units this booking holds (released on cancel or reschedule)",
    )
    status: str = Field(default=BookingStatus.confirmed, sa_column=Column(String, nullable=False))
    person_name: str | None = None
    email: str | None = None
    phone: str | None = None
    consent_contact: bool = False
    note: str | None = None
    manage_token_hash: str = Field(sa_column=Column(String, nullable=False, unique=True))
    cancelled_by: str | None = None
    channel: str = Field(
        default=Channel.online, sa_column=Column(String, nullable=False, server_default=Channel.online.value)
    )
    created_by: str | None = Field(default=None, description="``agent:<id>`` for a booking made by an agent")
    created_at: dt.datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: dt.datetime = Field(
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        )
    )
    anonymised_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class IdempotencyRecord(BookingModel, table=True):
    """A ``POST /v1/bookings`` already answered: its key (hashed), what it asked, what it made.

    ``token_box`` is the booking's manage token encrypted with a key derived from the Idempotency-Key,
    so that only a caller holding that key can get the same answer (with its link) again.
    """

    __tablename__ = "idempotency_record"

    key_hash: str = Field(primary_key=True)
    fingerprint: str
    booking_id: uuid.UUID = Field(description="Written first, before the booking row it names")
    token_box: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
