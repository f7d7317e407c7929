"""Bearer tokens of the Balrog admin API, stored only as their SHA-256 hash."""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class TokenRecord(Model):
    Meta = table_meta("balrog-tokens")
    # sha256 hex of the token: a leaked table does not leak working tokens.
    token_hash = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    created_at = NumberAttribute()


def put(token_hash: str, username: str) -> None:
    """Record (or re-point) a token hash to a user."""
    TokenRecord(token_hash, username=username, created_at=int(time.time())).save()


def username_for(token_hash: str) -> str | None:
    try:
        return TokenRecord.get(token_hash).username
    except TokenRecord.DoesNotExist:
        return None
