"""A month's activity figures: what each France Services reports to the network, with no personal data."""

import datetime as dt
from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from booking.activity import repository
from booking.activity.schemas import ActivityOut, DemarcheCount, PartnerCount
from booking.bookings.models import BookingStatus, Channel
from booking.catalogue import repository as catalogue_repository
from fs_common.agent_auth import Agent, Role
from fs_common.errors import Forbidden, Unprocessable
from fs_common.partners import PARTNER_LABELS, Partner

CANCELLED = {BookingStatus.cancelled, BookingStatus.cancelled_by_site}


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, number = int(month[:4]), int(month[5:7])
    if not 2000 <= year <= 2100:
        raise Unprocessable("Le mois doit être compris entre 2000-01 et 2100-12.")
    first = dt.date(year, number, 1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def _partner_label(code: str) -> str:
    try:
        return PARTNER_LABELS[Partner(code)]
    except ValueError:
        return code


async def figures(session: AsyncSession, agent: Agent, site_id: int | None, month: str) -> ActivityOut:
    if site_id is None:
        if agent.role != Role.national_admin:
            raise Forbidden(
                "Les chiffres de toutes les France Services sont réservés aux administrateurs nationaux."
            )
    else:
        agent.require_site(site_id)
    first_day, next_first_day = month_bounds(month)
    raw = await repository.month(session, site_id, first_day, next_first_day)

    statuses: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for status, channel, count in raw["by_status_channel"]:
        statuses[status] += count
        channels[channel] += count
    visits_by_partner: Counter[str] = Counter()
    redirected = 0
    for partner, outcome, count in raw["visits_by_partner_outcome"]:
        visits_by_partner[partner] += count
        redirected += count if outcome == "redirected" else 0
    by_partner = Counter(dict(raw["honoured_by_partner"])) + visits_by_partner
    by_demarche = Counter(dict(raw["honoured_by_demarche"])) + Counter(dict(raw["visits_by_demarche"]))
    labels = await catalogue_repository.get_many(session, sorted(by_demarche))
    walk_ins = sum(visits_by_partner.values())
    median = raw["median_lead_s"]
    return ActivityOut(
        month=month,
        site_id=site_id,
        accompaniments=statuses[BookingStatus.honoured] + walk_ins,
        bookings_honoured=statuses[BookingStatus.honoured],
        walk_ins=walk_ins,
        walk_ins_redirected=redirected,
        no_shows=statuses[BookingStatus.no_show],
        excused=statuses[BookingStatus.excused],
        cancellations=sum(statuses[s] for s in CANCELLED),
        bookings_total=sum(statuses.values()),
        bookings_online=channels[Channel.online],
        bookings_by_agent=channels[Channel.agent],
        median_lead_time_hours=round(float(median) / 3600, 1) if median is not None else None,
        by_partner=[
            PartnerCount(partner=p, label=_partner_label(p), count=n) for p, n in by_partner.most_common()
        ],
        by_demarche=[
            DemarcheCount(code=c, label=labels[c].label if c in labels else c, count=n)
            for c, n in by_demarche.most_common()
        ],
    )
