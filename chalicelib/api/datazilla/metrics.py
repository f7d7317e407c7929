"""``GET /<project>/testdata/metrics/<branch>/<revision>/`` and its ``summary`` and ``pushlog`` views.

The routes read the request; the views are ``chalicelib.services.datazilla.revision_metrics``.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import (
    BRANCH,
    FILTERS,
    NOT_BLANK,
    PROJECT,
    PROJECT_ERRORS,
    REVISION,
    error,
    listing,
    ok,
    read,
)
from chalicelib.api.datazilla.params import int_param
from chalicelib.api.kit.openapi_parts import query_param, response_ref, schema_ref
from chalicelib.api.kit.refusal import Refusal
from chalicelib.services.datazilla import revision_metrics
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

PUSHES_AROUND = 5
MAX_PUSHES_AROUND = 1000
METRICS = "/{project}/testdata/metrics/{branch}/{revision}"


@DATAZILLA.handles(bp, METRICS, ["GET"], read(
    "run_metrics", "Every matching run of a revision with its pages' metrics",
    {200: ok("Runs in id order.", listing(schema_ref("RunMetrics"))), **PROJECT_ERRORS},
    [PROJECT, BRANCH, REVISION, *FILTERS]))
def run_metrics(project: Project, branch: str, revision: str) -> list[dict[str, Any]]:
    """Every matching run of the revision with its pages' metrics."""
    return revision_metrics.run_metrics(project.name, branch, revision, bp.current_request.query_params)


@DATAZILLA.handles(bp, f"{METRICS}/summary", ["GET"], read(
    "metrics_summary", "Pass/fail counts of a revision's judged pages",
    {200: ok("Counts overall, by platform, by test.", schema_ref("MetricsSummary")), **PROJECT_ERRORS},
    [PROJECT, BRANCH, REVISION, *FILTERS]))
def metrics_summary(project: Project, branch: str, revision: str) -> dict[str, Any]:
    """Pass/fail counts of the revision's pages that were judged against a trend."""
    return revision_metrics.metrics_summary(project.name, branch, revision, bp.current_request.query_params)


def _pushlog_params(params: dict[str, str] | None) -> tuple[int, int]:
    """``pushes_before``/``pushes_after``; ValueError when a required or bounded one is wrong."""
    for name in ("test_name", "page_name"):
        if not (params or {}).get(name, "").strip():
            raise ValueError(f"'{name}' is required")
    counts = [int_param(params, name, PUSHES_AROUND, 0, MAX_PUSHES_AROUND)
              for name in ("pushes_before", "pushes_after")]
    return counts[0] or 0, counts[1] or 0


@DATAZILLA.handles(bp, f"{METRICS}/pushlog", ["GET"], read(
    "metrics_pushlog", "The pushes around a revision's push, with one test and page's metrics",
    {200: ok("Pushes oldest first.", listing(schema_ref("MetricsPush"))),
     400: response_ref("BadRequest"),
     404: error("No such project, branch, or revision on that branch."),
     503: response_ref("ServiceUnavailable")},
    [PROJECT, BRANCH, REVISION,
     *(f for f in FILTERS if f["name"] not in ("test_name", "page_name")),
     query_param("test_name", "The test.", NOT_BLANK, required=True),
     query_param("page_name", "The page.", NOT_BLANK, required=True),
     query_param("pushes_before", "Pushes before (default 5).", {"type": "integer", "minimum": 0,
                                                                "maximum": MAX_PUSHES_AROUND}),
     query_param("pushes_after", "Pushes after (default 5).", {"type": "integer", "minimum": 0,
                                                              "maximum": MAX_PUSHES_AROUND})]))
def metrics_pushlog(project: Project, branch: str, revision: str) -> list[dict[str, Any]]:
    """The pushes around the revision's push, each with its runs' metrics for one test and page."""
    params = bp.current_request.query_params
    try:
        count_before, count_after = _pushlog_params(params)
    except ValueError as err:
        raise Refusal(400, "Bad request", detail=str(err)) from None
    try:
        return revision_metrics.metrics_pushlog(project.name, branch, revision, params, count_before,
                                                count_after)
    except revision_metrics.NotFound as err:
        raise Refusal(404, str(err)) from None
