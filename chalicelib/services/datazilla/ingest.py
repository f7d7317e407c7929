"""Receiving a blob: keep it as sent; the bucket hands it to the processing queue.

The same path serves the HTTP upload and the ingest queue. What makes
"nothing is lost" true:

1. the id comes from this container's block of ids (``store.blobs``: an
   atomic counter call per block, not per upload; a failure after it leaves
   a gap in the ids). The blob's bytes are counted when its row finishes
   (``store.project_sizes``), off this path, except for a malformed blob,
   whose row is finished here;
2. the bytes go to S3 under the id's key. For a well-formed blob that is the
   last write: the bucket notifies the processing queue of every object created
   under ``objectstore/`` (S3 delivers event notifications at least once), and
   the processing worker creates the objectstore row from that event
   (``blob_announced``: key, size and time are all the row needs) before it
   loads the blob. Until then ``json_blob/<id>`` reads the blob from S3 as a
   ``ready`` row. A failure before the put leaves nothing; once the put has
   succeeded nothing on this path can fail, so an acknowledged blob is never
   dropped, and a refused one never loaded;
3. a malformed blob's row is written here, after its bytes, with its error
   (Datazilla answered 400 and listed it among the errors at once). The
   notification reaches the worker too; it finds the row errored and leaves it.

A row whose load never finishes is the sweeper's (``pending_sweep``), and so is
a bucket event that reached the dead-letter queue before its row was made.
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
    if error_msg is not None and objectstore.create(project, row_id, key, len(raw), error_msg) is not None:
        project_sizes.count_blob(project, len(raw))  # the row is finished: it will never be loaded
    return StoredBlob(project, row_id, len(raw), error_msg)


def blob_announced(key: str, size: int, stored_at: int,
                   worker_id: str | None = None) -> tuple[str, int, objectstore.ObjectstoreRow | None] | None:
    """The bucket says a blob is stored: its row (created now if the upload has not yet), to be loaded.

    The row comes third when this call created it, already claimed by
    ``worker_id`` (``objectstore.create``): the loader need not claim it again.
    None for an object that is no objectstore blob (nothing to load).
    """
    row = blobs.row_of_key(key)
    if row is None:
        return None
    created = objectstore.create(row[0], row[1], key, size, None, date_loaded=stored_at, claimed_by=worker_id)
    return row[0], row[1], created


def queue_for_loading(project: str, row_id: int) -> bool:
    """Send a processing message for a stored row (the sweeper's re-queue); a failure is left to the next sweep."""
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
