"""The graph page: ``GET /<project>/graphs``, its data and its static assets, all served by the app.

- ``/<project>/graphs``: the HTML page (``chalicelib/web/graphs/``);
- ``/static/graphs/<name>``: its script and stylesheet (no CDN);
- ``/<project>/graphs/options``: the project's series groups and their pages;
- ``/<project>/graphs/series?series=<group key>&page=<page>[&runs=N]``: the
  page's last N runs (default 128, at most 500) with their pushes, and the
  series' alerts (``chalicelib.services.perf.graph_series``).
"""

from __future__ import annotations

import html
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.api.datazilla.common import answer, int_param, problem, project_route, storage_guard
from chalicelib.api.request_url import base_url
from chalicelib.services.perf import graph_series
from chalicelib.store import series_catalog
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

ASSETS = Path(__file__).resolve().parents[2] / "web" / "graphs"
CONTENT_TYPES = {"graphs.js": "application/javascript; charset=utf-8", "graphs.css": "text/css; charset=utf-8"}
DEFAULT_RUNS = 128
MAX_RUNS = 500


@bp.route("/{project}/graphs", methods=["GET"])
@project_route
def graph_page(project: Project) -> Response:
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{project}}", html.escape(project.name)).replace(
        "{{base}}", html.escape(base_url(bp.current_request)))
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@bp.route("/static/graphs/{name}", methods=["GET"])
@storage_guard
def asset(name: str) -> Response:
    if name not in CONTENT_TYPES:
        return problem(404, f"No asset '{name}'")
    return Response(body=(ASSETS / name).read_text(encoding="utf-8"), status_code=200,
                    headers={"Content-Type": CONTENT_TYPES[name], "Cache-Control": "max-age=300"})


@bp.route("/{project}/graphs/options", methods=["GET"])
@project_route
def options(project: Project) -> Response:
    return answer({"series": series_catalog.groups(project.name)})


@bp.route("/{project}/graphs/series", methods=["GET"])
@project_route
def series(project: Project) -> Response:
    params = bp.current_request.query_params or {}
    key, page = (params.get("series") or "").strip(), (params.get("page") or "").strip()
    if not key or not page:
        return problem(400, "Bad request", "'series' (a series group from /graphs/options) and 'page' are required")
    try:
        runs = int_param(params, "runs", DEFAULT_RUNS, 1, MAX_RUNS) or DEFAULT_RUNS
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    body = graph_series.page_series(project.name, key, page, runs)
    if body is None:
        return problem(404, f"Unknown series '{key}'")
    return answer(body)
