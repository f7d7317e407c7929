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
from chalicelib.services.datazilla import pushlog_views
from chalicelib.store import branches, table_sizes
from chalicelib.store.branches import Branch
from chalicelib.store.projects import Project

bp = Blueprint(__name__)


def _window_and_branches() -> tuple[int, int, list[Branch]]:
    params = bp.current_request.query_params
    try:
        start, end = date_window(params)
        return start, end, pushlog_views.selected_branches(comma_list(params, "branches"))
    except ValueError as err:
        raise Refusal(400, "Bad request", detail=str(err)) from None
    except pushlog_views.UnknownBranch as err:
        raise Refusal(404, f"Unknown branch '{err}'") from None


def _pushlog_list() -> dict[str, Any]:
    return pushlog_views.pushes_in_window(*_window_and_branches())


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
    return pushlog_views.not_referenced(project.name, *_window_and_branches())
