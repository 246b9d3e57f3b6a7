import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

BookingState = Literal["available", "no_slot", "unknown"]


class PointOut(BaseModel):
    lat: float = Field(examples=[46.1717])
    lon: float = Field(examples=[1.8718])


class NextSlot(BaseModel):
    starts_at: dt.datetime = Field(description="Heure locale du lieu, avec son décalage")
    ends_at: dt.datetime


class Period(BaseModel):
    start: dt.datetime = Field(description="Heure locale du lieu, avec son décalage")
    end: dt.datetime


class HelpPlace(BaseModel):
    type: Literal["site", "stop"] = Field(description="site : France Services fixe ; stop : arrêt d'un bus")
    id: int = Field(description="Identifiant du site (id_fs) ou de l'arrêt", examples=[1203])
    site_id: int = Field(description="La France Services (fixe ou itinérante) qui reçoit", examples=[1203])
    name: str = Field(examples=["France services de Guéret"])
    address: str | None = Field(default=None, examples=["2 place Bonnyaud, 23000 Guéret"])
    location: PointOut
    distance_m: int
    travel_time_min: int = Field(description="Temps estimé en voiture (méthode du service locator)")
    open_now: bool | None = Field(
        default=None,
        description="Site ouvert maintenant ; null pour un arrêt de bus ou des horaires inconnus",
    )
    next_opening: Period | None = Field(
        default=None,
        description="Site : période d'ouverture en cours ou prochaine ; arrêt : prochain passage du bus",
    )
    booking: BookingState = Field(
        description="available : un créneau libre ; no_slot : aucun dans l'horizon ; "
        "unknown : service de rendez-vous indisponible"
    )
    next_slot: NextSlot | None = None
    wait_hours: float | None = Field(default=None, description="Attente jusqu'au prochain créneau, en heures")
    score_min: float = Field(description="Coût du classement, en minutes équivalentes (voir ranking)")
    slots_path: str = Field(
        description="Où lire tous les créneaux", examples=["/v1/sites/1203/slots?demarche=carte-grise"]
    )


class OriginOut(BaseModel):
    lat: float
    lon: float
    label: str | None = None


class HelpNearMeResponse(BaseModel):
    origin: OriginOut
    demarche: str = Field(examples=["carte-grise"])
    ranking: str = Field(description="Comment les lieux sont classés")
    partial: bool = Field(description="Vrai quand une partie de la réponse manque (service indisponible)")
    warnings: list[str] = Field(default_factory=list)
    results: list[HelpPlace]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "origin": {"lat": 46.17, "lon": 1.87, "label": "Guéret"},
                    "demarche": "carte-grise",
                    "ranking": "coût = temps de trajet (min) + 1,25 min par heure d'attente …",
                    "partial": False,
                    "warnings": [],
                    "results": [
                        {
                            "type": "site",
                            "id": 1203,
                            "site_id": 1203,
                            "name": "France services de Guéret",
                            "address": "2 place Bonnyaud, 23000 Guéret",
                            "location": {"lat": 46.1717, "lon": 1.8718},
                            "distance_m": 850,
                            "travel_time_min": 4,
                            "booking": "available",
                            "next_slot": {
                                "starts_at": "2026-11-27T09:00:00+01:00",
                                "ends_at": "2026-11-27T09:30:00+01:00",
                            },
                            "wait_hours": 19.5,
                            "score_min": 28.4,
                            "slots_path": "/v1/sites/1203/slots?demarche=carte-grise",
                        }
                    ],
                }
            ]
        }
    }
