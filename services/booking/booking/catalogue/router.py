"""The démarches catalogue: public list, national admin edits."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from booking.catalogue import repository, service
from booking.catalogue.models import Modality
from booking.catalogue.schemas import CODE_PATTERN, DemarcheCreate, DemarcheOut, DemarcheUpdate
from fs_common.agent_auth import NationalAdmin
from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC
from fs_common.partners import Partner

router = APIRouter(prefix="/v1", tags=["démarches"])

DemarcheCode = Annotated[str, Path(pattern=CODE_PATTERN, description="Code de la démarche")]


@router.get("/demarches", response_model=list[DemarcheOut], summary="Le catalogue des démarches")
async def list_demarches(
    session: SessionDep,
    partner: Partner | None = None,
    modality: Annotated[Modality | None, Query(description="on_site, phone ou video")] = None,
) -> list[DemarcheOut]:
    rows = await repository.list_demarches(
        session, partner=partner.value if partner else None, modality=modality.value if modality else None
    )
    return [DemarcheOut.of(r) for r in rows]


@router.get(
    "/demarches/{code}", response_model=DemarcheOut, summary="Une démarche", responses=PROBLEM_RESPONSE_DOC
)
async def get_demarche(session: SessionDep, code: DemarcheCode) -> DemarcheOut:
    return DemarcheOut.of(await service.get(session, code, active_only=True))


@router.post(
    "/demarches",
    response_model=DemarcheOut,
    status_code=status.HTTP_201_CREATED,
    summary="Ajouter une démarche (administration nationale)",
    responses=PROBLEM_RESPONSE_DOC,
)
async def create_demarche(session: SessionDep, _: NationalAdmin, data: DemarcheCreate) -> DemarcheOut:
    return DemarcheOut.of(await service.create(session, data))


@router.patch(
    "/demarches/{code}",
    response_model=DemarcheOut,
    summary="Modifier ou désactiver une démarche (administration nationale)",
    responses=PROBLEM_RESPONSE_DOC,
)
async def update_demarche(
    session: SessionDep, _: NationalAdmin, code: DemarcheCode, data: DemarcheUpdate
) -> DemarcheOut:
    return DemarcheOut.of(await service.update(session, code, data))
