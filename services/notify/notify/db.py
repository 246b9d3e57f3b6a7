"""Base class of the notify service's tables: its own metadata, with one naming convention."""

from fs_common.db import make_registry
from sqlmodel import SQLModel


class NotifyModel(SQLModel, registry=make_registry()):
    """Derive every table of the notify service from this class."""


metadata = NotifyModel.metadata
