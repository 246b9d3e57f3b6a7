"""Agenda rules: bootstrap from the locator's opening hours, edits by the site's agents, the calendar."""

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from booking.agendas import repository
from booking.agendas.calendar import Calendar, DayException
from booking.agendas.models import Agenda, AgendaException
from booking.agendas.schemas import AgendaUpdate, ExceptionIn, StopAgendaIn
from booking.catalogue import repository as catalogue
from booking.clients.locator import LocatorClient, LocatorSite, LocatorStop
from booking.config import BookingSettings
from booking.slots import repository as slots
from fs_common.agent_auth import Agent
from fs_common.calendar import WEEKDAYS_FR
from fs_common.errors import Conflict, Forbidden, NotFound, Unprocessable


def rules_text(rules: list[dict]) -> str:
    """The rules in plain French, e.g. ``lundi, mardi : 09:00–12:00, 14:00–17:00``."""
    parts = []
    for rule in rules:
        days = [WEEKDAYS_FR[d] for d in rule.get("weekdays", [])]
        days += [dt.date.fromisoformat(d).strftime("le %d/%m/%Y") for d in rule.get("dates", [])]
        ranges = ", ".join(f"{o}–{c}" for o, c in rule["ranges"])
        parts.append(f"{', '.join(days)} : {ranges}")
    return " ; ".join(parts)


def _site_rules(site: LocatorSite) -> list[dict]:
    return [
        {"weekdays": [day.weekday], "ranges": [[r.opens, r.closes] for r in day.ranges]}
        for day in site.opening_hours
        if day.ranges
    ]


def _stop_rules(stop: LocatorStop, site: LocatorSite) -> list[dict]:
    """The stop's visits as rules; a visit without hours takes the site's hours of that weekday."""
    site_hours = {d.weekday: [[r.opens, r.closes] for r in d.ranges] for d in site.opening_hours}
    rules = []
    for visit in stop.visits:
        base = {
            "valid_from": visit.valid_from,
            "valid_until": visit.valid_until,
            "weeks_of_month": visit.weeks_of_month,
            "week_parity": visit.week_parity,
        }
        if visit.ranges:
            ranges = [[r.opens, r.closes] for r in visit.ranges]
            rules.append(base | {"weekdays": visit.weekdays, "dates": visit.dates, "ranges": ranges})
            continue
        for weekday in visit.weekdays:
            if site_hours.get(weekday):
                rules.append(base | {"weekdays": [weekday], "dates": [], "ranges": site_hours[weekday]})
        for date in visit.dates:
            if hours := site_hours.get(dt.date.fromisoformat(date).weekday()):
                rules.append(base | {"weekdays": [], "dates": [date], "ranges": hours})
    return rules


def _defaults(settings: BookingSettings) -> dict:
    return {
        "capacity": settings.default_capacity,
        "slot_minutes": settings.default_slot_minutes,
        "buffer_minutes": settings.default_buffer_minutes,
        "min_notice_minutes": settings.default_min_notice_minutes,
        "horizon_days": settings.default_horizon_days,
        "closed_on_public_holidays": True,
    }


def _bootstrap_values(site: LocatorSite, settings: BookingSettings) -> dict:
    rules = _site_rules(site)
    return _defaults(settings) | {
        "site_id": site.id,
        "stop_id": None,
        "name": site.name,
        "address": site.address_text,
        "timezone": site.timezone,
        "departement": site.address.departement,
        "opening_hours_text": rules_text(rules) or None,
        "rules": rules,
        "source": "locator",
    }


def _stop_values(site: LocatorSite, stop: LocatorStop, settings: BookingSettings) -> dict:
    rules = _stop_rules(stop, site)
    return _defaults(settings) | {
        "site_id": site.id,
        "stop_id": stop.id,
        "name": f"{stop.name} – {site.name}",
        "address": stop.address_text,
        "timezone": stop.timezone,
        "departement": stop.departement or site.address.departement,
        "opening_hours_text": rules_text(rules) or None,
        "rules": rules,
        "source": "locator",
    }


async def _bootstrap_stops(
    session: AsyncSession, locator: LocatorClient, settings: BookingSettings, site: LocatorSite
) -> None:
    for stop in await locator.site_stops(site.id):
        await repository.insert_stop_agenda(session, _stop_values(site, stop, settings))


async def site_agenda(
    session: AsyncSession, locator: LocatorClient, settings: BookingSettings, site_id: int
) -> Agenda:
    """The site's agenda, created from the locator's opening hours on first use."""
    agenda = await repository.by_site(session, site_id)
    if agenda is None:
        site = await locator.get_site(site_id)
        await repository.insert_site_agenda(session, _bootstrap_values(site, settings))
        if site.is_mobile:
            await _bootstrap_stops(session, locator, settings, site)
        agenda = await repository.by_site(session, site_id)
    assert agenda is not None  # inserted above, by us or by a concurrent request
    return agenda


