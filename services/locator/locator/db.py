"""Base class of the locator service's tables: its own metadata, with one naming convention."""

from sqlmodel import SQLModel

from fs_common.db import make_registry


class LocatorModel(SQLModel, registry=make_registry()):
    """Derive every table of the locator service from this class."""


metadata = LocatorModel.metadata
