"""Agent sign-in (built-in or OpenID Connect) and the JWKS the services verify agent tokens with."""

from fastapi import APIRouter, Request

from fs_common.db import SessionDep
from fs_common.errors import PROBLEM_RESPONSE_DOC, Forbidden, NotFound
from gateway.agents import service
from gateway.agents.schemas import Jwks, LoginIn, OidcExchangeIn, TokenOut

router = APIRouter(tags=["agents"])

_AUTH_ERRORS = PROBLEM_RESPONSE_DOC | {
    401: {"description": "Identifiants ou jeton refusés", "content": {"application/problem+json": {}}},
    429: {"description": "Trop de tentatives", "content": {"application/problem+json": {}}},
}


@router.post(
    "/v1/auth/login", response_model=TokenOut, summary="Connexion d'un agent", responses=_AUTH_ERRORS
)
async def login(request: Request, session: SessionDep, data: LoginIn) -> TokenOut:
    state = request.app.state
    if state.settings.auth_provider != "builtin":
        raise Forbidden("La connexion se fait auprès du fournisseur d'identité de votre organisation.")
    return await service.login(
        session=session,
        limiter=state.limiter,
        verifications=state.login_verifications,
        signer=state.signer,
        settings=state.settings,
        email=data.email,
        password=data.password,
        client_ip=request.client.host if request.client else "unknown",
    )


@router.post(
    "/v1/auth/oidc/token",
    response_model=TokenOut,
    summary="Échanger un jeton d'identité OpenID Connect contre un jeton d'agent",
    responses=_AUTH_ERRORS,
)
async def oidc_exchange(request: Request, session: SessionDep, data: OidcExchangeIn) -> TokenOut:
    state = request.app.state
    if state.oidc is None:
        raise NotFound("Aucun fournisseur OpenID Connect n'est configuré.")
    claims = await state.oidc.verify(data.id_token, nonce=data.nonce)
    subject, role, sites = await state.oidc.identity(session, claims)
    return service.issue(state.signer, subject=subject, role=role, sites=sites)


@router.get(
    "/.well-known/jwks.json",
    response_model=Jwks,
    summary="Clés publiques des jetons d'agent (JWKS)",
)
async def jwks(request: Request) -> Jwks:
    return Jwks.model_validate(request.app.state.signer.jwks())
