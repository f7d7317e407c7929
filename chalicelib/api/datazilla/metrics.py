"""``GET /<project>/testdata/metrics/<branch>/<revision>/`` and its ``summary`` and ``pushlog`` views.

The routes read the request; the views are ``chalicelib.services.datazilla.revision_metrics``.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.datazilla.common import answer, int_param, problem, project_route
from chalicelib.services.datazilla import revision_metrics
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

PUSHES_AROUND = 5
MAX_PUSHES_AROUND = 1000


@bp.route("/{project}/testdata/metrics/{branch}/{revision}", methods=["GET"])
@project_route
def run_metrics(project: Project, branch: str, revision: str) -> Response:
    """Every matching run of the revision with its pages' metrics."""
    return answer(revision_metrics.run_metrics(project.name, branch, revision, bp.current_request.query_params))


@bp.route("/{project}/testdata/metrics/{branch}/{revision}/summary", methods=["GET"])
@project_route
def metrics_summary(project: Project, branch: str, revision: str) -> Response:
    """Pass/fail counts of the revision's pages that were judged against a trend."""
    return answer(revision_metrics.metrics_summary(project.name, branch, revision,
                                                   bp.current_request.query_params))


def _pushlog_params(params: dict[str, str] | None) -> tuple[int, int]:
    """``pushes_before``/``pushes_after``; ValueError when a required or bounded one is wrong."""
    for name in ("test_name", "page_name"):
        if not (params or {}).get(name, "").strip():
            raise ValueError(f"'{name}' is required")
    counts = [int_param(params, name, PUSHES_AROUND, 0, MAX_PUSHES_AROUND)
              for name in ("pushes_before", "pushes_after")]
    return counts[0] or 0, counts[1] or 0


@bp.route("/{project}/testdata/metrics/{branch}/{revision}/pushlog", methods=["GET"])
@project_route
def metrics_pushlog(project: Project, branch: str, revision: str) -> Response:
    """The pushes around the revision's push, each with its runs' metrics for one test and page."""
    params = bp.current_request.query_params
    try:
        count_before, count_after = _pushlog_params(params)
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    try:
        return answer(revision_metrics.metrics_pushlog(project.name, branch, revision, params, count_before,
                                                       count_after))
    except revision_metrics.NotFound as err:
        return problem(404, str(err))
