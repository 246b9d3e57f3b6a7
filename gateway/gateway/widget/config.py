from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WidgetSettings(BaseSettings):
    """What the demo page embeds; the widget itself is configured by the partner's attributes."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_WIDGET_", env_file=".env", extra="ignore")

    demo_api_key: str = Field(default="", description="Partner key of the demo page; empty: anonymous.")
    demo_demarche: str = Field(default="", description="Démarche preselected on the demo page.")
    map_tiles_url: str = Field(
        default="",
        description="Tile URL template ({z}/{x}/{y}) for the demo page's map; empty: no map.",
    )
    map_attribution: str = ""


@lru_cache
def get_widget_settings() -> WidgetSettings:
    return WidgetSettings()
