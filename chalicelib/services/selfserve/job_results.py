"""Completing a job request with the CI's result, and closing the requests that were never queued.

A result completes its job request (``completed_at``, ``complete_data``)
once; a redelivered result changes nothing. When the action made build
requests (the result names their jobs), those are annotated with the
priority, properties and files they were asked with; a reprioritize sets the
target's priority. The results worker (``chalicelib.workers.selfserve``)
parses the message and calls :func:`complete`; the sweeper schedule calls
:func:`sweep`.
"""

from __future__ import annotations

import logging
import time

from chalicelib.selfserve import actions
from chalicelib.selfserve.results import InvalidResult, Result
from chalicelib.store import build_requests
from chalicelib.store import jobs as job_store
from chalicelib.store.build_requests import JobRequest

log = logging.getLogger(__name__)

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
