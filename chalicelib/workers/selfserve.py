"""BuildAPI self-serve workers: the CI's results of job requests, and the sweeper of requests never queued.

Each result message is parsed and checked here and applied by
``chalicelib.services.selfserve.job_results``. An invalid result, or one for
an unknown request, goes to the dead-letter queue with the reason; other
failures are reported as batch item failures, so SQS redelivers those
messages alone.
"""

from __future__ import annotations

import logging

from chalice import Blueprint, Rate
from chalice.app import SQSEvent

from chalicelib import config, safe_json
from chalicelib.selfserve.results import InvalidResult, check
from chalicelib.services.selfserve import job_results
from chalicelib.store import queues
from chalicelib.workers.messages import BatchResponse, each_record

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


def _complete_one(body: str) -> None:
    try:
        message = safe_json.loads(body)
    except safe_json.UnsafeJson as err:
        raise InvalidResult("$: not JSON" if err.not_json else f"$: {err}") from None
    result = check(message)
    done = job_results.complete(result)
    log.info("job request %s %s", result.request_id, "completed" if done else "was already completed")


def _dead_letter(body: str, reason: str, message_id: str | None) -> None:
    queues.dead_letter(config.SELFSERVE_RESULTS_QUEUE, body, reason, message_id)


@bp.on_sqs_message(queue=config.queue_name(config.SELFSERVE_RESULTS_QUEUE), batch_size=10)
def complete_job_requests(event: SQSEvent) -> BatchResponse:
    return each_record(event, _complete_one, (InvalidResult,), _dead_letter, "result")


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_unsent_job_requests(event: object) -> None:
    job_results.sweep()
