"""Self-serve revisions: a revision's builds, whether it is done, new builds (also nightly, PGO, one builder)
and cancelling everything on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import schema_ref as schema
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.selfserve.common import Answer, Call, now, submit
from chalicelib.api.selfserve.family import SELFSERVE
from chalicelib.api.selfserve.openapi import BRANCH, BUILDER, PRIORITY, PRIORITY_FORM, REVISION, form, read, write
from chalicelib.selfserve import actions, params, views
from chalicelib.services.selfserve import job_lookup

bp = Blueprint(__name__)

MAX_BUILDER_NAME = 100


@documented(read("selfserve_revision", "A revision's builds and pending requests", schema("RevisionListing"),
                 [BRANCH, REVISION]))
def get_revision(call: Call) -> Answer:
    """The revision's builds and pending requests (a prefix of 12 or more hex digits names it)."""
    assert call.branch is not None
    revision = params.revision(call.params["revision"])
    jobs = job_lookup.of_push(job_lookup.push_of_revision(call.branch, revision))
    return Answer(views.revision_listing(jobs, call.branch.name, job_lookup.annotations(jobs)),
                  title=f"self-serve: {call.branch.name} {revision[:12]}")


@documented(read("selfserve_is_done", "Whether every build of the revision ended stableDelay seconds ago, and passed",
                 schema("IsDone"), [BRANCH, REVISION]))
def is_done(call: Call) -> Answer:
    """``{"stableDelay", "job_complete", "job_passed"}``: every build ended stableDelay seconds ago; all passed."""
    assert call.branch is not None
    revision = params.revision(call.params["revision"])
    jobs = job_lookup.of_push(job_lookup.push_of_revision(call.branch, revision))
    return Answer(views.is_done(jobs, now()), title=f"self-serve: is {revision[:12]} done")


def _new_build(action: str, operation: dict[str, Any]) -> Callable[[Call], Answer]:
    @documented(operation)
    def handler(call: Call) -> Answer:
        assert call.branch is not None
        revision = params.revision(call.params["revision"])
        job_lookup.push_of_revision(call.branch, revision)  # 404 unless a stored push has it
        return submit(call, action, {"revision": revision, "priority": params.priority(call.form)})

    handler.__name__ = action
    handler.__doc__ = f"Job request ``{action}`` at the revision (form ``priority``, default 0)."
    return handler


@documented(write("selfserve_cancel_revision", "Cancel the revision's unfinished jobs (its pusher or an admin)",
                  [BRANCH, REVISION]))
def cancel_revision(call: Call) -> Answer:
    """Cancel every pending or running job of the revision (its pusher or an admin) → ``cancel_revision``."""
    assert call.branch is not None
    revision = params.revision(call.params["revision"])[:views.SHORT_REVISION]
    push = job_lookup.push_of_revision(call.branch, revision)
    call.require_owner_or_admin(push.user, f"revision {revision}")
    unfinished = [j for j in job_lookup.of_push(push) if j.fields.get("state") != "completed"]
    if len(unfinished) > actions.MAX_TARGETS:
        raise Refusal(400, f"Too many unfinished jobs ({len(unfinished)}); cancel them by request")
    return submit(call, actions.CANCEL_REVISION, {"revision": revision},
                  [actions.target(j.id, j.fields) for j in unfinished])


@documented(write("selfserve_new_build_for_builder", "One builder at the revision", [BRANCH, BUILDER, REVISION],
                  form({"priority": PRIORITY,
                        "properties": {"type": "string", "description": "A JSON object of build properties."},
                        "files": {"type": "string", "description": "A JSON list of file URLs."}}, [],
                       "`priority`, `properties`, `files`.")))
def new_build_for_builder(call: Call) -> Answer:
    """One builder at a revision: form ``priority``, ``properties`` (JSON object), ``files`` (JSON list)."""
    assert call.branch is not None
    builder = call.params["builder"]
    if not 0 < len(builder) <= MAX_BUILDER_NAME or not builder.isprintable():
        raise Refusal(400, f"Bad builder: 1 to {MAX_BUILDER_NAME} printable characters")
    revision = params.revision(call.params["revision"])
    job_lookup.push_of_revision(call.branch, revision)  # 404 unless a stored push has it
    what = {"builder": builder, "revision": revision, "priority": params.priority(call.form),
            "properties": params.properties(call.form), "files": params.files(call.form)}
    return submit(call, actions.NEW_BUILD_FOR_BUILDER, what)


SELFSERVE.route(bp, "/{branch}/rev/{revision}", {
    "GET": get_revision, "DELETE": cancel_revision,
    "POST": _new_build(actions.NEW_BUILD_AT_REVISION, write(
        "selfserve_new_build_at_revision", "New builds at the revision (or, with `_method=DELETE`, cancel the "
        "revision)", [BRANCH, REVISION], PRIORITY_FORM, overridden=True))})
SELFSERVE.route(bp, "/{branch}/rev/{revision}/is_done", {"GET": is_done})
SELFSERVE.route(bp, "/{branch}/rev/{revision}/nightly", {"POST": _new_build(actions.NEW_NIGHTLY_AT_REVISION, write(
    "selfserve_nightly", "A nightly build at the revision", [BRANCH, REVISION], PRIORITY_FORM))})
SELFSERVE.route(bp, "/{branch}/rev/{revision}/pgo", {"POST": _new_build(actions.NEW_PGOBUILD_AT_REVISION, write(
    "selfserve_pgo", "A PGO build at the revision", [BRANCH, REVISION], PRIORITY_FORM))})
SELFSERVE.route(bp, "/{branch}/builders/{builder}/{revision}", {"POST": new_build_for_builder})
