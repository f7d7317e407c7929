"""Jobs: ``/api/project/<p>/jobs/`` (read, and Hawk-signed submission), ``/jobs/<id>/``,
``/api/project/<p>/job-log-url/`` and ``/api/jobdetail/``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from chalice import Blueprint, Response

from chalicelib import safe_json
from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import answer, body, operation, path_param, query_param, response_ref, schema_ref
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.request_url import base_url, full_url
from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.family import TREEHERDER
from chalicelib.api.treeherder.family import answer as json_answer
from chalicelib.api.treeherder.openapi import (
    COMMA_INTEGERS,
    EXAMPLE_JOB,
    NO_JOB,
    POLICY,
    PROJECT,
    PROJECT_ERRORS,
    PULSE_JOB,
    TAG,
    array,
    detail_response,
    int_query,
    read,
)
from chalicelib.services.treeherder import job_details as job_details_service
from chalicelib.services.treeherder import job_ingest, job_listing
from chalicelib.store import jobs as job_store
from chalicelib.store.branches import Branch
from chalicelib.treeherder import job_query, pulse_job
from chalicelib.treeherder.job_schema import InvalidJobMessage, validate
from chalicelib.treeherder.params import BadParameter, Params, int_list, int_value

bp = Blueprint(__name__)

MAX_MESSAGES_PER_POST = 100
DETAIL_PAGE = 2000  # Treeherder's job detail pages: default and maximum limit

JOB_ID = path_param("job_id", "The job id.", {"type": "integer"}, example=EXAMPLE_JOB)
LIST_PARAMETERS = [
    PROJECT,
    int_query("count", f"Jobs per answer (default {job_query.DEFAULT_COUNT}).", minimum=0,
              maximum=job_query.MAX_COUNT),
    int_query("offset", "Jobs to skip.", minimum=0),
    query_param("return_type", "`dict` (default): objects; `list`: rows of `job_property_names` (any case).",
                {"type": "string", "pattern": "^([dD][iI][cC][tT]|[lL][iI][sS][tT])?$"}),
    int_query("push_id", "Only this push's jobs."),
    int_query("result_set_id", "`push_id`'s older name."),
    int_query("id", "Only this job."),
    query_param("id__in", "Only these jobs.", COMMA_INTEGERS),
    query_param("last_modified__gt", "Only jobs changed after this ISO 8601 date-time."),
    *(query_param(name, f"Only jobs whose `{name}` is this.") for name in job_query.STRING_FILTERS),
    *(int_query(name, f"Only jobs whose `{name}` is this.") for name in job_query.INT_FILTERS),
    *(int_query(f"{name}__{op}", f"A bound on `{name}`.") for name in job_query.RANGES
      for op in ("lt", "lte", "gt", "gte")),
    int_query("tier", "Only jobs of this tier."),
    *(query_param(f"{name}__in", f"Only jobs with one of these `{name}`s.", COMMA_INTEGERS)
      for name in ("tier", "push_id")),
    query_param("job_guid__in", "Only jobs with one of these guids (comma-separated)."),
    *(query_param(f"{name}{op}", f"A bound on `{name}` (ISO 8601 date-time, UTC when it names no offset).")
      for name in (*job_query.TIME_RANGES, "last_modified") for op in ("", "__lt", "__lte", "__gte")),
    *(query_param(f"{name}__gt", f"A bound on `{name}` (ISO 8601 date-time).") for name in job_query.TIME_RANGES),
    *(query_param(name, f"Only jobs whose `{name}` is exactly this (unix seconds).", {"type": "number"})
      for name in ("submit_timestamp", "start_timestamp", "end_timestamp")),
]


def _listing(project: str, query: job_query.JobQuery, jobs: list[job_store.StoredJob]) -> dict[str, Any]:
    """Jobs as objects, or as rows of ``job_property_names`` (``return_type=list``)."""
    body: dict[str, Any] = {"meta": {"repository": project, "offset": query.offset, "count": query.count}}
    if query.return_type == "list":
        body["job_property_names"] = list(render.JOB_PROPERTY_NAMES)
        body["results"] = [render.job_row(j) for j in jobs]
    else:
        body["results"] = [render.job(j) for j in jobs]
    return body


@documented(read("job_list", "A repository's jobs, by id", {
    200: answer("The jobs.", schema_ref("JobList")), **PROJECT_ERRORS}, LIST_PARAMETERS))
def job_list(branch: Branch, project: str) -> dict[str, Any]:
    query = job_query.parse(Params(bp.current_request.query_params))
    return _listing(project, query, job_listing.find(branch.name, query))


def _job_of(branch: Branch, job_id: str) -> job_store.StoredJob:
    """The job of the repository, or JobsViewSet's 404: a bare JSON string, not ``{"detail"}``."""
    wanted = int_value(job_id, "job id")
    found = job_store.by_id(wanted) if wanted is not None else None
    if found is None or found.repository != branch.name:
        raise Refusal(404, f"No job with id: {job_id}", body=json.dumps(f"No job with id: {job_id}"))
    return found


