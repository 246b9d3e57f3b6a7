from geoalchemy2 import Geography
from sqlalchemy import Column, Index, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from locator.db import LocatorModel


class Commune(LocatorModel, table=True):
    """A current commune, or a municipal arrondissement of Paris, Lyon or Marseille."""

    __tablename__ = "commune"
    __table_args__ = (Index("ix_commune_postcodes", "postcodes", postgresql_using="gin"),)

    code_insee: str = Field(primary_key=True, max_length=5)
    name: str
    search_key: str = Field(index=True, description="Name without accents, case or hyphens")
    kind: str = Field(description="commune-actuelle or arrondissement-municipal")
    departement: str = Field(index=True, max_length=3)
    region: str | None = None
    zone: str = Field(description="metro, drom or com")
    parent_code: str | None = Field(default=None, max_length=5)
    postcodes: list[str] = Field(sa_column=Column(ARRAY(String(5)), nullable=False))
    population: int = 0
    location: str | None = Field(
        default=None, sa_column=Column(Geography("POINT", srid=4326, spatial_index=True), nullable=True)
    )
    centroid_source: str | None = None
