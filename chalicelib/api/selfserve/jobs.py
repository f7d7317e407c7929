"""Self-serve job requests: the newest (``?num=100&offset=0``) and one, with its completion."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import response_ref as ref
from chalicelib.api.kit.openapi_parts import schema_ref as schema
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.selfserve.common import Answer, Call
from chalicelib.api.selfserve.family import SELFSERVE
from chalicelib.api.selfserve.openapi import JOB_ID, NUM, OFFSET, read
from chalicelib.selfserve import params
from chalicelib.store import build_requests

bp = Blueprint(__name__)


@documented(read("selfserve_jobs", "Job requests, newest first", {"type": "array", "items": schema("JobRequest")},
                 [NUM, OFFSET], {400: ref("BadRequest"), 503: ref("ServiceUnavailable")}))
def list_jobs(call: Call) -> Answer:
    """Job requests newest first: ``?num`` (1-1000, default 100), ``?offset`` (default 0)."""
    num, offset = params.paging(call.query)
    return Answer([r.as_dict() for r in build_requests.newest(num, offset)], title="self-serve: job requests")


@documented(read("selfserve_job", "One job request and its completion", schema("JobRequest"), [JOB_ID]))
def get_job(call: Call) -> Answer:
    """One job request: ``{request_id, action, who, when, completed_at, complete_data, what}``."""
    job_id = params.required_id(call.params["job_id"], "Non-integer job id")
    found = build_requests.get(job_id)
    if found is None:
        raise Refusal(404, f"Job {job_id} not found")
    return Answer(found.as_dict(), title=f"self-serve: job request {job_id}")


SELFSERVE.route(bp, "/jobs", {"GET": list_jobs})
SELFSERVE.route(bp, "/jobs/{job_id}", {"GET": get_job})
