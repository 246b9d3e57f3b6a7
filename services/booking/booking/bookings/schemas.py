import datetime as dt
import uuid

from pydantic import BaseModel, Field, model_validator

from booking.slots.schemas import SlotOut
from fs_common.bounds import BoundedAwareDatetime

EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
PHONE = r"^\+?[0-9][0-9 .-]{7,18}[0-9]$"


class PersonBase(BaseModel):
    """Only what is needed to receive the person and to reach them."""

    name: str = Field(min_length=2, max_length=100, examples=["Camille Martin"])
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)
    phone: str | None = Field(default=None, pattern=PHONE, examples=["06 12 34 56 78"])
    consent_contact: bool = Field(default=False, description="Accepte d'être contacté(e) (rappels)")


class Person(PersonBase):
    """Online, the person gives a way to reach them."""

    @model_validator(mode="after")
    def _reachable(self) -> "Person":
        if not self.email and not self.phone:
            raise ValueError("Indiquez une adresse e-mail ou un numéro de téléphone portable.")
        return self


class _Place(BaseModel):
    site_id: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        strict=True,
        description="La France Services (ou stop_id pour un bus)",
    )
    stop_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, strict=True, description="L'arrêt d'un bus France Services"
    )
    demarches: list[str] = Field(min_length=1, max_length=5, examples=[["ameli-carte-vitale"]])
    starts_at: BoundedAwareDatetime = Field(
        description="Un début de créneau renvoyé par la recherche de créneaux"
    )
    note: str | None = Field(default=None, max_length=500, description="Message pour l'agent")

    @model_validator(mode="after")
    def _one_place(self) -> "_Place":
        if (self.site_id is None) == (self.stop_id is None):
            raise ValueError("Indiquez soit site_id (France Services), soit stop_id (arrêt d'un bus).")
        return self


class BookingCreate(_Place):
    person: Person


class AgentBookingCreate(_Place):
    """Made by an agent for the person at the desk or on the phone: a name is enough (many people have
    no e-mail; the agent prints the confirmation)."""

    person: PersonBase


MANAGE_TOKEN = Field(
    min_length=20,
    max_length=100,
    pattern=r"^[A-Za-z0-9_-]+$",
    description="Le jeton du lien de gestion (jamais dans l'adresse : elle finit dans les journaux)",
)


class ManageIn(BaseModel):
    """The token travels in the body, never in the URL (URLs end up in proxies' access logs)."""

    token: str = MANAGE_TOKEN


class RescheduleIn(ManageIn):
    starts_at: BoundedAwareDatetime


class DemarcheBrief(BaseModel):
    code: str
    label: str
    documents: list[str]


class PlaceOut(BaseModel):
    site_id: int
    stop_id: int | None
    name: str
    address: str
    timezone: str


class BookingOut(BaseModel):
    id: uuid.UUID
    status: str = Field(examples=["confirmed"])
    starts_at: dt.datetime = Field(description="Heure locale du lieu")
    ends_at: dt.datetime
    place: PlaceOut
    demarches: list[DemarcheBrief]
    person: PersonBase | None = Field(description="Absent une fois les données anonymisées")
    note: str | None = None
    cancelled_by: str | None = None
    channel: str = Field(default="online", description="online : en ligne ; agent : par un agent")
    cancellable_until: dt.datetime
    reschedulable_until: dt.datetime


class AgentBookingOut(BookingOut):
    created_by: str | None = Field(default=None, description="agent:<identifiant> si pris par un agent")


class BookingWithLink(BookingOut):
    """Returned once, at creation and at each rescheduling: the token is never stored in clear."""

    manage_token: str
    manage_url: str


class AgentBookingWithLink(BookingWithLink):
    created_by: str | None = None


class SlotTakenProblem(BaseModel):
    """The 409 body when the slot was just taken (problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    alternatives: list[SlotOut]
