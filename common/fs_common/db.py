"""Async SQLAlchemy engine and the per-request session (commits once, at the end of the request)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry

# One naming convention for constraints, so that Alembic migrations are stable and readable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_registry() -> registry:
    """A registry of the service's own, so that services never share table metadata in one process.

    Use as ``class LocatorModel(SQLModel, registry=make_registry())`` and derive every table from it.
    """
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # Short OLTP queries: PostgreSQL's JIT only adds milliseconds of compilation to them.
    # hide_parameters: a failing statement's error (and so any traceback) shows its SQL, never the
    # values bound to it, which hold names, e-mails and phone numbers.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"server_settings": {"jit": "off"}},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: committed after the route succeeds, rolled back on any error."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": the transaction commits before the response leaves, so a client told "done" can
# read its change at once, and a failed commit is never reported as a success.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
