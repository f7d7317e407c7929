"""Pushlog reference endpoints: pushes by date, branches, size, unreferenced pushes."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import (
    BRANCHES,
    DAYS_AGO,
    NUMDAYS,
    PROJECT,
    PUSHES_BY_ID,
    UNAVAILABLE,
    WINDOW_ERRORS,
    listing,
    ok,
    read,
    record,
)
from chalicelib.api.datazilla.params import comma_list, date_window
from chalicelib.api.kit.openapi_parts import schema_ref
from chalicelib.api.kit.refusal import Refusal
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


def _window_and_branches() -> tuple[int, int, list[Branch]]:
    params = bp.current_request.query_params
    try:
        start, end = date_window(params)
        return start, end, _selected_branches(params)
    except ValueError as err:
        raise Refusal(400, "Bad request", detail=str(err)) from None
    except UnknownBranch as err:
        raise Refusal(404, f"Unknown branch '{err}'") from None


def _pushlog_list() -> dict[str, Any]:
    start, end, chosen = _window_and_branches()
    found: dict[str, Any] = {}
    for branch in chosen:
        for push in pushes.between_dates(branch.name, start, end):
            found[str(push.pushlog_id)] = {
                "branch_name": branch.name,
                "push_id": push.push_id,
                "date": push.date,
                "revisions": [c["node"][:SHORT] for c in push.changesets],
            }
    return found


@DATAZILLA.handles(bp, "/refdata/pushlog/list", ["GET"], read(
    "pushlog_list", "Pushes of a date window", {200: ok("Pushes by pushlog id.", PUSHES_BY_ID), **WINDOW_ERRORS},
    [DAYS_AGO, NUMDAYS, BRANCHES]))
def pushlog_list() -> dict[str, Any]:
    return _pushlog_list()


@DATAZILLA.handles(bp, "/{project}/refdata/pushlog/list", ["GET"], read(
    "project_pushlog_list", "Pushes of a date window (under a project)",
    {200: ok("Pushes by pushlog id.", PUSHES_BY_ID), **WINDOW_ERRORS}, [PROJECT, DAYS_AGO, NUMDAYS, BRANCHES]))
def project_pushlog_list(project: Project) -> dict[str, Any]:
    return _pushlog_list()


@DATAZILLA.handles(bp, "/refdata/pushlog/branches", ["GET"], read(
    "pushlog_branches", "The names of the synced branches",
    {200: ok("Branch names.", listing({"type": "string"})), **UNAVAILABLE}, []))
def branch_names() -> list[str]:
    return [b.name for b in branches.all_branches()]


@DATAZILLA.handles(bp, "/refdata/pushlog/db_size", ["GET"], read(
    "pushlog_db_size", "Stored bytes of the pushlog",
    {200: ok("Sizes in MB.", listing(schema_ref("DbSize"))), **UNAVAILABLE}, []))
def pushlog_db_size() -> list[dict[str, str]]:
    sizes = table_sizes.bytes_by_table(("branches", "pushes", "changesets"))
    total = sum(sizes.values())
    return [{"db_name": "pushlog", "size_mb": size_mb(total)}]


@DATAZILLA.handles(bp, "/{project}/refdata/pushlog/not_referenced", ["GET"], read(
    "pushlog_not_referenced", "Pushes of a window, split by whether a test run names them",
    {200: ok("Both sides, per branch.", record({
        "with_matching_test_run": schema_ref("PushesByBranch"),
        "without_matching_test_run": schema_ref("PushesByBranch")})),
     **WINDOW_ERRORS},
    [PROJECT, DAYS_AGO, NUMDAYS, BRANCHES]))
def not_referenced(project: Project) -> dict[str, dict[str, Any]]:
    """Pushes of the window, split by whether a test run of the project names them."""
    start, end, chosen = _window_and_branches()
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
    return out
