"""The OpenAPI document of the Datazilla family: every route of ``chalicelib/api/datazilla``.

Paths are the app's own (``/{project}/...`` and ``/refdata/pushlog/...``).
Errors are Datazilla's ``{"status", "message"?}``; an unknown project is 404
on every project route, a storage outage 503. Uploads are signed with
two-legged OAuth 1.0, which OpenAPI cannot describe beyond naming the HTTP
scheme, so an unsigned request's 403 is part of each upload operation.

Shipyard's own performance endpoints (``chalicelib/api/perf``: alerts and
the graph page) are served under the same project paths in the same
envelope, so this document carries them too; their paths are declared next
to their code (``chalicelib/api/perf/openapi.py``) and merged in here.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.kit.openapi_parts import (
    answer,
    body,
    document,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
    segment,
)
from chalicelib.api.perf import openapi as perf
from chalicelib.store import refdata

FAMILY = "datazilla"
TAG = ["datazilla"]
NO_AUTH: list[dict[str, list[str]]] = []

STRING_OR_NULL = {"type": ["string", "null"]}
INT_OR_NULL = {"type": ["integer", "null"]}
NUMBER_OR_NULL = {"type": ["number", "null"]}
BOOL_OR_NULL = {"type": ["boolean", "null"]}
NOT_BLANK = {"type": "string", "pattern": r"\S"}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties), **extra}


def _list(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


SCHEMAS: dict[str, Any] = {
    "DatazillaError": _object(
        {"status": {"type": "string"}, "message": {"type": "string"}, "url": {"type": "string"}},
        required=["status"], description="Datazilla's error body."),
    "StoredBlob": _object({
        "status": {"const": "well-formed JSON stored"},
        "size": {"type": "integer", "minimum": 0},
        "url": {"type": "string", "format": "uri"},
    }),
    "DbSize": _object(
        {"db_name": {"type": "string"},
         "size_mb": {"type": "string", "pattern": "^[0-9]+[.][0-9]{2}$",
                     "description": "MB to two decimals, as a string (Datazilla's MySQL DECIMAL)."}}),
    "ErrorCount": _object({"count(id)": {"type": "integer", "minimum": 1},
                           "message": {"enum": ["Malformed JSON", "Other"]}}),
    "ObjectstoreRow": _object({
        "id": {"type": "integer"}, "date_loaded": {"type": "integer"},
        "processed_flag": {"enum": ["ready", "loading", "complete"]}, "error_flag": {"enum": ["N", "Y"]},
        "error_msg": STRING_OR_NULL, "test_run_id": INT_OR_NULL, "worker_id": STRING_OR_NULL,
        "url": {"type": "string", "format": "uri"},
    }),
    "PushlogEntry": _object({
        "branch_name": {"type": "string"}, "push_id": {"type": "integer"}, "date": {"type": "integer"},
        "revisions": _list({"type": "string"}),
    }),
    "PushRef": _object({"push_id": {"type": "integer"}, "pushlog_id": {"type": "integer"},
                        "revisions": _list({"type": "string"})}),
    "PushesByBranch": {"type": "object", "additionalProperties": _object({"pushlogs": _list(schema_ref("PushRef"))})},
    "RunSummary": _object({
        "id": {"type": "integer"}, "test_id": INT_OR_NULL, "machine_id": INT_OR_NULL,
        "revision": {"type": "string"}, "date_run": {"type": "integer"}, "status": {"type": "integer"},
        "branch": {"type": "string"}, "product": {"type": "string"}, "version": {"type": "string"},
    }),
    "PageMetrics": {
        "type": "object",
        "description": "A page's metrics; a page not computable yet has only `error`.",
        "properties": {
            "mean": NUMBER_OR_NULL, "stddev": NUMBER_OR_NULL, "trend_mean": NUMBER_OR_NULL,
            "trend_stddev": NUMBER_OR_NULL, "p": NUMBER_OR_NULL, "h0_rejected": BOOL_OR_NULL, "fdr": BOOL_OR_NULL,
            "test_evaluation": BOOL_OR_NULL, "n_replicates": INT_OR_NULL, "pushlog_id": {"type": "integer"},
            "push_date": {"type": "integer"}, "threshold_revision": STRING_OR_NULL, "error": {"type": "string"},
        },
    },
    "RunMetrics": _object({
        "test_machine": _object({"name": {"type": "string"}, "os": {"type": "string"},
                                 "osversion": {"type": "string"}, "platform": {"type": "string"}}),
        "testrun": _object({"date": {"type": "integer"}, "suite": {"type": "string"},
                            "test_run_id": {"type": "integer"}}),
        "test_build": _object({"id": {"type": "string"}, "type": {"type": "string"}, "version": {"type": "string"},
                               "name": {"type": "string"}, "branch": {"type": "string"},
                               "revision": {"type": "string"}}),
        "push_info": {"oneOf": [{"type": "null"}, _object({"pushlog_id": {"type": "integer"},
                                                           "push_date": {"type": "integer"}})]},
        "pages": {"type": "object", "additionalProperties": schema_ref("PageMetrics")},
    }),
    "Share": _object({
        "pass": _object({"percent": {"type": "integer"}, "value": {"type": "integer"}}),
        "fail": _object({"percent": {"type": "integer"}, "value": {"type": "integer"}}),
        "total_tests": {"type": "integer"},
    }),
    "MetricsSummary": _object({
        "product_info": _object({"version": STRING_OR_NULL, "name": {"type": "string"},
                                 "branch": {"type": "string"}, "revision": {"type": "string"}}),
        "products": _list(_object({"product": {"type": "string"}, "version": {"type": "string"},
                                   "branch": {"type": "string"}})),
        "push_data": {"oneOf": [{"type": "null"}, _object({
            "node": {"type": "string"}, "name": {"type": "string"}, "date": {"type": "integer"},
            "user": {"type": "string"}, "pushlog_id": {"type": "integer"}, "push_id": {"type": "integer"},
            "desc": {"type": "string"}})]},
        "summary": schema_ref("Share"),
        "summary_by_platform": {"type": "object", "additionalProperties": schema_ref("Share")},
        "summary_by_test": {"type": "object", "additionalProperties": schema_ref("Share")},
        "tests": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": _object({
            "pass": {"type": "integer"}, "fail": {"type": "integer"}, "total_tests": {"type": "integer"},
            "pages": _list({"type": "object", "additionalProperties": {"type": "boolean"}}),
            "platform_info": _object({"operating_system_name": {"type": "string"},
                                      "operating_system_version": {"type": "string"},
                                      "processor": {"type": "string"}, "type": {"type": "string"}}),
        })}},
    }),
    "MetricsPush": _object({
        "branch_name": {"type": "string"}, "pushlog_id": {"type": "integer"}, "push_id": {"type": "integer"},
        "date": {"type": "integer"}, "dz_revision": {"type": "string"},
        "revisions": _list(_object({"revision": {"type": "string"}, "desc": {"type": "string"},
                                    "author": {"type": "string"}})),
        "metrics_data": _list(schema_ref("RunMetrics")),
    }),
    "RawEntry": {
        "description": "A stored blob as uploaded (trimmed to the requested pages), or why it could not be loaded.",
        "anyOf": [
            _object({"bad_test_data": _object({"test_run_id": INT_OR_NULL, "error_msg": STRING_OR_NULL})}),
            {"type": "object"},
        ],
    },
    "UploadForm": {
        "type": "object",
        "description": "Datazilla's client: the JSON blob url-quoted in `data`, OAuth 1.0 parameters as fields.",
        "properties": {
            "data": {"type": "string"}, "user": {"type": "string"},
            "oauth_consumer_key": {"type": "string"}, "oauth_signature_method": {"const": "HMAC-SHA1"},
            "oauth_signature": {"type": "string"}, "oauth_timestamp": {"type": "string"},
            "oauth_nonce": {"type": "string"}, "oauth_version": {"const": "1.0"}, "oauth_token": {"type": "string"},
            "oauth_body_hash": {"type": "string"},
        },
    },
}


def _error(description: str) -> dict[str, Any]:
    return answer(description, schema_ref("DatazillaError"))


RESPONSES: dict[str, Any] = {
    "BadRequest": _error("A missing or malformed parameter (`{\"status\": \"Bad request\", \"message\"}`)."),
    "ProjectNotFound": _error("No such project (`{\"status\": \"Unknown project '<project>'\"}`)."),
    "NotFound": _error("No such project, or nothing of that name in it."),
    "ServiceUnavailable": _error("Storage is unavailable; retry later."),
}

PROJECT = path_param("project", "A Datazilla project (`shipyard project create`).",
                     example="talos")
BRANCH = path_param("branch", "A branch name or one of its alternative names (e.g. `Mozilla-Inbound-Non-PGO`).",
                    example="Mozilla-Inbound")
REVISION = path_param("revision", "A revision, or a prefix of one (12 hex characters usually).",
                      example="8a3d4b6e7c21")

DAYS_AGO = query_param("days_ago", "The window starts this many days ago.",
                       {"type": "integer", "minimum": 0}, required=True)
NUMDAYS = query_param("numdays", "The window lasts this many days (default: until now).",
                      {"type": "integer", "minimum": 0})
BRANCHES = query_param("branches", "Comma list of branch names (default: every branch).")
FILTERS = [query_param(name, f"Comma list of accepted `{name}` values.") for name in (
    "product", "os_name", "os_version", "branch_version", "processor", "build_type", "test_name", "page_name")]


def _get(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any],
         description: str | None = None) -> dict[str, Any]:
    return {"get": operation(operation_id, summary, responses, parameters=parameters, security=NO_AUTH,
                             description=description, tags=TAG)}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return answer(description, schema)


PROJECT_ERRORS = {404: response_ref("ProjectNotFound"), 503: response_ref("ServiceUnavailable")}
WINDOW_ERRORS = {400: response_ref("BadRequest"), 404: response_ref("NotFound"),
                 503: response_ref("ServiceUnavailable")}


def _upload(operation_id: str) -> dict[str, Any]:
    return {"post": operation(
        operation_id, "Upload a Talos result blob (two-legged OAuth 1.0, HMAC-SHA1)",
        {
            200: _ok("Stored and queued for loading.", schema_ref("StoredBlob")),
            400: _error("`No POST data found`; `Malformed JSON` (stored anyway, with its `url`); "
                        "`Malformed request` (a form body that is not UTF-8)."),
            403: _error("`No OAuth credentials provided.` or `Oauth verification error.` (bad signature, "
                        "unknown key, stale timestamp, replayed nonce, wrong `oauth_body_hash`)."),
            404: response_ref("ProjectNotFound"),
            503: response_ref("ServiceUnavailable"),
        },
        parameters=[PROJECT],
        request_body=body({"application/x-www-form-urlencoded": schema_ref("UploadForm"), "application/json": {}},
                          "The blob: form field `data` (url-quoted JSON) signed in the form, or the JSON itself "
                          "signed in `Authorization: OAuth ...`."),
        security=[{"oauth1": []}], tags=TAG,
    )}


def _paths() -> dict[str, Any]:
    objectstore = "/{project}/refdata/objectstore"
    perftest = "/{project}/refdata/perftest"
    metrics = "/{project}/testdata/metrics/{branch}/{revision}"
    pushlog_list = _get(
        "pushlog_list", "Pushes of a date window", {200: _ok("Pushes by pushlog id.", {
            "type": "object", "additionalProperties": schema_ref("PushlogEntry")}), **WINDOW_ERRORS},
        [DAYS_AGO, NUMDAYS, BRANCHES])
    project_pushlog_list = _get(
        "project_pushlog_list", "Pushes of a date window (under a project)", {200: _ok("Pushes by pushlog id.", {
            "type": "object", "additionalProperties": schema_ref("PushlogEntry")}), **WINDOW_ERRORS},
        [PROJECT, DAYS_AGO, NUMDAYS, BRANCHES])
    return {
        "/{project}/api/load_test": _upload("load_test"),
        "/{project}/load_test": _upload("load_test_short"),
        f"{objectstore}/json_blob/{{row_id}}": _get(
            "json_blob", "One stored blob with its objectstore row, as Datazilla answered it",
            {200: _ok("The row's state; `json_blob` is the blob parsed when it is JSON, else the text received.",
                      _object({"json_blob": {}, "error_msg": STRING_OR_NULL, "error_flag": {"enum": ["N", "Y"]},
                               "processed_flag": {"enum": ["ready", "loading", "complete"]},
                               "date_loaded": {"type": "integer"}, "test_run_id": INT_OR_NULL},
                              required=["json_blob", "error_msg", "error_flag", "processed_flag", "date_loaded",
                                        "test_run_id"])),
             400: _ok("The id is not an integer.", schema_ref("DatazillaError")),
             404: response_ref("NotFound"), 503: response_ref("ServiceUnavailable")},
            [PROJECT, path_param("row_id", "The objectstore id the upload answered.",
                                 {"type": "integer", "minimum": 1}, example=1)]),
        f"{objectstore}/error_count": _get(
            "error_count", "Blobs that failed, counted by kind",
            {200: _ok("One entry per kind that occurred.", _list(schema_ref("ErrorCount"))), **WINDOW_ERRORS},
            [PROJECT, DAYS_AGO, NUMDAYS]),
        f"{objectstore}/error_list": _get(
            "error_list", "Blobs that failed, with their errors",
            {200: _ok("The rows, with the url of each blob.", _list(schema_ref("ObjectstoreRow"))),
             **WINDOW_ERRORS},
            [PROJECT, DAYS_AGO, NUMDAYS]),
        f"{objectstore}/db_size": _get(
            "objectstore_db_size", "Stored bytes of the project's objectstore",
            {200: _ok("Sizes in MB.", _list(schema_ref("DbSize"))), **PROJECT_ERRORS}, [PROJECT]),
        f"{perftest}/runs_by_branch": _get(
            "runs_by_branch", "Test runs of a date window, by branch",
            {200: _ok("Per branch, the count; with `show_test_runs=true` the newest 80 runs, how many were "
                      "shown (`count`) and in the window (`total_count`).", {
                "type": "object", "additionalProperties": _object(
                    {"count": {"type": "integer"}, "total_count": {"type": "integer"},
                     "limit": {"type": "integer"}, "test_runs": _list(schema_ref("RunSummary"))},
                    required=["count"])}),
             **WINDOW_ERRORS},
            [PROJECT, DAYS_AGO, NUMDAYS,
             query_param("show_test_runs", "`true` lists the runs too.", {"type": "string"})]),
        f"{perftest}/ref_data/{{data_type}}": _get(
            "ref_data", "Reference data of one kind: name → id",
            {200: _ok("Names and their ids.", {"type": "object", "additionalProperties": {"type": "integer"}}),
             404: _error("No such project, or not one of the kinds."), 503: response_ref("ServiceUnavailable")},
            [PROJECT, path_param("data_type", "The kind of reference data; another is 404.",
                                 segment(enum=list(refdata.KINDS)), example="operating_systems")]),
        f"{perftest}/db_size": _get(
            "perftest_db_size", "Stored bytes of the project's perftest data",
            {200: _ok("Sizes in MB.", _list(schema_ref("DbSize"))), **PROJECT_ERRORS}, [PROJECT]),
        "/refdata/pushlog/list": pushlog_list,
        "/{project}/refdata/pushlog/list": project_pushlog_list,
        "/refdata/pushlog/branches": _get(
            "pushlog_branches", "The names of the synced branches",
            {200: _ok("Branch names.", _list({"type": "string"})), 503: response_ref("ServiceUnavailable")}, []),
        "/refdata/pushlog/db_size": _get(
            "pushlog_db_size", "Stored bytes of the pushlog",
            {200: _ok("Sizes in MB.", _list(schema_ref("DbSize"))), 503: response_ref("ServiceUnavailable")}, []),
        "/{project}/refdata/pushlog/not_referenced": _get(
            "pushlog_not_referenced", "Pushes of a window, split by whether a test run names them",
            {200: _ok("Both sides, per branch.", _object({
                "with_matching_test_run": schema_ref("PushesByBranch"),
                "without_matching_test_run": schema_ref("PushesByBranch")})),
             **WINDOW_ERRORS},
            [PROJECT, DAYS_AGO, NUMDAYS, BRANCHES]),
        "/{project}/testdata/raw/{branch}/{revision}": _get(
            "raw", "The stored blobs of a revision",
            {200: _ok("Blobs in upload order.", _list(schema_ref("RawEntry"))), **PROJECT_ERRORS},
            [PROJECT, BRANCH, REVISION, *FILTERS]),
        metrics: _get(
            "run_metrics", "Every matching run of a revision with its pages' metrics",
            {200: _ok("Runs in id order.", _list(schema_ref("RunMetrics"))), **PROJECT_ERRORS},
            [PROJECT, BRANCH, REVISION, *FILTERS]),
        f"{metrics}/summary": _get(
            "metrics_summary", "Pass/fail counts of a revision's judged pages",
            {200: _ok("Counts overall, by platform, by test.", schema_ref("MetricsSummary")), **PROJECT_ERRORS},
            [PROJECT, BRANCH, REVISION, *FILTERS]),
        f"{metrics}/pushlog": _get(
            "metrics_pushlog", "The pushes around a revision's push, with one test and page's metrics",
            {200: _ok("Pushes oldest first.", _list(schema_ref("MetricsPush"))),
             400: response_ref("BadRequest"),
             404: _error("No such project, branch, or revision on that branch."),
             503: response_ref("ServiceUnavailable")},
            [PROJECT, BRANCH, REVISION,
             *(f for f in FILTERS if f["name"] not in ("test_name", "page_name")),
             query_param("test_name", "The test.", NOT_BLANK, required=True),
             query_param("page_name", "The page.", NOT_BLANK, required=True),
             query_param("pushes_before", "Pushes before (default 5).", {"type": "integer", "minimum": 0,
                                                                        "maximum": 1000}),
             query_param("pushes_after", "Pushes after (default 5).", {"type": "integer", "minimum": 0,
                                                                      "maximum": 1000})]),
    }


def build() -> dict[str, Any]:
    return document(
        FAMILY, "Shipyard: Datazilla",
        "Datazilla's performance data API: Talos uploads (two-legged OAuth 1.0), the objectstore, raw data, "
        "per-page metrics against the trend, pushlog and perftest reference data; and Shipyard's performance alerts "
        "and graph page under the same project paths. Errors are "
        "`{\"status\", \"message\"}`.",
        {**_paths(), **perf.paths()},
        {"schemas": {**SCHEMAS, **perf.SCHEMAS}, "responses": RESPONSES, "securitySchemes": {
            "oauth1": {
                "type": "http", "scheme": "OAuth",
                "description": "Two-legged OAuth 1.0 (RFC 5849), HMAC-SHA1, empty token, with the project's "
                               "consumer key and secret; parameters in the form body or the `Authorization` header.",
            },
            "bearer": {
                "type": "http", "scheme": "bearer",
                "description": "Alert triage only: a token of `shipyard token create` for a user holding the "
                               "`admin` permission. Local stack: `shipyard-dev-token` (user `admin`).",
            },
        }},
    )
