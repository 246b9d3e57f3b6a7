"""Agent accounts and the built-in login (argon2id passwords, brute-force limits, signed tokens)."""

import asyncio
import datetime as dt
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.agent_auth import Role
from fs_common.errors import Conflict, NotFound, TooManyRequests, Unauthorized, Unprocessable
from gateway.access.ratelimit import Limiter, parse_limit
from gateway.agents import repository
from gateway.agents.models import AgentAccount
from gateway.agents.schemas import AgentCreated, TokenOut
from gateway.agents.tokens import TokenSigner
from gateway.config import GatewaySettings

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so that the answer takes as long as for a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_agent(
    *, session: AsyncSession, email: str, password: str | None, role: Role, sites: list[int]
) -> AgentCreated:
    email = normalise_email(email)
    if "@" not in email:
        raise Unprocessable("Adresse e-mail invalide.")
    if role != Role.national_admin and not sites:
        raise Unprocessable("Un agent ou un administrateur de site doit avoir au moins une France Services.")
    if await repository.get_by_email(session, email) is not None:
        raise Conflict("Un agent existe déjà avec cette adresse e-mail.")
    password_hash = await asyncio.to_thread(_hasher.hash, password) if password else None
    agent = await repository.add(
        session,
        AgentAccount(
            email=email,
            password_hash=password_hash,
            role=role.value,
            sites=sorted(set(sites)),
            created_at=dt.datetime.now(dt.UTC),
        ),
    )
    return AgentCreated(id=agent.id, email=agent.email, role=role, sites=agent.sites)


async def set_active(*, session: AsyncSession, email: str, active: bool) -> AgentAccount:
    """Allow or stop an agent's sign-ins; tokens already issued run until they expire."""
    agent = await repository.get_by_email(session, normalise_email(email))
    if agent is None:
        raise NotFound("Aucun agent n'a cette adresse e-mail.")
    agent.active = active
    await session.flush()
    return agent


def issue(signer: TokenSigner, *, subject: str, role: Role, sites: list[int]) -> TokenOut:
    token = signer.issue(subject=subject, role=role, sites=sites)
    return TokenOut(access_token=token, expires_in=signer.ttl_s, role=role, sites=sorted(sites))


async def _password_matches(
    verifications: asyncio.Semaphore, password_hash: str | None, password: str
) -> bool:
    """argon2id costs 64 MiB and a core's time: at most ``verifications`` run at once in this process."""
    async with verifications:
        try:
            return await asyncio.to_thread(_hasher.verify, password_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False


async def login(
    *,
    session: AsyncSession,
    limiter: Limiter,
    verifications: asyncio.Semaphore,
    signer: TokenSigner,
    settings: GatewaySettings,
    email: str,
    password: str,
    client_ip: str,
) -> TokenOut:
    """A token for the right e-mail and password. Every attempt is counted per e-mail (hashed: no personal
    data in Redis) and per IP *before* the password is verified (an atomic INCR), so that however many
    arrive at once, at most ``GATEWAY_LOGIN_PER_EMAIL`` verifications run per window; past either limit,
    429 until the window ends. A successful sign-in gives its attempt back."""
    email = normalise_email(email)
    guards = [
        (parse_limit(settings.login_per_email), "login-email:" + hashlib.sha256(email.encode()).hexdigest()),
        (parse_limit(settings.login_per_ip), "login-ip:" + client_ip),
    ]
    verdict = await limiter.hit(guards)
    if not verdict.allowed:
        raise TooManyRequests(
            "Trop de tentatives de connexion. Réessayez plus tard.", headers=verdict.headers()
        )
    agent = await repository.get_by_email(session, email)
    matches = await _password_matches(verifications, agent.password_hash if agent else None, password)
    if agent is None or not agent.active or agent.password_hash is None or not matches:
        raise Unauthorized("E-mail ou mot de passe incorrect.")
    await limiter.give_back(guards)
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = await asyncio.to_thread(_hasher.hash, password)
    return issue(signer, subject=str(agent.id), role=Role(agent.role), sites=agent.sites)
