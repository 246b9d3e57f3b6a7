"""Admin API of partner keys."""

import uuid

from fastapi import APIRouter, Request, status

from fs_common.agent_auth import NationalAdmin
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from gateway.partners import service
from gateway.partners.schemas import PartnerKeyCreate, PartnerKeyCreated, PartnerKeyOut

router = APIRouter(prefix="/admin/partner-keys", tags=["administration"])


@router.post(
    "",
    response_model=PartnerKeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Créer une clé partenaire (affichée une seule fois)",
    responses=PROBLEM_RESPONSE_DOC,
)
async def create_key(
    request: Request, session: SessionDep, _: NationalAdmin, data: PartnerKeyCreate
) -> PartnerKeyCreated:
    settings = request.app.state.settings
    return await service.create_key(
        session=session, cache=request.app.state.redis, prefix=settings.redis_prefix, data=data
    )


@router.get("", response_model=list[PartnerKeyOut], summary="Les clés partenaires")
async def list_keys(session: SessionDep, _: NationalAdmin) -> list[PartnerKeyOut]:
    return await service.list_keys(session=session)


@router.delete(
    "/{key_id}",
    response_model=PartnerKeyOut,
    summary="Révoquer une clé (effet immédiat)",
    responses=PROBLEM_RESPONSE_DOC,
)
async def revoke_key(
    request: Request, session: SessionDep, _: NationalAdmin, key_id: uuid.UUID
) -> PartnerKeyOut:
    settings = request.app.state.settings
    return await service.revoke_key(
        session=session,
        cache=request.app.state.redis,
        prefix=settings.redis_prefix,
        key_id=key_id,
        ttl_s=settings.key_cache_s,
    )
