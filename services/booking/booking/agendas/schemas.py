import re
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from booking.agendas.models import Agenda, AgendaException
from fs_common.bounds import BoundedDate

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"
TimeRange = tuple[str, str]  # ("09:00", "12:00"), local time of the place


def _check_ranges(ranges: list[tuple[str, str]]) -> None:
    for opens, closes in ranges:
        if not (re.match(HHMM, opens) and re.match(HHMM, closes)) or opens >= closes:
            raise ValueError(f"Plage horaire invalide : {opens}–{closes} (format HH:MM, début avant fin).")


class Rule(BaseModel):
    """Recurring booking hours: on these weekdays (0 = lundi) or these dates, within these ranges."""

    weekdays: list[int] = Field(default_factory=list, examples=[[0, 1, 3]])
    dates: list[BoundedDate] = Field(default_factory=list, description="Dates précises (passages d'un bus)")
    ranges: list[TimeRange] = Field(min_length=1, examples=[[["09:00", "12:00"], ["14:00", "17:00"]]])
    capacity: int | None = Field(default=None, ge=1, le=50, description="Agents recevant en même temps")
    valid_from: BoundedDate | None = None
    valid_until: BoundedDate | None = None
    weeks_of_month: list[int] = Field(
        default_factory=list, description="1er…5e jour du mois ; -1 : le dernier"
    )
    week_parity: Literal["even", "odd"] | None = Field(
        default=None, description="Semaines ISO paires/impaires"
    )

    @model_validator(mode="after")
    def _valid(self) -> "Rule":
        if not self.weekdays and not self.dates:
            raise ValueError("Indiquez des jours de la semaine ou des dates.")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("Les jours de la semaine vont de 0 (lundi) à 6 (dimanche).")
        if any(w not in (-1, 1, 2, 3, 4, 5) for w in self.weeks_of_month):
            raise ValueError("Les semaines du mois vont de 1 à 5, ou -1 pour la dernière.")
        _check_ranges(self.ranges)
        return self


class AgendaUpdate(BaseModel):
    rules: list[Rule] | None = None
    capacity: int | None = Field(default=None, ge=1, le=50)
    slot_minutes: int | None = Field(default=None, ge=5, le=120)
    buffer_minutes: int | None = Field(default=None, ge=0, le=120)
    min_notice_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    horizon_days: int | None = Field(default=None, ge=1, le=400)
    demarches: list[str] | None = Field(default=None, description="Codes proposés ; absent : toutes")
    closed_on_public_holidays: bool | None = None


class StopAgendaIn(AgendaUpdate):
    """The agenda of one bus stop: its visits (as the locator publishes them) become the rules."""

    site_id: int = Field(
        ge=1,
        le=2_147_483_647,
        description="La France Services mobile qui dessert l'arrêt (vérifié auprès des lieux)",
    )
    name: str = Field(min_length=2, max_length=200)
    address: str = Field(min_length=2, max_length=300)
    timezone: str = Field(default="Europe/Paris")
    departement: str | None = Field(default=None, pattern=r"^(\d{2}|2[AB]|\d{3})$")
    rules: list[Rule] = Field(min_length=1)


class ExceptionIn(BaseModel):
    date: BoundedDate
    kind: Literal["closed", "open"] = Field(description="closed : fermeture ; open : ouverture en plus")
    ranges: list[TimeRange] = Field(
        default_factory=list, description="Vide pour une fermeture : toute la journée"
    )
    capacity: int | None = Field(default=None, ge=1, le=50)
    label: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _valid(self) -> "ExceptionIn":
        if self.kind == "open" and not self.ranges:
            raise ValueError("Une ouverture exceptionnelle a besoin d'au moins une plage horaire.")
        _check_ranges(self.ranges)
        return self


class ExceptionOut(ExceptionIn):
    id: int

    @classmethod
    def of(cls, row: AgendaException) -> "ExceptionOut":
        return cls(
            id=row.id or 0,
            date=row.date,
            kind=row.kind,
            ranges=[tuple(r) for r in row.ranges],
            capacity=row.capacity,
            label=row.label,
        )


class AgendaOut(BaseModel):
    id: int
    site_id: int
    stop_id: int | None
    name: str
    address: str
    timezone: str
    departement: str | None
    opening_hours_text: str | None
    rules: list[Rule]
    capacity: int
    slot_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    horizon_days: int
    demarches: list[str] | None
    closed_on_public_holidays: bool
    source: str = Field(description="locator : amorcé depuis les horaires publiés ; admin : modifié")
    exceptions: list[ExceptionOut]

    @classmethod
    def of(cls, row: Agenda, exceptions: list[AgendaException]) -> "AgendaOut":
        return cls.model_validate(row.model_dump() | {"exceptions": [ExceptionOut.of(e) for e in exceptions]})
