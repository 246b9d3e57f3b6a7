"""Date and datetime inputs within a sane window, for every service.

A date of year 9999, or an instant at ``0001-01-01T00:30+01:00``, parses fine and then overflows the
first time it is shifted (to UTC, by a time zone, by a horizon): a 500 that used to open the gateway's
circuit. Inputs are bounded at the edge instead: years 2000–2100, checked on the value as written (its
wall-clock fields), so that no conversion of an accepted value can overflow. Outside: a 422 whose
``detail`` names the field (code ``date_out_of_range``).
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
OUT_OF_RANGE = "date_out_of_range"
OUT_OF_RANGE_MESSAGE = "La date doit être comprise entre le 01/01/2000 et le 31/12/2100."


def check_date(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise PydanticCustomError(OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE)
    return value


BoundedDate = Annotated[dt.date, AfterValidator(check_date)]
"""A calendar day between 2000-01-01 and 2100-12-31."""

BoundedDatetime = Annotated[dt.datetime, AfterValidator(check_date)]
"""An instant, with or without its UTC offset, whose wall-clock day is within the bounds."""

BoundedAwareDatetime = Annotated[AwareDatetime, AfterValidator(check_date)]
"""An instant with its UTC offset, whose wall-clock day is within the bounds."""
