import datetime as dt
from enum import StrEnum

from geoalchemy2 import Geography
from sqlalchemy import Column, DateTime, String, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field

from locator.db import LocatorModel


class SiteKind(StrEnum):
    fixed = "fixed"
    antenna = "antenna"
    multi_site = "multi_site"
    bus = "bus"
    itinerant = "itinerant"


MOBILE_KINDS = (SiteKind.bus, SiteKind.itinerant)


class Site(LocatorModel, table=True):
    """A France Services: a fixed desk, an antenna, a multi-site structure or a mobile service."""

    __tablename__ = "site"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False}, description="id_fs national")
    name: str
    kind: str = Field(index=True)
    is_mobile: bool = Field(index=True)
    address: str
    address_complement: str | None = None
    insee_code: str = Field(index=True, max_length=5)
    commune_name: str
    postcode: str = Field(max_length=5)
    departement: str = Field(index=True, max_length=3)
    timezone: str
    location: str = Field(sa_column=Column(Geography("POINT", srid=4326, spatial_index=True), nullable=False))
    phone: str | None = None
    email: str | None = None
    opening_hours: dict = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    hours_known: bool = True
    appointment_required: bool = False
    partners: list[str] = Field(sa_column=Column(ARRAY(String), nullable=False))
    comment: str | None = None
    group_name: str | None = None
    labelled_since: dt.date | None = None
    updated_at: dt.datetime = Field(
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        )
    )
