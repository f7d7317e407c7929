"""The OpenAPI pieces every Datazilla operation is built from: schemas, responses, parameters, helpers.

Each operation is declared beside its handler (``@DATAZILLA.handles(...,
read(...))``) and the document ``/openapi/datazilla.json`` is assembled from
the registered routes (:mod:`chalicelib.api.kit.documents`).

Paths are the app's own (``/{project}/...`` and ``/refdata/pushlog/...``).
Errors are Datazilla's ``{"status", "message"?}``; an unknown project is 404
on every project route, a storage outage 503. Uploads are signed with
two-legged OAuth 1.0, which OpenAPI cannot describe beyond naming the HTTP
scheme, so an unsigned request's 403 is part of each upload operation.

Shipyard's own performance endpoints (``chalicelib/api/perf``: alerts and
the graph page) are served under the same project paths in the same
envelope, so they are routes of this family too: their operations are declared
beside their handlers and their schemas added to the document by
``chalicelib/api/perf/openapi.py``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.kit.auth import PUBLIC
from chalicelib.api.kit.openapi_parts import (
    answer,
    body,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
)

TAG = ["datazilla"]

STRING_OR_NULL = {"type": ["string", "null"]}
INT_OR_NULL = {"type": ["integer", "null"]}
NUMBER_OR_NULL = {"type": ["number", "null"]}
BOOL_OR_NULL = {"type": ["boolean", "null"]}
NOT_BLANK = {"type": "string", "pattern": r"\S"}


def record(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties), **extra}


def listing(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


SCHEMAS: dict[str, Any] = {
    "DatazillaError": record(
        {"status": {"type": "string"}, "message": {"type": "string"}, "url": {"type": "string"}},
        required=["status"], description="Datazilla's error body."),
    "StoredBlob": record({
        "status": {"const": "well-formed JSON stored"},
        "size": {"type": "integer", "minimum": 0},
        "url": {"type": "string", "format": "uri"},
    }),
    "DbSize": record(
        {"db_name": {"type": "string"},
         "size_mb": {"type": "string", "pattern": "^[0-9]+[.][0-9]{2}$",
                     "description": "MB to two decimals, as a string (Datazilla's MySQL DECIMAL)."}}),
    "ErrorCount": record({"count(id)": {"type": "integer", "minimum": 1},
                           "message": {"enum": ["Malformed JSON", "Other"]}}),
    "ObjectstoreRow": record({
        "id": {"type": "integer"}, "date_loaded": {"type": "integer"},
        "processed_flag": {"enum": ["ready", "loading", "complete"]}, "error_flag": {"enum": ["N", "Y"]},
        "error_msg": STRING_OR_NULL, "test_run_id": INT_OR_NULL, "worker_id": STRING_OR_NULL,
        "url": {"type": "string", "format": "uri"},
    }),
    "PushlogEntry": record({
        "branch_name": {"type": "string"}, "push_id": {"type": "integer"}, "date": {"type": "integer"},
        "revisions": listing({"type": "string"}),
    }),
    "PushRef": record({"push_id": {"type": "integer"}, "pushlog_id": {"type": "integer"},
                        "revisions": listing({"type": "string"})}),
    "PushesByBranch": {"type": "object", "additionalProperties": record({"pushlogs": listing(schema_ref("PushRef"))})},
    "RunSummary": record({
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
    "RunMetrics": record({
        "test_machine": record({"name": {"type": "string"}, "os": {"type": "string"},
                                 "osversion": {"type": "string"}, "platform": {"type": "string"}}),
        "testrun": record({"date": {"type": "integer"}, "suite": {"type": "string"},
                            "test_run_id": {"type": "integer"}}),
        "test_build": record({"id": {"type": "string"}, "type": {"type": "string"}, "version": {"type": "string"},
                               "name": {"type": "string"}, "branch": {"type": "string"},
                               "revision": {"type": "string"}}),
        "push_info": {"oneOf": [{"type": "null"}, record({"pushlog_id": {"type": "integer"},
                                                           "push_date": {"type": "integer"}})]},
        "pages": {"type": "object", "additionalProperties": schema_ref("PageMetrics")},
    }),
    "Share": record({
        "pass": record({"percent": {"type": "integer"}, "value": {"type": "integer"}}),
        "fail": record({"percent": {"type": "integer"}, "value": {"type": "integer"}}),
        "total_tests": {"type": "integer"},
    }),
    "MetricsSummary": record({
        "product_info": record({"version": STRING_OR_NULL, "name": {"type": "string"},
                                 "branch": {"type": "string"}, "revision": {"type": "string"}}),
        "products": listing(record({"product": {"type": "string"}, "version": {"type": "string"},
                                   "branch": {"type": "string"}})),
        "push_data": {"oneOf": [{"type": "null"}, record({
            "node": {"type": "string"}, "name": {"type": "string"}, "date": {"type": "integer"},
            "user": {"type": "string"}, "pushlog_id": {"type": "integer"}, "push_id": {"type": "integer"},
            "desc": {"type": "string"}})]},
        "summary": schema_ref("Share"),
        "summary_by_platform": {"type": "object", "additionalProperties": schema_ref("Share")},
        "summary_by_test": {"type": "object", "additionalProperties": schema_ref("Share")},
        "tests": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": record({
            "pass": {"type": "integer"}, "fail": {"type": "integer"}, "total_tests": {"type": "integer"},
            "pages": listing({"type": "object", "additionalProperties": {"type": "boolean"}}),
            "platform_info": record({"operating_system_name": {"type": "string"},
                                      "operating_system_version": {"type": "string"},
                                      "processor": {"type": "string"}, "type": {"type": "string"}}),
        })}},
    }),
    "MetricsPush": record({
        "branch_name": {"type": "string"}, "pushlog_id": {"type": "integer"}, "push_id": {"type": "integer"},
        "date": {"type": "integer"}, "dz_revision": {"type": "string"},
        "revisions": listing(record({"revision": {"type": "string"}, "desc": {"type": "string"},
                                    "author": {"type": "string"}})),
        "metrics_data": listing(schema_ref("RunMetrics")),
    }),
    "RawEntry": {
        "description": "A stored blob as uploaded (trimmed to the requested pages), or why it could not be loaded.",
        "anyOf": [
            record({"bad_test_data": record({"test_run_id": INT_OR_NULL, "error_msg": STRING_OR_NULL})}),
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


def error(description: str) -> dict[str, Any]:
    """An error answer of an operation's own (the shared ones are :data:`RESPONSES`)."""
    return answer(description, schema_ref("DatazillaError"))


