from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fs_common.settings import ServiceSettings


class LocatorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LOCATOR_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_locator"
    geocoder_url: str = Field(
        default="",
        description="Base URL of the national geocoder (BAN), e.g. https://api-adresse.data.gouv.fr; "
        "empty: the commune table only.",
    )
    geocoder_timeout_s: float = 2.0
    admin_token: str = Field(default="", description="Bearer token for the admin API; empty disables it.")


@lru_cache
def get_settings() -> LocatorSettings:
    return LocatorSettings()
