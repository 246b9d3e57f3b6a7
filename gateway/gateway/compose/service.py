"""Where near me can I get help with this démarche, soonest? Locator and booking called concurrently.

Ranking (documented in ``RANKING``): cost in minutes = travel time + ``WAIT_MINUTES_PER_HOUR`` × hours of
waiting until the next free slot; one day of waiting weighs as much as half an hour of driving. A place
with no free slot in the horizon comes after every place with one (cost + ``NO_SLOT_PENALTY_MIN``).
Places where the démarche is not offered on appointment are left out. When booking does not answer,
places are ranked by travel time alone and the answer says so (``partial``, ``warnings``).
"""

import asyncio
import datetime as dt
from typing import Any
from urllib.parse import quote

from fs_common.errors import AppError, BadRequest, NotFound, Unprocessable
from gateway.compose.schemas import HelpNearMeResponse, HelpPlace, NextSlot, OriginOut, PointOut
from gateway.proxy.upstream import Upstream

WAIT_MINUTES_PER_HOUR = 1.25
NO_SLOT_PENALTY_MIN = 100_000.0
RANKING = (
    "coût = temps de trajet (min) + 1,25 min par heure d'attente jusqu'au prochain créneau libre "
    "(un jour d'attente pèse une demi-heure de route) ; les lieux sans créneau libre dans l'horizon "
    "viennent ensuite, par temps de trajet ; sans réponse du service de rendez-vous, temps de trajet seul."
)
BOOKING_DOWN = "Le service de rendez-vous ne répond pas : lieux classés par temps de trajet, sans créneaux."


_TYPE_SLUGS = {error.status: error.type_slug for error in (BadRequest, NotFound, Unprocessable)}


class UpstreamProblem(AppError):
    """A caller error reported by a service, passed on with its status and detail."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status  # before the base class picks the title from it
        self.type_slug = _TYPE_SLUGS.get(status, BadRequest.type_slug)
        detail = body.get("detail") if isinstance(body, dict) else None
        super().__init__(detail or "Requête refusée par le service.")


def _place(point: dict[str, Any]) -> dict[str, Any]:
    """The fields of a locator access point that the answer keeps."""
    if point["type"] == "site":
        site = point["site"]
        address = site.get("address") or {}
        town = f"{address.get('postcode', '')} {address.get('commune', '')}".strip()
        text = ", ".join(p for p in (address.get("street"), town) if p)
        return {
            "type": "site",
            "id": site["id"],
            "site_id": site["id"],
            "address": text or None,
            "open_now": site.get("open_now"),
            "next_opening": site.get("next_opening"),
        }
    stop = point["stop"]
    visit = next((v for v in stop.get("next_visits") or () if v.get("start") and v.get("end")), None)
    return {
        "type": "stop",
        "id": stop["id"],
        "site_id": stop["site"]["id"],
        "address": stop.get("address"),
        "open_now": None,
        "next_opening": {"start": visit["start"], "end": visit["end"]} if visit else None,
    }


async def _next_slot(
    booking: Upstream, kind: str, place_id: int, demarche: str, today: dt.date, horizon_days: int
) -> tuple[str, NextSlot | None]:
    """("available" | "no_slot" | "not_offered" | "unknown", the first free slot)."""
    params = {
        "demarche": demarche,
        "from": today.isoformat(),
        "to": (today + dt.timedelta(horizon_days)).isoformat(),
    }
    try:
        status, body = await booking.get_json(f"/v1/{kind}s/{place_id}/slots", params)
    except AppError:
        return "unknown", None
    if status >= 500:
        return "unknown", None
    if status != 200:
        return "not_offered", None
    slots = body.get("slots") or []
    if not slots:
        return "no_slot", None
    return "available", NextSlot(starts_at=slots[0]["starts_at"], ends_at=slots[0]["ends_at"])


async def _check_demarche(booking: Upstream, demarche: str) -> bool:
    """False when booking does not answer; raises when the démarche does not exist."""
    try:
        status, body = await booking.get_json(f"/v1/demarches/{quote(demarche, safe='')}")
    except AppError:
        return False
    if status == 404:
        raise Unprocessable(f"Démarche inconnue : « {demarche} ». Voir /v1/demarches.")
    return status == 200


async def help_near_me(
    *,
    locator: Upstream,
    booking: Upstream,
    demarche: str,
    where: dict[str, Any],
    limit: int,
    horizon_days: int,
    now: dt.datetime,
) -> HelpNearMeResponse:
    candidates = min(limit * 3, 30)
    (status, places), booking_up = await asyncio.gather(
        locator.get_json("/v1/access-points/nearest", where | {"limit": candidates}),
        _check_demarche(booking, demarche),
    )
    if status != 200:
        raise UpstreamProblem(status, places)
    points = places["results"]
    today = now.date()
    if booking_up:
        answers = await asyncio.gather(
            *(_next_slot(booking, p["type"], _place(p)["id"], demarche, today, horizon_days) for p in points)
        )
    else:
        answers = [("unknown", None)] * len(points)
    results = []
    for point, (state, slot) in zip(points, answers, strict=True):
        if state == "not_offered":
            continue
        wait_hours = max(0.0, (slot.starts_at - now).total_seconds() / 3600) if slot else None
        if state == "available" and wait_hours is not None:
            score = point["travel_time_min"] + WAIT_MINUTES_PER_HOUR * wait_hours
        elif state == "no_slot":
            score = point["travel_time_min"] + NO_SLOT_PENALTY_MIN
        else:
            score = float(point["travel_time_min"])
        place = _place(point)
        results.append(
            HelpPlace(
                **place,
                name=point["name"],
                location=PointOut(**point["location"]),
                distance_m=point["distance_m"],
                travel_time_min=point["travel_time_min"],
                booking=state,
                next_slot=slot,
                wait_hours=round(wait_hours, 1) if wait_hours is not None else None,
                score_min=round(score, 1),
                slots_path=f"/v1/{place['type']}s/{place['id']}/slots?demarche={demarche}",
            )
        )
    results.sort(key=lambda r: (r.score_min, r.distance_m))
    partial = any(r.booking == "unknown" for r in results) or not booking_up
    origin = places["origin"]
    return HelpNearMeResponse(
        origin=OriginOut(lat=origin["lat"], lon=origin["lon"], label=origin.get("label")),
        demarche=demarche,
        ranking=RANKING,
        partial=partial,
        warnings=[BOOKING_DOWN] if partial else [],
        results=results[:limit],
    )
