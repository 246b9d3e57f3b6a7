import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, DateTime, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field

from booking.db import BookingModel


class Modality(StrEnum):
    on_site = "on_site"
    phone = "phone"
    video = "video"


class Demarche(BookingModel, table=True):
    """One démarche a person can book an appointment for."""

    __tablename__ = "demarche"

    code: str = Field(primary_key=True, max_length=64)
    label: str
    partner: str = Field(sa_column=Column(String, nullable=False))
    duration_minutes: int
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    modalities: list[str] = Field(sa_column=Column(ARRAY(String), nullable=False))
    active: bool = True
    updated_at: dt.datetime = Field(
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        )
    )
