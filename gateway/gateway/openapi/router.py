from typing import Any

from fastapi import APIRouter, Request

router = APIRouter()


@router.api_route("/openapi.json", methods=["GET", "HEAD"], include_in_schema=False)
async def openapi(request: Request) -> dict[str, Any]:
    """The whole public API: the gateway's routes and those of the services behind it."""
    return await request.app.state.openapi.document()
