import datetime as dt
import uuid

from pydantic import BaseModel, Field, field_validator


def normalise_origin(value: str) -> str:
    value = value.strip().rstrip("/").lower()
    scheme, sep, host = value.partition("://")
    if not sep or scheme not in ("http", "https") or not host or "/" in host:
        raise ValueError(f"Origine invalide : {value!r} (attendu : https://exemple.fr)")
    return value


class PartnerKeyCreate(BaseModel):
    partner: str = Field(min_length=2, max_length=200, examples=["CAF de la Creuse"])
    origins: list[str] = Field(
        default_factory=list,
        description="Origines autorisées à appeler l'API depuis un navigateur (CORS)",
        examples=[["https://www.caf.fr"]],
    )
    per_minute: int = Field(default=600, ge=1, le=1_000_000, description="Quota par minute")
    per_day: int = Field(default=100_000, ge=1, le=100_000_000, description="Quota par jour")

    @field_validator("origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        return sorted({normalise_origin(v) for v in values})


class PartnerKeyOut(BaseModel):
    id: uuid.UUID
    partner: str
    prefix: str = Field(description="Début de la clé, pour la reconnaître", examples=["fsk_3kT9"])
    origins: list[str]
    per_minute: int
    per_day: int
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class PartnerKeyCreated(PartnerKeyOut):
    key: str = Field(description="La clé elle-même : affichée cette fois seulement, à conserver")


class KeyInfo(BaseModel):
    """What the gateway needs about a key on every call; cached in Redis."""

    id: uuid.UUID
    partner: str
    origins: list[str]
    per_minute: int
    per_day: int
