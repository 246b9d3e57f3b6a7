import datetime as dt

from geoalchemy2 import Geography
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from locator.db import LocatorModel

# Where a stop comes from: extracted from the national list's comment, or made by an admin. An
# extracted stop an admin deletes stays as a hidden "removed" row, so that the next import does not
# bring it back.
COMMENT = "commentaire"
ADMIN = "admin"
REMOVED = "removed"


class Stop(LocatorModel, table=True):
    """A place a mobile service (bus, itinerant) visits, with its visit rules.

    ``visits`` is a list of rules: ``{"weekdays": [0], "dates": ["2026-12-03"], "ranges": [["09:00",
    "12:00"]], "valid_from": "2026-01-01", "valid_until": null}``.
    """

    __tablename__ = "stop"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(
        sa_column=Column(Integer, ForeignKey("site.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str
    address: str | None = None
    insee_code: str | None = Field(default=None, max_length=5)
    commune_name: str | None = None
    location: str = Field(sa_column=Column(Geography("POINT", srid=4326, spatial_index=True), nullable=False))
    visits: list = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    source: str = Field(
        default=ADMIN, sa_column=Column(String, nullable=False), description="commentaire, admin or removed"
    )
    updated_at: dt.datetime = Field(
        sa_column=Column(
            DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
        )
    )
