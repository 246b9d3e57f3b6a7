"""What the locator returns about sites: chosen fields, never the row."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from fs_common.calendar import WEEKDAYS_FR
from fs_common.partners import PARTNER_LABELS, Partner
from locator.sites.models import Site, SiteKind


class Weekday(StrEnum):
    lundi = "lundi"
    mardi = "mardi"
    mercredi = "mercredi"
    jeudi = "jeudi"
    vendredi = "vendredi"
    samedi = "samedi"
    dimanche = "dimanche"

    @property
    def number(self) -> int:
        """Lundi 0 … dimanche 6: the keys of ``opening_hours``."""
        return WEEKDAYS_FR.index(self.value)


class Point(BaseModel):
    lat: float = Field(examples=[46.1717])
    lon: float = Field(examples=[1.8718])


class Address(BaseModel):
    street: str = Field(examples=["2 place Bonnyaud"])
    complement: str | None = None
    postcode: str = Field(examples=["23000"])
    commune: str = Field(examples=["Guéret"])
    insee_code: str = Field(examples=["23096"])
    departement: str = Field(examples=["23"])


class TimeRange(BaseModel):
    opens: str = Field(examples=["09:00"])
    closes: str = Field(examples=["12:00"])


class DayHours(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = lundi")
    day: str = Field(examples=["lundi"])
    ranges: list[TimeRange]


class OpeningPeriod(BaseModel):
    start: dt.datetime
    end: dt.datetime


class PartnerOut(BaseModel):
    code: Partner
    label: str


class SiteOut(BaseModel):
    id: int = Field(description="Identifiant national (id_fs)", examples=[1203])
    name: str = Field(examples=["France services de Guéret"])
    kind: SiteKind
    is_mobile: bool = Field(description="Bus ou service itinérant")
    address: Address
    location: Point
    timezone: str = Field(examples=["Europe/Paris"])
    phone: str | None = None
    email: str | None = None
    opening_hours: list[DayHours]
    hours_known: bool = Field(description="Faux quand la structure ne publie aucun horaire")
    open_now: bool | None = Field(description="Ouvert à l'instant demandé ; null si horaires inconnus")
    next_opening: OpeningPeriod | None = Field(
        description="Période d'ouverture en cours ou prochaine, heure locale"
    )
    appointment_required: bool
    partners: list[PartnerOut]
    comment: str | None = None
    labelled_since: dt.date | None = None

    @classmethod
    def of(cls, site: Site, lat: float, lon: float) -> "SiteOut":
        """The answer for a site row, its opening state left null (it depends on the instant)."""
        return cls(
            id=site.id,
            name=site.name,
            kind=site.kind,
            is_mobile=site.is_mobile,
            address=Address(
                street=site.address,
                complement=site.address_complement,
                postcode=site.postcode,
                commune=site.commune_name,
                insee_code=site.insee_code,
                departement=site.departement,
            ),
            location=Point(lat=lat, lon=lon),
            timezone=site.timezone,
            phone=site.phone,
            email=site.email,
            opening_hours=day_hours(site.opening_hours),
            hours_known=site.hours_known,
            open_now=None,
            next_opening=None,
            appointment_required=site.appointment_required,
            partners=[partner_out(p) for p in site.partners],
            comment=site.comment,
            labelled_since=site.labelled_since,
        )


TravelTimeSource = Annotated[
    Literal["estimate", "routing_engine"],
    Field(description="estimate : modèle documenté ; routing_engine : durée routière (OSRM)"),
]


class NearestSite(BaseModel):
    site: SiteOut
    distance_m: int = Field(description="Distance à vol d'oiseau, en mètres")
    travel_time_min: int = Field(description="Temps en voiture, en minutes (méthode : voir README)")
    travel_time_source: TravelTimeSource = "estimate"
    within_30_min: bool = Field(description="À moins de 30 minutes : la promesse France Services")


class Origin(BaseModel):
    lat: float
    lon: float
    label: str | None = None
    source: str = Field(
        description="coordinates, ban (Base Adresse Nationale) ou communes (table des communes)"
    )
    insee_code: str | None = Field(default=None, description="Commune trouvée par le géocodage")
    territory: str | None = Field(
        default=None,
        description="Territoire routier du lieu cherché : seuls les lieux de ce territoire sont proposés",
        examples=["France métropolitaine continentale"],
    )


class NearestSitesResponse(BaseModel):
    origin: Origin
    results: list[NearestSite]


class SitePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[SiteOut]


# Built once: the same few objects serve every response (they are never mutated).
PARTNERS_OUT = {p.value: PartnerOut(code=p, label=PARTNER_LABELS[p]) for p in Partner}


def partner_out(code: str) -> PartnerOut:
    return PARTNERS_OUT[code]


def day_hours(hours: dict[str, list[list[str]]]) -> list[DayHours]:
    return [
        DayHours(
            weekday=int(day),
            day=WEEKDAYS_FR[int(day)],
            ranges=[TimeRange(opens=start, closes=end) for start, end in ranges],
        )
        for day, ranges in sorted(hours.items())
    ]
