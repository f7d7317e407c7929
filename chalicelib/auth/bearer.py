"""``Authorization: Bearer <token>``, as balrogclient sends it.

Tokens are random, shown once when created (``shipyard token create USER``)
and stored only as their SHA-256: a token is high-entropy, so a plain hash is
enough (no salt or slow hash needed), and lookups stay one GetItem.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping

from chalicelib.store import balrog_tokens


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(username: str) -> str:
    """A new token for ``username``; the caller shows it once, it is never stored in clear."""
    token = secrets.token_urlsafe(32)
    balrog_tokens.put(token_hash(token), username)
    return token


def issue_access_token(username: str, lifetime_seconds: int) -> str:
    """A short-lived bearer token (what the OAuth token endpoint hands out)."""
    token = secrets.token_urlsafe(32)
    expires_at = int(time.time()) + lifetime_seconds
    balrog_tokens.put(token_hash(token), username, kind=balrog_tokens.ACCESS, expires_at=expires_at)
    return token


def owner_of_long_lived(token: str) -> str | None:
    """The user of a ``shipyard token create`` token; never an access token (they would renew themselves)."""
    return balrog_tokens.username_for(token_hash(token), kinds=(balrog_tokens.BEARER,))


def register_token(username: str, token: str) -> None:
    """Record a given token (the local stack's documented development token)."""
    balrog_tokens.put(token_hash(token), username)


def bearer_token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(headers: Mapping[str, str]) -> str | None:
    """The user a request's bearer token belongs to; None without a known token."""
    token = bearer_token(headers)
    if not token:
        return None
    return balrog_tokens.username_for(token_hash(token), kinds=(balrog_tokens.BEARER, balrog_tokens.ACCESS))
