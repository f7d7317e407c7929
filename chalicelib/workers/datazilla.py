"""Datazilla's workers: queue ingest, blob loading, and the pending-row sweeper."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent, SQSEvent

from chalicelib import config
from chalicelib.services.datazilla import pending_sweep
from chalicelib.services.datazilla.ingest import UnknownProject, blob_announced, store_delivered_blob
from chalicelib.services.datazilla.loading import load_row, note_failure
from chalicelib.store import blob_events
from chalicelib.workers.messages import BatchResponse, PoisonMessage, batch_failures, message_id, parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


def _worker_id(event: SQSEvent | CloudWatchEvent) -> str:
    context = getattr(event, "context", None)
    return getattr(context, "aws_request_id", None) or uuid.uuid4().hex


@bp.on_sqs_message(queue=config.queue_name(config.INGEST_QUEUE), batch_size=10)
def ingest(event: SQSEvent) -> BatchResponse:
    """CI harnesses that cannot reach HTTP send ``{"project", "blob"}`` here.

    Every record is attempted; the ones that failed are named in the partial
    batch response, so SQS redelivers those alone (a message for an unknown
    project, after ``maxReceiveCount`` deliveries, reaches the dead-letter
    queue by itself). A redelivered record that was stored before is
    recognised by its message id and not stored twice.
    """
    failed = []
    for record in event:
        mid = message_id(record)
        try:
            _ingest_one(mid, record.body)
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("ingest message %s failed: %s", mid, err)
            failed.append(mid)
    return batch_failures(failed)


def _ingest_one(message_id: str, body: str) -> None:
    message = parse(body, "project", "blob")
    project = message["project"]
    if not isinstance(project, str):
        raise PoisonMessage(f"unknown project {project!r}")
    blob = message["blob"]
    raw = blob.encode("utf-8") if isinstance(blob, str) else json.dumps(blob).encode("utf-8")
    try:
        store_delivered_blob(project, raw, message_id)
    except UnknownProject:
        raise PoisonMessage(f"unknown project {project!r}") from None


@bp.on_sqs_message(queue=config.queue_name(config.PROCESSING_QUEUE), batch_size=10)
def process(event: SQSEvent) -> BatchResponse:
    """Load stored blobs into perftest records (idempotent per row); failed records are redelivered alone.

    A message is the bucket's notification that a blob was stored (its row is
    created here if the upload has not yet) or the sweeper's ``{"project", "id"}``.
    """
    worker_id = _worker_id(event)
    failed = []
    for record in event:
        mid = message_id(record)
        rows: list[tuple[str, int, Any]] = []
        try:
            rows = _rows_of(record.body, worker_id)
            for project, row_id, claimed in rows:
                load_row(project, row_id, worker_id, claimed)
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("processing message %s failed: %s: %s", mid, type(err).__name__, err)
            for project, row_id, _ in rows:
                _note_failure(project, row_id, record.to_dict(), err)
            failed.append(mid)
    return batch_failures(failed)


def _rows_of(body: str, worker_id: str) -> list[tuple[str, int, Any]]:
    """The objectstore rows a processing message asks to load, each with its row when this worker created it."""
    message = parse(body)
    if blob_events.from_bucket(message):
        announced = (blob_announced(o.key, o.size, o.stored_at, worker_id)
                     for o in blob_events.stored_objects(message))
        return [row for row in announced if row is not None]
    message = parse(body, "project", "id")
    return [(str(message["project"]), int(message["id"]), None)]


def _note_failure(project: str, row_id: int, record: dict, err: Exception) -> None:
    """The row says why its load failed (``loading.note_failure``); never raises."""
    try:
        received = int(record.get("attributes", {}).get("ApproximateReceiveCount") or 0)
        note_failure(project, row_id, f"{type(err).__name__}: {err}", received)
    except Exception as note_err:  # noqa: BLE001 - the storage that failed the load may fail this too
        log.error("could not record the failure on the row: %s", type(note_err).__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_pending(event: CloudWatchEvent) -> None:
    """Re-queue rows whose processing message was lost; give up on hopeless ones."""
    pending_sweep.sweep()
