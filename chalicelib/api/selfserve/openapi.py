"""The OpenAPI pieces every self-serve operation is built from: schemas, responses, parameters, forms.

Each operation is declared beside its handler (``@documented(read(...))``)
and the document ``/openapi/selfserve.json`` is assembled from the registered
routes (:mod:`chalicelib.api.kit.documents`).

Every answer is JSON or an HTML page (``?format=json|html``, else ``Accept``
naming ``application/json``, else HTML). Job requests (the writes) need a
bearer token and answer 202 ``{"status": "OK", "msg", "request_id"}``, or
503 when the request could not be recorded or queued (retry later); errors
are ``{"status": "FAILED", "msg"}``. A POST stands for a PUT or DELETE with
``_method`` in its query string or form. Builds and requests are the
Treeherder jobs CI systems report: ``build_id`` and ``request_id`` are job ids.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.kit.auth import PUBLIC
from chalicelib.api.kit.openapi_parts import (
    body,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
    segment,
)
from chalicelib.selfserve import actions, params, views

TAG = ["buildapi self-serve"]
OPEN = PUBLIC

# Seeded by tests/support/api_fuzzing.py (seed_selfserve), so the examples reach real answers.
EXAMPLE_BRANCH = "Selfserve-Test"
EXAMPLE_REVISION = "5e1f5e1f5e1f" + "0" * 28
EXAMPLE_JOB_REQUEST = "1"
# The job the seed's build request makes: the Treeherder seed, which runs first, makes jobs 1-6.
EXAMPLE_JOB = "7"

HTML = {"type": "string", "description": "A readable HTML page (tables)."}
INT_OR_NULL = {"type": ["integer", "null"]}
DIGITS = {"type": "string", "pattern": "^-?[0-9]+$"}


def _int_field(low: int, high: int, description: str) -> dict[str, Any]:
    """An integer form field: as a number, or its decimal digits; empty means the default (as BuildAPI)."""
    return {"type": ["integer", "string"], "pattern": "^(-?[0-9]+)?$", "minimum": low, "maximum": high,
            "description": description}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


REQUEST_FIELDS = {
    "request_id": {"type": "integer"}, "buildername": {"type": ["string", "null"]}, "branch": {"type": "string"},
    "revision": {"type": "string"}, "submittime": {"type": "integer"}, "complete": {"enum": [0, 1]},
    "complete_at": INT_OR_NULL, "priority": {"type": "integer"}, "claimed_at": {"type": "integer"},
    "reason": {"type": "string"},
}
BUILD_STATUS = {"type": ["integer", "null"], "enum": [*sorted(set(views.STATUS_OF_RESULT.values())), None],
                "description": "buildbot's result: -1 none, 0 success, 1 warnings, 2 failure, 3 skipped, "
                               "4 exception, 5 retry, 6 cancelled; null while running."}
SCHEMAS: dict[str, Any] = {
    "Status": _object({"status": {"enum": ["OK", "FAILED"]}, "msg": {"type": "string"},
                       "request_id": {"type": "integer"}}, required=["status", "msg"],
                      description="A job request's answer, or an error."),
    "Request": _object(REQUEST_FIELDS, description="A build request: a Treeherder job, pending or later."),
    "RequestDetail": {"allOf": [schema_ref("Request"), _object(
        {"properties": {"type": "object"}, "build_ids": {"type": "array", "items": {"type": "integer"}}})]},
    "Build": _object({
        "build_id": {"type": "integer"}, "requests": {"type": "array", "items": schema_ref("Request")},
        "buildnumber": {"type": "integer"}, "buildername": {"type": ["string", "null"]}, "branch": {"type": "string"},
        "revision": {"type": "string"}, "starttime": INT_OR_NULL, "endtime": INT_OR_NULL, "status": BUILD_STATUS,
        "claimed_by_name": {"type": ["string", "null"]}, "who": {"type": "string"},
    }, description="A build: a Treeherder job a machine claimed (running, or finished after a start)."),
    "BranchSummary": _object({"builds": {"type": "array", "items": schema_ref("Build")},
                              "running": {"type": "array", "items": schema_ref("Build")},
                              "pending": {"type": "array", "items": schema_ref("Request")}}),
    "Route": _object({"method": {"type": "string"}, "path": {"type": "string"}, "summary": {"type": "string"}}),
    "Branches": {"type": "object", "additionalProperties": _object(
        {"repo": {"type": "string"}, "repository": {"type": "string"},
         "alternatives": {"type": "array", "items": {"type": "string"}}}),
        "description": "Every branch by name."},
    "RevisionListing": {"type": "array", "items": {"anyOf": [schema_ref("Build"), schema_ref("Request")]},
                        "description": "The revision's builds and its pending requests, oldest first."},
    "IsDone": _object({"stableDelay": {"const": views.STABLE_DELAY}, "job_complete": {"type": "boolean"},
                       "job_passed": {"type": "boolean"}}),
    "JobRequest": _object({
        "request_id": {"type": "integer"}, "action": {"enum": list(actions.ACTIONS)}, "who": {"type": "string"},
        "when": {"type": "integer"}, "completed_at": INT_OR_NULL,
        "complete_data": {"description": "The CI's result (null until it comes): status, msg, job_guids."},
        "what": {"type": "object"}}),
}


def _both(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An answer as JSON or as an HTML page."""
    return {"description": description, "content": {"application/json": {"schema": schema},
                                                    "text/html": {"schema": HTML}}}


