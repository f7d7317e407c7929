"""BuildAPI self-serve workers: the CI's results of job requests, and the sweeper of requests never queued.

A result completes its job request (``completed_at``, ``complete_data``)
once; a redelivered result changes nothing. When the action made build
requests (the result names their jobs), those are annotated with the
priority, properties and files they were asked with; a reprioritize sets the
target's priority. An invalid result, or one for an unknown request, goes
to the dead-letter queue with the reason; other failures are reported as
batch item failures, so SQS redelivers those messages alone.
"""

from __future__ import annotations

import logging
import time

from chalice import Blueprint, Rate
from chalice.app import SQSEvent

from chalicelib import config, safe_json
from chalicelib.selfserve import actions
from chalicelib.selfserve.results import InvalidResult, Result, check
from chalicelib.store import build_requests, queues
from chalicelib.store import jobs as job_store
from chalicelib.store.build_requests import JobRequest
from chalicelib.workers.messages import BatchResponse, each_record

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

# A request still not confirmed queued this long after it was recorded never will be (the send failed).
UNSENT_GRACE_SECONDS = 300


def _apply(job_request: JobRequest, result: Result) -> None:
    what = job_request.what
    if job_request.action in actions.CREATING and result.job_guids:
        build_requests.annotate(result.job_guids, int(what.get("priority") or 0), dict(what.get("properties") or {}),
                                list(what.get("files") or []), job_request.request_id)
    elif job_request.action == actions.REPRIORITIZE:
        target = job_store.by_id(int(what["request_id"]))
        if target is not None:
            build_requests.set_priority(target.job_guid, int(what["priority"]))


def complete(result: Result) -> bool:
    """Apply one result; False when its job request was already completed by the CI (a redelivery)."""
    job_request = build_requests.get(result.request_id)
    if job_request is None:
        raise InvalidResult(f"$.request_id: no job request {result.request_id}")
    if result.ok:
        _apply(job_request, result)
    return build_requests.complete(result.request_id, result.data, result.completed_at or int(time.time()))


def _complete_one(body: str) -> None:
    try:
        message = safe_json.loads(body)
    except safe_json.UnsafeJson as err:
        raise InvalidResult("$: not JSON" if err.not_json else f"$: {err}") from None
    result = check(message)
    done = complete(result)
    log.info("job request %s %s", result.request_id, "completed" if done else "was already completed")


def _dead_letter(body: str, reason: str, message_id: str | None) -> None:
    queues.dead_letter(config.SELFSERVE_RESULTS_QUEUE, body, reason, message_id)


@bp.on_sqs_message(queue=config.queue_name(config.SELFSERVE_RESULTS_QUEUE), batch_size=10)
def complete_job_requests(event: SQSEvent) -> BatchResponse:
    return each_record(event, _complete_one, (InvalidResult,), _dead_letter, "result")


def sweep(now: int | None = None) -> int:
    """Close the job requests recorded but never confirmed queued; returns how many."""
    cutoff = (now or int(time.time())) - UNSENT_GRACE_SECONDS
    closed = 0
    for job_request in build_requests.unsent_before(cutoff):
        if build_requests.mark_failed(job_request.request_id, "The job request was never queued; submit it again"):
            closed += 1
    if closed:
        log.warning("closed %d job request(s) that were never queued", closed)
    return closed


@bp.schedule(Rate(5, unit=Rate.MINUTES))
def sweep_unsent_job_requests(event: object) -> None:
    sweep()