async def stop_agenda(session: AsyncSession, stop_id: int) -> Agenda:
    agenda = await repository.by_stop(session, stop_id)
    if agenda is None:
        raise NotFound(f"Aucun agenda n'est ouvert pour l'arrêt {stop_id}.")
    return agenda


async def agenda_for_agent(session: AsyncSession, agent: Agent, agenda_id: int) -> Agenda:
    agenda = await repository.by_id(session, agenda_id)
    if agenda is None:
        raise NotFound(f"L'agenda {agenda_id} n'existe pas.")
    agent.require_site(agenda.site_id)
    return agenda


# What an agenda takes from the locator; its booking settings (capacity, durations, démarches) stay.
_FROM_LOCATOR = ("name", "address", "timezone", "departement", "opening_hours_text", "rules")
RETIRED_STOP_TEXT = "Arrêt retiré de l'itinéraire : plus de rendez-vous."


@dataclass
class SyncReport:
    created: int = 0  # site agendas
    refreshed: int = 0  # agendas whose hours, name or address followed the locator
    retired: list[int] = dataclasses.field(
        default_factory=list
    )  # stop agendas whose stop the bus no longer serves
    reclaimed: list[int] = dataclasses.field(
        default_factory=list
    )  # stop agendas that another site had claimed, given back to the site the locator names
    bookings_at_retired: int = 0  # confirmed bookings still to come there: agents must call these people
    departements: int = 0  # départements synced

    def add(self, other: "SyncReport") -> None:
        """Counts ``other`` (a département's committed step) in this report."""
        self.created += other.created
        self.refreshed += other.refreshed
        self.retired += other.retired
        self.reclaimed += other.reclaimed
        self.bookings_at_retired += other.bookings_at_retired
        self.departements += other.departements


def _follow(agenda: Agenda, values: dict) -> bool:
    """An agenda still as bootstrapped (``source`` locator) takes the locator's current hours, name and
    address; one that agents edited keeps theirs."""
    if agenda.source != "locator":
        return False
    values = json.loads(json.dumps(values))  # as JSONB gives it back: lists, not tuples
    changed = False
    for name in _FROM_LOCATOR:
        if getattr(agenda, name) != values[name]:
            setattr(agenda, name, values[name])
            changed = True
    return changed


async def _sync_stops(
    session: AsyncSession,
    locator: LocatorClient,
    settings: BookingSettings,
    site: LocatorSite,
    report: SyncReport,
    now: dt.datetime,
) -> None:
    stops = {stop.id: stop for stop in await locator.site_stops(site.id)}
    existing = {agenda.stop_id: agenda for agenda in await repository.stop_agendas_of_site(session, site.id)}
    for stop_id, stop in stops.items():
        values = _stop_values(site, stop, settings)
        if stop_id in existing:
            report.refreshed += _follow(existing[stop_id], values)
            continue
        claimed = await repository.by_stop(session, stop_id)
        if claimed is None:
            await repository.insert_stop_agenda(session, values)
            continue
        # Opened under another site (before ownership was checked): the stop, its agenda and its
        # bookings go back to the bus that serves it.
        await _give_back(session, claimed, site.id)
        report.reclaimed.append(claimed.id or 0)
        report.refreshed += _follow(claimed, values)
    for agenda in existing.values():
        if agenda.stop_id not in stops and agenda.rules:
            agenda.rules, agenda.opening_hours_text = [], RETIRED_STOP_TEXT
            report.retired.append(agenda.id or 0)
            report.bookings_at_retired += await repository.confirmed_bookings_from(
                session, agenda.id or 0, now
            )


async def sync_departement(
    session: AsyncSession,
    locator: LocatorClient,
    settings: BookingSettings,
    sites: list[LocatorSite],
    now: dt.datetime,
) -> SyncReport:
    """Follow the locator for the sites of one département (as the locator lists them): create the agenda
    of every site and bus stop that has none; refresh the hours, name and address of those still as
    bootstrapped; stop offering slots at the stops the locator no longer lists (the bookings already
    taken there are counted, not cancelled: agents decide with each person). The caller's transaction
    holds the whole département (``booking.agendas.sync``)."""
    report = SyncReport(departements=1)
    for site in sites:
        values = _bootstrap_values(site, settings)
        agenda = await repository.by_site(session, site.id)
        if agenda is None:
            await repository.insert_site_agenda(session, values)
            report.created += 1
        else:
            report.refreshed += _follow(agenda, values)
        if site.is_mobile:
            await _sync_stops(session, locator, settings, site, report, now)
    await session.flush()
    return report


