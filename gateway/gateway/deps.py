"""Dependencies shared by the gateway's own routes."""

import secrets
from typing import Annotated

from fastapi import Depends, Request

from fs_common.agent_auth import Role
from fs_common.errors import Forbidden, Unauthorized
from gateway.config import GatewaySettings


async def require_admin(request: Request) -> None:
    """The admin API: the configured admin token, or the token of a national admin agent."""
    settings: GatewaySettings = request.app.state.settings
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authentification requise.", headers={"WWW-Authenticate": "Bearer"})
    if settings.admin_token and secrets.compare_digest(token, settings.admin_token):
        return
    agent = await request.app.state.token_verifier.verify(token)
    if agent.role != Role.national_admin:
        raise Forbidden("Réservé aux administrateurs nationaux.")


AdminDep = Annotated[None, Depends(require_admin)]
