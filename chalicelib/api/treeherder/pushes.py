"""``/api/project/<p>/push/`` and ``/push/<id>/``: the pushes the pushlog sync stores."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.common import answer, detail, project_route, request_params
from chalicelib.services.treeherder import push_listing
from chalicelib.store import pushes
from chalicelib.store.branches import Branch
from chalicelib.treeherder import push_query
from chalicelib.treeherder.params import int_value

bp = Blueprint(__name__)


@bp.route("/api/project/{project}/push", methods=["GET"])
@project_route(bp)
def push_list(branch: Branch, project: str) -> Response:
    query = push_query.parse(request_params(bp))
    found = push_listing.find(branch.name, query)
    meta = dict(query.meta)
    meta.update(count=len(found), repository=project, filter_params=query.filter_params)
    return answer({"meta": meta, "results": [render.push(p, int(branch.repository_id)) for p in found]})


@bp.route("/api/project/{project}/push/{push_id}", methods=["GET"])
@project_route(bp)
def push_detail(branch: Branch, project: str, push_id: str) -> Response:
    wanted = int_value(push_id, "push id")
    found = pushes.on_branch_by_pushlog_id(branch.name, wanted) if wanted is not None else None
    if found is None:
        return detail(404, f"No push with id: {push_id}")
    return answer(render.push(found, int(branch.repository_id)))
