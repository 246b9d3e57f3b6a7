from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from fs_common.events import STREAM
from fs_common.settings import AgentTokenSettings, RedisServiceSettings


class BookingSettings(RedisServiceSettings, AgentTokenSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKING_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_booking"
    db_pool_size: int = Field(default=20, description="Connections kept open; as many again on overflow.")
    locator_url: str = "http://127.0.0.1:8001"
    locator_timeout_s: float = 3.0
    locator_cache_ttl_s: float = Field(default=600, description="How long a locator answer is reused.")
    events_stream: str = STREAM
    events_keys: str = Field(
        default="",
        description=(
            "AES-256 keys sealing the contact and manage link of each event, shared with notify: "
            "'kid:base64url-key' entries, comma-separated, the first encrypts (rotate by putting a new key "
            "first and dropping the old one once the stream has moved on). Empty: the key file."
        ),
    )
    events_keys_file: str = Field(
        default="var/events-keys",
        description="Read when events_keys is empty; created with a fresh key by the first service to start.",
    )
    events_stream_max_len: int = Field(
        default=50_000, ge=100, description="Cap of the stream even if a consumer group stops reading."
    )
    events_trim_every_s: float = Field(
        default=5.0, gt=0, description="How often the relay trims what every consumer group acknowledged."
    )
    relay_interval_s: float = Field(default=0.5, description="Relay poll period when the outbox is empty.")
    relay_batch_size: int = 200
    manage_url_template: str = Field(
        default="http://127.0.0.1:8000/rendez-vous#{token}",
        description=(
            "Link sent to the person: the gateway's booking page; {token} is replaced by the booking's token "
            "(after '#', so that browsers never send it to a server)."
        ),
    )
    retention_days: int = Field(default=730, description="Bookings older than this are anonymised.")
    outbox_retention_days: int = Field(default=7, description="Published events are purged after this.")
    idempotency_ttl_hours: int = 24
    # Default rules of a new agenda.
    default_capacity: int = 2
    default_slot_minutes: int = 15
    default_buffer_minutes: int = 0
    default_min_notice_minutes: int = 120
    default_horizon_days: int = 60
    cancel_cutoff_hours: float = 4
    reschedule_cutoff_hours: float = 24


@lru_cache
def get_settings() -> BookingSettings:
    return BookingSettings()
