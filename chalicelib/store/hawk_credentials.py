"""Hawk client credentials for Treeherder's write endpoints.

Item ``hawk#<client id>`` / ``credential`` in the ``treeherder`` table. Hawk's
MAC is an HMAC keyed with the shared secret, so the server must hold the
secret itself (it cannot be hashed); on AWS the table is encrypted at rest and
readable only by the app. It is never logged or returned by a read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib.store.base import table_meta

SORT = "credential"


class HawkCredentialRecord(Model):
    Meta = table_meta("treeherder")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=SORT)
    client_id = UnicodeAttribute()
    secret = UnicodeAttribute()
    created_at = NumberAttribute()


@dataclass(frozen=True)
class HawkCredential:
    client_id: str
    secret: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"HawkCredential(client_id={self.client_id!r})"


class CredentialExists(Exception):
    pass


def _pk(client_id: str) -> str:
    return f"hawk#{client_id}"


def get(client_id: str) -> HawkCredential | None:
    try:
        rec = HawkCredentialRecord.get(_pk(client_id), SORT)
    except HawkCredentialRecord.DoesNotExist:
        return None
    return HawkCredential(rec.client_id, rec.secret)


def create(client_id: str, secret: str, replace: bool = False) -> HawkCredential:
    rec = HawkCredentialRecord(_pk(client_id), SORT, client_id=client_id, secret=secret, created_at=int(time.time()))
    try:
        rec.save(condition=None if replace else HawkCredentialRecord.pk.does_not_exist())
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise CredentialExists(client_id) from err
        raise
    return HawkCredential(client_id, secret)
