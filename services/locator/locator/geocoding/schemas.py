from enum import StrEnum

from pydantic import BaseModel, Field


class GeocodeSource(StrEnum):
    ban = "ban"
    communes = "communes"


class Place(BaseModel):
    label: str = Field(examples=["Guéret (23000)"])
    lat: float
    lon: float
    kind: str = Field(description="housenumber, street, locality, municipality", examples=["municipality"])
    precision: str = Field(
        description="Précision de la réponse : housenumber (numéro), street (rue), locality (lieu-dit) ou "
        "municipality (commune : le géocodeur hors ligne répond toujours à la commune)",
        examples=["municipality"],
    )
    insee_code: str | None = Field(default=None, examples=["23096"])
    postcode: str | None = Field(default=None, examples=["23000"])
    commune: str | None = Field(default=None, examples=["Guéret"])
    score: float = Field(ge=0, le=1, description="Confiance, de 0 à 1")


class GeocodeResponse(BaseModel):
    query: str
    source: GeocodeSource = Field(description="ban : Base Adresse Nationale ; communes : table des communes")
    attribution: str | None = Field(default=None, examples=["BAN"])
    results: list[Place]
