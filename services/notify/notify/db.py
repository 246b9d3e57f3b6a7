"""Base class of the notify service's tables: its own metadata, with one naming convention."""

import datetime as dt
from typing import Any

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from fs_common.db import make_registry


class NotifyModel(SQLModel, registry=make_registry()):
    """Derive every table of the notify service from this class."""


metadata = NotifyModel.metadata


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamptz(*, nullable: bool = False, index: bool = False, **kwargs: Any) -> Any:
    """A ``timestamptz`` column (UTC instants)."""
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index), **kwargs)


def import_models() -> None:
    """Import every table module, so that ``metadata`` knows all tables (Alembic, tests)."""
    from notify.deliveries import models as _deliveries  # noqa: F401
    from notify.events import models as _events  # noqa: F401
    from notify.reminders import models as _reminders  # noqa: F401
    from notify.webhooks import models as _webhooks  # noqa: F401
