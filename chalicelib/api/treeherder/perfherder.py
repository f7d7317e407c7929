"""Perfherder: ``/api/project/<p>/performance/signatures/`` and ``/performance/data/``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.treeherder.common import answer, project_route, request_params, treeherder_route
from chalicelib.perf.perfherder_query import DataQueryRefused, parse_data_query
from chalicelib.perf.signatures import FRAMEWORKS
from chalicelib.services.treeherder import perf_series
from chalicelib.store.branches import Branch

bp = Blueprint(__name__)


@bp.route("/api/project/{project}/performance/signatures", methods=["GET"])
@project_route(bp)
def signatures(branch: Branch, project: str) -> Response:
    """The repository's series, filtered by signature, framework, platform, interval, subtests."""
    return answer(perf_series.signature_listing(branch.name, request_params(bp)))


@bp.route("/api/project/{project}/performance/data", methods=["GET"])
@project_route(bp)
def data(branch: Branch, project: str) -> Response:
    """Points by signature (hashes or ids), or of pushes or jobs across the repository's series."""
    try:
        query = parse_data_query(request_params(bp))
    except DataQueryRefused as err:
        return answer(err.body, 400)
    return answer(perf_series.points_by_signature(branch.name, query))


@bp.route("/api/performance/framework", methods=["GET"])
@treeherder_route(bp)
def frameworks() -> Response:
    return answer([{"id": i, "name": n} for i, n in FRAMEWORKS.items()])
