"""The month's counts, aggregated by PostgreSQL (a national month is hundreds of thousands of rows).

A booking belongs to the month of its local start (the time zone of its agenda); a walk-in to its local
day. ``site_id`` NULL: every site."""

import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_BOOKINGS = """
    FROM booking b JOIN agenda a ON a.id = b.agenda_id {joins}
    WHERE b.starts_at >= :coarse_start AND b.starts_at < :coarse_end
      AND timezone(a.timezone, b.starts_at) >= :start AND timezone(a.timezone, b.starts_at) < :end
      AND (CAST(:site_id AS integer) IS NULL OR b.site_id = CAST(:site_id AS integer))
"""
_VISITS = """
    FROM visit v {joins}
    WHERE v.day >= :first_day AND v.day < :next_first_day
      AND (CAST(:site_id AS integer) IS NULL OR v.site_id = CAST(:site_id AS integer))
"""


_MEDIAN_LEAD = (
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM b.starts_at - b.created_at))"
)


def _params(site_id: int | None, first_day: dt.date, next_first_day: dt.date) -> dict[str, Any]:
    start = dt.datetime.combine(first_day, dt.time())
    end = dt.datetime.combine(next_first_day, dt.time())
    margin = dt.timedelta(days=1)  # no time zone is more than 14 h away from UTC
    return {
        "site_id": site_id,
        "start": start,
        "end": end,
        "coarse_start": start.replace(tzinfo=dt.UTC) - margin,
        "coarse_end": end.replace(tzinfo=dt.UTC) + margin,
        "first_day": first_day,
        "next_first_day": next_first_day,
    }


async def month(
    session: AsyncSession, site_id: int | None, first_day: dt.date, next_first_day: dt.date
) -> dict[str, Any]:
    p = _params(site_id, first_day, next_first_day)

    async def rows(sql: str) -> list[Any]:
        return list((await session.execute(text(sql), p)).all())

    bookings, visits = _BOOKINGS.format(joins=""), _VISITS.format(joins="")
    by_code = " CROSS JOIN LATERAL unnest({}.demarches) AS c(code)"
    bookings_by_code = _BOOKINGS.format(joins=by_code.format("b"))
    visits_by_code = _VISITS.format(joins=by_code.format("v"))
    return {
        "by_status_channel": await rows(f"SELECT b.status, b.channel, count(*) {bookings} GROUP BY 1, 2"),
        "median_lead_s": (await rows(_MEDIAN_LEAD + bookings))[0][0],
        "honoured_by_partner": await rows(
            "SELECT d.partner, count(DISTINCT b.id) "
            + bookings_by_code.replace("WHERE", "JOIN demarche d ON d.code = c.code WHERE", 1)
            + " AND b.status = 'honoured' GROUP BY 1"
        ),
        "honoured_by_demarche": await rows(
            f"SELECT c.code, count(*) {bookings_by_code} AND b.status = 'honoured' GROUP BY 1"
        ),
        "visits_by_partner_outcome": await rows(
            f"SELECT v.partner, v.outcome, count(*) {visits} GROUP BY 1, 2"
        ),
        "visits_by_demarche": await rows(f"SELECT c.code, count(*) {visits_by_code} GROUP BY 1"),
    }
