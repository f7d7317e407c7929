"""Jobs: ``/api/project/<p>/jobs/`` (read, and Hawk-signed submission), ``/jobs/<id>/``,
``/api/project/<p>/job-log-url/`` and ``/api/jobdetail/``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from chalice import Blueprint, Response

from chalicelib import safe_json
from chalicelib.api.request_url import base_url, full_url
from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.common import answer, detail, project_route, request_params, treeherder_route
from chalicelib.auth import hawk
from chalicelib.services.treeherder import job_ingest, job_listing
from chalicelib.store import branches, pushes
from chalicelib.store import jobs as job_store
from chalicelib.store.branches import Branch
from chalicelib.treeherder import job_query, pulse_job
from chalicelib.treeherder.job_schema import InvalidJobMessage, validate
from chalicelib.treeherder.params import BadParameter, int_list, int_value

bp = Blueprint(__name__)

MAX_MESSAGES_PER_POST = 100
DETAIL_PAGE = 2000  # Treeherder's job detail pages: default and maximum limit


@bp.route("/api/project/{project}/jobs", methods=["GET"])
@project_route(bp)
def job_list(branch: Branch, project: str) -> Response:
    query = job_query.parse(request_params(bp))
    found = job_listing.find(branch.name, query)
    body: dict[str, Any] = {"meta": {"repository": project, "offset": query.offset, "count": query.count}}
    if query.return_type == "list":
        body["job_property_names"] = list(render.JOB_PROPERTY_NAMES)
        body["results"] = [render.job_row(j) for j in found]
    else:
        body["results"] = [render.job(j) for j in found]
    return answer(body)


def _job_of(branch: Branch, job_id: str) -> job_store.StoredJob | None:
    wanted = int_value(job_id, "job id")
    found = job_store.by_id(wanted) if wanted is not None else None
    return None if found is None or found.repository != branch.name else found


@bp.route("/api/project/{project}/jobs/{job_id}", methods=["GET"])
@project_route(bp)
def job_detail(branch: Branch, project: str, job_id: str) -> Response:
    found = _job_of(branch, job_id)
    if found is None:
        return answer(json.dumps(f"No job with id: {job_id}"), 404)  # a JSON string, as JobsViewSet answers
    body = render.job(found)
    mount = urlsplit(base_url(bp.current_request)).path.rstrip("/")
    body["resource_uri"] = f"{mount}/treeherder/api/project/{project}/jobs/{found.id}/"
    body["logs"] = [{"name": log["name"], "url": log["url"]} for log in job_store.logs_of_job(found.id)]
    body["autoclassify_status"] = found.fields.get("autoclassify_status") or "pending"
    return answer(body)


@bp.route("/api/project/{project}/jobs/{job_id}/similar_jobs", methods=["GET"])
@project_route(bp)
def similar_jobs(branch: Branch, project: str, job_id: str) -> Response:
    """Jobs of the same type in the repository, the job left out; JobFilter's filters apply, 50 a page."""
    found = _job_of(branch, job_id)
    if found is None:
        return answer(json.dumps(f"No job with id: {job_id}"), 404)  # a JSON string, as JobsViewSet answers
    params = request_params(bp)
    query = job_query.parse(params)
    if params.get("count") is None:
        query.count = job_query.SIMILAR_COUNT
    jobs = job_listing.similar(branch.name, found, query)
    body: dict[str, Any] = {"meta": {"offset": query.offset, "count": query.count, "repository": project}}
    if query.return_type == "list":
        body["job_property_names"] = list(render.JOB_PROPERTY_NAMES)
        body["results"] = [render.job_row(j) for j in jobs]
    else:
        body["results"] = [render.job(j) for j in jobs]
    return answer(body)


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
            converted = pulse_job.to_job_message(message) if pulse_job.is_pulse_job(message) else message
            if converted is None:  # an unscheduled Pulse job: checked, then skipped by the ingest
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


@bp.route("/api/project/{project}/jobs", methods=["POST"], content_types=["application/json"])
@project_route(bp)
def submit_jobs(branch: Branch, project: str) -> Response:
    """For CI systems that cannot reach the job queue: the same messages, Hawk-signed.

    Every message is validated before any is stored. 200 when every job
    landed on its push; 202 when some wait for their push to be synced.
    """
    request = bp.current_request
    body = request.raw_body or b""
    try:
        client_id = hawk.authenticate(hawk.HawkRequest(
            request.headers.get("authorization"), full_url(request), request.method, body,
            request.headers.get("content-type", "")))
    except hawk.HawkRefused as err:
        return detail(403, str(err))
    try:
        messages = _messages(body, project)
        outcomes = [job_ingest.ingest(m) for m in messages]
    except InvalidJobMessage as err:
        return detail(400, str(err))
    waiting = any(o.status == "waiting" for o in outcomes)
    text = "Job(s) stored; some wait for their push to be synced" if waiting else "Job successfully updated"
    return answer({"message": text, "client_id": client_id, "jobs": [o.as_dict() for o in outcomes]},
                  202 if waiting else 200)


