import datetime as dt
import uuid

from pydantic import BaseModel, Field, HttpUrl

from fs_common.events import BookingEventType


class WebhookCreate(BaseModel):
    name: str = Field(min_length=2, max_length=200, examples=["CAF — suivi des rendez-vous"])
    url: HttpUrl = Field(examples=["https://partenaire.example/france-services/webhook"])
    secret: str | None = Field(
        default=None,
        min_length=32,
        max_length=256,
        description="Clé HMAC partagée ; générée (et renvoyée une seule fois) si absente",
    )
    event_types: list[BookingEventType] = Field(
        default_factory=lambda: list(BookingEventType), description="Types d'événements transmis"
    )


class WebhookOut(BaseModel):
    id: uuid.UUID
    name: str
    url: str
    event_types: list[str]
    active: bool
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="À conserver : il ne sera plus jamais affiché")
