"""Self-serve builds: one build (GET), cancelling it (DELETE) and rebuilding one (POST ``build_id``)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import schema_ref as schema
from chalicelib.api.selfserve.common import Answer, Call, submit
from chalicelib.api.selfserve.family import SELFSERVE
from chalicelib.api.selfserve.openapi import BRANCH, BUILD_ID, NO_FORM, read, rebuild, write
from chalicelib.selfserve import actions, params, views
from chalicelib.services.selfserve import job_lookup

bp = Blueprint(__name__)


@documented(read("selfserve_build", "One build", schema("Build"), [BRANCH, BUILD_ID]))
def get_build(call: Call) -> Answer:
    """One build: ``{build_id, requests, buildnumber, buildername, branch, revision, starttime, endtime, status,
    claimed_by_name}``."""
    assert call.branch is not None
    build_id = params.required_id(call.params["build_id"], "Non-integer build_id")
    job = job_lookup.build_on_branch(call.branch, build_id)
    return Answer(views.build_view(job, call.branch.name, job_lookup.annotations([job]).get(job.job_guid)),
                  title=f"self-serve: build {build_id}")


@documented(write("selfserve_cancel_build", "Cancel a build (its requester or an admin)", [BRANCH, BUILD_ID]))
def cancel_build(call: Call) -> Answer:
    """Cancel a build (its requester or an admin) → job request ``cancel_build``."""
    assert call.branch is not None
    build_id = params.required_id(call.params["build_id"], "Non-integer build_id")
    job = job_lookup.build_on_branch(call.branch, build_id)
    call.require_owner_or_admin(job.fields.get("who", ""), f"build {build_id}")
    return submit(call, actions.CANCEL_BUILD, {"build_id": build_id}, [actions.target(job.id, job.fields)])


@documented(rebuild("selfserve_rebuild_build", "Rebuild a build", "build_id"))
def rebuild_build(call: Call) -> Answer:
    """Run a build again: form ``build_id``, ``priority`` (0), ``count`` (1) → job request ``rebuild_build``."""
    assert call.branch is not None
    build_id = params.required_id(call.form.get("build_id"), "Bad build_id")
    priority, count = params.priority(call.form), params.count(call.form)
    job = job_lookup.build_on_branch(call.branch, build_id)
    return submit(call, actions.REBUILD_BUILD, {"build_id": build_id, "priority": priority, "count": count},
                  [actions.target(job.id, job.fields)])


SELFSERVE.route(bp, "/{branch}/build", {"POST": rebuild_build})
SELFSERVE.route(bp, "/{branch}/build/{build_id}", {"GET": get_build, "DELETE": cancel_build}, also={
    "POST": write("selfserve_cancel_build_post", "Cancel a build, as a POST with `_method=DELETE`",
                  [BRANCH, BUILD_ID], NO_FORM, overridden=True)})
