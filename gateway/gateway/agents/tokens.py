"""The key that signs agent tokens (Ed25519, EdDSA), the tokens themselves and the JWKS that publishes it.

The private key comes from settings (PEM text or a file); when neither exists, one is generated into the
file (mode 0600, under ``var/``, which git ignores) so that a first ``make run`` just works. The ``kid``
is the RFC 7638 thumbprint of the public key.
"""

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

from fs_common.agent_auth import AUDIENCE, ISSUER, Role


def load_or_create_private_key(pem: str, path: Path) -> Ed25519PrivateKey:
    """The key of the settings, else of the file; a missing file is created whole under its name at once
    (written aside, then linked), so that replicas starting together all end up with the same key."""
    if not pem:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            generated = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(generated)
            try:
                os.link(draft, path)  # atomic: exactly one first writer wins, the others read its key
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        pem = path.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the agent signing key must be an Ed25519 private key")
    return key


class TokenSigner:
    def __init__(self, private_key: Ed25519PrivateKey, ttl_s: int) -> None:
        self._private_key = private_key
        self.public_key: Ed25519PublicKey = private_key.public_key()
        self.ttl_s = ttl_s
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(self.public_key, as_dict=True)
        self.kid = _thumbprint(jwk)
        self.jwk = jwk | {"kid": self.kid, "use": "sig", "alg": "EdDSA"}

    @property
    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def issue(self, *, subject: str, role: Role, sites: list[int], now: dt.datetime | None = None) -> str:
        now = now or dt.datetime.now(dt.UTC)
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "role": role.value,
            "sites": sorted(sites),
            "iat": now,
            "exp": now + dt.timedelta(seconds=self.ttl_s),
        }
        return jwt.encode(claims, self._private_key, algorithm="EdDSA", headers={"kid": self.kid})

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [self.jwk]}


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an OKP key (members crv, kty, x in lexicographic order)."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
