from functools import lru_cache

from fs_common.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    locator_url: str = "http://127.0.0.1:8001"
    booking_url: str = "http://127.0.0.1:8002"
    notify_url: str = "http://127.0.0.1:8003"
    upstream_timeout_s: float = 5.0


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