RESPONSES: dict[str, Any] = {
    "BadRequest": error("A missing or malformed parameter (`{\"status\": \"Bad request\", \"message\"}`)."),
    "ProjectNotFound": error("No such project (`{\"status\": \"Unknown project '<project>'\"}`)."),
    "NotFound": error("No such project, or nothing of that name in it."),
    "ServiceUnavailable": error("Storage is unavailable; retry later."),
    "UnsupportedMediaType": error("The body's `Content-Type` is not one the operation takes "
                                  "(`{\"status\": \"Unsupported media type \\\"<type>\\\" in request.\"}`)."),
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


def read(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any],
         description: str | None = None) -> dict[str, Any]:
    """A GET open to anyone."""
    return operation(operation_id, summary, responses, parameters=parameters, security=PUBLIC,
                     description=description, tags=TAG)


def ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return answer(description, schema)


PROJECT_ERRORS = {404: response_ref("ProjectNotFound"), 503: response_ref("ServiceUnavailable")}
WINDOW_ERRORS = {400: response_ref("BadRequest"), 404: response_ref("NotFound"),
                 503: response_ref("ServiceUnavailable")}
UNAVAILABLE = {503: response_ref("ServiceUnavailable")}
PUSHES_BY_ID = {"type": "object", "additionalProperties": schema_ref("PushlogEntry")}


def upload(operation_id: str) -> dict[str, Any]:
    """A Talos upload (either of its two paths)."""
    return operation(
        operation_id, "Upload a Talos result blob (two-legged OAuth 1.0, HMAC-SHA1)",
        {
            200: ok("Stored and queued for loading.", schema_ref("StoredBlob")),
            400: error("`No POST data found`; `Malformed JSON` (stored anyway, with its `url`); "
                       "`Malformed request` (a form body that is not UTF-8)."),
            403: error("`No OAuth credentials provided.` or `Oauth verification error.` (bad signature, "
                       "unknown key, stale timestamp, replayed nonce, a wrong `oauth_body_hash` or none on a "
                       "JSON body)."),
            404: response_ref("ProjectNotFound"),
            503: response_ref("ServiceUnavailable"),
        },
        parameters=[PROJECT],
        request_body=body({"application/x-www-form-urlencoded": schema_ref("UploadForm"), "application/json": {}},
                          "The blob: form field `data` (url-quoted JSON) signed in the form, or the JSON itself "
                          "signed in `Authorization: OAuth ...`."),
        security=[{"oauth1": []}], tags=TAG,
    )


TITLE = "Shipyard: Datazilla"
DESCRIPTION = ("Datazilla's performance data API: Talos uploads (two-legged OAuth 1.0), the objectstore, raw data, "
               "per-page metrics against the trend, pushlog and perftest reference data; and Shipyard's performance "
               "alerts and graph page under the same project paths. Errors are "
               "`{\"status\", \"message\"}`.")
SECURITY_SCHEMES = {
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
}
COMPONENTS = {"schemas": SCHEMAS, "responses": RESPONSES, "securitySchemes": SECURITY_SCHEMES}
