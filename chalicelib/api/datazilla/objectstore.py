"""Objectstore reference endpoints: a stored blob, error counts and lists, size."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import safe_json
from chalicelib.api.datazilla.common import answer, date_window, problem, project_route
from chalicelib.api.request_url import base_url
from chalicelib.datazilla.db_size import project_databases
from chalicelib.store import blobs, objectstore, project_sizes
from chalicelib.store.projects import Project

bp = Blueprint(__name__)


@bp.route("/{project}/refdata/objectstore/json_blob/{row_id}", methods=["GET"])
@project_route
def json_blob(project: Project, row_id: str) -> Response:
    """Datazilla's answer: the row's state with the blob under ``json_blob``.

    The blob is parsed when it is JSON and given as the string received when
    it is not (Datazilla's view did the same, for the same reason: one JSON
    document whatever was uploaded). Bytes that are not UTF-8 are decoded with
    replacement characters; Datazilla's MySQL text column could not hold them.
    A blob holding values JSON cannot carry back (``1e400``) is given as its text too.
    """
    if not row_id.isdigit():
        return problem(400, "Bad id", f"objectstore id must be an integer, got {row_id!r}")
    row = objectstore.get(project.name, int(row_id))
    if row is None:
        return problem(404, "Not found", f"Id not found: {row_id}")
    text = blobs.get(row.s3_key).decode("utf-8", errors="replace")
    try:
        blob: Any = safe_json.loads(text)  # 1e400 or NaN would be served as Infinity/NaN, which is not JSON
    except safe_json.UnsafeJson:
        blob = text
    return answer({
        "json_blob": blob,
        "error_msg": row.error_msg,
        "error_flag": row.error_flag,
        "processed_flag": row.processed_flag,
        "date_loaded": int(row.date_loaded),
        "test_run_id": None if row.test_run_id is None else int(row.test_run_id),
    })


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
    return answer(project_databases(project.name, *project_sizes.stored(project.name)))
