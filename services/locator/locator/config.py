from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fs_common.settings import AgentTokenSettings, ServiceSettings


class LocatorSettings(ServiceSettings, AgentTokenSettings):
    model_config = SettingsConfigDict(env_prefix="LOCATOR_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_locator"
    geocoder_url: str = Field(
        default="",
        description="Base URL of the national geocoder (BAN), e.g. https://api-adresse.data.gouv.fr; "
        "empty: the commune table only.",
    )
    geocoder_timeout_s: float = 2.0
    admin_token: str = Field(
        default="", description="Static bearer token of the admin API, for scripts; empty: agent tokens only."
    )

    # The travel-time model (locator/travel/model.py documents the formula, the README each figure's source).
    travel_fixed_minutes: float = Field(default=1.0, ge=0, le=60, description="Parking and walking in")
    travel_detour_factor: float = Field(
        default=1.32, ge=1, le=3, description="Road / straight-line distance of a short trip, plain terrain"
    )
    travel_detour_factor_mountain: float = Field(
        default=1.76, ge=1, le=3, description="The same in mountains"
    )
    travel_detour_factor_overseas: float = Field(default=1.52, ge=1, le=3, description="The same overseas")
    travel_detour_factor_main_roads: float = Field(
        default=1.2, ge=1, le=3, description="Road / straight-line distance long trips tend to (main roads)"
    )
    travel_dense_city_km: float = Field(
        default=0.5, ge=0, le=20, description="Streets driven to leave or enter a dense city"
    )
    travel_town_km: float = Field(default=1.1, ge=0, le=20, description="The same for a town")
    travel_rural_km: float = Field(default=0.7, ge=0, le=20, description="The same for a village")
    travel_dense_city_kmh: float = Field(
        default=26.0, gt=0, le=130, description="Speed in a dense city's streets"
    )
    travel_town_kmh: float = Field(default=46.5, gt=0, le=130, description="Speed in a town's streets")
    travel_rural_kmh: float = Field(default=39.0, gt=0, le=130, description="Speed in a village's streets")
    travel_open_road_short_kmh: float = Field(
        default=37.0, gt=0, le=130, description="Open-road speed of the shortest trips"
    )
    travel_open_road_long_kmh: float = Field(
        default=92.5, gt=0, le=130, description="Open-road speed the longest trips tend to"
    )
    travel_open_road_scale_km: float = Field(
        default=54.5, gt=0, le=1000, description="Straight-line length over which main roads take over"
    )
    travel_mountain_speed_factor: float = Field(
        default=0.71, gt=0, le=1.5, description="Open-road speed in mountains, relative to the plain"
    )
    travel_overseas_speed_factor: float = Field(
        default=0.89, gt=0, le=1.5, description="Open-road speed overseas, relative to the plain"
    )
    travel_departement_speed_factors: dict[str, float] = Field(
        default={"2A": 0.69, "2B": 0.63, "973": 1.01, "976": 0.7},
        description="Open-road speed factor of a département's roads, instead of its terrain's (JSON object)",
    )
    travel_dense_city_population: int = Field(default=50_000, description="Dense city from this population")
    travel_town_population: int = Field(default=2_000, description="Town from this population")
    travel_mountain_departements: list[str] = Field(
        default=["04", "05", "15", "2A", "2B", "48", "65", "73", "74"],
        description="Départements counted as mountain (JSON list in the environment)",
    )
    routing_url: str = Field(
        default="",
        description="Base URL of an OSRM server (e.g. http://127.0.0.1:5000); empty: the estimate only.",
    )
    routing_profile: str = "driving"
    routing_timeout_s: float = 10.0
    routing_candidates: int = Field(
        default=3, ge=1, le=20, description="Nearest sites (straight line) whose road time is asked"
    )

    # Coverage across the sea: regular ferry crossings (data/ferry_links.csv; README, "Ferry crossings").
    coverage_ferry_crossings: bool = Field(
        default=False,
        description="Count the published crossing of an island without a France Services to the mainland "
        "port, and the drives at both ends; off: such islands are listed apart (the published comparison)",
    )
    coverage_ferry_boarding_minutes: float = Field(
        default=0.0,
        ge=0,
        le=240,
        description="Minutes added to each crossing for boarding and waiting for the boat (0: the published "
        "crossing alone)",
    )


@lru_cache
def get_settings() -> LocatorSettings:
    return LocatorSettings()
