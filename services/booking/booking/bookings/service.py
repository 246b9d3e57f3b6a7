"""Booking rules: create (idempotent, never beyond capacity), view, cancel and reschedule by token,
status updates by the site's agents. Every change writes its event to the outbox in the same transaction.
"""

import datetime as dt
import math
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from booking.agendas import repository as agendas_repository
from booking.agendas import service as agendas
from booking.agendas.models import Agenda
from booking.bookings import repository
from booking.bookings.models import Booking, BookingStatus, Channel, IdempotencyRecord
from booking.bookings.schemas import (
    AgentBookingCreate,
    AgentBookingOut,
    AgentBookingWithLink,
    BookingCreate,
    BookingOut,
    BookingWithLink,
    DemarcheBrief,
    PersonBase,
    PlaceOut,
)
from booking.bookings.secrets import fingerprint, idempotency_key_hash, new_token, seal, token_hash, unseal
from booking.catalogue import repository as catalogue_repository
from booking.catalogue import service as catalogue
from booking.catalogue.models import Demarche
from booking.clients.locator import LocatorClient
from booking.config import BookingSettings
from booking.events import service as events
from booking.slots import repository as slots
from booking.slots import service as slot_search
from booking.slots.engine import occupancy
from fs_common.agent_auth import Agent
from fs_common.errors import Conflict, NotFound, Unprocessable
from fs_common.events import BookingEventType

UTC = dt.UTC
INVALID_LINK = "Ce lien de gestion n'est pas (ou plus) valide : utilisez le dernier lien reçu."

# Status an agent may set, from the statuses it may replace.
AGENT_TRANSITIONS = {
    BookingStatus.honoured: {BookingStatus.confirmed, BookingStatus.no_show, BookingStatus.excused},
    BookingStatus.no_show: {BookingStatus.confirmed, BookingStatus.honoured, BookingStatus.excused},
    BookingStatus.excused: {BookingStatus.confirmed, BookingStatus.honoured, BookingStatus.no_show},
    BookingStatus.cancelled: {BookingStatus.confirmed},  # at the person's request (phone or desk)
    BookingStatus.cancelled_by_site: {BookingStatus.confirmed},
}


def _view(booking: Booking, agenda: Agenda, demarches: list[Demarche], settings: BookingSettings) -> dict:
    tz = ZoneInfo(agenda.timezone)
    person = (
        PersonBase(
            name=booking.person_name,
            email=booking.email,
            phone=booking.phone,
            consent_contact=booking.consent_contact,
        )
        if booking.person_name
        else None
    )
    return {
        "id": booking.id,
        "status": booking.status,
        "starts_at": booking.starts_at.astimezone(tz),
        "ends_at": booking.ends_at.astimezone(tz),
        "place": PlaceOut(
            site_id=agenda.site_id,
            stop_id=agenda.stop_id,
            name=agenda.name,
            address=agenda.address,
            timezone=agenda.timezone,
        ),
        "demarches": [DemarcheBrief(code=d.code, label=d.label, documents=d.documents) for d in demarches],
        "person": person,
        "note": booking.note,
        "cancelled_by": booking.cancelled_by,
        "channel": booking.channel,
        "created_by": booking.created_by,
        "cancellable_until": (
            booking.starts_at - dt.timedelta(hours=settings.cancel_cutoff_hours)
        ).astimezone(tz),
        "reschedulable_until": (
            booking.starts_at - dt.timedelta(hours=settings.reschedule_cutoff_hours)
        ).astimezone(tz),
    }


def _with_link(
    booking: Booking, agenda: Agenda, demarches: list[Demarche], settings: BookingSettings, token: str
) -> BookingWithLink:
    cls = AgentBookingWithLink if booking.channel == Channel.agent else BookingWithLink
    return cls(
        **_view(booking, agenda, demarches, settings),
        manage_token=token,
        manage_url=settings.manage_url_template.format(token=token),
    )


async def _context(session: AsyncSession, booking: Booking) -> tuple[Agenda, list[Demarche]]:
    agenda = await agendas_repository.by_id(session, booking.agenda_id)
    assert agenda is not None  # booking.agenda_id is a foreign key
    rows = await catalogue_repository.get_many(session, booking.demarches)
    return agenda, [rows[c] for c in booking.demarches if c in rows]


