"""Settings of the notify service (environment variables prefixed ``NOTIFY_``)."""

import os
import socket
from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from fs_common.settings import AgentTokenSettings, RedisServiceSettings


class NotifySettings(RedisServiceSettings, AgentTokenSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", env_file=".env", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_notify"

    # Booking events (Redis Streams consumer group).
    stream: str = "booking.events"
    consumer_group: str = "notify"
    consumer_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="Unique per replica; a restarted replica may reuse its name or take a new one",
    )
    events_keys: str = Field(
        default="",
        description=(
            "The keys booking seals each event's contact and manage link with (the same value as "
            "BOOKING_EVENTS_KEYS: 'kid:base64url-key', comma-separated; every listed key opens). Empty: the "
            "key file."
        ),
    )
    events_keys_file: str = Field(
        default="var/events-keys", description="Read when events_keys is empty (shared with booking)."
    )
    read_count: int = 50
    read_block_ms: int = 1000
    claim_min_idle_ms: int = Field(60_000, description="Pending this long at a dead consumer: reclaimed")
    claim_every_s: float = 5.0

    # Deliveries (outbox of messages) and their retries.
    poll_interval_s: float = 0.5
    dispatch_batch: int = 50
    dispatch_concurrency: int = 8
    lease_s: float = Field(60.0, description="A claimed delivery not finished in this time is retried")
    max_attempts: int = 8
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0

    # Reminders, in minutes before the start (default 48 h and 2 h).
    reminder_offsets_minutes: list[int] = [48 * 60, 2 * 60]

    # Personal data kept to send and support; blanked this long after the appointment.
    retention_days: int = 90
    anonymise_every_s: float = 3600.0

    # E-mail.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_start_tls: bool = False
    smtp_use_tls: bool = False
    smtp_timeout_s: float = 10.0
    smtp_pool_size: int = 4
    smtp_sender: str = "France Services <ne-pas-repondre@france-services.gouv.fr>"
    message_id_domain: str = "notify.france-services.gouv.fr"

    # SMS provider (disabled when the URL is empty).
    sms_provider_url: str = ""
    sms_api_key: str = ""
    sms_sender: str = "FranceServ"

    # Partner webhooks (their targets: notify/webhooks/targets.py).
    webhook_timeout_s: float = 10.0
    webhook_allow_http: bool = Field(
        False, description="Accept plain http:// targets (local tests only); https only otherwise"
    )
    webhook_hosts: list[str] = Field(
        default_factory=list,
        description="'name=address' answers used before DNS, like /etc/hosts (tests); empty in production",
    )
    webhook_allowed_targets: list[str] = Field(
        default_factory=list,
        description="'address:port' exempted from the internal-address rule (tests); empty in production",
    )

    # Who may call the admin and support endpoints.
    admin_token: str = Field("", description="Static bearer token for the webhook admin API (optional)")

    @model_validator(mode="after")
    def _webhook_targets_readable(self) -> "NotifySettings":
        from notify.webhooks.targets import TargetPolicy

        try:
            TargetPolicy.of(self)
        except ValueError as exc:
            raise ValueError(
                "NOTIFY_WEBHOOK_HOSTS is 'name=address' entries, NOTIFY_WEBHOOK_ALLOWED_TARGETS "
                "'address:port' entries"
            ) from exc
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> "NotifySettings":
        if self.lease_s <= 2 * max(self.smtp_timeout_s, self.webhook_timeout_s):
            raise ValueError("NOTIFY_LEASE_S must be more than twice the SMTP and webhook timeouts")
        return self


@lru_cache
def get_settings() -> NotifySettings:
    return NotifySettings()