@documented(read("job_detail", "One job, with its logs", {
    200: answer("The job.", schema_ref("JobWithLogs")), 400: response_ref("BadRequest"), 404: NO_JOB, **POLICY},
    [PROJECT, JOB_ID]))
def job_detail(branch: Branch, project: str, job_id: str) -> dict[str, Any]:
    found = _job_of(branch, job_id)
    body = render.job(found)
    mount = urlsplit(base_url(bp.current_request)).path.rstrip("/")
    body["resource_uri"] = f"{mount}/treeherder/api/project/{project}/jobs/{found.id}/"
    body["logs"] = [{"name": log["name"], "url": log["url"]} for log in job_store.logs_of_job(found.id)]
    body["autoclassify_status"] = found.fields.get("autoclassify_status") or "pending"
    return body


@documented(read(
    "similar_jobs", "Jobs of the same type, the latest started first", {
        200: answer("The jobs (the job itself left out).", schema_ref("JobList")),
        400: response_ref("BadRequest"), 404: NO_JOB, **POLICY},
    [PROJECT, JOB_ID, *[p for p in LIST_PARAMETERS[1:] if p["name"] != "count"],
     int_query("count", f"Jobs per answer (default {job_query.SIMILAR_COUNT}).", minimum=0,
               maximum=job_query.MAX_COUNT)],
    description=f"The job list's filters apply. A filtered read stops after "
                f"{job_listing.MAX_SCANNED} jobs of the repository, newest first."))
def similar_jobs(branch: Branch, project: str, job_id: str) -> dict[str, Any]:
    """Jobs of the same type in the repository, the job left out; JobFilter's filters apply, 50 a page."""
    found = _job_of(branch, job_id)
    params = Params(bp.current_request.query_params)
    query = job_query.parse(params)
    if params.get("count") is None:
        query.count = job_query.SIMILAR_COUNT
    return _listing(project, query, job_listing.similar(branch.name, found, query))


def _messages(raw: bytes, project: str) -> list[dict[str, Any]]:
    try:
        decoded = safe_json.loads(raw or b"null")
    except safe_json.UnsafeJson as err:
        raise InvalidJobMessage("$: the body is not JSON" if err.not_json else f"$: {err}") from None
    messages = decoded if isinstance(decoded, list) else [decoded]
    if not messages or len(messages) > MAX_MESSAGES_PER_POST:
        raise InvalidJobMessage(f"$: send 1 to {MAX_MESSAGES_PER_POST} job messages")
    checked = []
    for i, message in enumerate(messages):
        try:
            pulse = pulse_job.is_pulse_job(message)
            converted = pulse_job.to_job_message(message) if pulse else message
            if pulse and converted is None:  # an unscheduled Pulse job: checked, then skipped by the ingest
                if message["origin"]["project"] != project:
                    raise InvalidJobMessage(f"$.origin.project {message['origin']['project']!r} is not {project!r}")
                checked.append(message)
                continue
            validate(converted)
        except InvalidJobMessage as err:
            raise InvalidJobMessage(f"message {i}: {err}" if len(messages) > 1 else str(err)) from None
        if converted["project"] != project:
            where = "$.origin.project" if converted is not message else "$.project"
            raise InvalidJobMessage(f"message {i}: {where} {converted['project']!r} is not {project!r}")
        checked.append(message)
    return checked


@documented(operation(
    "submit_jobs", "Submit job messages (Hawk-signed)",
    {200: answer("Every job landed on its push.", schema_ref("SubmittedJobs")),
     202: answer("Stored; some jobs wait for their push to be synced.", schema_ref("SubmittedJobs")),
     400: detail_response("A message does not follow the job schema (the reason names the field, never its value), "
                          "names another project, or its revision names a commit that is not a push's tip."),
     403: detail_response("`Authentication credentials were not provided.` (no Hawk header), `No authorised "
                          "credentials found with id <id>` (unknown client), `Hawk authentication failed: The token "
                          "has expired. Is your system clock correct?` (stale timestamp), `Hawk authentication "
                          "failed: The request header was malformed`, `Hawk authentication failed` (bad signature, "
                          "replayed nonce, wrong payload hash: hawkrest says no more), or `Forbidden user agent`."),
     404: response_ref("ProjectNotFound"), 406: response_ref("NotAcceptable"),
     503: response_ref("ServiceUnavailable")},
    parameters=[PROJECT],
    request_body=body({"application/json": {"oneOf": [
        schema_ref("JobMessage"), PULSE_JOB,
        {"type": "array", "items": {"oneOf": [schema_ref("JobMessage"), PULSE_JOB]}, "minItems": 1,
         "maxItems": MAX_MESSAGES_PER_POST}]}},
        f"One job message or a list of 1 to {MAX_MESSAGES_PER_POST}; all are validated before any is stored."),
    security=[{"hawk": []}], tags=TAG,
    description="For CI systems that cannot reach the job queue. schemathesis cannot sign Hawk requests: "
                "the real client tests (mohawk) cover the signed answers."))
