"""What the itinerary endpoints accept and return."""

import datetime as dt
import re
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fs_common.bounds import BoundedDate
from locator.sites.models import SiteKind
from locator.sites.schemas import NearestSite, Origin, Point, SiteOut, TravelTimeSource

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class WeekParity(StrEnum):
    even = "even"
    odd = "odd"


class VisitRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opens: str = Field(examples=["09:00"], description="HH:MM, heure locale du site")
    closes: str = Field(examples=["12:00"], description="HH:MM, après opens")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        for value in (self.opens, self.closes):
            if not _HHMM.match(value):
                raise ValueError(f"heure « {value} » invalide : format HH:MM attendu (00:00 à 23:59)")
        if self.closes <= self.opens:
            raise ValueError(f"la plage {self.opens}-{self.closes} doit finir après son début")
        return self


class VisitRule(BaseModel):
    """When the bus comes: some weekdays, or some dates; optionally limited in time."""

    model_config = ConfigDict(extra="forbid")

    weekdays: list[int] = Field(default_factory=list, description="0 = lundi … 6 = dimanche", examples=[[0]])
    dates: list[BoundedDate] = Field(default_factory=list, description="Jours précis (au lieu de weekdays)")
    ranges: list[VisitRange] = Field(
        default_factory=list,
        description="Plages horaires ; vide : horaires du site ce jour-là, sinon inconnus",
    )
    valid_from: BoundedDate | None = None
    valid_until: BoundedDate | None = None
    weeks_of_month: list[int] = Field(
        default_factory=list,
        description="1er…5e jour du mois de ce type ; -1 : le dernier",
        examples=[[1, 3]],
    )
    week_parity: WeekParity | None = Field(default=None, description="Semaines ISO paires ou impaires")

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("les jours de la semaine vont de 0 (lundi) à 6 (dimanche)")
        return sorted(set(value))

    @field_validator("weeks_of_month")
    @classmethod
    def _weeks(cls, value: list[int]) -> list[int]:
        if any(w not in (-1, 1, 2, 3, 4, 5) for w in value):
            raise ValueError("les semaines du mois vont de 1 à 5, ou -1 pour la dernière")
        return sorted(set(value))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if bool(self.weekdays) == bool(self.dates):
            raise ValueError("indiquez soit des jours de la semaine (weekdays), soit des dates (dates)")
        if self.dates and (self.weeks_of_month or self.week_parity):
            raise ValueError("weeks_of_month et week_parity ne s'appliquent qu'aux jours de la semaine")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until doit être postérieure ou égale à valid_from")
        starts = sorted(self.ranges, key=lambda r: r.opens)
        for before, after in zip(starts, starts[1:], strict=False):
            if after.opens < before.closes:
                raise ValueError(f"les plages {before.opens}-{before.closes} et {after.opens} se chevauchent")
        return self

    def stored(self) -> dict:
        """The JSONB form kept in ``stop.visits``."""
        rule: dict = {
            "weekdays": self.weekdays,
            "dates": [d.isoformat() for d in sorted(set(self.dates))],
            "ranges": [[r.opens, r.closes] for r in sorted(self.ranges, key=lambda r: r.opens)],
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }
        if self.weeks_of_month:
            rule["weeks_of_month"] = self.weeks_of_month
        if self.week_parity:
            rule["week_parity"] = self.week_parity.value
        return rule

    @classmethod
    def from_stored(cls, rule: dict) -> "VisitRule":
        return cls.model_validate(
            {k: v for k, v in rule.items() if k != "ranges"}
            | {"ranges": [{"opens": a, "closes": b} for a, b in rule.get("ranges") or []]}
        )


class VisitOut(BaseModel):
    date: dt.date = Field(description="Jour local du passage")
    start: dt.datetime | None = Field(description="Début, heure locale avec décalage ; null si inconnu")
    end: dt.datetime | None


class SiteRef(BaseModel):
    id: int = Field(examples=[47])
    name: str = Field(examples=["France services itinérante de l'Argonne Ardennaise"])
    kind: SiteKind
    phone: str | None = None