RESPONSES: dict[str, Any] = {
    "BadRequest": _both("A missing or bad parameter (`Bad priority`, `Bad build_id`, `Non-integer build_id`, "
                        "`Request already complete`, `Bad format`, ...).", schema_ref("Status")),
    "Forbidden": _both("No bearer token, an unknown one, or not the requester nor an admin.", schema_ref("Status")),
    "NotFound": _both("No such branch, build, request, revision or job request.", schema_ref("Status")),
    "NotAllowed": _both("`_method` names a method this path does not have.", schema_ref("Status")),
    "ServiceUnavailable": _both("The job request could not be recorded or queued, or storage is unavailable; "
                                "retry later.", schema_ref("Status")),
}

FORMAT = query_param("format", "`json` or `html`; without it, `Accept: application/json` chooses JSON, else HTML.",
                     {"enum": ["json", "html"]})
METHOD = query_param("_method", "`PUT` or `DELETE`: the POST stands for that method (any other value is ignored).")
DATE = query_param("date", "A UTC day, `YYYY-MM-DD` (default today).",
                   {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
NUM = query_param("num", "How many (default 100).", {"type": "integer", "minimum": 1, "maximum": 1000})
OFFSET = query_param("offset", "How many newest to skip (default 0).",
                     {"type": "integer", "minimum": 0, "maximum": 10_000})
BRANCH = path_param("branch", "A branch: its name, an alternative name, or its Treeherder repository name.",
                    segment(200), example=EXAMPLE_BRANCH)
BUILD_ID = path_param("build_id", "A build id (a job id).", DIGITS, example=EXAMPLE_JOB)
REQUEST_ID = path_param("request_id", "A build request id (a job id).", DIGITS, example=EXAMPLE_JOB)
JOB_ID = path_param("job_id", "A job request id.", DIGITS, example=EXAMPLE_JOB_REQUEST)
REVISION = path_param("revision", "A changeset: 12 to 40 hexadecimal digits (a prefix names it).",
                      {"type": "string", "pattern": "^[0-9a-fA-F]{12,40}$"}, example=EXAMPLE_REVISION)
BUILDER = path_param("builder", "A builder name.", segment(100), example="Linux x86-64 build")
USER = path_param("user", "A user (who asked for the builds).", segment(), example="admin")

PRIORITY = _int_field(-params.MAX_PRIORITY, params.MAX_PRIORITY, "Higher runs first; default 0.")
COUNT = _int_field(1, params.MAX_COUNT, "How many times (default 1).")
ID_FIELD = _int_field(1, params.MAX_ID - 1, "A job id.")

READ_ERRORS = {400: response_ref("BadRequest"), 404: response_ref("NotFound"),
               503: response_ref("ServiceUnavailable")}
WRITE_ERRORS = {400: response_ref("BadRequest"), 403: response_ref("Forbidden"), 404: response_ref("NotFound"),
                503: response_ref("ServiceUnavailable")}
ACCEPTED = {202: _both("Accepted: the job request is recorded and queued; see `/self-serve/jobs/{request_id}`.",
                       schema_ref("Status"))}


def form(properties: dict[str, Any], required: list[str], description: str) -> dict[str, Any]:
    fields = {"_method": {"type": "string", "description": "PUT or DELETE: what this POST stands for."},
              **properties}
    return body({"application/x-www-form-urlencoded": {"type": "object", "properties": fields,
                                                        "required": required}},
                description, required=bool(required))


def read(operation_id: str, summary: str, schema: dict[str, Any], parameters: list[Any],
         errors: dict[Any, Any] | None = None) -> dict[str, Any]:
    """A read: open to anyone, its value ``schema`` as JSON or HTML, the read errors unless ``errors``."""
    return operation(operation_id, summary, {200: _both(summary + ".", schema), **(errors or READ_ERRORS)},
                     parameters=[*parameters, FORMAT], security=OPEN, tags=TAG)


def write(operation_id: str, summary: str, parameters: list[Any], fields: dict[str, Any] | None = None,
          overridden: bool = False, description: str | None = None) -> dict[str, Any]:
    """A job request: a user needed, 202 or an error; ``overridden``: a POST standing for a PUT or DELETE.
    Any form's ``_method`` may name a method the path lacks, so every form write documents that 405."""
    errors = {**WRITE_ERRORS, **({405: response_ref("NotAllowed")} if overridden or fields is not None else {})}
    extra = [METHOD] if overridden else []
    return operation(operation_id, summary, {**ACCEPTED, **errors}, parameters=[*parameters, *extra, FORMAT],
                     request_body=fields, security=AUTHED, tags=TAG, description=description)


def rebuild(operation_id: str, summary: str, id_field: str) -> dict[str, Any]:
    return write(operation_id, summary, [BRANCH],
                 form({id_field: ID_FIELD, "priority": PRIORITY, "count": COUNT}, [id_field],
                      f"`{id_field}`; `priority` (0) and `count` (1)."))


NO_FORM = form({}, [], "Nothing is needed; `_method` may stand for another method.")
PRIORITY_FORM = form({"priority": PRIORITY}, [], "`priority` (default 0).")
SECURITY_SCHEMES = {
    "basic": {"type": "http", "scheme": "basic",
              "description": "A user's password, set with `shipyard user password` (stored as an scrypt "
                             "hash), as BuildAPI's clients sent it to its LDAP front end. Local stack: "
                             "`admin` / `shipyard-dev-password`."},
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A token of `shipyard token create`. Local stack: `shipyard-dev-token` "
                              "(user `admin`)."}}
AUTHED = [{name: []} for name in SECURITY_SCHEMES]
COMPONENTS = {"schemas": SCHEMAS, "responses": RESPONSES, "securitySchemes": SECURITY_SCHEMES}
