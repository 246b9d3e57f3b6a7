"""Settings base: every service reads its own prefixed environment variables (pydantic-settings)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fs_common.limits import RequestLimits


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set `env_prefix` (e.g. ``LOCATOR_``)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = ""
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body (bytes)")
    max_header_bytes: int = Field(default=8 * 1024, ge=1024, description="Largest set of request headers")
    max_url_bytes: int = Field(default=4 * 1024, ge=256, description="Longest path and query (bytes)")

    def request_limits(self, *, ascii_headers: bool = False) -> RequestLimits:
        return RequestLimits(
            max_body_bytes=self.max_body_bytes,
            max_header_bytes=self.max_header_bytes,
            max_url_bytes=self.max_url_bytes,
            ascii_headers=ascii_headers,
        )


class RedisServiceSettings(ServiceSettings):
    """A service that uses Redis (streams, rate limits, caches); the locator does not."""

    redis_url: str = "redis://127.0.0.1:6379/0"


class AgentTokenSettings(BaseSettings):
    """A service that serves agents' data: where it finds the keys of the gateway's agent tokens."""

    agent_jwks_url: str = Field(
        default="http://127.0.0.1:8000/.well-known/jwks.json",
        description="The gateway's JWKS, to verify agents' tokens",
    )
    agent_public_key_pem: str = Field(default="", description="When set, used instead of the JWKS URL.")
