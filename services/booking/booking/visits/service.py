"""Walk-ins: recorded by the site's agents in a few clicks, with no personal data."""

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from booking.agendas import repository as agendas_repository
from booking.catalogue import repository as catalogue_repository
from booking.visits import repository
from booking.visits.models import Visit
from booking.visits.schemas import VisitIn, VisitOut
from fs_common.agent_auth import Agent
from fs_common.errors import Unprocessable

LATE_RECORDING = dt.timedelta(days=31)


async def site_timezone(session: AsyncSession, site_id: int) -> ZoneInfo:
    return ZoneInfo(await agendas_repository.timezone_of_site(session, site_id) or "Europe/Paris")


def out(visit: Visit, tz: ZoneInfo) -> VisitOut:
    return VisitOut.model_validate(visit, from_attributes=True).model_copy(
        update={"occurred_at": visit.occurred_at.astimezone(tz)}
    )


async def record(
    session: AsyncSession, agent: Agent, site_id: int, data: VisitIn, now: dt.datetime
) -> VisitOut:
    agent.require_site(site_id)
    occurred_at = (data.occurred_at or now).astimezone(dt.UTC)
    if occurred_at > now + dt.timedelta(minutes=5) or occurred_at < now - LATE_RECORDING:
        raise Unprocessable("Un passage s'enregistre au plus tard 31 jours après, jamais à l'avance.")
    if len(set(data.demarches)) != len(data.demarches):
        raise Unprocessable("Chaque démarche ne peut être indiquée qu'une fois.")
    known = await catalogue_repository.get_many(session, data.demarches)
    for code in data.demarches:
        if code not in known:
            raise Unprocessable(f"La démarche « {code[:64]} » n'existe pas dans le catalogue.")
    tz = await site_timezone(session, site_id)
    visit = Visit(  # type: ignore[call-arg]  # created_at: the database's server default
        site_id=site_id,
        day=occurred_at.astimezone(tz).date(),
        occurred_at=occurred_at,
        partner=data.partner.value,
        demarches=list(data.demarches),
        label=data.label,
        duration_minutes=data.duration_minutes,
        outcome=data.outcome,
        created_by=f"agent:{agent.id}",
    )
    await repository.add(session, visit)
    return out(visit, tz)


async def day_of_site(session: AsyncSession, agent: Agent, site_id: int, day: dt.date) -> list[VisitOut]:
    agent.require_site(site_id)
    tz = await site_timezone(session, site_id)
    return [out(v, tz) for v in await repository.of_site_on(session, site_id, day)]
