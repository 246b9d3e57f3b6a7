"""All queries on agendas and their exceptions."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.agendas.models import Agenda, AgendaException


async def by_site(session: AsyncSession, site_id: int) -> Agenda | None:
    return await session.scalar(
        select(Agenda).where(col(Agenda.site_id) == site_id, col(Agenda.stop_id).is_(None))
    )


async def by_stop(session: AsyncSession, stop_id: int) -> Agenda | None:
    return await session.scalar(select(Agenda).where(col(Agenda.stop_id) == stop_id))


async def stop_agendas_of_site(session: AsyncSession, site_id: int) -> Sequence[Agenda]:
    result = await session.scalars(
        select(Agenda).where(col(Agenda.site_id) == site_id, col(Agenda.stop_id).is_not(None))
    )
    return result.all()


async def confirmed_bookings_from(session: AsyncSession, agenda_id: int, now: dt.datetime) -> int:
    """How many confirmed bookings of the agenda are still to come."""
    return (
        await session.execute(
            text(
                "SELECT count(*) FROM booking"
                " WHERE agenda_id = :agenda_id AND starts_at >= :now AND status = 'confirmed'"
            ),
            {"agenda_id": agenda_id, "now": now},
        )
    ).scalar_one()


async def move_bookings_to_site(session: AsyncSession, agenda_id: int, site_id: int) -> None:
    """The agenda's bookings follow it to the site that serves its stop (so its agents see them)."""
    await session.execute(
        text("UPDATE booking SET site_id = :site_id WHERE agenda_id = :agenda_id"),
        {"site_id": site_id, "agenda_id": agenda_id},
    )


async def by_id(session: AsyncSession, agenda_id: int) -> Agenda | None:
    return await session.get(Agenda, agenda_id)


async def insert_site_agenda(session: AsyncSession, values: dict) -> None:
    """Insert a site's agenda unless another request just did."""
    statement = (
        insert(Agenda)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["site_id"], index_where=text("stop_id IS NULL"))
    )
    await session.execute(statement)


async def insert_stop_agenda(session: AsyncSession, values: dict) -> None:
    statement = (
        insert(Agenda)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["stop_id"], index_where=text("stop_id IS NOT NULL"))
    )
    await session.execute(statement)


async def add(session: AsyncSession, row: Agenda | AgendaException) -> None:
    session.add(row)
    await session.flush()


async def exceptions(
    session: AsyncSession, agenda_id: int, first: dt.date, last: dt.date
) -> Sequence[AgendaException]:
    return (
        await session.scalars(
            select(AgendaException)
            .where(
                col(AgendaException.agenda_id) == agenda_id,
                col(AgendaException.date) >= first,
                col(AgendaException.date) <= last,
            )
            .order_by(col(AgendaException.date))
        )
    ).all()


async def delete_exception(session: AsyncSession, agenda_id: int, exception_id: int) -> bool:
    result = await session.execute(
        delete(AgendaException)
        .where(col(AgendaException.id) == exception_id, col(AgendaException.agenda_id) == agenda_id)
        .returning(col(AgendaException.id))
    )
    return result.first() is not None


async def timezone_of_site(session: AsyncSession, site_id: int) -> str | None:
    """The time zone of the site's agendas (its own first, then its stops')."""
    return await session.scalar(
        select(col(Agenda.timezone))
        .where(col(Agenda.site_id) == site_id)
        .order_by(col(Agenda.stop_id).nulls_first())
        .limit(1)
    )