def submit_jobs(branch: Branch, project: str, user: str) -> Response:
    """For CI systems that cannot reach the job queue: the same messages, signed by the Hawk client ``user``.

    Every message is validated before any is stored. 200 when every job
    landed on its push; 202 when some wait for their push to be synced.
    """
    outcomes = [job_ingest.ingest(m) for m in _messages(bp.current_request.raw_body or b"", project)]
    waiting = any(o.status == "waiting" for o in outcomes)
    text = "Job(s) stored; some wait for their push to be synced" if waiting else "Job successfully updated"
    return json_answer({"message": text, "client_id": user, "jobs": [o.as_dict() for o in outcomes]},
                       202 if waiting else 200)


@documented(read("job_log_urls", "The log references of jobs", {
    200: answer("The logs, by job.", array(schema_ref("JobLog"))), **PROJECT_ERRORS},
    [PROJECT, query_param("job_id", "The jobs.", COMMA_INTEGERS, required=True, example=str(EXAMPLE_JOB))]))
def job_log_urls(branch: Branch, project: str) -> list[dict[str, Any]]:
    params = Params(bp.current_request.query_params)
    if not params.getlist("job_id"):
        raise BadParameter("job_id is required")
    try:
        ids = int_list(params.getlist("job_id"), "job_id")
    except BadParameter:
        raise BadParameter("job_id must be an integer") from None
    return job_details_service.log_references(branch.name, ids)


DETAIL_FILTERS = ("job_guid", "job__guid", "job_id", "job_id__in", "push_id")


def _detail_page_size(params: Any) -> int:
    """``limit``, else ``count`` (0 or neither: the largest page); both are checked when both are given."""
    limit, count = int_value(params.get("limit"), "limit"), int_value(params.get("count"), "count")
    if (limit is not None and limit < 0) or (count is not None and count < 0):
        raise BadParameter("limit and count must be at least 0")
    chosen = limit if limit is not None else count
    return min(chosen or DETAIL_PAGE, DETAIL_PAGE)


@documented(read("job_details", "Details of jobs or of a push's jobs, a page at a time", {
    200: answer("A page; `next`/`previous` link the neighbouring pages.", schema_ref("JobDetailPage")),
    400: detail_response("No filter (one of `job_guid`, `job__guid`, `job_id`, `job_id__in`, `push_id`), or a "
                         "wrong value."), **POLICY},
    [query_param("job_guid", "A job's guid."), query_param("job__guid", "`job_guid`'s other name."),
     query_param("job_id", "Jobs.", COMMA_INTEGERS, example=str(EXAMPLE_JOB)),
     query_param("job_id__in", "Jobs.", COMMA_INTEGERS),
     int_query("push_id", "A push's jobs."), query_param("repository", "Only details of this repository."),
     query_param("title", "Only details with this title."),
     query_param("value", "Only details with this value."),
     int_query("limit", "Details per page (0 or absent: the most, 2000).", minimum=0),
     int_query("count", "`limit` when `limit` is absent.", minimum=0),
     int_query("offset", "Details to skip.", minimum=0)]))
def job_details() -> dict[str, Any]:
    """Details of a job or a push's jobs: limit/offset pages (``count`` is taken as the limit)."""
    params = Params(bp.current_request.query_params)
    if not any(params.get(name) for name in DETAIL_FILTERS):
        raise BadParameter(f"Must filter on one of: {', '.join(DETAIL_FILTERS)}")
    limit = _detail_page_size(params)
    offset = int_value(params.get("offset"), "offset") or 0
    if offset < 0:
        raise BadParameter("offset must be at least 0")
    rows = job_details_service.details_matching(params)
    page = rows[offset:offset + limit]

    def link(at: int) -> str:
        query = {k: v for k, v in params.as_dict().items() if k not in ("offset", "limit", "count")}
        query.update(limit=limit, offset=at)
        return full_url(bp.current_request).split("?", 1)[0] + "?" + urlencode(query)

    return {
        "next": link(offset + limit) if offset + limit < len(rows) else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "results": [{k: d[k] for k in ("job_id", "job_guid", "title", "value", "url")} for d in page],
    }


TREEHERDER.route(bp, "/api/project/{project}/jobs", {"GET": job_list}, name="job_list")
TREEHERDER.route(bp, "/api/project/{project}/jobs", {"POST": submit_jobs}, signed_in=True, name="submit_jobs")
TREEHERDER.route(bp, "/api/project/{project}/jobs/{job_id}", {"GET": job_detail})
TREEHERDER.route(bp, "/api/project/{project}/jobs/{job_id}/similar_jobs", {"GET": similar_jobs})
TREEHERDER.route(bp, "/api/project/{project}/job-log-url", {"GET": job_log_urls})
TREEHERDER.route(bp, "/api/jobdetail", {"GET": job_details})
