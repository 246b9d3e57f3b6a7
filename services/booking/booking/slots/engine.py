"""Which start times can take an appointment of a given length, and which units it then holds."""

import datetime as dt
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FreeStart:
    starts_at: dt.datetime
    remaining: int


def occupancy(
    units: dict[dt.datetime, int], start: dt.datetime, duration_min: int, buffer_min: int, slot_min: int
) -> list[tuple[dt.datetime, int]] | None:
    """The (unit, capacity) pairs an appointment starting at ``start`` holds; None if it does not fit.

    The appointment itself must lie on consecutive open units; the buffer after it holds the units that
    are open (a buffer running past closing time holds nothing).
    """
    step = dt.timedelta(minutes=slot_min)
    needed = math.ceil(duration_min / slot_min)
    held = math.ceil((duration_min + buffer_min) / slot_min)
    result = []
    for i in range(held):
        unit = start + i * step
        capacity = units.get(unit)
        if capacity is None:
            if i < needed:
                return None
            continue
        result.append((unit, capacity))
    return result


def free_starts(
    units: dict[dt.datetime, int],
    used: dict[dt.datetime, int],
    duration_min: int,
    buffer_min: int,
    slot_min: int,
    *,
    earliest: dt.datetime,
    latest: dt.datetime,
) -> list[FreeStart]:
    """Every start in [earliest, latest] where the appointment fits, with its remaining capacity."""
    result = []
    for start in units:
        if start < earliest or start > latest:
            continue
        held = occupancy(units, start, duration_min, buffer_min, slot_min)
        if held is None:
            continue
        remaining = min(capacity - used.get(unit, 0) for unit, capacity in held)
        if remaining > 0:
            result.append(FreeStart(start, remaining))
    return result
