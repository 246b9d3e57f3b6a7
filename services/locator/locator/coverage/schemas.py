"""What the coverage endpoints return."""

from typing import Literal

from pydantic import BaseModel, Field


class ServicePoint(BaseModel):
    """The nearest place of service: a site, or a stop of a mobile service."""

    kind: Literal["site", "stop"]
    id: int
    name: str
    is_mobile: bool
    days: list[str] = Field(description="Jours de présence d'un service mobile (vide pour un site fixe)")


class Port(BaseModel):
    insee_code: str
    name: str


class Crossing(BaseModel):
    """A regular ferry counted by coverage (``data/ferry_links.csv``), with where its time comes from."""

    island_port: Port = Field(description="Commune du port de l'île")
    port: Port = Field(description="Commune du port de l'autre rive")
    crossing_minutes: float = Field(
        description="Durée de la traversée publiée par l'armateur ou une source officielle"
    )
    publisher: str = Field(description="Qui publie cette durée")
    source_url: str


class CommuneReach(BaseModel):
    insee_code: str
    name: str
    departement: str
    population: int
    minutes: float | None = Field(description="Temps estimé jusqu'au lieu le plus proche (None : aucun)")
    nearest: ServicePoint | None
    ferry: Crossing | None = Field(
        default=None, description="La traversée comptée dans ce temps, quand l'île n'a pas de France Services"
    )


class MobileCoverage(BaseModel):
    counted: bool
    note: str
    communes: list[CommuneReach] = Field(
        description="Communes dans le seuil seulement grâce à un service mobile, les jours de passage"
    )


class TravelModelOut(BaseModel):
    """The figures of the travel model (``locator/travel/model.py``; each a ``LOCATOR_TRAVEL_*`` setting)."""

    method: Literal["great_circle", "routing_engine"]
    fixed_minutes: float
    detour_factor: dict[str, float] = Field(description="Par relief : plain, mountain, overseas")
    detour_factor_main_roads: float = Field(description="Vers lequel tendent les longs trajets (grands axes)")
    terrain_speed_factor: dict[str, float]
    urban_km: dict[str, float] = Field(description="Rues parcourues pour sortir ou entrer, par classe")
    urban_kmh: dict[str, float]
    open_road_kmh: dict[str, float]


class TerritoryWithoutSite(BaseModel):
    """A road territory (island, collectivité) where no place of service can be reached by road."""

    territory: str = Field(examples=["nouvelle-caledonie-grande-terre"])
    name: str = Field(examples=["Nouvelle-Calédonie (Grande Terre)"])
    population: int
    communes: list[str] = Field(description="Codes INSEE")


class FerryTerritory(BaseModel):
    """An island without a France Services, counted through its regular ferry."""

    territory: str = Field(examples=["yeu"])
    name: str = Field(examples=["L'Île-d'Yeu"])
    population: int
    communes: list[str] = Field(description="Codes INSEE des communes comptées par cette traversée")
    crossing: Crossing


class FerryCoverage(BaseModel):
    counted: bool = Field(description="LOCATOR_COVERAGE_FERRY_CROSSINGS")
    boarding_minutes: float = Field(description="Minutes ajoutées à chaque traversée (embarquement, attente)")
    note: str
    territories: list[FerryTerritory] = Field(
        description="Îles sans France Services comptées par leur traversée : route jusqu'au port, traversée, "
        "route jusqu'à la France Services fixe la plus proche de l'autre rive"
    )


class CoverageOut(BaseModel):
    departement: str | None
    region: str | None
    minutes: float
    include_mobile: bool
    population: int
    population_within: int
    population_beyond: int
    share: float = Field(description="Part de la population dans le seuil (0 à 1)")
    communes: int
    communes_within: int
    communes_beyond: list[CommuneReach] = Field(
        description="Au-delà du seuil, les plus peuplées d'abord (hors territoires sans France Services)"
    )
    territories_without_site: list[TerritoryWithoutSite] = Field(
        description="Territoires sans France Services accessible par la route (îles, collectivités), hors "
        "traversées comptées : leur population compte au-delà du seuil"
    )
    ferries: FerryCoverage
    mobile: MobileCoverage
    model: TravelModelOut


class Suggestion(BaseModel):
    rank: int
    insee_code: str
    name: str
    departement: str
    lat: float
    lon: float
    population_added: int
    communes_added: list[str]
    population_beyond_after: int


class SuggestionsOut(BaseModel):
    departement: str | None
    region: str | None
    minutes: float
    include_mobile: bool
    population_beyond: int
    suggestions: list[Suggestion]


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[lon, lat]")


class CommuneFeatureProperties(BaseModel):
    insee_code: str
    name: str
    population: int
    minutes: float | None
    band: Literal["under_15", "15_30", "over_30", "none"]
    nearest: ServicePoint | None


class CommuneFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: PointGeometry
    properties: CommuneFeatureProperties


class CommuneFeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[CommuneFeature]
    include_mobile: bool
