"""Credentials of the Balrog admin API, stored only as their SHA-256 hash.

Three kinds share the table: ``bearer`` tokens (created with ``shipyard
token create``; no expiry), ``access`` tokens (short-lived bearer tokens the
OAuth token endpoint issues in exchange for a ``bearer`` token, as
balrogclient asks Auth0 for one) and ``session`` tokens (a browser's cookie
session). Expiring kinds are removed by DynamoDB's TTL, and a lookup refuses
them as soon as ``expires_at`` has passed, since TTL deletion can lag by hours.
A fourth kind, ``password``, keyed ``password#<user>``, holds a user's scrypt
password hash for HTTP Basic (self-serve); it is never a token.
"""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta

BEARER = "bearer"
ACCESS = "access"
SESSION = "session"
PASSWORD = "password"  # noqa: S105 - a kind of row, not a secret: a user's HTTP Basic password (self-serve), keyed by user, never a token


class TokenRecord(Model):
    Meta = table_meta("balrog-tokens")
    # sha256 hex of the token: a leaked table does not leak working tokens.
    token_hash = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    created_at = NumberAttribute()
    kind = UnicodeAttribute(default=BEARER)
    expires_at = NumberAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)


def put(token_hash: str, username: str, kind: str = BEARER, expires_at: int | None = None) -> None:
    """Record (or re-point) a token hash to a user."""
    TokenRecord(token_hash, username=username, created_at=int(time.time()), kind=kind, expires_at=expires_at).save()


def username_for(token_hash: str, kinds: tuple[str, ...] = (BEARER,)) -> str | None:
    """The user of a live token of one of ``kinds`` (a session token is not a bearer token, nor the reverse)."""
    try:
        record = TokenRecord.get(token_hash)
    except TokenRecord.DoesNotExist:
        return None
    if (record.kind or BEARER) not in kinds:
        return None
    if record.expires_at is not None and record.expires_at <= time.time():
        return None
    return record.username


def remove(token_hash: str) -> None:
    TokenRecord(token_hash).delete()


def _password_key(username: str) -> str:
    # Not a hex digest, so it can never collide with a token's key.
    return f"password#{username}"


def put_password(username: str, password_hash: str) -> None:
    """Record a user's password hash (replacing the previous one)."""
    TokenRecord(_password_key(username), username=username, created_at=int(time.time()), kind=PASSWORD,
                password_hash=password_hash).save()


def password_hash_of(username: str) -> str | None:
    """The stored password hash of ``username`` (one GetItem); None if it has none."""
    try:
        record = TokenRecord.get(_password_key(username))
    except TokenRecord.DoesNotExist:
        return None
    return record.password_hash if record.kind == PASSWORD else None
