"""Manage tokens (256 random bits, stored as a SHA-256 hash) and the idempotency key's sealed box."""

import hashlib
import json
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """A fast hash suffices: the token is 256 random bits, nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


def idempotency_key_hash(key: str) -> str:
    return hashlib.sha256(b"idempotency:" + key.encode()).hexdigest()


def fingerprint(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _box_key(idempotency_key: str) -> bytes:
    return hashlib.sha256(b"idempotency-box:" + idempotency_key.encode()).digest()


def seal(idempotency_key: str, token: str) -> bytes:
    """The token, readable only with the Idempotency-Key (which the database never holds in clear)."""
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(_box_key(idempotency_key)).encrypt(nonce, token.encode(), None)


def unseal(idempotency_key: str, box: bytes) -> str:
    return AESGCM(_box_key(idempotency_key)).decrypt(box[:12], box[12:], None).decode()