async def _check_demarches(session: AsyncSession, codes: list[str] | None) -> None:
    if codes:
        known = await catalogue.get_many(session, codes)
        if missing := sorted(set(codes) - set(known)):
            raise Unprocessable(f"Démarches inconnues : {', '.join(missing)}.")


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Unprocessable(f"Fuseau horaire inconnu : {name}.") from exc


async def update(session: AsyncSession, agenda: Agenda, data: AgendaUpdate, now: dt.datetime) -> Agenda:
    changes = data.model_dump(mode="json", exclude_unset=True)
    if any(v is None for k, v in changes.items() if k != "demarches"):
        raise Unprocessable("Seule la liste des démarches peut être vidée (null : toutes).")
    await _check_demarches(session, changes.get("demarches"))
    if changes.get(
        "slot_minutes", agenda.slot_minutes
    ) != agenda.slot_minutes and await slots.has_future_holds(session, agenda.id or 0, now):
        raise Conflict(
            "Impossible de changer la durée des créneaux tant que des rendez-vous à venir sont pris."
        )
    for field, value in changes.items():
        setattr(agenda, field, value)
    if "rules" in changes:
        agenda.opening_hours_text = rules_text(agenda.rules) or None
    agenda.source = "admin"
    await session.flush()
    await session.refresh(agenda)
    return agenda


async def _give_back(session: AsyncSession, agenda: Agenda, owner_site_id: int) -> None:
    agenda.site_id = owner_site_id
    await repository.move_bookings_to_site(session, agenda.id or 0, owner_site_id)


async def owned_stop(locator: LocatorClient, agent: Agent, site_id: int, stop_id: int) -> LocatorStop:
    """The stop, if the locator lists it among the stops of ``site_id`` and the agent works there.
    The site named in the request is only a claim: the locator's itinerary decides."""
    agent.require_site(site_id)
    for stop in await locator.site_stops(site_id):
        if stop.id == stop_id:
            return stop
    raise Forbidden(
        f"L'arrêt {stop_id} n'est pas desservi par la France Services {site_id} : seul le bus qui le "
        "dessert peut en ouvrir l'agenda."
    )


async def put_stop_agenda(
    session: AsyncSession,
    locator: LocatorClient,
    settings: BookingSettings,
    agent: Agent,
    stop_id: int,
    data: StopAgendaIn,
    now: dt.datetime,
) -> Agenda:
    await owned_stop(locator, agent, data.site_id, stop_id)
    _check_timezone(data.timezone)
    agenda = await repository.by_stop(session, stop_id)
    if agenda is None:
        await _check_demarches(session, data.demarches)
        values = _defaults(settings) | data.model_dump(mode="json", exclude_unset=True)
        agenda = Agenda(
            **values, stop_id=stop_id, source="admin", opening_hours_text=rules_text(values["rules"])
        )
        await repository.add(session, agenda)
        await session.refresh(agenda)
        return agenda
    if agenda.site_id != data.site_id:  # wrongly claimed earlier: back to the bus that serves it
        await _give_back(session, agenda, data.site_id)
    for field in ("name", "address", "timezone", "departement"):
        setattr(agenda, field, getattr(data, field))
    return await update(
        session, agenda, AgendaUpdate.model_validate(data.model_dump(exclude_unset=True)), now
    )


async def add_exception(session: AsyncSession, agenda: Agenda, data: ExceptionIn) -> AgendaException:
    row = AgendaException(
        agenda_id=agenda.id or 0, **data.model_dump(mode="json", exclude={"date"}), date=data.date
    )
    await repository.add(session, row)
    return row


async def delete_exception(session: AsyncSession, agenda: Agenda, exception_id: int) -> None:
    if not await repository.delete_exception(session, agenda.id or 0, exception_id):
        raise NotFound("Cette exception n'existe pas.")


async def upcoming_exceptions(session: AsyncSession, agenda: Agenda, today: dt.date) -> list[AgendaException]:
    return list(await repository.exceptions(session, agenda.id or 0, today, dt.date.max))


async def calendar(session: AsyncSession, agenda: Agenda, first: dt.date, last: dt.date) -> Calendar:
    exceptions = await repository.exceptions(session, agenda.id or 0, first, last)
    return Calendar(
        timezone=agenda.timezone,
        departement=agenda.departement,
        rules=tuple(agenda.rules),
        capacity=agenda.capacity,
        slot_minutes=agenda.slot_minutes,
        closed_on_public_holidays=agenda.closed_on_public_holidays,
        exceptions=tuple(
            DayException(e.date, e.kind, tuple(tuple(r) for r in e.ranges), e.capacity) for e in exceptions
        ),
    )