class StopOut(BaseModel):
    id: int
    site: SiteRef
    name: str = Field(examples=["Mairie de Monthois"])
    address: str | None = None
    insee_code: str | None = Field(default=None, examples=["08303"])
    commune: str | None = Field(default=None, examples=["Monthois"])
    location: Point
    timezone: str = Field(examples=["Europe/Paris"])
    source: Literal["commentaire", "admin"] = Field(
        description="commentaire : lu dans le commentaire de la liste nationale ; admin : saisi"
    )
    visits: list[VisitRule] = Field(description="Règles de passage")
    next_visits: list[VisitOut] = Field(description="Passages dans la fenêtre demandée (hors jours fériés)")


class Itinerary(BaseModel):
    site: SiteRef
    window: "Window"
    stops: list[StopOut]


class Window(BaseModel):
    date_from: dt.date = Field(description="Premier jour (inclus)")
    date_to: dt.date = Field(description="Dernier jour (inclus)")


class NearestStop(BaseModel):
    stop: StopOut
    distance_m: int = Field(description="Distance à vol d'oiseau, en mètres")
    travel_time_min: int = Field(description="Temps en voiture, en minutes (méthode : voir README)")
    travel_time_source: TravelTimeSource = "estimate"
    within_30_min: bool


class NearestStopsResponse(BaseModel):
    origin: Origin
    window: Window
    results: list[NearestStop]


class AccessPoint(BaseModel):
    type: Literal["site", "stop"]
    name: str
    location: Point
    distance_m: int
    travel_time_min: int
    travel_time_source: TravelTimeSource = "estimate"
    within_30_min: bool
    site: SiteOut | None = Field(default=None, description="Quand type = site")
    stop: StopOut | None = Field(default=None, description="Quand type = stop (avec ses prochains passages)")

    @classmethod
    def of_site(cls, nearest: NearestSite) -> "AccessPoint":
        site = nearest.site
        return cls._of(nearest, type="site", name=site.name, location=site.location, site=site)

    @classmethod
    def of_stop(cls, nearest: NearestStop) -> "AccessPoint":
        stop = nearest.stop
        return cls._of(nearest, type="stop", name=stop.name, location=stop.location, stop=stop)

    @classmethod
    def _of(cls, nearest: NearestSite | NearestStop, **place: Any) -> "AccessPoint":
        """The place, with the distance and travel time of the search that found it."""
        return cls(
            distance_m=nearest.distance_m,
            travel_time_min=nearest.travel_time_min,
            travel_time_source=nearest.travel_time_source,
            within_30_min=nearest.within_30_min,
            **place,
        )


class AccessPointsResponse(BaseModel):
    origin: Origin
    window: Window
    results: list[AccessPoint]


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, examples=[49.3167])
    lon: float = Field(ge=-180, le=180, examples=[4.7667])


class StopCreate(BaseModel):
    """A stop: give its commune (INSEE code: the location defaults to the commune centre) or a point."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Mairie de Monthois"])
    address: str | None = Field(default=None, max_length=300)
    insee_code: str | None = Field(default=None, pattern=r"^(\d{5}|2[AB]\d{3})$", examples=["08303"])
    location: PointIn | None = None
    visits: list[VisitRule] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _placed(self) -> Self:
        if self.insee_code is None and self.location is None:
            raise ValueError("indiquez la commune (insee_code) ou la position (location) de l'arrêt")
        return self


class StopUpdate(BaseModel):
    """Only the fields given change; ``insee_code`` without ``location`` moves the stop to that commune."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    insee_code: str | None = Field(default=None, pattern=r"^(\d{5}|2[AB]\d{3})$")
    location: PointIn | None = None
    visits: list[VisitRule] | None = Field(default=None, max_length=50)

    @field_validator("name")
    @classmethod
    def _not_null(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("le nom ne peut pas être vide")
        return value


Itinerary.model_rebuild()
