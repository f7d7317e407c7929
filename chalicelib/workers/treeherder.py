"""The Treeherder job ingest: job messages from CI systems on the job queue."""

from __future__ import annotations

import logging

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config, safe_json
from chalicelib.services.treeherder import job_ingest
from chalicelib.store import queues
from chalicelib.treeherder.job_schema import InvalidJobMessage
from chalicelib.workers.messages import BatchResponse, each_record

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.TREEHERDER_JOBS_QUEUE), batch_size=10)
def ingest_jobs(event: SQSEvent) -> BatchResponse:
    """Each record is one job message (see ``chalicelib/treeherder/job_schema.py``).

    An invalid message goes straight to the dead-letter queue with the reason
    (message attribute ``reason``): no retry can fix it. A message whose push
    is not synced yet is parked and lands when the pushlog sync stores the
    push. Any other failure names the record in the partial batch response,
    so SQS redelivers it alone; storing a message again leaves the same job.
    """
    return each_record(event, _ingest_one, (InvalidJobMessage,), _dead_letter, "job message")


def _ingest_one(body: str) -> None:
    try:
        message = safe_json.loads(body)
    except safe_json.UnsafeJson as err:
        raise InvalidJobMessage(f"$: not JSON ({err})" if err.not_json else f"$: {err}") from None
    outcome = job_ingest.ingest(message)
    log.info("job message: %s %s", outcome.job_guid, outcome.status)


def _dead_letter(body: str, reason: str, message_id: str | None) -> None:
    queues.dead_letter(config.TREEHERDER_JOBS_QUEUE, body, reason, message_id)
