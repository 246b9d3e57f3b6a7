"""``gateway`` command: migrations, partner keys and agent accounts."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import redis.asyncio as redis
import typer
from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.agent_auth import Role
from fs_common.databases import create_and_migrate
from fs_common.db import create_engine, make_sessionmaker
from fs_common.errors import NotFound
from gateway.agents import service as agents
from gateway.config import get_settings
from gateway.partners import service as keys
from gateway.partners.schemas import PartnerKeyCreate

app = typer.Typer(help="France Services gateway.", no_args_is_help=True)
SERVICE_DIR = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def _run(work: Callable[[AsyncSession, redis.Redis], Awaitable[T]]) -> T:
    settings = get_settings()

    async def main() -> T:
        engine = create_engine(settings.database_url, pool_size=1)
        cache = redis.from_url(settings.redis_url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await work(session, cache)
                await session.commit()
                return result
        finally:
            await cache.aclose()
            await engine.dispose()

    return asyncio.run(main())


@app.command()
def migrate() -> None:
    """Create the database if needed and run the migrations."""
    create_and_migrate(SERVICE_DIR, get_settings().database_url)
    typer.echo("gateway: database migrated", err=True)


@app.command("create-agent")
def create_agent(
    email: Annotated[str, typer.Option(help="The agent's e-mail (their login)")],
    sites: Annotated[str, typer.Option(help="Site ids (id_fs), comma-separated: 12,34")] = "",
    role: Annotated[Role, typer.Option(help="agent, site_admin or national_admin")] = Role.agent,
    password: Annotated[
        str | None, typer.Option(envvar="GATEWAY_AGENT_PASSWORD", help="Asked when not given")
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Sign-in through the OpenID Connect provider only")
    ] = False,
) -> None:
    """Create an agent account (the password is stored as an argon2id hash)."""
    site_ids = [int(s) for s in sites.split(",") if s.strip()]
    if not no_password and not password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    created = _run(
        lambda s, c: agents.create_agent(
            session=s, email=email, password=None if no_password else password, role=role, sites=site_ids
        )
    )
    typer.echo(f"agent {created.id} ({created.role.value}, sites {created.sites or 'all'})")


@app.command("deactivate-agent")
def deactivate_agent(email: str) -> None:
    """Stop an agent's sign-ins (password and OpenID Connect) from now on. A token already issued works
    until it expires: GATEWAY_AGENT_TOKEN_TTL_S, 15 minutes by default."""
    _set_active(email, active=False)


@app.command("reactivate-agent")
def reactivate_agent(email: str) -> None:
    """Allow a deactivated agent to sign in again."""
    _set_active(email, active=True)


def _set_active(email: str, *, active: bool) -> None:
    try:
        agent = _run(lambda s, c: agents.set_active(session=s, email=email, active=active))
    except NotFound as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"agent {agent.id} ({agent.email}) {'reactivated' if active else 'deactivated'}")


@app.command("create-key")
def create_key(
    partner: Annotated[str, typer.Option(help="Who holds the key")],
    origin: Annotated[list[str] | None, typer.Option(help="Allowed browser origin (repeatable)")] = None,
    per_minute: Annotated[int, typer.Option(help="Calls per minute")] = 600,
    per_day: Annotated[int, typer.Option(help="Calls per day")] = 100_000,
) -> None:
    """Create a partner API key; the key is printed once, only its hash is kept."""
    settings = get_settings()
    data = PartnerKeyCreate(partner=partner, origins=origin or [], per_minute=per_minute, per_day=per_day)
    created = _run(lambda s, c: keys.create_key(session=s, cache=c, prefix=settings.redis_prefix, data=data))
    typer.echo(f"id:  {created.id}\nkey: {created.key}\n(the key is shown only now: give it to the partner)")


@app.command("revoke-key")
def revoke_key(key_id: uuid.UUID) -> None:
    """Revoke a partner key: refused from the next call on."""
    settings = get_settings()
    _run(
        lambda s, c: keys.revoke_key(
            session=s, cache=c, prefix=settings.redis_prefix, key_id=key_id, ttl_s=settings.key_cache_s
        )
    )
    typer.echo(f"revoked {key_id}")


@app.command("list-keys")
def list_keys() -> None:
    """The partner keys (never the keys themselves)."""
    for key in _run(lambda s, c: keys.list_keys(session=s)):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        typer.echo(
            f"{key.id}  {key.prefix}…  {key.partner}  {key.per_minute}/min {key.per_day}/day  "
            f"{','.join(key.origins) or '-'}  {state}"
        )


@app.callback()
def main() -> None:
    """France Services gateway."""
