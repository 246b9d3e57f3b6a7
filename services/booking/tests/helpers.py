"""Small helpers shared by the booking tests."""

import datetime as dt

import httpx
from fastapi import FastAPI

from booking.agendas.service import SyncReport
from booking.agendas.sync import AgendaSync
from booking.clients.locator import LocatorClient
from booking.config import BookingSettings

PERSON = {"name": "Camille Martin", "email": "camille.martin@example.org", "consent_contact": True}


async def free_slots(
    client: httpx.AsyncClient, stop_id: int, demarche: str = "ameli-carte-vitale", **params
) -> list:
    response = await client.get(f"/v1/stops/{stop_id}/slots", params={"demarche": demarche} | params)
    assert response.status_code == 200, response.text
    return response.json()["slots"]


def booking_body(stop_id: int, starts_at: str, demarches: list[str] | None = None, **person) -> dict:
    return {
        "stop_id": stop_id,
        "demarches": demarches or ["ameli-carte-vitale"],
        "starts_at": starts_at,
        "person": PERSON | person,
    }


def in_days(days: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).date().isoformat()


async def sync_agendas(
    app: FastAPI, locator: httpx.AsyncClient, settings: BookingSettings, departement: str
) -> SyncReport:
    """A whole sync of one département's agendas, as ``booking sync-agendas --departement`` runs it."""
    sync = AgendaSync(app.state.sessionmaker, LocatorClient(locator), settings, (departement,))
    assert await sync.attempt(), sync.failed
    return sync.report
