"""``Authorization: Bearer <token>``, as balrogclient sends it.

Tokens are random, shown once when created (``shipyard token create USER``)
and stored only as their SHA-256: a token is high-entropy, so a plain hash is
enough (no salt or slow hash needed), and lookups stay one GetItem.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.store import balrog_tokens


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(username: str) -> str:
    """A new token for ``username``; the caller shows it once, it is never stored in clear."""
    token = secrets.token_urlsafe(32)
    balrog_tokens.put(token_hash(token), username)
    return token


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
    return balrog_tokens.username_for(token_hash(token)) if token else None


def requirelogin(current_request: Callable[[], Any],
                 unauthorized: Callable[[str], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: answer ``unauthorized(detail)`` without a known token, else pass ``changed_by``.

    The request accessor and the error shape come from the API family, so
    this module knows tokens, not envelopes.
    """

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            headers = current_request().headers
            if bearer_token(headers) is None:
                return unauthorized("A bearer token is required (Authorization: Bearer <token>).")
            username = authenticate(headers)
            if username is None:
                return unauthorized("Unknown bearer token.")
            return handler(*args, changed_by=username, **kwargs)

        return wrapper

    return decorator
