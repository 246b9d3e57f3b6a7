"""Base class of the booking service's tables: its own metadata, with one naming convention."""

from sqlmodel import SQLModel

from fs_common.db import make_registry


class BookingModel(SQLModel, registry=make_registry()):
    """Derive every table of the booking service from this class."""


metadata = BookingModel.metadata
