"""Receiving a blob: keep it as sent, record it, hand it to the processing queue.

The same path serves the HTTP upload and the ingest queue. The order of the
writes is what makes "nothing is lost" true:

1. the id comes from this container's block of ids (``store.blobs``: an
   atomic counter call per block, not per upload; a failure after it leaves
   a gap in the ids). The blob's bytes are counted when its row finishes
   (``store.project_sizes``), off this path, except for a malformed blob,
   whose row is finished here;
2. the bytes go to S3 (a failure here leaves no row: the client retries);
3. the objectstore row goes to DynamoDB (with its error, if the blob is not JSON);
4. the processing message is sent. If that fails, the row is already stored
   and marked pending, and the sweeper re-queues it: the client is told its
   blob was stored, because it was.

Not a TransactWriteItems for the nonce and the row: on AWS it is one round
trip but twice the write units, and moto (the local stack) copies every table
it touches for each transaction, so the local upload would slow down as data
grows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chalicelib.config import INGEST_QUEUE, PROCESSING_QUEUE
from chalicelib.datazilla.blob import MalformedJson, decode
from chalicelib.store import blobs, deliveries, objectstore, project_sizes, projects, queues
from chalicelib.store.errors import TRANSIENT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredBlob:
    project: str
    row_id: int
    size: int
    error_msg: str | None

    @property
    def malformed(self) -> bool:
        return self.error_msg is not None


def new_row_id(project: str) -> int:
    """An id taken before the blob is stored (queue ingest records it against the message first)."""
    return blobs.new_row_id(project)


def store_blob(project: str, raw: bytes, row_id: int | None = None) -> StoredBlob:
    """Store a received blob, well-formed or not, and queue it for loading.

    ``row_id`` is given when a retry must finish the row an earlier attempt
    started (queue redelivery); storing the same id twice changes nothing.
    """
    error_msg = None
    try:
        decode(raw)
    except MalformedJson as err:
        error_msg = f"Malformed JSON: {err}"
    if row_id is None:
        row_id = blobs.new_row_id(project)
    elif objectstore.get(project, row_id) is not None:
        return StoredBlob(project, row_id, len(raw), error_msg)
    key = blobs.objectstore_key(project, row_id)
    blobs.put(key, raw)
    objectstore.create(project, row_id, key, len(raw), error_msg)
    if error_msg is None:
        queue_for_loading(project, row_id)
    else:
        project_sizes.count_blob(project, len(raw))  # the row is finished: it will never be loaded
    return StoredBlob(project, row_id, len(raw), error_msg)


def queue_for_loading(project: str, row_id: int) -> bool:
    """Send the processing message; a failure is left to the sweeper."""
    try:
        queues.send(PROCESSING_QUEUE, {"project": project, "id": row_id})
    except TRANSIENT:
        log.warning("processing message for %s/%s not sent; the sweeper will retry", project, row_id)
        return False
    return True


class UnknownProject(LookupError):
    """A queued blob names no project: no delivery of that message can be stored."""


def store_delivered_blob(project: str, raw: bytes, message_id: str) -> StoredBlob:
    """Store a blob from the ingest queue once per message, however often SQS delivers it.

    The row id is recorded against the message id before the blob is stored,
    so a redelivery finishes the same row instead of storing a second one.
    """
    if projects.get(project) is None:
        raise UnknownProject(project)
    row_id = deliveries.row_for(INGEST_QUEUE, message_id)
    if row_id is None:
        row_id = new_row_id(project)
        deliveries.record(INGEST_QUEUE, message_id, row_id)
    return store_blob(project, raw, row_id=row_id)
