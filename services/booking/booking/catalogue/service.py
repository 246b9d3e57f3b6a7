"""Catalogue rules: which démarches exist, and their validation for a booking."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from booking.catalogue import repository
from booking.catalogue.models import Demarche, Modality
from booking.catalogue.schemas import DemarcheCreate, DemarcheUpdate
from fs_common.errors import Conflict, NotFound, Unprocessable


async def get(session: AsyncSession, code: str, *, active_only: bool = False) -> Demarche:
    row = await repository.get(session, code)
    if row is None or (active_only and not row.active):
        raise NotFound(f"La démarche « {code} » n'existe pas dans le catalogue.")
    return row


async def create(session: AsyncSession, data: DemarcheCreate) -> Demarche:
    values = data.model_dump(mode="json") | {"active": True}
    if not await repository.insert_new(session, values):
        raise Conflict(f"La démarche « {data.code} » existe déjà.")
    return await get(session, data.code)


async def update(session: AsyncSession, code: str, data: DemarcheUpdate) -> Demarche:
    row = await get(session, code)
    for field, value in data.model_dump(mode="json", exclude_unset=True).items():
        if value is None:
            raise Unprocessable(f"Le champ « {field} » ne peut pas être vide.")
        setattr(row, field, value)
    await session.flush()
    await session.refresh(row)
    return row


async def for_booking(
    session: AsyncSession, codes: Sequence[str], offered: Sequence[str] | None
) -> list[Demarche]:
    """The démarches of one visit, in the order asked: active, on site, offered by the agenda."""
    if len(set(codes)) != len(codes):
        raise Unprocessable("Chaque démarche ne peut être demandée qu'une fois.")
    rows = await repository.get_many(session, codes)
    result = []
    for code in codes:
        row = rows.get(code)
        if row is None or not row.active:
            raise Unprocessable(f"La démarche « {code} » n'existe pas dans le catalogue.")
        if Modality.on_site not in row.modalities or (offered is not None and code not in offered):
            raise Unprocessable(f"La démarche « {row.label} » n'est pas proposée sur rendez-vous ici.")
        result.append(row)
    return result
