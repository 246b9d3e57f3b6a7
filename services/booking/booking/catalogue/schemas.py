from pydantic import BaseModel, Field

from booking.catalogue.models import Demarche, Modality
from fs_common.params import DEMARCHE_CODE_PATTERN
from fs_common.partners import PARTNER_LABELS, Partner

CODE_PATTERN = DEMARCHE_CODE_PATTERN


class DemarcheOut(BaseModel):
    code: str = Field(examples=["ameli-carte-vitale"])
    label: str = Field(examples=["Commander ou renouveler sa carte Vitale"])
    partner: Partner
    partner_label: str
    duration_minutes: int = Field(description="Durée par défaut du rendez-vous")
    documents: list[str] = Field(description="Pièces à apporter")
    modalities: list[Modality]
    active: bool

    @classmethod
    def of(cls, row: Demarche) -> "DemarcheOut":
        partner = Partner(row.partner)
        return cls(
            code=row.code,
            label=row.label,
            partner=partner,
            partner_label=PARTNER_LABELS[partner],
            duration_minutes=row.duration_minutes,
            documents=row.documents,
            modalities=[Modality(m) for m in row.modalities],
            active=row.active,
        )


class DemarcheCreate(BaseModel):
    code: str = Field(pattern=CODE_PATTERN, examples=["caf-rsa"])
    label: str = Field(min_length=3, max_length=200)
    partner: Partner
    duration_minutes: int = Field(ge=5, le=240)
    documents: list[str] = Field(default_factory=list, max_length=30)
    modalities: list[Modality] = Field(min_length=1)


class DemarcheUpdate(BaseModel):
    label: str | None = Field(default=None, min_length=3, max_length=200)
    partner: Partner | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=240)
    documents: list[str] | None = Field(default=None, max_length=30)
    modalities: list[Modality] | None = Field(default=None, min_length=1)
    active: bool | None = None
