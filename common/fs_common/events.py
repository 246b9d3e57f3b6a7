"""Booking events: the contract between booking (producer) and notify (consumer).

Booking writes each event to its outbox in the same transaction as the change; a relay publishes it to
the Redis Stream ``booking.events`` as one field ``event`` holding this model's JSON. Delivery is at
least once: consumers deduplicate on ``id``. A change of shape bumps ``version``.
"""

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, Field

STREAM = "booking.events"
EVENT_FIELD = "event"


class BookingEventType(StrEnum):
    created = "booking.created"
    cancelled = "booking.cancelled"
    rescheduled = "booking.rescheduled"
    status_changed = "booking.status_changed"


class DemarcheRef(BaseModel):
    code: str
    label: str
    partner: str
    documents: list[str] = Field(default_factory=list, description="Pièces à apporter")


class Contact(BaseModel):
    """Only what notify needs to reach the person; never logged."""

    name: str
    email: str | None = None
    phone: str | None = None
    consent_contact: bool = False


class Place(BaseModel):
    site_id: int
    stop_id: int | None = None
    name: str
    address: str
    timezone: str = Field(examples=["Europe/Paris"])
    opening_hours_text: str | None = Field(default=None, description="Horaires en clair, en français")


class BookingSnapshot(BaseModel):
    booking_id: uuid.UUID
    status: str = Field(
        examples=["confirmed", "cancelled", "honoured", "no_show", "excused", "cancelled_by_site"]
    )
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Place
    demarches: list[DemarcheRef]
    contact: Contact
    manage_url: str | None = Field(
        default=None,
        description="Lien de gestion (jeton en clair) ; présent à la création et au report seulement",
    )
    cancelled_by: str | None = Field(default=None, description="person ou site")
    previous_starts_at: dt.datetime | None = None


class BookingEvent(BaseModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: BookingEventType
    version: int = 1
    occurred_at: dt.datetime
    booking: BookingSnapshot
