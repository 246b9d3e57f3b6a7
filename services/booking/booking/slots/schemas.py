import datetime as dt

from pydantic import BaseModel, Field


class SlotOut(BaseModel):
    starts_at: dt.datetime = Field(description="Heure locale du lieu, avec son décalage")
    ends_at: dt.datetime
    remaining: int = Field(description="Places encore libres à cette heure")


class SlotsOut(BaseModel):
    agenda_id: int
    site_id: int
    stop_id: int | None
    timezone: str
    demarches: list[str]
    duration_minutes: int = Field(description="Somme des durées des démarches demandées")
    slots: list[SlotOut]
