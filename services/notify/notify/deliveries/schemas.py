import datetime as dt
import uuid

from pydantic import BaseModel, Field


class DeliveryOut(BaseModel):
    id: uuid.UUID
    channel: str = Field(examples=["email", "sms", "webhook"])
    kind: str = Field(examples=["confirmation", "reschedule", "cancellation_person", "reminder", "event"])
    status: str = Field(examples=["pending", "retrying", "sending", "sent", "dead", "skipped"])
    recipient: str = Field(description="Masqué : j•••@e•••.fr, •••••••78, ou l'hôte du partenaire")
    attempts: int
    reason: str | None = Field(description="Dernière erreur, ou pourquoi le message n'est pas parti")
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None


class ReminderOut(BaseModel):
    offset_minutes: int
    due_at: dt.datetime
    status: str = Field(examples=["scheduled", "queued", "cancelled", "skipped"])
    reason: str | None


class BookingNotifications(BaseModel):
    booking_id: uuid.UUID
    site_id: int
    booking_status: str
    starts_at: dt.datetime
    deliveries: list[DeliveryOut]
    reminders: list[ReminderOut]
