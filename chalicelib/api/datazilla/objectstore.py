"""Objectstore reference endpoints: a stored blob, error counts and lists, size."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.datazilla.common import answer, date_window, problem, project_route
from chalicelib.api.request_url import base_url
from chalicelib.store import blobs, objectstore, table_sizes
from chalicelib.store.projects import Project

bp = Blueprint(__name__)


@bp.route("/{project}/refdata/objectstore/json_blob/{row_id}", methods=["GET"])
@project_route
def json_blob(project: Project, row_id: str) -> Response:
    if not row_id.isdigit():
        return problem(400, "Bad id", f"objectstore id must be an integer, got {row_id!r}")
    row = objectstore.get(project.name, int(row_id))
    if row is None:
        return problem(404, "Not found", f"No objectstore row {row_id} in project '{project.name}'")
    body = blobs.get(row.s3_key)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        # Not even text: hand the bytes back untouched (a binary media type).
        return Response(body=body, status_code=200, headers={"Content-Type": "application/octet-stream"})
    malformed = (row.error_msg or "").startswith("Malformed JSON")
    content_type = "text/plain; charset=utf-8" if malformed else "application/json"
    return Response(body=text, status_code=200, headers={"Content-Type": content_type})


def _errors(project: Project) -> list[objectstore.ObjectstoreRow] | Response:
    try:
        start, end = date_window(bp.current_request.query_params)
    except ValueError as err:
        return problem(400, "Bad request", str(err))
    return list(objectstore.errors_between(project.name, start, end))


@bp.route("/{project}/refdata/objectstore/error_count", methods=["GET"])
@project_route
def error_count(project: Project) -> Response:
    rows = _errors(project)
    if isinstance(rows, Response):
        return rows
    counts = {"Malformed JSON": 0, "Other": 0}
    for row in rows:
        counts["Malformed JSON" if (row.error_msg or "").startswith("Malformed JSON") else "Other"] += 1
    return answer([{"count(id)": n, "message": message} for message, n in counts.items() if n])


@bp.route("/{project}/refdata/objectstore/error_list", methods=["GET"])
@project_route
def error_list(project: Project) -> Response:
    rows = _errors(project)
    if isinstance(rows, Response):
        return rows
    base = f"{base_url(bp.current_request)}/{project.name}/refdata/objectstore/json_blob"
    return answer([dict(row.as_dict(), url=f"{base}/{int(row.id)}") for row in rows])


@bp.route("/{project}/refdata/objectstore/db_size", methods=["GET"])
@project_route
def db_size(project: Project) -> Response:
    blob_bytes = blobs.stored_bytes(project.name)
    tables = table_sizes.bytes_by_table()
    mb = 1024 * 1024
    return answer([
        {"db_name": f"{project.name}_objectstore",
         "size_mb": round((blob_bytes + tables.get("objectstore", 0)) / mb, 2),
         "blob_bytes": blob_bytes,
         "table_bytes": tables.get("objectstore", 0)},
        {"db_name": f"{project.name}_perftest",
         "size_mb": round(tables.get("test-runs", 0) / mb, 2),
         "table_bytes": tables.get("test-runs", 0)},
    ])
