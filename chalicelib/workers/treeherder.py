"""The Treeherder job ingest: job messages from CI systems on the job queue."""

from __future__ import annotations

import logging

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config, safe_json
from chalicelib.store import queues
from chalicelib.treeherder import job_ingest
from chalicelib.treeherder.job_schema import InvalidJobMessage

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.TREEHERDER_JOBS_QUEUE), batch_size=10)
def ingest_jobs(event: SQSEvent) -> None:
    """Each record is one job message (see ``chalicelib/treeherder/job_schema.py``).

    An invalid message goes straight to the dead-letter queue with the reason
    (message attribute ``reason``): no retry can fix it. A message whose push
    is not synced yet is parked and lands when the pushlog sync stores the
    push. Any other failure raises, so SQS redelivers the batch; storing a
    message again leaves the same job.
    """
    failures = []
    for record in event:
        message_id = record.to_dict().get("messageId")
        try:
            try:
                message = safe_json.loads(record.body)
            except safe_json.UnsafeJson as err:
                raise InvalidJobMessage(f"$: not JSON ({err})" if err.not_json else f"$: {err}") from None
            outcome = job_ingest.ingest(message)
            log.info("job message %s: %s %s", message_id, outcome.job_guid, outcome.status)
        except InvalidJobMessage as err:
            log.warning("job message %s refused: %s", message_id, err)
            queues.dead_letter(config.TREEHERDER_JOBS_QUEUE, record.body, str(err), message_id)
        except Exception as err:  # noqa: BLE001 - reported below, retried by SQS
            log.error("job message %s failed: %s: %s", message_id, type(err).__name__, err)
            failures.append(err)
    if failures:
        raise failures[0]
