"""Perftest reference endpoints: runs by branch, reference data, size."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.datazilla.common import answer, date_window, problem, project_route
from chalicelib.store import refdata, table_sizes, test_runs
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

MB = 1024 * 1024


def _flag(params: dict[str, str] | None, name: str) -> bool:
    return ((params or {}).get(name) or "").lower() in ("true", "1", "yes")


@bp.route("/{project}/refdata/perftest/runs_by_branch", methods=["GET"])
@project_route
def runs_by_branch(project: Project) -> Response:
    params = bp.current_request.query_params
    try:
        start, end = date_window(params)
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    show = _flag(params, "show_test_runs")
    out: dict[str, dict[str, Any]] = {}
    for run in test_runs.run_between_dates(project.name, start, end):
        entry = out.setdefault(run.branch, {"count": 0})
        entry["count"] += 1
        if show:
            entry.setdefault("test_runs", []).append({
                "id": int(run.test_run_id), "date_run": int(run.date_run), "test": run.test_name,
                "product": run.product, "version": run.branch_version, "branch": run.branch,
                "revision": run.revision, "machine": run.machine, "build_id": run.build_id,
                "pushlog_id": None if run.pushlog_id is None else int(run.pushlog_id),
            })
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
    sizes = table_sizes.bytes_by_table(("test-runs", "refdata"))
    total = sum(sizes.values())
    return answer([{"db_name": f"{project.name}_perftest", "size_mb": round(total / MB, 2), "table_bytes": total}])
