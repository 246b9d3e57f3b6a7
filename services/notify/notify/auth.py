"""Who may call the admin endpoints (partner webhooks).

Either an agent token (``fs_common.agent_auth``) with the ``national_admin`` role, or, for
machine-to-machine set-up, the static ``NOTIFY_ADMIN_TOKEN`` as a bearer token (disabled when empty).
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request

from fs_common.agent_auth import Agent, Role, current_agent
from fs_common.errors import Forbidden


async def require_admin(request: Request) -> str:
    """The caller's identity for the audit: ``admin-token`` or ``agent:<id>``."""
    configured: str = request.app.state.settings.admin_token
    _, _, token = request.headers.get("authorization", "").partition(" ")
    if configured and hmac.compare_digest(token.strip().encode(), configured.encode()):
        return "admin-token"
    agent: Agent = await current_agent(request)
    if agent.role != Role.national_admin:
        raise Forbidden("Réservé aux administrateurs nationaux.")
    return f"agent:{agent.id}"


Admin = Annotated[str, Depends(require_admin)]
