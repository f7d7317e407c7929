"""Objectstore reference endpoints: a stored blob, error counts and lists, size."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import safe_json
from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import (
    DAYS_AGO,
    INT_OR_NULL,
    NUMDAYS,
    PROJECT,
    PROJECT_ERRORS,
    STRING_OR_NULL,
    WINDOW_ERRORS,
    listing,
    ok,
    read,
    record,
)
from chalicelib.api.datazilla.params import date_window
from chalicelib.api.kit.openapi_parts import path_param, response_ref, schema_ref
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.request_url import base_url
from chalicelib.datazilla.db_size import project_databases
from chalicelib.store import blobs, objectstore, project_sizes
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

OBJECTSTORE = "/{project}/refdata/objectstore"


@DATAZILLA.handles(bp, f"{OBJECTSTORE}/json_blob/{{row_id}}", ["GET"], read(
    "json_blob", "One stored blob with its objectstore row, as Datazilla answered it",
    {200: ok("The row's state; `json_blob` is the blob parsed when it is JSON, else the text received.",
             record({"json_blob": {}, "error_msg": STRING_OR_NULL, "error_flag": {"enum": ["N", "Y"]},
                     "processed_flag": {"enum": ["ready", "loading", "complete"]},
                     "date_loaded": {"type": "integer"}, "test_run_id": INT_OR_NULL},
                    required=["json_blob", "error_msg", "error_flag", "processed_flag", "date_loaded",
                              "test_run_id"])),
     400: ok("The id is not an integer.", schema_ref("DatazillaError")),
     404: response_ref("NotFound"), 503: response_ref("ServiceUnavailable")},
    [PROJECT, path_param("row_id", "The objectstore id the upload answered.",
                         {"type": "integer", "minimum": 1}, example=1)]))
def json_blob(project: Project, row_id: str) -> dict[str, Any]:
    """Datazilla's answer: the row's state with the blob under ``json_blob``.

    The blob is parsed when it is JSON and given as the string received when
    it is not (Datazilla's view did the same, for the same reason: one JSON
    document whatever was uploaded). Bytes that are not UTF-8 are decoded with
    replacement characters; Datazilla's MySQL text column could not hold them.
    A blob holding values JSON cannot carry back (``1e400``) is given as its text too.
    A well-formed blob just stored has no row until the processing worker makes
    it (``services/datazilla/ingest.py``): it is answered from S3 as the row it
    will be, ``ready``.
    """
    if not row_id.isdigit():
        raise Refusal(400, "Bad id", detail=f"objectstore id must be an integer, got {row_id!r}")
    row = objectstore.get(project.name, int(row_id))
    if row is None:
        return _not_yet_recorded(project, int(row_id))
    return _answer(blobs.get(row.s3_key), row.error_msg, row.error_flag, row.processed_flag, int(row.date_loaded),
                   None if row.test_run_id is None else int(row.test_run_id))


def _not_yet_recorded(project: Project, row_id: int) -> dict[str, Any]:
    stored = blobs.get_if_stored(blobs.objectstore_key(project.name, row_id))
    if stored is None:
        raise Refusal(404, "Not found", detail=f"Id not found: {row_id}")
    raw, stored_at = stored
    return _answer(raw, None, "N", objectstore.READY, stored_at, None)


def _answer(raw: bytes, error_msg: str | None, error_flag: str, processed_flag: str, date_loaded: int,
            test_run_id: int | None) -> dict[str, Any]:
    text = raw.decode("utf-8", errors="replace")
    try:
        blob: Any = safe_json.loads(text)  # 1e400 or NaN would be served as Infinity/NaN, which is not JSON
    except safe_json.UnsafeJson:
        blob = text
    return {
        "json_blob": blob,
        "error_msg": error_msg,
        "error_flag": error_flag,
        "processed_flag": processed_flag,
        "date_loaded": date_loaded,
        "test_run_id": test_run_id,
    }


def _errors(project: Project) -> list[objectstore.ObjectstoreRow]:
    try:
        start, end = date_window(bp.current_request.query_params)
    except ValueError as err:
        raise Refusal(400, "Bad request", detail=str(err)) from None
    return list(objectstore.errors_between(project.name, start, end))


@DATAZILLA.handles(bp, f"{OBJECTSTORE}/error_count", ["GET"], read(
    "error_count", "Blobs that failed, counted by kind",
    {200: ok("One entry per kind that occurred.", listing(schema_ref("ErrorCount"))), **WINDOW_ERRORS},
    [PROJECT, DAYS_AGO, NUMDAYS]))
def error_count(project: Project) -> list[dict[str, Any]]:
    counts = {"Malformed JSON": 0, "Other": 0}
    for row in _errors(project):
        counts["Malformed JSON" if (row.error_msg or "").startswith("Malformed JSON") else "Other"] += 1
    return [{"count(id)": n, "message": message} for message, n in counts.items() if n]


@DATAZILLA.handles(bp, f"{OBJECTSTORE}/error_list", ["GET"], read(
    "error_list", "Blobs that failed, with their errors",
    {200: ok("The rows, with the url of each blob.", listing(schema_ref("ObjectstoreRow"))), **WINDOW_ERRORS},
    [PROJECT, DAYS_AGO, NUMDAYS]))
def error_list(project: Project) -> list[dict[str, Any]]:
    rows = _errors(project)
    base = f"{base_url(bp.current_request)}/{project.name}/refdata/objectstore/json_blob"
    return [dict(row.as_dict(), url=f"{base}/{int(row.id)}") for row in rows]


@DATAZILLA.handles(bp, f"{OBJECTSTORE}/db_size", ["GET"], read(
    "objectstore_db_size", "Stored bytes of the project's objectstore",
    {200: ok("Sizes in MB.", listing(schema_ref("DbSize"))), **PROJECT_ERRORS}, [PROJECT]))
def db_size(project: Project) -> list[dict[str, Any]]:
    return project_databases(project.name, *project_sizes.stored(project.name))
