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
    step = dt.timedelta(minutes=slot_min)
    needed = math.ceil(duration_min / slot_min)
    offsets = [i * step for i in range(math.ceil((duration_min + buffer_min) / slot_min))]
    free = {unit: capacity - used.get(unit, 0) for unit, capacity in units.items()}
    result = []
    for start in units:
        if start < earliest or start > latest:
            continue
        remaining: int | None = None
        for i, offset in enumerate(offsets):
            left = free.get(start + offset)
            if left is None:
                if i < needed:
                    break
                continue
            remaining = left if remaining is None else min(remaining, left)
        else:
            if remaining is not None and remaining > 0:
                result.append(FreeStart(start, remaining))
    return result