async def _units_for(
    session: AsyncSession,
    agenda: Agenda,
    duration_min: int,
    start: dt.datetime,
    now: dt.datetime,
    *,
    notice: bool = True,
) -> list[tuple[dt.datetime, int]]:
    """The units an appointment at ``start`` would hold, or a 422 saying why it cannot start there.
    ``notice=False`` for agents: the minimum notice does not apply to them, the past still does."""
    earliest, latest = slot_search.window(agenda, now, notice=notice)
    if not notice and start < now:
        raise Unprocessable("Ce créneau est déjà passé : choisissez un créneau à venir.")
    if start < earliest:
        raise Unprocessable(
            f"Ce créneau est trop proche : réservez au moins {agenda.min_notice_minutes} minutes à l'avance."
        )
    if start > latest:
        raise Unprocessable(f"On ne peut réserver que dans les {agenda.horizon_days} prochains jours.")
    day = start.astimezone(ZoneInfo(agenda.timezone)).date()
    calendar = await agendas.calendar(session, agenda, day, day + dt.timedelta(days=1))
    units = calendar.units(day, day + dt.timedelta(days=1))
    held = occupancy(units, start, duration_min, agenda.buffer_minutes, agenda.slot_minutes)
    if held is None:
        raise Unprocessable(
            "Aucun créneau de cette durée ne commence à cette heure : choisissez un des créneaux proposés."
        )
    return held


async def _hold(
    session: AsyncSession,
    agenda: Agenda,
    held: list[tuple[dt.datetime, int]],
    duration_min: int,
    start: dt.datetime,
    now: dt.datetime,
) -> None:
    """Take the units, or answer 409 with the nearest free alternatives (the database decides)."""
    if not await slots.hold(session, agenda.id or 0, held):
        alternatives = await slot_search.nearest(session, agenda, duration_min, start, now)
        raise Conflict(
            "Ce créneau vient d'être réservé. Voici les créneaux libres les plus proches.",
            title="Créneau déjà pris",
            alternatives=[a.model_dump(mode="json") for a in alternatives],
        )


def _occupied_until(agenda: Agenda, start: dt.datetime, duration_min: int) -> dt.datetime:
    units = math.ceil((duration_min + agenda.buffer_minutes) / agenda.slot_minutes)
    return start + dt.timedelta(minutes=units * agenda.slot_minutes)


async def create(
    session: AsyncSession,
    locator: LocatorClient,
    settings: BookingSettings,
    data: BookingCreate | AgentBookingCreate,
    idempotency_key: str | None,
    now: dt.datetime,
    *,
    agent: Agent | None = None,
) -> tuple[BookingWithLink, bool]:
    """The new booking and False, or — for a replayed Idempotency-Key — the first one and True.

    With ``agent``: a booking made on the person's behalf, at one of the agent's sites (403 otherwise),
    without the minimum notice, recorded as theirs; the capacity guarantee is the same."""
    if agent is not None and data.site_id is not None:
        agent.require_site(data.site_id)
    booking_id, token = uuid.uuid4(), new_token()
    if idempotency_key:
        asked = data.model_dump(mode="json") | ({"agent": agent.id} if agent else {})
        record = IdempotencyRecord(  # type: ignore[call-arg]  # created_at: the database's server default
            key_hash=idempotency_key_hash(idempotency_key),
            fingerprint=fingerprint(asked),
            booking_id=booking_id,
            token_box=seal(idempotency_key, token),
        )
        if not await repository.claim_idempotency(session, record):
            return await _replay(session, settings, idempotency_key, record.fingerprint), True
    if data.stop_id is not None:
        agenda = await agendas.stop_agenda(session, data.stop_id)
    else:
        agenda = await agendas.site_agenda(session, locator, settings, data.site_id or 0)
    if agent is not None:
        agent.require_site(agenda.site_id)  # a bus stop's agenda belongs to the bus, as stored
    demarches = await catalogue.for_booking(session, data.demarches, agenda.demarches)
    duration = sum(d.duration_minutes for d in demarches)
    start = data.starts_at.astimezone(UTC)
    held = await _units_for(session, agenda, duration, start, now, notice=agent is None)
    await _hold(session, agenda, held, duration, start, now)
    booking = Booking(  # type: ignore[call-arg]  # created_at, updated_at: the database's server defaults
        id=booking_id,
        agenda_id=agenda.id or 0,
        site_id=agenda.site_id,
        stop_id=agenda.stop_id,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=duration),
        occupied_until=_occupied_until(agenda, start, duration),
        demarches=list(data.demarches),
        units=[unit for unit, _ in held],
        person_name=data.person.name,
        email=data.person.email,
        phone=data.person.phone,
        consent_contact=data.person.consent_contact,
        note=data.note,
        manage_token_hash=token_hash(token),
        channel=Channel.agent if agent else Channel.online,
        created_by=f"agent:{agent.id}" if agent else None,
    )
    await repository.add(session, booking)
    result = _with_link(booking, agenda, demarches, settings, token)
    snapshot = events.snapshot(booking, agenda, demarches, manage_url=result.manage_url)
    await events.record(session, BookingEventType.created, snapshot, now, keys=events.keys_of(settings))
    return result, False


