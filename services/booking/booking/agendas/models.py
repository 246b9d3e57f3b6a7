import datetime as dt

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field

from booking.db import BookingModel


class Agenda(BookingModel, table=True):
    """When one site (or one bus stop of a mobile site) receives people, and for what.

    ``rules`` is a list of recurring booking hours, in the place's local time:
    ``{"weekdays": [0, 1], "dates": [], "ranges": [["09:00", "12:00"]], "capacity": 2,
    "valid_from": "2026-01-01", "valid_until": null}`` (``dates`` for the visits of a stop).
    """

    __tablename__ = "agenda"
    __table_args__ = (
        Index("uq_agenda_site", "site_id", unique=True, postgresql_where=text("stop_id IS NULL")),
        Index("uq_agenda_stop", "stop_id", unique=True, postgresql_where=text("stop_id IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(index=True)
    stop_id: int | None = None
    name: str
    address: str
    timezone: str
    departement: str | None = None
    opening_hours_text: str | None = None
    rules: list = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    capacity: int
    slot_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    horizon_days: int
    demarches: list[str] | None = Field(
        default=None, sa_column=Column(ARRAY(String), nullable=True), description="null: all on-site"
    )
    closed_on_public_holidays: bool = True
    source: str = Field(default="admin", description="locator (bootstrapped) or admin (edited)")
    updated_at: dt.datetime = Field(
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        )
    )


class AgendaException(BookingModel, table=True):
    """A closure (whole day when ``ranges`` is empty) or an extra opening on one local date."""

    __tablename__ = "agenda_exception"

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    date: dt.date = Field(sa_column=Column(Date, nullable=False))
    kind: str = Field(description="closed or open")
    ranges: list = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    capacity: int | None = None
    label: str | None = None
