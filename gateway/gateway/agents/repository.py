"""SQL of agent accounts."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from gateway.agents.models import AgentAccount


async def add(session: AsyncSession, agent: AgentAccount) -> AgentAccount:
    session.add(agent)
    await session.flush()
    return agent


async def get_by_email(session: AsyncSession, email: str) -> AgentAccount | None:
    result = await session.execute(select(AgentAccount).where(col(AgentAccount.email) == email))
    return result.scalar_one_or_none()