async def _replay(
    session: AsyncSession, settings: BookingSettings, idempotency_key: str, request_fingerprint: str
) -> BookingWithLink:
    record = await repository.idempotency_record(session, idempotency_key_hash(idempotency_key))
    assert record is not None  # the conflicting insert was committed before ours gave up
    if record.fingerprint != request_fingerprint:
        raise Unprocessable("Cette clé d'idempotence a déjà servi pour une autre demande de rendez-vous.")
    booking = await repository.get(session, record.booking_id)
    if booking is None:
        raise NotFound("Le rendez-vous créé avec cette clé d'idempotence n'existe plus.")
    agenda, demarches = await _context(session, booking)
    return _with_link(booking, agenda, demarches, settings, unseal(idempotency_key, record.token_box))


async def _by_token(session: AsyncSession, token: str, *, lock: bool = True) -> Booking:
    booking = await repository.by_token(session, token_hash(token), lock=lock)
    if booking is None:
        raise NotFound(INVALID_LINK)
    return booking


async def view(session: AsyncSession, settings: BookingSettings, token: str) -> BookingOut:
    booking = await _by_token(session, token, lock=False)
    agenda, demarches = await _context(session, booking)
    return BookingOut(**_view(booking, agenda, demarches, settings))


def _require_confirmed(booking: Booking) -> None:
    if booking.status != BookingStatus.confirmed:
        raise Conflict(
            "Ce rendez-vous est déjà annulé." if booking.cancelled_by else "Ce rendez-vous est déjà passé."
        )


async def _changeable(
    session: AsyncSession, token: str, now: dt.datetime, cutoff_hours: float, too_late: str
) -> Booking:
    """The confirmed booking of the manage link ``token`` while it may still be changed online, up to
    ``cutoff_hours`` before it starts; after, 409 with ``too_late`` (its ``{hours}`` filled in)."""
    booking = await _by_token(session, token)
    _require_confirmed(booking)
    if now > booking.starts_at - dt.timedelta(hours=cutoff_hours):
        raise Conflict(too_late.format(hours=cutoff_hours))
    return booking


async def cancel(
    session: AsyncSession, settings: BookingSettings, token: str, now: dt.datetime
) -> BookingOut:
    booking = await _changeable(
        session,
        token,
        now,
        settings.cancel_cutoff_hours,
        "L'annulation en ligne n'est plus possible moins de {hours:g} h avant le rendez-vous : "
        "prévenez directement la France Services.",
    )
    await slots.release(session, booking.agenda_id, booking.units)
    booking.status, booking.cancelled_by = BookingStatus.cancelled, "person"
    await session.flush()
    agenda, demarches = await _context(session, booking)
    await events.record(
        session,
        BookingEventType.cancelled,
        events.snapshot(booking, agenda, demarches),
        now,
        keys=events.keys_of(settings),
    )
    return BookingOut(**_view(booking, agenda, demarches, settings))


async def reschedule(
    session: AsyncSession, settings: BookingSettings, token: str, starts_at: dt.datetime, now: dt.datetime
) -> BookingWithLink:
    """Move the booking (same id, same agenda) and give it a new link; the old link stops working."""
    booking = await _changeable(
        session,
        token,
        now,
        settings.reschedule_cutoff_hours,
        "Le report en ligne n'est plus possible moins de {hours:g} h avant le rendez-vous : "
        "annulez-le ou prévenez la France Services.",
    )
    return await _move(session, settings, booking, starts_at, now)


