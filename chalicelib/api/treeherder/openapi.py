"""The OpenAPI pieces every Treeherder operation is built from: schemas, responses, parameters, ``read``.

Each operation is declared beside its handler (``@documented(read(...))``)
and the document ``/openapi/treeherder.json`` is assembled from the
registered routes (:mod:`chalicelib.api.kit.documents`). Paths are the
app's own, under the ``/treeherder`` mount (what
``TreeherderClient(server_url=".../treeherder")`` calls). Errors are
Treeherder's ``{"detail": ...}``. Every operation first applies the client
policy: 403 ``Forbidden user agent`` for the default agents of generic HTTP
libraries, 406 for an ``Accept`` asking for an API version other than 1.0.
A project route answers 404 for an unknown project. Job submission is signed
with Hawk, which OpenAPI can only name as an HTTP scheme: an unsigned or badly
signed request's 403 is part of that operation.
"""

from __future__ import annotations

import copy
from typing import Any

from chalicelib.api.kit.auth import PUBLIC
from chalicelib.api.kit.openapi_parts import (
    answer,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
)
from chalicelib.api.treeherder import render
from chalicelib.treeherder import push_query
from chalicelib.treeherder.client_policy import FORBIDDEN_USER_AGENT_PREFIXES, SUPPORTED_VERSIONS
from chalicelib.treeherder.job_schema import SCHEMA as JOB_MESSAGE_SCHEMA

TAG = ["treeherder"]
PERF_TAG = ["perfherder"]
# What the local stack's Treeherder seed makes (tests/support/api_fuzzing.py checks they are there): repository
# mozilla-central, its pushes (the first pushes of the stack), a job on each, and the Perfherder series of its
# Talos runs' page amazon.com.
EXAMPLE_PROJECT = "mozilla-central"
EXAMPLE_PUSH = 4
EXAMPLE_JOB = 1
EXAMPLE_SIGNATURE = "6b79a229f6c10be1e62162a2e22c43f64a35932b"

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
STRING_OR_NULL = {"type": ["string", "null"]}
INT_OR_NULL = {"type": ["integer", "null"]}
# Values of an integer query parameter: empty means "not given".
COMMA_INTEGERS = {"type": "string", "description": "Integers, comma-separated (the parameter may also repeat)."}
HEX_REVISION = {"type": "string", "pattern": "^[0-9a-fA-F]{0,40}$"}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


NAMED = array(obj({"id": INTEGER, "name": STRING}))  # reference data: id and name of each


JOB_TYPES: dict[str, Any] = {name: STRING for name in render.JOB_PROPERTY_NAMES}
JOB_TYPES.update({name: INTEGER for name in (
    "build_platform_id", "end_timestamp", "failure_classification_id", "id", "job_group_id", "job_type_id",
    "push_id", "result_set_id", "start_timestamp", "submit_timestamp", "tier")})


def _job_message() -> dict[str, Any]:
    """The job schema the route validates with, as a component (without its own ``$schema``)."""
    schema = copy.deepcopy(JOB_MESSAGE_SCHEMA)
    schema.pop("$schema", None)
    return schema


