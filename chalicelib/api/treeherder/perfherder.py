"""Perfherder: ``/api/project/<p>/performance/signatures/`` and ``/performance/data/``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.treeherder.common import answer, project_route, request_params, treeherder_route
from chalicelib.perf.signatures import FRAMEWORKS
from chalicelib.store import perf_signatures
from chalicelib.store.branches import Branch
from chalicelib.treeherder import perf_series

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
    query = perf_series.parse_data_query(request_params(bp))
    chosen = perf_signatures.by_hashes(branch.name, query.hashes) if query.hashes else []
    if query.signature_ids:
        chosen += perf_signatures.by_ids(branch.name, query.signature_ids)
    body = {}
    for stored in {s.hash: s for s in chosen}.values():
        if query.frameworks and stored.signature.properties()["framework_id"] not in query.frameworks:
            continue
        body[stored.hash] = perf_series.series(branch.name, stored, query)
    return answer(body)


@bp.route("/api/performance/framework", methods=["GET"])
@treeherder_route(bp)
def frameworks() -> Response:
    return answer([{"id": i, "name": n} for i, n in FRAMEWORKS.items()])
