"""The graph page: ``GET /<project>/graphs``, its data and its static assets, all served by the app.

- ``/<project>/graphs``: the HTML page (``chalicelib/web/graphs/``);
- ``/static/graphs/<name>``: its script and stylesheet (no CDN);
- ``/<project>/graphs/options``: the project's series groups and their pages;
- ``/<project>/graphs/series?series=<group key>&page=<page>[&runs=N]``: the
  page's last N runs (default 128, at most 500) with their pushes, and the
  series' alerts (``chalicelib.services.perf.graph_series``).

Routes of the Datazilla family (its envelope and project lookup).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import error
from chalicelib.api.datazilla.params import int_param
from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import answer, path_param, query_param, response_ref, schema_ref, segment
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.perf.openapi import (
    ERRORS,
    EXAMPLE_PAGE,
    EXAMPLE_SERIES,
    NOT_BLANK,
    PROJECT,
    STRING,
    obj,
    read,
)
from chalicelib.api.request_url import base_url
from chalicelib.services.perf import graph_series
from chalicelib.store import series_catalog
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

ASSETS = Path(__file__).resolve().parents[2] / "web" / "graphs"
CONTENT_TYPES = {"graphs.js": "application/javascript; charset=utf-8", "graphs.css": "text/css; charset=utf-8"}
DEFAULT_RUNS = 128
MAX_RUNS = 500


@documented(read("graph_page", "The graph page (HTML)", {
    200: answer("The page.", STRING, media="text/html"), **ERRORS}, [PROJECT]))
def graph_page(project: Project) -> Response:
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{project}}", html.escape(project.name)).replace(
        "{{base}}", html.escape(base_url(bp.current_request)))
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@documented(read("graph_asset", "The graph page's script and stylesheet", {
    200: {"description": "The asset.", "headers": {"Cache-Control": {"schema": STRING}},
          "content": {media.split(";")[0]: {"schema": STRING} for media in CONTENT_TYPES.values()}},
    404: error("No such asset."), 503: response_ref("ServiceUnavailable")},
    [path_param("name", "The asset; another is 404.", segment(enum=sorted(CONTENT_TYPES)), example="graphs.js")]))
def asset(name: str) -> Response:
    if name not in CONTENT_TYPES:
        raise Refusal(404, f"No asset '{name}'")
    return Response(body=(ASSETS / name).read_text(encoding="utf-8"), status_code=200,
                    headers={"Content-Type": CONTENT_TYPES[name], "Cache-Control": "max-age=300"})


@documented(read("graph_options", "The project's series groups and their pages", {
    200: answer("The groups.", obj({"series": {"type": "array", "items": schema_ref("SeriesGroup")}})),
    **ERRORS}, [PROJECT]))
def options(project: Project) -> dict[str, Any]:
    return {"series": series_catalog.groups(project.name)}


@documented(read("graph_series", "A page's last runs, with their pushes and alerts", {
    200: answer("The points, oldest first, and the page's alerts.", schema_ref("GraphSeries")),
    400: response_ref("BadRequest"),
    404: error("No such project, or no such series group in it."),
    503: response_ref("ServiceUnavailable")}, [
    PROJECT,
    query_param("series", "A series group key (`series` of `/graphs/options`).", NOT_BLANK, required=True,
                example=EXAMPLE_SERIES),
    query_param("page", "A page of the group.", NOT_BLANK, required=True, example=EXAMPLE_PAGE),
    query_param("runs", f"Runs to show (default {DEFAULT_RUNS}).",
                {"type": "integer", "minimum": 1, "maximum": MAX_RUNS}),
]))
def series(project: Project) -> dict[str, Any]:
    params = bp.current_request.query_params or {}
    key, page = (params.get("series") or "").strip(), (params.get("page") or "").strip()
    if not key or not page:
        raise Refusal(400, "Bad request",
                      detail="'series' (a series group from /graphs/options) and 'page' are required")
    try:
        runs = int_param(params, "runs", DEFAULT_RUNS, 1, MAX_RUNS) or DEFAULT_RUNS
    except ValueError as err:
        raise Refusal(400, "Bad request", detail=str(err)) from None
    body = graph_series.page_series(project.name, key, page, runs)
    if body is None:
        raise Refusal(404, f"Unknown series '{key}'")
    return body


DATAZILLA.route(bp, "/{project}/graphs", {"GET": graph_page})
DATAZILLA.route(bp, "/static/graphs/{name}", {"GET": asset})
DATAZILLA.route(bp, "/{project}/graphs/options", {"GET": options})
DATAZILLA.route(bp, "/{project}/graphs/series", {"GET": series})
