import datetime as dt
import uuid

from sqlalchemy import Column, DateTime, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from gateway.db import GatewayModel


class PartnerKey(GatewayModel, table=True):
    """A partner's API key: only its SHA-256 is stored (the key is random, 256 bits), never the key."""

    __tablename__ = "partner_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    partner: str = Field(max_length=200, description="Who holds the key, e.g. 'CAF de la Creuse'")
    prefix: str = Field(max_length=16, index=True, description="Start of the key, to recognise it")
    key_hash: str = Field(max_length=64, unique=True)
    per_minute: int
    per_day: int
    origins: list[str] = Field(sa_column=Column(ARRAY(String), nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
