"""Perftest reference endpoints: runs by branch, reference data, size."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import (
    DAYS_AGO,
    NUMDAYS,
    PROJECT,
    PROJECT_ERRORS,
    WINDOW_ERRORS,
    error,
    listing,
    ok,
    read,
    record,
)
from chalicelib.api.datazilla.params import date_window
from chalicelib.api.kit.openapi_parts import path_param, query_param, response_ref, schema_ref, segment
from chalicelib.api.kit.refusal import Refusal
from chalicelib.datazilla.db_size import project_databases
from chalicelib.store import project_sizes, refdata, test_runs
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

PERFTEST = "/{project}/refdata/perftest"

# Datazilla listed at most this many runs a branch (its query's LIMIT), newest first.
RUN_LIMIT = 80
# test_run.status: 1 for every run Datazilla served (the column's default; nothing set another value).
RUN_STATUS = 1


def _flag(params: dict[str, str] | None, name: str) -> bool:
    return ((params or {}).get(name) or "").lower() in ("true", "1", "yes")


@DATAZILLA.handles(bp, f"{PERFTEST}/runs_by_branch", ["GET"], read(
    "runs_by_branch", "Test runs of a date window, by branch",
    {200: ok("Per branch, the count; with `show_test_runs=true` the newest 80 runs, how many were "
             "shown (`count`) and in the window (`total_count`).", {
        "type": "object", "additionalProperties": record(
            {"count": {"type": "integer"}, "total_count": {"type": "integer"},
             "limit": {"type": "integer"}, "test_runs": listing(schema_ref("RunSummary"))},
            required=["count"])}),
     **WINDOW_ERRORS},
    [PROJECT, DAYS_AGO, NUMDAYS, query_param("show_test_runs", "`true` lists the runs too.", {"type": "string"})]))
def runs_by_branch(project: Project) -> dict[str, dict[str, Any]]:
    """Runs of the window per branch: the count, or with ``show_test_runs=true`` Datazilla's listing.

    The listing is Datazilla's ``get_run_lists_by_branch``: the newest
    ``RUN_LIMIT`` runs of each branch, ``count`` of those shown, ``total_count``
    in the window, and per run the columns its query selected (``revision``,
    ``date_run``, ``status``, ``branch``, ``product``, ``version``) with the
    run's ``id``, ``test_id`` and ``machine_id`` (reference data ids, as
    ``ref_data`` lists them). One paged Query of the window, one per id kind.
    """
    params = bp.current_request.query_params
    try:
        start, end = date_window(params)
    except ValueError as err:
        raise Refusal(400, "Bad request", detail=str(err)) from None
    runs: dict[str, list[test_runs.TestRunRecord]] = {}
    for run in test_runs.run_between_dates(project.name, start, end):
        runs.setdefault(run.branch, []).append(run)
    if not _flag(params, "show_test_runs"):
        return {branch: {"count": len(found)} for branch, found in runs.items()}
    test_ids, machine_ids = refdata.listing(project.name, "tests"), refdata.listing(project.name, "machines")
    out: dict[str, dict[str, Any]] = {}
    for branch, found in runs.items():
        newest = sorted(found, key=lambda r: (int(r.date_run), int(r.test_run_id)), reverse=True)[:RUN_LIMIT]
        out[branch] = {"count": len(newest), "total_count": len(found), "limit": RUN_LIMIT, "test_runs": [{
            "id": int(run.test_run_id), "test_id": test_ids.get(run.test_name),
            "machine_id": machine_ids.get(run.machine), "revision": run.revision,
            "date_run": int(run.date_run), "status": RUN_STATUS, "branch": run.branch,
            "product": run.product, "version": run.branch_version,
        } for run in newest]}
    return out


@DATAZILLA.handles(bp, f"{PERFTEST}/ref_data/{{data_type}}", ["GET"], read(
    "ref_data", "Reference data of one kind: name → id",
    {200: ok("Names and their ids.", {"type": "object", "additionalProperties": {"type": "integer"}}),
     404: error("No such project, or not one of the kinds."), 503: response_ref("ServiceUnavailable")},
    [PROJECT, path_param("data_type", "The kind of reference data; another is 404.",
                         segment(enum=list(refdata.KINDS)), example="operating_systems")]))
def ref_data(project: Project, data_type: str) -> dict[str, int]:
    if data_type not in refdata.KINDS:
        raise Refusal(404, f"Unknown data type '{data_type}'",
                      detail=f"data_type must be one of: {', '.join(refdata.KINDS)}")
    return refdata.listing(project.name, data_type)


@DATAZILLA.handles(bp, f"{PERFTEST}/db_size", ["GET"], read(
    "perftest_db_size", "Stored bytes of the project's perftest data",
    {200: ok("Sizes in MB.", listing(schema_ref("DbSize"))), **PROJECT_ERRORS}, [PROJECT]))
def perftest_db_size(project: Project) -> list[dict[str, str]]:
    return project_databases(project.name, *project_sizes.stored(project.name))
