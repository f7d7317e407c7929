"""Datazilla's workers: queue ingest, blob loading, and the pending-row sweeper."""

from __future__ import annotations

import json
import logging
import time
import uuid

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent, SQSEvent

from chalicelib import config
from chalicelib.services.datazilla.ingest import new_row_id, queue_for_loading, store_blob
from chalicelib.services.datazilla.loading import load_row
from chalicelib.store import deliveries, objectstore, projects, queues
from chalicelib.workers.messages import BatchResponse, PoisonMessage, batch_failures, message_id, parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

# A row still pending after this long lost its processing message.
STALE_AFTER_SECONDS = 600
# Re-queued this many times and still not loaded: give up and say so on the row.
MAX_REQUEUES = 3


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
    if not isinstance(project, str) or projects.get(project) is None:
        raise PoisonMessage(f"unknown project {project!r}")
    blob = message["blob"]
    raw = blob.encode("utf-8") if isinstance(blob, str) else json.dumps(blob).encode("utf-8")
    row_id = deliveries.row_for(config.INGEST_QUEUE, message_id)
    if row_id is None:
        row_id = new_row_id(project)
        deliveries.record(config.INGEST_QUEUE, message_id, row_id)
    store_blob(project, raw, row_id=row_id)


@bp.on_sqs_message(queue=config.queue_name(config.PROCESSING_QUEUE), batch_size=10)
def process(event: SQSEvent) -> BatchResponse:
    """Load stored blobs into perftest records (idempotent per row); failed records are redelivered alone."""
    worker_id = _worker_id(event)
    failed = []
    for record in event:
        mid = message_id(record)
        message: dict | None = None
        try:
            message = parse(record.body, "project", "id")
            load_row(str(message["project"]), int(message["id"]), worker_id)
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("processing message %s failed: %s: %s", mid, type(err).__name__, err)
            if message is not None:
                _note_failure(message, record.to_dict(), err)
            failed.append(mid)
    return batch_failures(failed)


def _note_failure(message: dict, record: dict, err: Exception) -> None:
    """The row says why its load failed; on the delivery after which SQS gives up, it becomes an error.

    The message itself still fails and moves to the dead-letter queue, where
    it can be inspected or redriven; the blob stays readable in S3.
    """
    try:
        project, row_id = str(message["project"]), int(message["id"])
        reason = f"{type(err).__name__}: {err}"
        received = int(record.get("attributes", {}).get("ApproximateReceiveCount") or 0)
        limit = queues.max_receive_count(config.PROCESSING_QUEUE)
        if limit is not None and received >= limit:
            objectstore.abandon(project, row_id, f"Unknown error: not loaded after {received} deliveries "
                                                 f"(see the processing dead-letter queue): {reason}")
        else:
            objectstore.note_failed_delivery(project, row_id, reason)
    except Exception as note_err:  # noqa: BLE001 - the storage that failed the load may fail this too
        log.error("could not record the failure on the row: %s", type(note_err).__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_pending(event: CloudWatchEvent) -> None:
    """Re-queue rows whose processing message was lost; give up on hopeless ones."""
    cutoff = int(time.time()) - STALE_AFTER_SECONDS
    for row in objectstore.pending_before(cutoff):
        if (row.requeues or 0) >= MAX_REQUEUES:
            message = f"Unknown error: not loaded after {MAX_REQUEUES} re-queues (see the processing dead-letter queue)"
            if row.last_error:
                message += f"; last failure: {row.last_error}"
            objectstore.abandon(row.project, int(row.id), message)
        elif objectstore.count_requeue(row.project, int(row.id)):
            queue_for_loading(row.project, int(row.id))
