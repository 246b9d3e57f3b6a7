"""Dependencies shared by the routers, all async: FastAPI runs a plain ``def`` one in its thread pool."""

from typing import Annotated

from fastapi import Depends, Request

from booking.clients.locator import LocatorClient
from booking.config import BookingSettings
from fs_common.agent_auth import Agent, CurrentAgent, Role
from fs_common.errors import Forbidden


async def get_settings(request: Request) -> BookingSettings:
    return request.app.state.settings


async def get_locator(request: Request) -> LocatorClient:
    return request.app.state.locator


async def require_national_admin(agent: CurrentAgent) -> Agent:
    if agent.role != Role.national_admin:
        raise Forbidden("Réservé aux administrateurs nationaux du catalogue.")
    return agent


SettingsDep = Annotated[BookingSettings, Depends(get_settings)]
LocatorDep = Annotated[LocatorClient, Depends(get_locator)]
NationalAdmin = Annotated[Agent, Depends(require_national_admin)]
