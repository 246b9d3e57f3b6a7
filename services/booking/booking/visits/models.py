import datetime as dt
import uuid

from sqlalchemy import Column, Date, DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from booking.db import BookingModel


class Visit(BookingModel, table=True):
    """An accompaniment without an appointment (a walk-in): counted, never tied to a person."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_site_day", "site_id", "day"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    site_id: int
    day: dt.date = Field(sa_column=Column(Date, nullable=False), description="Local day at the site")
    occurred_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    partner: str
    demarches: list[str] = Field(sa_column=Column(ARRAY(String), nullable=False))
    label: str | None = None
    duration_minutes: int
    outcome: str = Field(description="``solved`` on the spot or ``redirected``")
    created_by: str
    created_at: dt.datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
