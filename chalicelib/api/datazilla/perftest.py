"""Perftest reference endpoints: runs by branch, reference data, size."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.datazilla.common import answer, date_window, problem, project_route
from chalicelib.datazilla.db_size import project_databases
from chalicelib.store import project_sizes, refdata, test_runs
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

# Datazilla listed at most this many runs a branch (its query's LIMIT), newest first.
RUN_LIMIT = 80
# test_run.status: 1 for every run Datazilla served (the column's default; nothing set another value).
RUN_STATUS = 1


def _flag(params: dict[str, str] | None, name: str) -> bool:
    return ((params or {}).get(name) or "").lower() in ("true", "1", "yes")


@bp.route("/{project}/refdata/perftest/runs_by_branch", methods=["GET"])
@project_route
def runs_by_branch(project: Project) -> Response:
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
        return problem(400, "Bad request", str(err))
    runs: dict[str, list[test_runs.TestRunRecord]] = {}
    for run in test_runs.run_between_dates(project.name, start, end):
        runs.setdefault(run.branch, []).append(run)
    if not _flag(params, "show_test_runs"):
        return answer({branch: {"count": len(found)} for branch, found in runs.items()})
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
    return answer(out)


@bp.route("/{project}/refdata/perftest/ref_data/{data_type}", methods=["GET"])
@project_route
def ref_data(project: Project, data_type: str) -> Response:
    if data_type not in refdata.KINDS:
        return problem(404, f"Unknown data type '{data_type}'",
                       f"data_type must be one of: {', '.join(refdata.KINDS)}")
    return answer(refdata.listing(project.name, data_type))


@bp.route("/{project}/refdata/perftest/db_size", methods=["GET"])
@project_route
def perftest_db_size(project: Project) -> Response:
    return answer(project_databases(project.name, *project_sizes.stored(project.name)))