@bp.route("/api/project/{project}/job-log-url", methods=["GET"])
@project_route(bp)
def job_log_urls(branch: Branch, project: str) -> Response:
    params = request_params(bp)
    if not params.getlist("job_id"):
        raise BadParameter("job_id is required")
    try:
        ids = int_list(params.getlist("job_id"), "job_id")
    except BadParameter:
        raise BadParameter("job_id must be an integer") from None
    found = []
    for job_id in dict.fromkeys(ids[:job_listing.MAX_IDS]):
        job = job_store.by_id(job_id)
        if job is not None and job.repository == branch.name:
            found.extend(job_store.logs_of_job(job_id))
    return answer(found)


DETAIL_FILTERS = ("job_guid", "job__guid", "job_id", "job_id__in", "push_id")


def _details(params: Any) -> list[dict[str, Any]]:
    """The details the first filter given selects (guid, then job ids, then push); every filter given is
    checked first, so a wrong value is a 400 even when another filter answers."""
    guid = params.get("job_guid") or params.get("job__guid")
    ids = int_list(params.getlist("job_id") + params.getlist("job_id__in"), "job_id")
    push_id = int_value(params.get("push_id"), "push_id")
    if guid:
        return job_store.details_of_guid(guid)
    if params.get("job_id") or params.getlist("job_id__in"):
        return [d for i in dict.fromkeys(ids[:job_listing.MAX_IDS]) for d in job_store.details_of_job(i)]
    push = pushes.by_pushlog_id(push_id) if push_id is not None else None
    return [] if push is None else job_store.details_of_push(push.branch, push.pushlog_id)


def _detail_matches(row: dict[str, Any], params: Any, branch_of_repository: str | None) -> bool:
    """JobDetailFilter's other filters, all of them at once: ``title``, ``value`` and ``repository``
    (Treeherder's repository name, the job's branch here), beside the guid, id and push filters."""
    for name in ("title", "value"):
        if params.get(name) is not None and row.get(name) != params.get(name):
            return False
    repository = params.get("repository")
    if repository is not None and row["repository"] not in (repository, branch_of_repository):
        return False
    guid = params.get("job_guid") or params.get("job__guid")
    if guid and row.get("job_guid") != guid:
        return False
    ids = int_list(params.getlist("job_id") + params.getlist("job_id__in"), "job_id")
    if ids and row.get("job_id") not in ids:
        return False
    return True


def _detail_page_size(params: Any) -> int:
    """``limit``, else ``count`` (0 or neither: the largest page); both are checked when both are given."""
    limit, count = int_value(params.get("limit"), "limit"), int_value(params.get("count"), "count")
    if (limit is not None and limit < 0) or (count is not None and count < 0):
        raise BadParameter("limit and count must be at least 0")
    chosen = limit if limit is not None else count
    return min(chosen or DETAIL_PAGE, DETAIL_PAGE)


@bp.route("/api/jobdetail", methods=["GET"])
@treeherder_route(bp)
def job_details() -> Response:
    """Details of a job or a push's jobs: limit/offset pages (``count`` is taken as the limit)."""
    params = request_params(bp)
    if not any(params.get(name) for name in DETAIL_FILTERS):
        raise BadParameter(f"Must filter on one of: {', '.join(DETAIL_FILTERS)}")
    limit = _detail_page_size(params)
    offset = int_value(params.get("offset"), "offset") or 0
    if offset < 0:
        raise BadParameter("offset must be at least 0")
    repository = params.get("repository")
    resolved = branches.resolve_repository(repository) if repository else None
    rows = [d for d in _details(params) if _detail_matches(d, params, resolved.name if resolved else None)]
    page = rows[offset:offset + limit]

    def link(at: int) -> str:
        query = {k: v for k, v in params.as_dict().items() if k not in ("offset", "limit", "count")}
        query.update(limit=limit, offset=at)
        return full_url(bp.current_request).split("?", 1)[0] + "?" + urlencode(query)

    return answer({
        "next": link(offset + limit) if offset + limit < len(rows) else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "results": [{k: d[k] for k in ("job_id", "job_guid", "title", "value", "url")} for d in page],
    })
