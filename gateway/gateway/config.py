from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from fs_common.settings import RedisServiceSettings

ROOT = Path(__file__).resolve().parents[2]


class GatewaySettings(RedisServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_gateway"
    redis_prefix: str = Field(default="gw:", description="Prefix of every Redis key the gateway writes")

    # Upstream services
    locator_url: str = "http://127.0.0.1:8001"
    booking_url: str = "http://127.0.0.1:8002"
    notify_url: str = "http://127.0.0.1:8003"
    upstream_timeout_s: float = Field(default=5.0, description="Read/write timeout of a call to a service")
    upstream_connect_timeout_s: float = 1.0
    upstream_retries: int = Field(default=2, description="Extra attempts for idempotent requests")
    upstream_retry_backoff_s: float = Field(
        default=0.05, description="First retry's wait, doubling, jittered"
    )
    upstream_retry_max_wait_s: float = Field(
        default=0.5, description="Longest wait before a retry; a longer Retry-After is not retried"
    )
    upstream_retry_budget: float = Field(
        default=0.1, ge=0, description="Retries at most this share of a service's calls over the window"
    )
    upstream_retry_budget_window_s: float = Field(default=10.0, gt=0, description="The budget's window")
    breaker_threshold: int = Field(default=5, description="Consecutive failures that open a circuit")
    breaker_reset_s: float = Field(default=10.0, description="How long an open circuit refuses calls")
    help_slot_horizon_days: int = Field(default=30, description="How far help-near-me looks for a slot")
    openapi_cache_s: float = Field(default=300.0, description="How long the services' OpenAPI is cached")

    # Partner keys and rate limits
    anonymous_per_minute: int = Field(default=120, description="Calls per minute per IP without a key")
    anonymous_per_day: int = 20_000
    key_per_ip_per_minute: int = Field(
        default=300, ge=1, description="Calls per minute from one IP with one partner key (a stolen key)"
    )
    key_cache_s: int = Field(default=300, description="TTL of a partner key in the Redis cache")
    public_origins: list[str] = Field(
        default_factory=list, description="Origins granted CORS without a key (our own website)"
    )
    admin_token: str = Field(
        default="", description="Bearer token for /admin (besides national admins); empty: agents only"
    )

    # Agent authentication
    auth_provider: Literal["builtin", "oidc"] = Field(
        default="builtin", description="builtin: e-mail + password; oidc: an external OpenID provider"
    )
    public_url: str = Field(default="http://127.0.0.1:8000", description="The gateway's public base URL")
    jwt_private_key_file: Path = Field(
        default=ROOT / "var" / "gateway-agent-signing-key.pem",
        description="Ed25519 private key (PEM) signing agent tokens; generated on first start if absent",
    )
    jwt_private_key_pem: str = Field(default="", description="The key itself, instead of the file")
    agent_token_ttl_s: int = Field(default=900, description="Lifetime of an agent token (seconds)")
    login_per_email: str = Field(default="5/15minutes", description="Login attempts per e-mail")
    login_per_ip: str = Field(default="20/minute", description="Login attempts per IP")
    login_concurrent_verifications: int = Field(
        default=4, ge=1, description="Password verifications (argon2, 64 MiB each) at once per process"
    )
    oidc_issuer: str = Field(default="", description="Issuer URL of the OpenID Connect provider")
    oidc_client_id: str = Field(default="", description="Our client id: the audience of its ID tokens")
    oidc_authorization_endpoint: str = Field(
        default="",
        description="Where /agents sends the agent to sign in (implicit flow); empty: {issuer}/authorize",
    )
    oidc_role_claim: str = "fs_role"
    oidc_sites_claim: str = "fs_sites"
    sms_notifications: bool = Field(
        default=False,
        description="Notify sends SMS (NOTIFY_SMS_PROVIDER_URL is set): the agents' console then tells the "
        "agent that a person with a phone is told by SMS; otherwise, to call them",
    )

    # The demo page (/demo); the widget itself is configured by the partner's attributes
    widget_demo_api_key: str = Field(default="", description="Partner key of the demo page; empty: anonymous")
    widget_demo_demarche: str = Field(default="", description="Démarche preselected on the demo page")
    widget_map_tiles_url: str = Field(
        default="", description="Tile URL template ({z}/{x}/{y}) for the demo page's map; empty: no map"
    )
    widget_map_attribution: str = ""

    @field_validator("public_origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        return [v.strip().rstrip("/").lower() for v in values]


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
