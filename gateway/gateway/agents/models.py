import datetime as dt
import uuid

from sqlalchemy import Column, DateTime, Integer
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from gateway.db import GatewayModel


class AgentAccount(GatewayModel, table=True):
    """An agent of one or more France Services; the password is an argon2id hash (none for OIDC-only)."""

    __tablename__ = "agent_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=320, unique=True, description="Lower-cased")
    password_hash: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=32)
    sites: list[int] = Field(sa_column=Column(ARRAY(Integer), nullable=False))
    active: bool = True
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