async def _move(
    session: AsyncSession,
    settings: BookingSettings,
    booking: Booking,
    starts_at: dt.datetime,
    now: dt.datetime,
    *,
    notice: bool = True,
) -> BookingWithLink:
    agenda, demarches = await _context(session, booking)
    duration = sum(d.duration_minutes for d in demarches)
    start, previous = starts_at.astimezone(UTC), booking.starts_at
    held = await _units_for(session, agenda, duration, start, now, notice=notice)
    await slots.release(session, booking.agenda_id, booking.units)
    await _hold(session, agenda, held, duration, start, now)
    new = new_token()
    booking.starts_at, booking.ends_at = start, start + dt.timedelta(minutes=duration)
    booking.occupied_until = _occupied_until(agenda, start, duration)
    booking.units = [unit for unit, _ in held]
    booking.manage_token_hash = token_hash(new)
    await session.flush()
    result = _with_link(booking, agenda, demarches, settings, new)
    snapshot = events.snapshot(
        booking, agenda, demarches, manage_url=result.manage_url, previous_starts_at=previous
    )
    await events.record(session, BookingEventType.rescheduled, snapshot, now, keys=events.keys_of(settings))
    return result


async def _for_agent(session: AsyncSession, agent: Agent, booking_id: uuid.UUID) -> Booking:
    """The booking, locked, if it is at one of the agent's sites (404, or 403 for another site's)."""
    booking = await repository.by_id_for_update(session, booking_id)
    if booking is None:
        raise NotFound("Ce rendez-vous n'existe pas.")
    agent.require_site(booking.site_id)
    return booking


async def reschedule_for(
    session: AsyncSession,
    settings: BookingSettings,
    agent: Agent,
    booking_id: uuid.UUID,
    starts_at: dt.datetime,
    now: dt.datetime,
) -> BookingWithLink:
    """An agent moves a booking of their site for the person (no cut-off, no minimum notice); the
    person gets the new link as after their own rescheduling."""
    booking = await _for_agent(session, agent, booking_id)
    _require_confirmed(booking)
    return await _move(session, settings, booking, starts_at, now, notice=False)


async def set_status(
    session: AsyncSession,
    settings: BookingSettings,
    agent: Agent,
    booking_id: uuid.UUID,
    status: BookingStatus,
    now: dt.datetime,
) -> AgentBookingOut:
    booking = await _for_agent(session, agent, booking_id)
    allowed = AGENT_TRANSITIONS.get(status, set())
    if booking.status not in allowed:
        raise Conflict(f"Un rendez-vous « {booking.status} » ne peut pas passer à « {status} ».")
    cancelled = status in (BookingStatus.cancelled, BookingStatus.cancelled_by_site)
    if cancelled:
        await slots.release(session, booking.agenda_id, booking.units)
        booking.cancelled_by = "site" if status == BookingStatus.cancelled_by_site else "person"
    booking.status = status
    await session.flush()
    agenda, demarches = await _context(session, booking)
    event_type = BookingEventType.cancelled if cancelled else BookingEventType.status_changed
    await events.record(
        session, event_type, events.snapshot(booking, agenda, demarches), now, keys=events.keys_of(settings)
    )
    return AgentBookingOut(**_view(booking, agenda, demarches, settings))


async def day_of_site(
    session: AsyncSession, settings: BookingSettings, agent: Agent, site_id: int, day: dt.date
) -> list[AgentBookingOut]:
    """The bookings of one local day at a site and at its bus stops."""
    agent.require_site(site_id)
    timezone = await agendas_repository.timezone_of_site(session, site_id) or "Europe/Paris"
    tz = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), tz)
    rows = await repository.of_site_between(session, site_id, start, start + dt.timedelta(days=1))
    catalogue_rows = await catalogue_repository.get_many(
        session, sorted({c for b in rows for c in b.demarches})
    )
    agendas_by_id: dict[int, Agenda] = {}
    result = []
    for booking in rows:
        if booking.agenda_id not in agendas_by_id:
            agenda = await agendas_repository.by_id(session, booking.agenda_id)
            assert agenda is not None  # foreign key
            agendas_by_id[booking.agenda_id] = agenda
        demarches = [catalogue_rows[c] for c in booking.demarches if c in catalogue_rows]
        result.append(
            AgentBookingOut(**_view(booking, agendas_by_id[booking.agenda_id], demarches, settings))
        )
    return result
