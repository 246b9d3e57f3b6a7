"""Dependencies shared by the routers, all async: FastAPI runs a plain ``def`` one in its thread pool."""

from typing import Annotated

from fastapi import Depends, Request

from booking.clients.locator import LocatorClient
from booking.config import BookingSettings


async def get_settings(request: Request) -> BookingSettings:
    return request.app.state.settings


async def get_locator(request: Request) -> LocatorClient:
    return request.app.state.locator


SettingsDep = Annotated[BookingSettings, Depends(get_settings)]
LocatorDep = Annotated[LocatorClient, Depends(get_locator)]
