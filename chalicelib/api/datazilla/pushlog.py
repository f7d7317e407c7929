"""Pushlog reference endpoints: pushes by date, branches, size, unreferenced pushes."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.datazilla.common import (
    answer,
    comma_list,
    date_window,
    problem,
    project_route,
    storage_guard,
)
from chalicelib.datazilla.db_size import size_mb
from chalicelib.store import branches, pushes, table_sizes, test_runs
from chalicelib.store.branches import Branch
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

SHORT = 12  # Datazilla shows revisions as 12 hex characters


class UnknownBranch(LookupError):
    pass


def _selected_branches(params: dict[str, str] | None) -> list[Branch]:
    names = comma_list(params, "branches")
    if not names:
        return branches.all_branches()
    selected = []
    for name in names:
        found = branches.resolve(name)
        if found is None:
            raise UnknownBranch(name)
        if found not in selected:
            selected.append(found)
    return selected


def _window_and_branches() -> tuple[int, int, list[Branch]] | Response:
    params = bp.current_request.query_params
    try:
        start, end = date_window(params)
        return start, end, _selected_branches(params)
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    except UnknownBranch as err:
        return problem(404, f"Unknown branch '{err}'")


def _pushlog_list() -> Response:
    selected = _window_and_branches()
    if isinstance(selected, Response):
        return selected
    start, end, chosen = selected
    listing: dict[str, Any] = {}
    for branch in chosen:
        for push in pushes.between_dates(branch.name, start, end):
            listing[str(push.pushlog_id)] = {
                "branch_name": branch.name,
                "push_id": push.push_id,
                "date": push.date,
                "revisions": [c["node"][:SHORT] for c in push.changesets],
            }
    return answer(listing)


@bp.route("/refdata/pushlog/list", methods=["GET"])
@storage_guard
def pushlog_list() -> Response:
    return _pushlog_list()


@bp.route("/{project}/refdata/pushlog/list", methods=["GET"])
@project_route
def project_pushlog_list(project: Project) -> Response:
    return _pushlog_list()


@bp.route("/refdata/pushlog/branches", methods=["GET"])
@storage_guard
def branch_names() -> Response:
    return answer([b.name for b in branches.all_branches()])


@bp.route("/refdata/pushlog/db_size", methods=["GET"])
@storage_guard
def pushlog_db_size() -> Response:
    sizes = table_sizes.bytes_by_table(("branches", "pushes", "changesets"))
    total = sum(sizes.values())
    return answer([{"db_name": "pushlog", "size_mb": size_mb(total)}])


@bp.route("/{project}/refdata/pushlog/not_referenced", methods=["GET"])
@project_route
def not_referenced(project: Project) -> Response:
    """Pushes of the window, split by whether a test run of the project names them."""
    selected = _window_and_branches()
    if isinstance(selected, Response):
        return selected
    start, end, chosen = selected
    out: dict[str, dict[str, Any]] = {"with_matching_test_run": {}, "without_matching_test_run": {}}
    for branch in chosen:
        window = list(pushes.between_dates(branch.name, start, end))
        if not window:
            continue
        ids = [p.push_id for p in window]
        with_runs = test_runs.pushes_with_runs(project.name, branch.name, min(ids), max(ids))
        for push in sorted(window, key=lambda p: p.push_id):
            side = "with_matching_test_run" if push.push_id in with_runs else "without_matching_test_run"
            entry = {"push_id": push.push_id, "pushlog_id": push.pushlog_id,
                     "revisions": [c["node"][:SHORT] for c in push.changesets]}
            out[side].setdefault(branch.name, {"pushlogs": []})["pushlogs"].append(entry)
    return answer(out)
