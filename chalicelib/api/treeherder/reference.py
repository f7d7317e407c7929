"""``/api/repository/``, ``/api/optioncollectionhash/``, ``/api/failureclassification/``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.common import answer, treeherder_route
from chalicelib.store import branches
from chalicelib.treeherder import reference

bp = Blueprint(__name__)


@bp.route("/api/repository", methods=["GET"])
@treeherder_route(bp)
def repositories() -> Response:
    """Every pushlog branch is a repository (one Query; a branch without an id gets one once)."""
    listed = [branches.ensure_repository(b) for b in branches.all_branches()]
    return answer([render.repository(b) for b in sorted(listed, key=lambda b: b.repository_id or 0)])


@bp.route("/api/optioncollectionhash", methods=["GET"])
@treeherder_route(bp)
def option_collection_hashes() -> Response:
    return answer([{"option_collection_hash": h, "options": [{"name": name} for name in options]}
                   for h, options in reference.OPTION_COLLECTION_HASHES.items()])


@bp.route("/api/failureclassification", methods=["GET"])
@treeherder_route(bp)
def failure_classifications() -> Response:
    return answer([{"id": i, "name": name} for i, name in reference.FAILURE_CLASSIFICATIONS])
