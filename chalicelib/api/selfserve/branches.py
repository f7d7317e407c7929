"""Informational self-serve routes of branches: the branch list, a branch's builds, builders and a user's builds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalice import Blueprint

from chalicelib.api.selfserve import job_lookup
from chalicelib.api.selfserve.common import Answer, Call, SelfserveError, route
from chalicelib.selfserve import views
from chalicelib.store import branches
from chalicelib.store.branches import Branch

bp = Blueprint(__name__)

USER_BUILDS_LIMIT = 200


def _branch_info(branch: Branch) -> dict[str, Any]:
    return {"repo": branch.uri, "repository": branch.repository or branch.name.lower(),
            "alternatives": branch.alternatives}


def get_branches(call: Call) -> Answer:
    """Every branch by name: ``{name: {"repo", "repository", "alternatives"}}`` (one Query)."""
    return Answer({b.name: _branch_info(b) for b in branches.all_branches()}, title="self-serve: branches")


def _summary(call: Call) -> dict[str, list[dict[str, Any]]]:
    assert call.branch is not None
    try:
        start, end = views.day_bounds(call.query.get("date"), dt.datetime.now(dt.UTC).date())
    except ValueError:
        raise SelfserveError(400, "Bad date: use YYYY-MM-DD") from None
    jobs = views.submitted_between(iter(job_lookup.recent(call.branch)), start, end, job_lookup.RECENT_WINDOW)
    return views.branch_summary(jobs, call.branch.name, job_lookup.annotations(jobs))


def get_branch(call: Call) -> Answer:
    """The branch's finished builds, running builds and pending requests of a day (``?date=YYYY-MM-DD``, UTC)."""
    assert call.branch is not None
    return Answer(_summary(call), title=f"self-serve: {call.branch.name}")


def _part(key: str):
    def handler(call: Call) -> Answer:
        assert call.branch is not None
        return Answer(_summary(call)[key], title=f"self-serve: {call.branch.name} {key}")

    handler.__doc__ = f"The branch's {key} of a day (``?date=YYYY-MM-DD``)."
    return handler


def get_builders(call: Call) -> Answer:
    """The builder names (job type names) of the branch's recent jobs, sorted."""
    assert call.branch is not None
    names = sorted({j.fields.get("job_type_name", "") for j in job_lookup.recent(call.branch)} - {""})
    return Answer(names, title=f"self-serve: {call.branch.name} builders")


def get_user(call: Call) -> Answer:
    """The builds (and pending requests) of the branch's recent jobs that ``user`` asked for (``who``)."""
    assert call.branch is not None
    user = call.params["user"]
    mine = [j for j in job_lookup.recent(call.branch) if j.fields.get("who") == user][:USER_BUILDS_LIMIT]
    listing = views.revision_listing(mine, call.branch.name, job_lookup.annotations(mine))
    return Answer(listing[::-1], title=f"self-serve: {call.branch.name} builds of {user}")


route(bp, "/", {"GET": get_branches})
route(bp, "/branches", {"GET": get_branches})
route(bp, "/{branch}", {"GET": get_branch})
route(bp, "/{branch}/builds", {"GET": _part("builds")})
route(bp, "/{branch}/running", {"GET": _part("running")})
route(bp, "/{branch}/pending", {"GET": _part("pending")})
route(bp, "/{branch}/builders", {"GET": get_builders})
route(bp, "/{branch}/user/{user}", {"GET": get_user})
