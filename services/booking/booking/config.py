from functools import lru_cache

from fs_common.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class BookingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKING_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_booking"


@lru_cache
def get_settings() -> BookingSettings:
    return BookingSettings()
