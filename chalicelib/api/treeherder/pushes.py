"""``/api/project/<p>/push/`` and ``/push/<id>/``: the pushes the pushlog sync stores."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.kit.documents import documented
from chalicelib.api.kit.openapi_parts import answer, path_param, query_param, response_ref, schema_ref
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.family import TREEHERDER
from chalicelib.api.treeherder.openapi import (
    COMMA_INTEGERS,
    EXAMPLE_PUSH,
    HEX_REVISION,
    POLICY,
    PROJECT,
    PROJECT_ERRORS,
    int_query,
    read,
)
from chalicelib.services.treeherder import push_listing
from chalicelib.store import pushes
from chalicelib.store.branches import Branch
from chalicelib.treeherder import push_query
from chalicelib.treeherder.params import Params, int_value

bp = Blueprint(__name__)

LIST_PARAMETERS = [
    PROJECT,
    int_query("count", f"Pushes per answer (default {push_query.DEFAULT_COUNT}; at most {push_query.MAX_COUNT}, "
                       f"or {push_query.MAX_PAGED_COUNT} with `offset`).", minimum=0,
              maximum=push_query.MAX_PAGED_COUNT),
    int_query("offset", "Pushes to skip.", minimum=0),
    *(query_param(name, "A revision (hex, up to 40 characters; 12 usually).", HEX_REVISION)
      for name in ("revision", "commit_revision", "fromchange", "tochange")),
    query_param("startdate", "First day (`YYYY-MM-DD`, or an ISO date-time), UTC."),
    query_param("enddate", "Last day (`YYYY-MM-DD`, or an ISO date-time), UTC, inclusive."),
    *(query_param(f"push_timestamp__{op}", "A bound on the push time (unix seconds).", {"type": "number"})
      for op in ("lt", "lte", "gt", "gte")),
    *(int_query(name, "A bound on the push id (0: none).") for name in ("id", "id__lt", "id__lte", "id__gt",
                                                                        "id__gte")),
    query_param("id__in", "Only these push ids.", COMMA_INTEGERS),
    query_param("author", "Only this pusher's pushes; `-<author>`: every other pusher's."),
]


@documented(read("push_list", "A repository's pushes, newest first", {
    200: answer("The pushes and how the query was read.", schema_ref("PushList")), **PROJECT_ERRORS},
    LIST_PARAMETERS))
def push_list(branch: Branch, project: str) -> dict[str, Any]:
    query = push_query.parse(Params(bp.current_request.query_params))
    found = push_listing.find(branch.name, query)
    meta = dict(query.meta)
    meta.update(count=len(found), repository=project, filter_params=query.filter_params)
    return {"meta": meta, "results": [render.push(p, int(branch.repository_id)) for p in found]}


@documented(read("push_detail", "One push", {
    200: answer("The push.", schema_ref("Push")), 400: response_ref("BadRequest"),
    404: response_ref("NotFound"), **POLICY},
    [PROJECT, path_param("push_id", "The push id (`id` of the push list).", {"type": "integer"},
                         example=EXAMPLE_PUSH)]))
def push_detail(branch: Branch, project: str, push_id: str) -> dict[str, Any]:
    wanted = int_value(push_id, "push id")
    found = pushes.on_branch_by_pushlog_id(branch.name, wanted) if wanted is not None else None
    if found is None:
        raise Refusal(404, f"No push with id: {push_id}")
    return render.push(found, int(branch.repository_id))


TREEHERDER.route(bp, "/api/project/{project}/push", {"GET": push_list})
TREEHERDER.route(bp, "/api/project/{project}/push/{push_id}", {"GET": push_detail})
