"""Self-serve build requests: one request (GET), reprioritizing (PUT) or cancelling it (DELETE), rebuilding one."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import schema_ref as schema
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.selfserve.common import Answer, Call, submit
from chalicelib.api.selfserve.family import SELFSERVE
from chalicelib.api.selfserve.openapi import BRANCH, PRIORITY, REQUEST_ID, form, read, rebuild, write
from chalicelib.selfserve import actions, params, views
from chalicelib.services.selfserve import job_lookup

bp = Blueprint(__name__)


@documented(read("selfserve_request", "One build request", schema("RequestDetail"), [BRANCH, REQUEST_ID]))
def get_request(call: Call) -> Answer:
    """One build request, with its ``properties`` and ``build_ids``."""
    assert call.branch is not None
    request_id = params.required_id(call.params["request_id"], "Non-integer request_id")
    job = job_lookup.on_branch(call.branch, request_id, "Request")
    note = job_lookup.annotations([job]).get(job.job_guid)
    return Answer(views.request_view(job, call.branch.name, note, detailed=True),
                  title=f"self-serve: request {request_id}")


@documented(write("selfserve_reprioritize", "Reprioritize a pending request (its requester or an admin)",
                  [BRANCH, REQUEST_ID], form({"priority": PRIORITY}, ["priority"], "`priority`.")))
def reprioritize(call: Call) -> Answer:
    """Change a pending request's priority (form ``priority``, required) → job request ``reprioritize``."""
    assert call.branch is not None
    priority = params.priority(call.form, required=True)
    request_id = params.required_id(call.params["request_id"], "Non-integer request id")
    job = job_lookup.on_branch(call.branch, request_id, "Request")
    view = views.request_view(job, call.branch.name)
    if view["complete"]:
        raise Refusal(400, "Request already complete")
    if view["claimed_at"]:
        raise Refusal(400, "Request is already running")
    call.require_owner_or_admin(job.fields.get("who", ""), f"request {request_id}")
    return submit(call, actions.REPRIORITIZE, {"request_id": request_id, "priority": priority},
                  [actions.target(job.id, job.fields)])


@documented(write("selfserve_cancel_request", "Cancel a request (its requester or an admin)",
                  [BRANCH, REQUEST_ID]))
def cancel_request(call: Call) -> Answer:
    """Cancel a request that has not finished (its requester or an admin) → job request ``cancel_request``."""
    assert call.branch is not None
    request_id = params.required_id(call.params["request_id"], "Non-integer request_id")
    job = job_lookup.on_branch(call.branch, request_id, "Request")
    if views.request_view(job, call.branch.name)["complete"]:
        raise Refusal(400, "Request already complete")
    call.require_owner_or_admin(job.fields.get("who", ""), f"request {request_id}")
    return submit(call, actions.CANCEL_REQUEST, {"request_id": request_id}, [actions.target(job.id, job.fields)])


@documented(rebuild("selfserve_rebuild_request", "Run a request again", "request_id"))
def rebuild_request(call: Call) -> Answer:
    """Run a request again: form ``request_id``, ``priority`` (0), ``count`` (1) → ``rebuild_request``."""
    assert call.branch is not None
    request_id = params.required_id(call.form.get("request_id"), "Bad request_id")
    priority, count = params.priority(call.form), params.count(call.form)
    job = job_lookup.on_branch(call.branch, request_id, "Request")
    return submit(call, actions.REBUILD_REQUEST, {"request_id": request_id, "priority": priority, "count": count},
                  [actions.target(job.id, job.fields)])


SELFSERVE.route(bp, "/{branch}/request", {"POST": rebuild_request})
SELFSERVE.route(bp, "/{branch}/request/{request_id}", {
    "GET": get_request, "PUT": reprioritize, "DELETE": cancel_request}, also={
    "POST": write("selfserve_request_post", "Reprioritize (`_method=PUT`) or cancel (`_method=DELETE`)",
                  [BRANCH, REQUEST_ID], form({"priority": PRIORITY}, [], "`_method`; `priority`."),
                  overridden=True)})
