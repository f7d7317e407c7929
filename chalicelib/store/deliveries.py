"""Which queue message produced which objectstore row: exactly-once ingest from SQS.

SQS delivers at least once. Before a message's blob is stored, the row id it
will use is recorded under the message id; a redelivery finds that id and
finishes the same row instead of storing a second copy.
"""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta

RETENTION_SECONDS = 14 * 86400  # SQS keeps a message at most 14 days


class Delivery(Model):
    Meta = table_meta("nonces")
    nonce_key = UnicodeAttribute(hash_key=True)
    expires_at = NumberAttribute()
    row_id = NumberAttribute(null=True)


def _key(queue: str, message_id: str) -> str:
    return f"sqs:{queue}:{message_id}"


def row_for(queue: str, message_id: str) -> int | None:
    try:
        found = Delivery.get(_key(queue, message_id), consistent_read=True)
    except Delivery.DoesNotExist:
        return None
    return None if found.row_id is None else int(found.row_id)


def record(queue: str, message_id: str, row_id: int) -> None:
    Delivery(_key(queue, message_id), expires_at=int(time.time()) + RETENTION_SECONDS, row_id=row_id).save()
