"""The blob bucket's notifications, as the processing queue receives them (S3's message format).

The template has the bucket notify the processing queue of every object
created under ``objectstore/``: that message, not one the upload sends, is what
queues a blob for loading. S3 sends ``{"Records": [...]}`` with one record per
object (its key URL-encoded, its size, the time it was stored), and once, when
the notification is configured, an ``s3:TestEvent`` that names no object.
Read by the processing worker, and by the sweeper in the dead-letter queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


class NotABucketEvent(ValueError):
    """A message shaped like a bucket notification that is not one: no retry can read it."""

TEST_EVENT = "s3:TestEvent"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    stored_at: int  # unix seconds


def from_bucket(message: dict[str, Any]) -> bool:
    """Whether a processing message is the bucket's (else it is the sweeper's ``{"project", "id"}``)."""
    return "Records" in message or message.get("Event") == TEST_EVENT


def stored_objects(message: dict[str, Any]) -> list[StoredObject]:
    """The objects a bucket message says were created (none for the test event)."""
    records = message.get("Records", [])
    if not isinstance(records, list):
        raise NotABucketEvent("bucket notification's Records is not a list")
    stored = []
    for record in records:
        try:
            if record.get("eventSource") != "aws:s3" or not record["eventName"].startswith("ObjectCreated:"):
                continue
            obj = record["s3"]["object"]
            stored_at = dt.datetime.fromisoformat(record["eventTime"])
            stored.append(StoredObject(unquote_plus(obj["key"]), int(obj["size"]), int(stored_at.timestamp())))
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise NotABucketEvent(f"not a bucket notification record: {type(err).__name__}: {err}") from None
    return stored
