"""Self-serve builds: one build (GET), cancelling it (DELETE) and rebuilding one (POST ``build_id``)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.selfserve import job_lookup
from chalicelib.api.selfserve.common import Answer, Call, route, submit
from chalicelib.selfserve import actions, params, views

bp = Blueprint(__name__)


def get_build(call: Call) -> Answer:
    """One build: ``{build_id, requests, buildnumber, buildername, branch, revision, starttime, endtime, status,
    claimed_by_name}``."""
    assert call.branch is not None
    build_id = params.required_id(call.params["build_id"], "Non-integer build_id")
    job = job_lookup.build_on_branch(call.branch, build_id)
    return Answer(views.build_view(job, call.branch.name, job_lookup.annotations([job]).get(job.job_guid)),
                  title=f"self-serve: build {build_id}")


def cancel_build(call: Call) -> Answer:
    """Cancel a build (its requester or an admin) → job request ``cancel_build``."""
    assert call.branch is not None
    call.user  # noqa: B018 - 403 first
    build_id = params.required_id(call.params["build_id"], "Non-integer build_id")
    job = job_lookup.build_on_branch(call.branch, build_id)
    call.require_owner_or_admin(job.fields.get("who", ""), f"build {build_id}")
    return submit(call, actions.CANCEL_BUILD, {"build_id": build_id}, [actions.target(job.id, job.fields)])


def rebuild_build(call: Call) -> Answer:
    """Run a build again: form ``build_id``, ``priority`` (0), ``count`` (1) → job request ``rebuild_build``."""
    assert call.branch is not None
    call.user  # noqa: B018 - 403 before the parameters are judged, as BuildAPI
    build_id = params.required_id(call.form.get("build_id"), "Bad build_id")
    priority, count = params.priority(call.form), params.count(call.form)
    job = job_lookup.build_on_branch(call.branch, build_id)
    return submit(call, actions.REBUILD_BUILD, {"build_id": build_id, "priority": priority, "count": count},
                  [actions.target(job.id, job.fields)])


route(bp, "/{branch}/build", {"POST": rebuild_build})
route(bp, "/{branch}/build/{build_id}", {"GET": get_build, "DELETE": cancel_build})
