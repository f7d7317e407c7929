"""Nonces already used, remembered until their signature could no longer be fresh."""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.store.errors import write_unless_refused


class Nonce(Model):
    Meta = table_meta("nonces")
    nonce_key = UnicodeAttribute(hash_key=True)
    expires_at = NumberAttribute()  # DynamoDB TTL attribute


def remember(scope: str, nonce: str, lifetime_seconds: int) -> bool:
    """Record a nonce; False when it was seen before (a replay).

    The check and the write are one conditional PutItem, so two concurrent
    requests carrying the same nonce cannot both pass.
    """
    item = Nonce(f"{scope}:{nonce}", expires_at=int(time.time()) + 2 * lifetime_seconds)
    return write_unless_refused(item.save, condition=Nonce.nonce_key.does_not_exist())
