import uuid

from pydantic import BaseModel, Field

from fs_common.agent_auth import Role


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=320, examples=["agent@fs-gueret.fr"])
    password: str = Field(min_length=1, max_length=200)


class OidcExchangeIn(BaseModel):
    id_token: str = Field(
        max_length=16_384, description="Jeton d'identité (ID token) émis par le fournisseur OpenID Connect"
    )
    nonce: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Le nonce donné au fournisseur à la connexion ; vérifié dans le jeton quand il est là",
    )


class TokenOut(BaseModel):
    access_token: str = Field(
        description="Jeton d'agent (JWT signé EdDSA), à envoyer en Authorization: Bearer"
    )
    token_type: str = "Bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int = Field(description="Durée de validité, en secondes", examples=[900])
    role: Role
    sites: list[int]


class AgentCreated(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    sites: list[int]


class Jwk(BaseModel):
    kty: str = Field(examples=["OKP"])
    crv: str = Field(examples=["Ed25519"])
    x: str
    kid: str
    use: str = "sig"
    alg: str = "EdDSA"


class Jwks(BaseModel):
    keys: list[Jwk]
