"""Settings base: every service reads its own prefixed environment variables (pydantic-settings)."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set `env_prefix` (e.g. ``LOCATOR_``)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = ""
    log_level: str = "INFO"
    log_json: bool = True


class RedisServiceSettings(ServiceSettings):
    """A service that uses Redis (streams, rate limits, caches); the locator does not."""

    redis_url: str = "redis://127.0.0.1:6379/0"
