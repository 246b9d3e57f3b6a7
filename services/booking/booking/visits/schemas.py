import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from fs_common.bounds import BoundedAwareDatetime
from fs_common.partners import Partner

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


class VisitIn(BaseModel):
    """A walk-in: who helped with what, never who was helped."""

    partner: Partner = Field(description="Le partenaire concerné (CAF, Assurance Maladie, …)")
    demarches: list[str] = Field(default_factory=list, max_length=5, description="Codes du catalogue")
    label: str | None = Field(
        default=None, min_length=2, max_length=120, pattern=NO_CONTROL, description="Libellé libre"
    )
    duration_minutes: int = Field(default=15, ge=1, le=480)
    outcome: Literal["solved", "redirected"] = Field(
        default="solved", description="solved : résolu sur place ; redirected : réorienté"
    )
    occurred_at: BoundedAwareDatetime | None = Field(
        default=None, description="Par défaut maintenant ; au plus 31 jours en arrière, jamais dans le futur"
    )


class VisitOut(BaseModel):
    id: uuid.UUID
    site_id: int
    day: dt.date
    occurred_at: dt.datetime = Field(description="Heure locale du site")
    partner: Partner
    demarches: list[str]
    label: str | None
    duration_minutes: int
    outcome: str
    created_by: str
