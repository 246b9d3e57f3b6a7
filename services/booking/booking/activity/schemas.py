from pydantic import BaseModel, Field


class PartnerCount(BaseModel):
    partner: str
    label: str
    count: int


class DemarcheCount(BaseModel):
    code: str
    label: str
    count: int


class ActivityOut(BaseModel):
    """A month's figures of one France Services (or of all, ``site_id`` null): counts, no personal data."""

    month: str = Field(examples=["2026-11"])
    site_id: int | None = Field(description="Absent : toutes les France Services")
    accompaniments: int = Field(
        description="Accompagnements : rendez-vous honorés + passages sans rendez-vous"
    )
    bookings_honoured: int
    walk_ins: int
    walk_ins_redirected: int = Field(description="Passages réorientés (les autres sont résolus sur place)")
    no_shows: int
    excused: int
    cancellations: int = Field(description="Annulés par la personne ou par la France Services")
    bookings_total: int = Field(description="Rendez-vous du mois, quel que soit leur statut")
    bookings_online: int
    bookings_by_agent: int
    median_lead_time_hours: float | None = Field(description="Délai médian entre la prise et le rendez-vous")
    by_partner: list[PartnerCount] = Field(
        description="Accompagnements par partenaire (un rendez-vous pour deux partenaires compte pour chacun)"
    )
    by_demarche: list[DemarcheCount]
