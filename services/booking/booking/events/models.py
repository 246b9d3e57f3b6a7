import datetime as dt
import uuid

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from booking.db import BookingModel


class OutboxEvent(BookingModel, table=True):
    """An event written in the same transaction as the change; the relay publishes it after commit."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "seq", postgresql_where=text("published_at IS NULL")),)

    seq: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    event_id: uuid.UUID = Field(unique=True)
    type: str
    payload: dict = Field(sa_column=Column(JSONB, nullable=False))
    created_at: dt.datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    published_at: dt.datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