SCHEMAS: dict[str, Any] = {
    "Detail": obj({"detail": STRING}, description="Treeherder's error body."),
    "Revision": obj({"result_set_id": INTEGER, "repository_id": INTEGER, "revision": STRING, "author": STRING,
                         "comments": STRING}),
    "Push": obj({
        "id": INTEGER, "revision": STRING, "author": STRING,
        "revisions": {**array(schema_ref("Revision")), "maxItems": render.MAX_REVISIONS,
                      "description": "The newest commits first."},
        "revision_count": INTEGER, "push_timestamp": INTEGER, "repository_id": INTEGER,
    }),
    "PushList": obj({
        "meta": obj({"count": INTEGER, "repository": STRING, "filter_params": {"type": "object"},
                         **{name: STRING for name in push_query.META_PARAMS}},
                        required=["count", "repository", "filter_params"]),
        "results": array(schema_ref("Push")),
    }),
    "Job": obj(JOB_TYPES, description="A job in Treeherder's field names."),
    "JobWithLogs": {"allOf": [schema_ref("Job"), obj({
        "logs": array(obj({"name": STRING, "url": STRING})), "resource_uri": STRING,
        "autoclassify_status": {"enum": ["pending", "crossreferenced", "autoclassified", "skipped", "failed"]}})]},
    "JobList": {"oneOf": [
        obj({"meta": schema_ref("JobListMeta"), "results": array(schema_ref("Job"))}, additionalProperties=False),
        obj({"meta": schema_ref("JobListMeta"),
                 "job_property_names": {"type": "array", "items": {"enum": list(render.JOB_PROPERTY_NAMES)}},
                 "results": array({"type": "array", "minItems": len(render.JOB_PROPERTY_NAMES),
                                   "maxItems": len(render.JOB_PROPERTY_NAMES)})},
                additionalProperties=False),
    ], "description": "Jobs as objects (`return_type=dict`, the default) or as rows of `job_property_names`."},
    "JobListMeta": obj({"repository": STRING, "offset": INTEGER, "count": INTEGER}),
    "JobMessage": _job_message(),
    "SubmittedJobs": obj({
        "message": {"enum": ["Job successfully updated", "Job(s) stored; some wait for their push to be synced"]},
        "client_id": STRING,
        "jobs": array(obj({"job_guid": STRING, "status": {"enum": ["created", "updated", "stale", "waiting"]},
                               "id": INT_OR_NULL, "push_id": INT_OR_NULL})),
    }),
    "JobLog": obj({"id": INTEGER, "job_id": INTEGER, "name": STRING_OR_NULL, "url": STRING_OR_NULL,
                       "parse_status": STRING}),
    "JobDetailPage": obj({
        "next": {"type": ["string", "null"], "format": "uri"},
        "previous": {"type": ["string", "null"], "format": "uri"},
        "results": array(obj({"job_id": INTEGER, "job_guid": STRING, "title": STRING_OR_NULL,
                                  "value": STRING_OR_NULL, "url": STRING_OR_NULL})),
    }),
    "Repository": obj({
        "id": INTEGER, "repository_group": obj({"name": STRING, "description": STRING}), "name": STRING,
        "dvcs_type": {"const": "hg"}, "url": STRING, "branch": {"type": "null"}, "codebase": STRING,
        "description": STRING, "active_status": STRING, "performance_alerts_enabled": {"type": "boolean"},
        "expire_performance_data": {"type": "boolean"}, "is_try_repo": {"type": "boolean"},
    }),
    "Signature": obj({
        "id": INTEGER, "framework_id": INTEGER, "option_collection_hash": STRING, "machine_platform": STRING,
        "suite": STRING, "test": STRING, "lower_is_better": {"type": "boolean"}, "has_subtests": {"type": "boolean"},
        "extra_options": array(STRING), "parent_signature": STRING_OR_NULL,
    }),
    "PerfDatum": obj({
        "signature_id": INTEGER, "id": INTEGER, "job_id": INT_OR_NULL, "push_id": INTEGER,
        "push_timestamp": INTEGER, "value": {"type": "number"}, "revision": STRING,
    }),
}


def detail_response(description: str) -> dict[str, Any]:
    return answer(description, schema_ref("Detail"))


RESPONSES: dict[str, Any] = {
    "BadRequest": detail_response("A parameter is wrong, or a value is too large for the store."),
    "ForbiddenAgent": detail_response("`Forbidden user agent`: a generic HTTP library's default User-Agent "
                              f"(starting with one of {', '.join(repr(p) for p in FORBIDDEN_USER_AGENT_PREFIXES)})."),
    "NotAcceptable": detail_response("`Invalid version in \"Accept\" header.`: `Accept` asks for an API version other "
                             f"than {', '.join(SUPPORTED_VERSIONS)}."),
    "ProjectNotFound": detail_response("`No project with name <project>`."),
    "NotFound": detail_response("No such project, or nothing with that id in it."),
    "ServiceUnavailable": detail_response("Storage is unavailable; retry later."),
    "UnsupportedMediaType": detail_response("`Unsupported media type \"<type>\" in request.`: the body's "
                                            "`Content-Type` is not one the operation parses."),
}

POLICY = {403: response_ref("ForbiddenAgent"), 406: response_ref("NotAcceptable"),
          503: response_ref("ServiceUnavailable")}
PROJECT_ERRORS = {400: response_ref("BadRequest"), 404: response_ref("ProjectNotFound"), **POLICY}

PROJECT = path_param("project", "A Treeherder repository: its name (`mozilla-inbound`) or its branch's name.",
                     example=EXAMPLE_PROJECT)


def int_query(name: str, description: str, **bounds: Any) -> dict[str, Any]:
    return query_param(name, description, {"type": "integer", **bounds})


def read(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any] | None = None,
         description: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    """A GET anyone may make (Treeherder's reads need no credentials)."""
    return operation(operation_id, summary, responses, parameters=parameters, security=PUBLIC,
                     description=description, tags=tags or TAG)


PULSE_JOB = {"type": "object",
             "required": ["taskId", "origin", "buildSystem", "display", "state", "jobKind", "version"],
             "description": "A job as Treeherder's published Pulse job message (schemas/pulse-job.yml, version 1); "
                            "its project is `origin.project`."}


# JobsViewSet.retrieve / similar_jobs answer an unknown job with a bare JSON string, not {"detail"}.
NO_JOB = answer("`\"No job with id: <id>\"` (a JSON string, as Treeherder answers), or the project's "
                "`{\"detail\": \"No project with name <p>\"}`.",
                {"oneOf": [{"type": "string"}, schema_ref("Detail")]})

SECURITY_SCHEMES = {"hawk": {
    "type": "http", "scheme": "Hawk",
    "description": "Hawk (SHA-256, payload hash required) with a client of `shipyard hawk create`. Local "
                   "stack: `treeherder-dev` / `treeherder-dev-secret`.",
}}
COMPONENTS = {"schemas": SCHEMAS, "responses": RESPONSES, "securitySchemes": SECURITY_SCHEMES}
