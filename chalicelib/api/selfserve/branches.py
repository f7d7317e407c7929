"""Informational self-serve routes of branches: the branch list, a branch's builds, builders and a user's builds."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.api.kit import documents
from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import response_ref as ref
from chalicelib.api.kit.openapi_parts import schema_ref as schema
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.selfserve.common import Answer, Call
from chalicelib.api.selfserve.family import SELFSERVE
from chalicelib.api.selfserve.openapi import BRANCH, DATE, USER, read
from chalicelib.selfserve import views
from chalicelib.services.selfserve import job_lookup
from chalicelib.store import branches
from chalicelib.store.branches import Branch

bp = Blueprint(__name__)


def _branch_info(branch: Branch) -> dict[str, Any]:
    return {"repo": branch.uri, "repository": branch.repository or branch.name.lower(),
            "alternatives": branch.alternatives}


@documented(read("selfserve_branches", "Every branch", schema("Branches"), [],
                 {400: ref("BadRequest"), 503: ref("ServiceUnavailable")}))
def get_branches(call: Call) -> Answer:
    """Every branch by name: ``{name: {"repo", "repository", "alternatives"}}`` (one Query)."""
    return Answer({b.name: _branch_info(b) for b in branches.all_branches()}, title="self-serve: branches")


METHODS = ("get", "post", "put", "delete")


@functools.cache
def _routes() -> list[dict[str, str]]:
    paths = documents.document(SELFSERVE.name)["paths"]
    return [{"method": method.upper(), "path": path, "summary": op.get("summary", "")}
            for path, item in paths.items() for method, op in item.items() if method in METHODS]


@documented(read("selfserve_index", "The API documentation: every route and what it does",
                 {"type": "array", "items": schema("Route")}, []))
def get_index(call: Call) -> Answer:
    """BuildAPI's API documentation page: every route with what it does (a list of routes in JSON)."""
    return Answer(_routes(), title="self-serve API")


def _summary(call: Call) -> dict[str, list[dict[str, Any]]]:
    assert call.branch is not None
    try:
        day = views.day(call.query.get("date"), dt.datetime.now(dt.UTC).date())
    except ValueError:
        raise Refusal(400, "Bad date: use YYYY-MM-DD") from None
    jobs = job_lookup.of_day(call.branch, day)
    return views.branch_summary(jobs, call.branch.name, job_lookup.annotations(jobs))


@documented(read("selfserve_branch", "A day's finished builds, running builds and pending requests",
                 schema("BranchSummary"), [BRANCH, DATE]))
def get_branch(call: Call) -> Answer:
    """The branch's finished builds, running builds and pending requests of a day (``?date=YYYY-MM-DD``, UTC)."""
    assert call.branch is not None
    return Answer(_summary(call), title=f"self-serve: {call.branch.name}")


def _part(key: str, operation: dict[str, Any]) -> Callable[[Call], Answer]:
    @documented(operation)
    def handler(call: Call) -> Answer:
        assert call.branch is not None
        return Answer(_summary(call)[key], title=f"self-serve: {call.branch.name} {key}")

    handler.__doc__ = f"The branch's {key} of a day (``?date=YYYY-MM-DD``)."
    return handler


@documented(read("selfserve_builders", "The builder names of the branch's recent jobs",
                 {"type": "array", "items": {"type": "string"}}, [BRANCH]))
def get_builders(call: Call) -> Answer:
    """Every builder name (job type name) the branch has run, sorted."""
    assert call.branch is not None
    return Answer(job_lookup.builders(call.branch), title=f"self-serve: {call.branch.name} builders")


@documented(read("selfserve_user", "The builds and requests a user asked for", schema("RevisionListing"),
                 [BRANCH, USER]))
def get_user(call: Call) -> Answer:
    """Every build (and pending request) of the branch that ``user`` asked for (``who``), newest first."""
    assert call.branch is not None
    user = call.params["user"]
    mine = job_lookup.of_requester(call.branch, user)
    listing = views.revision_listing(mine, call.branch.name, job_lookup.annotations(mine))
    return Answer(listing[::-1], title=f"self-serve: {call.branch.name} builds of {user}")


SELFSERVE.route(bp, "/", {"GET": get_index})
SELFSERVE.route(bp, "/branches", {"GET": get_branches})
SELFSERVE.route(bp, "/{branch}", {"GET": get_branch})
SELFSERVE.route(bp, "/{branch}/builds", {"GET": _part("builds", read(
    "selfserve_builds", "A day's finished builds", {"type": "array", "items": schema("Build")}, [BRANCH, DATE]))})
SELFSERVE.route(bp, "/{branch}/running", {"GET": _part("running", read(
    "selfserve_running", "A day's running builds", {"type": "array", "items": schema("Build")}, [BRANCH, DATE]))})
SELFSERVE.route(bp, "/{branch}/pending", {"GET": _part("pending", read(
    "selfserve_pending", "A day's pending requests", {"type": "array", "items": schema("Request")},
    [BRANCH, DATE]))})
SELFSERVE.route(bp, "/{branch}/builders", {"GET": get_builders})
SELFSERVE.route(bp, "/{branch}/user/{user}", {"GET": get_user})
