"""Perfherder: ``/api/project/<p>/performance/signatures/`` and ``/performance/data/``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.treeherder.common import answer, project_route, request_params, treeherder_route
from chalicelib.perf.signatures import FRAMEWORKS
from chalicelib.services.treeherder import perf_series
from chalicelib.store import perf_signatures
from chalicelib.store.branches import Branch

bp = Blueprint(__name__)


@bp.route("/api/project/{project}/performance/signatures", methods=["GET"])
@project_route(bp)
def signatures(branch: Branch, project: str) -> Response:
    """The repository's series (one Query), filtered by signature, framework, platform, interval, subtests."""
    keep = perf_series.signature_filter(request_params(bp))
    return answer({s.hash: perf_series.describe(s) for s in perf_signatures.in_repository(branch.name) if keep(s)})


@bp.route("/api/project/{project}/performance/data", methods=["GET"])
@project_route(bp)
def data(branch: Branch, project: str) -> Response:
    """Points by signature (hashes or ids), or of pushes or jobs across the repository's series.

    Series with no point are left out, as Treeherder groups the points it
    found. Without signatures, every series of the repository is read (one
    Query for the list, then per series its pushes' points): the cost grows
    with the series a repository has, not with its data.
    """
    try:
        query = perf_series.parse_data_query(request_params(bp))
    except perf_series.DataQueryRefused as err:
        return answer(err.body, 400)
    if query.hashes:
        chosen = perf_signatures.by_hashes(branch.name, query.hashes)
    elif query.signature_ids:
        chosen = perf_signatures.by_ids(branch.name, query.signature_ids)
    elif query.job_ids is not None:
        chosen = []  # no series point names a job
    else:
        chosen = list(perf_signatures.in_repository(branch.name))
    body = {}
    wanted = [s for s in {s.hash: s for s in chosen}.values()
              if not query.frameworks or s.signature.properties()["framework_id"] in query.frameworks]
    bounds = perf_series.order_bounds(branch.name, query) if wanted and query.job_ids is None else []
    reads = perf_series.Reads({}, {})
    for stored in wanted:
        points = perf_series.series(branch.name, stored, query, bounds, reads)
        if points:
            body[stored.hash] = points
    return answer(body)


@bp.route("/api/performance/framework", methods=["GET"])
@treeherder_route(bp)
def frameworks() -> Response:
    return answer([{"id": i, "name": n} for i, n in FRAMEWORKS.items()])
