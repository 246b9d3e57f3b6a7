"""Base class of the gateway's tables: its own metadata, with one naming convention."""

from sqlmodel import SQLModel

from fs_common.db import make_registry


class GatewayModel(SQLModel, registry=make_registry()):
    """Derive every table of the gateway from this class."""


metadata = GatewayModel.metadata
