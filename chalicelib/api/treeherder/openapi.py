"""The OpenAPI document of the Treeherder family: every route of ``chalicelib/api/treeherder``.

Paths are the app's own, under the ``/treeherder`` mount (what
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

from chalicelib.api.kit.openapi_parts import (
    answer,
    body,
    document,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
)
from chalicelib.api.treeherder import render
from chalicelib.api.treeherder.jobs import MAX_MESSAGES_PER_POST
from chalicelib.services.treeherder import job_listing
from chalicelib.treeherder import job_query, push_query
from chalicelib.treeherder.client_policy import FORBIDDEN_USER_AGENT_PREFIXES, SUPPORTED_VERSIONS
from chalicelib.treeherder.job_schema import SCHEMA as JOB_MESSAGE_SCHEMA

FAMILY = "treeherder"
MOUNT = "/treeherder"
PROJECT_PATH = f"{MOUNT}/api/project/{{project}}"
TAG = ["treeherder"]
PERF_TAG = ["perfherder"]
NO_AUTH: list[dict[str, list[str]]] = []
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


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


def _list(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


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
    "Detail": _object({"detail": STRING}, description="Treeherder's error body."),
    "Revision": _object({"result_set_id": INTEGER, "repository_id": INTEGER, "revision": STRING, "author": STRING,
                         "comments": STRING}),
    "Push": _object({
        "id": INTEGER, "revision": STRING, "author": STRING,
        "revisions": {**_list(schema_ref("Revision")), "maxItems": render.MAX_REVISIONS,
                      "description": "The newest commits first."},
        "revision_count": INTEGER, "push_timestamp": INTEGER, "repository_id": INTEGER,
    }),
    "PushList": _object({
        "meta": _object({"count": INTEGER, "repository": STRING, "filter_params": {"type": "object"},
                         **{name: STRING for name in push_query.META_PARAMS}},
                        required=["count", "repository", "filter_params"]),
        "results": _list(schema_ref("Push")),
    }),
    "Job": _object(JOB_TYPES, description="A job in Treeherder's field names."),
    "JobWithLogs": {"allOf": [schema_ref("Job"), _object({
        "logs": _list(_object({"name": STRING, "url": STRING})), "resource_uri": STRING,
        "autoclassify_status": {"enum": ["pending", "crossreferenced", "autoclassified", "skipped", "failed"]}})]},
    "JobList": {"oneOf": [
        _object({"meta": schema_ref("JobListMeta"), "results": _list(schema_ref("Job"))}, additionalProperties=False),
        _object({"meta": schema_ref("JobListMeta"),
                 "job_property_names": {"type": "array", "items": {"enum": list(render.JOB_PROPERTY_NAMES)}},
                 "results": _list({"type": "array", "minItems": len(render.JOB_PROPERTY_NAMES),
                                   "maxItems": len(render.JOB_PROPERTY_NAMES)})},
                additionalProperties=False),
    ], "description": "Jobs as objects (`return_type=dict`, the default) or as rows of `job_property_names`."},
    "JobListMeta": _object({"repository": STRING, "offset": INTEGER, "count": INTEGER}),
    "JobMessage": _job_message(),
    "SubmittedJobs": _object({
        "message": {"enum": ["Job successfully updated", "Job(s) stored; some wait for their push to be synced"]},
        "client_id": STRING,
        "jobs": _list(_object({"job_guid": STRING, "status": {"enum": ["created", "updated", "stale", "waiting"]},
                               "id": INT_OR_NULL, "push_id": INT_OR_NULL})),
    }),
    "JobLog": _object({"id": INTEGER, "job_id": INTEGER, "name": STRING_OR_NULL, "url": STRING_OR_NULL,
                       "parse_status": STRING}),
    "JobDetailPage": _object({
        "next": {"type": ["string", "null"], "format": "uri"},
        "previous": {"type": ["string", "null"], "format": "uri"},
        "results": _list(_object({"job_id": INTEGER, "job_guid": STRING, "title": STRING_OR_NULL,
                                  "value": STRING_OR_NULL, "url": STRING_OR_NULL})),
    }),
    "Repository": _object({
        "id": INTEGER, "repository_group": _object({"name": STRING, "description": STRING}), "name": STRING,
        "dvcs_type": {"const": "hg"}, "url": STRING, "branch": {"type": "null"}, "codebase": STRING,
        "description": STRING, "active_status": STRING, "performance_alerts_enabled": {"type": "boolean"},
        "expire_performance_data": {"type": "boolean"}, "is_try_repo": {"type": "boolean"},
    }),
    "Signature": _object({
        "id": INTEGER, "framework_id": INTEGER, "option_collection_hash": STRING, "machine_platform": STRING,
        "suite": STRING, "test": STRING, "lower_is_better": {"type": "boolean"}, "has_subtests": {"type": "boolean"},
        "extra_options": _list(STRING), "parent_signature": STRING_OR_NULL,
    }),
    "PerfDatum": _object({
        "signature_id": INTEGER, "id": INTEGER, "job_id": INT_OR_NULL, "push_id": INTEGER,
        "push_timestamp": INTEGER, "value": {"type": "number"}, "revision": STRING,
    }),
}


def _detail(description: str) -> dict[str, Any]:
    return answer(description, schema_ref("Detail"))


RESPONSES: dict[str, Any] = {
    "BadRequest": _detail("A parameter is wrong, or a value is too large for the store."),
    "ForbiddenAgent": _detail("`Forbidden user agent`: a generic HTTP library's default User-Agent "
                              f"(starting with one of {', '.join(repr(p) for p in FORBIDDEN_USER_AGENT_PREFIXES)})."),
    "NotAcceptable": _detail("`Invalid version in \"Accept\" header.`: `Accept` asks for an API version other "
                             f"than {', '.join(SUPPORTED_VERSIONS)}."),
    "ProjectNotFound": _detail("`No project with name <project>`."),
    "NotFound": _detail("No such project, or nothing with that id in it."),
    "ServiceUnavailable": _detail("Storage is unavailable; retry later."),
}

POLICY = {403: response_ref("ForbiddenAgent"), 406: response_ref("NotAcceptable"),
          503: response_ref("ServiceUnavailable")}
PROJECT_ERRORS = {400: response_ref("BadRequest"), 404: response_ref("ProjectNotFound"), **POLICY}

PROJECT = path_param("project", "A Treeherder repository: its name (`mozilla-inbound`) or its branch's name.",
                     example=EXAMPLE_PROJECT)


def _int(name: str, description: str, **bounds: Any) -> dict[str, Any]:
    return query_param(name, description, {"type": "integer", **bounds})


def _get(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any] | None = None,
         description: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    return {"get": operation(operation_id, summary, responses, parameters=parameters, security=NO_AUTH,
                             description=description, tags=tags or TAG)}


def _pushes() -> dict[str, Any]:
    params = [
        PROJECT,
        _int("count", f"Pushes per answer (default {push_query.DEFAULT_COUNT}; at most {push_query.MAX_COUNT}, "
                      f"or {push_query.MAX_PAGED_COUNT} with `offset`).", minimum=0,
             maximum=push_query.MAX_PAGED_COUNT),
        _int("offset", "Pushes to skip.", minimum=0),
        *(query_param(name, "A revision (hex, up to 40 characters; 12 usually).", HEX_REVISION)
          for name in ("revision", "commit_revision", "fromchange", "tochange")),
        query_param("startdate", "First day (`YYYY-MM-DD`, or an ISO date-time), UTC."),
        query_param("enddate", "Last day (`YYYY-MM-DD`, or an ISO date-time), UTC, inclusive."),
        *(query_param(f"push_timestamp__{op}", "A bound on the push time (unix seconds).", {"type": "number"})
          for op in ("lt", "lte", "gt", "gte")),
        *(_int(name, "A bound on the push id (0: none).") for name in ("id", "id__lt", "id__lte", "id__gt",
                                                                      "id__gte")),
        query_param("id__in", "Only these push ids.", COMMA_INTEGERS),
        query_param("author", "Only this pusher's pushes; `-<author>`: every other pusher's."),
    ]
    return {
        f"{PROJECT_PATH}/push": _get("push_list", "A repository's pushes, newest first", {
            200: answer("The pushes and how the query was read.", schema_ref("PushList")), **PROJECT_ERRORS}, params),
        f"{PROJECT_PATH}/push/{{push_id}}": _get("push_detail", "One push", {
            200: answer("The push.", schema_ref("Push")), 400: response_ref("BadRequest"),
            404: response_ref("NotFound"), **POLICY},
            [PROJECT, path_param("push_id", "The push id (`id` of the push list).", {"type": "integer"},
                                 example=EXAMPLE_PUSH)]),
    }


PULSE_JOB = {"type": "object",
             "required": ["taskId", "origin", "buildSystem", "display", "state", "jobKind", "version"],
             "description": "A job as Treeherder's published Pulse job message (schemas/pulse-job.yml, version 1); "
                            "its project is `origin.project`."}


# JobsViewSet.retrieve / similar_jobs answer an unknown job with a bare JSON string, not {"detail"}.
NO_JOB = answer("`\"No job with id: <id>\"` (a JSON string, as Treeherder answers), or the project's "
                "`{\"detail\": \"No project with name <p>\"}`.",
                {"oneOf": [{"type": "string"}, schema_ref("Detail")]})


def _jobs() -> dict[str, Any]:
    list_params = [
        PROJECT,
        _int("count", f"Jobs per answer (default {job_query.DEFAULT_COUNT}).", minimum=0, maximum=job_query.MAX_COUNT),
        _int("offset", "Jobs to skip.", minimum=0),
        query_param("return_type", "`dict` (default): objects; `list`: rows of `job_property_names` (any case).",
                    {"type": "string", "pattern": "^([dD][iI][cC][tT]|[lL][iI][sS][tT])?$"}),
        _int("push_id", "Only this push's jobs."),
        _int("result_set_id", "`push_id`'s older name."),
        _int("id", "Only this job."),
        query_param("id__in", "Only these jobs.", COMMA_INTEGERS),
        query_param("last_modified__gt", "Only jobs changed after this ISO 8601 date-time."),
        *(query_param(name, f"Only jobs whose `{name}` is this.") for name in job_query.STRING_FILTERS),
        *(_int(name, f"Only jobs whose `{name}` is this.") for name in job_query.INT_FILTERS),
        *(_int(f"{name}__{op}", f"A bound on `{name}`.") for name in job_query.RANGES
          for op in ("lt", "lte", "gt", "gte")),
        _int("tier", "Only jobs of this tier."),
        *(query_param(f"{name}__in", f"Only jobs with one of these `{name}`s.", COMMA_INTEGERS)
          for name in ("tier", "push_id")),
        query_param("job_guid__in", "Only jobs with one of these guids (comma-separated)."),
        *(query_param(f"{name}{op}", f"A bound on `{name}` (ISO 8601 date-time, UTC when it names no offset).")
          for name in (*job_query.TIME_RANGES, "last_modified") for op in ("", "__lt", "__lte", "__gte")),
        *(query_param(f"{name}__gt", f"A bound on `{name}` (ISO 8601 date-time).") for name in job_query.TIME_RANGES),
        *(query_param(name, f"Only jobs whose `{name}` is exactly this (unix seconds).", {"type": "number"})
          for name in ("submit_timestamp", "start_timestamp", "end_timestamp")),
    ]
    similar_params = [PROJECT, path_param("job_id", "The job id.", {"type": "integer"}, example=EXAMPLE_JOB),
                      *[p for p in list_params[1:] if p["name"] != "count"],
                      _int("count", f"Jobs per answer (default {job_query.SIMILAR_COUNT}).", minimum=0,
                           maximum=job_query.MAX_COUNT)]
    submit = operation(
        "submit_jobs", "Submit job messages (Hawk-signed)",
        {200: answer("Every job landed on its push.", schema_ref("SubmittedJobs")),
         202: answer("Stored; some jobs wait for their push to be synced.", schema_ref("SubmittedJobs")),
         400: _detail("A message does not follow the job schema (the reason names the field, never its value), "
                      "names another project, or its revision names a commit that is not a push's tip."),
         403: _detail("`Authentication credentials were not provided.` (no Hawk header), `No authorised "
                      "credentials found with id <id>` (unknown client), `Hawk authentication failed: The token has "
                      "expired. Is your system clock correct?` (stale timestamp), `Hawk authentication failed: The "
                      "request header was malformed`, `Hawk authentication failed` (bad signature, replayed nonce, "
                      "wrong payload hash: hawkrest says no more), or `Forbidden user agent`."),
         404: response_ref("ProjectNotFound"), 406: response_ref("NotAcceptable"),
         503: response_ref("ServiceUnavailable")},
        parameters=[PROJECT],
        request_body=body({"application/json": {"oneOf": [
            schema_ref("JobMessage"), PULSE_JOB,
            {"type": "array", "items": {"oneOf": [schema_ref("JobMessage"), PULSE_JOB]}, "minItems": 1,
             "maxItems": MAX_MESSAGES_PER_POST}]}},
            f"One job message or a list of 1 to {MAX_MESSAGES_PER_POST}; all are validated before any is stored."),
        security=[{"hawk": []}], tags=TAG,
        description="For CI systems that cannot reach the job queue. schemathesis cannot sign Hawk requests: "
                    "the real client tests (mohawk) cover the signed answers.",
    )
    return {
        f"{PROJECT_PATH}/jobs": {
            **_get("job_list", "A repository's jobs, by id", {
                200: answer("The jobs.", schema_ref("JobList")), **PROJECT_ERRORS}, list_params),
            "post": submit,
        },
        f"{PROJECT_PATH}/jobs/{{job_id}}": _get("job_detail", "One job, with its logs", {
            200: answer("The job.", schema_ref("JobWithLogs")), 400: response_ref("BadRequest"),
            404: NO_JOB, **POLICY},
            [PROJECT, path_param("job_id", "The job id.", {"type": "integer"}, example=EXAMPLE_JOB)]),
        f"{PROJECT_PATH}/jobs/{{job_id}}/similar_jobs": _get(
            "similar_jobs", "Jobs of the same type, the latest started first", {
                200: answer("The jobs (the job itself left out).", schema_ref("JobList")),
                400: response_ref("BadRequest"), 404: NO_JOB, **POLICY},
            similar_params,
            description=f"The job list's filters apply. A filtered read stops after "
                        f"{job_listing.MAX_SCANNED} jobs of the repository, newest first."),
        f"{PROJECT_PATH}/job-log-url": _get("job_log_urls", "The log references of jobs", {
            200: answer("The logs, by job.", _list(schema_ref("JobLog"))), **PROJECT_ERRORS},
            [PROJECT, query_param("job_id", "The jobs.", COMMA_INTEGERS, required=True, example=str(EXAMPLE_JOB))]),
        f"{MOUNT}/api/jobdetail": _get("job_details", "Details of jobs or of a push's jobs, a page at a time", {
            200: answer("A page; `next`/`previous` link the neighbouring pages.", schema_ref("JobDetailPage")),
            400: _detail("No filter (one of `job_guid`, `job__guid`, `job_id`, `job_id__in`, `push_id`), or a "
                         "wrong value."), **POLICY},
            [query_param("job_guid", "A job's guid."), query_param("job__guid", "`job_guid`'s other name."),
             query_param("job_id", "Jobs.", COMMA_INTEGERS, example=str(EXAMPLE_JOB)),
             query_param("job_id__in", "Jobs.", COMMA_INTEGERS),
             _int("push_id", "A push's jobs."), query_param("repository", "Only details of this repository."),
             query_param("title", "Only details with this title."),
             query_param("value", "Only details with this value."),
             _int("limit", "Details per page (0 or absent: the most, 2000).", minimum=0),
             _int("count", "`limit` when `limit` is absent.", minimum=0),
             _int("offset", "Details to skip.", minimum=0)]),
    }


def _reference() -> dict[str, Any]:
    named = _list(_object({"id": INTEGER, "name": STRING}))
    return {
        f"{MOUNT}/docs": {"get": operation(
            "api_docs", "This API's browsable documentation (HTML, self-contained)",
            {200: {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}}},
            security=NO_AUTH, tags=TAG)},
        f"{MOUNT}/api/repository": _get("repositories", "Every repository (a pushlog branch each)", {
            200: answer("The repositories, by id.", _list(schema_ref("Repository"))), **POLICY}),
        f"{MOUNT}/api/optioncollectionhash": _get("option_collection_hashes", "Build option collections", {
            200: answer("Each hash with its options.", _list(_object({
                "option_collection_hash": STRING, "options": _list(_object({"name": STRING}))}))), **POLICY}),
        f"{MOUNT}/api/failureclassification": _get("failure_classifications", "Failure classifications", {
            200: answer("Id and name of each.", named), **POLICY}),
        f"{MOUNT}/api/performance/framework": _get("performance_frameworks", "Performance frameworks", {
            200: answer("Id and name of each.", named), **POLICY}, tags=PERF_TAG),
    }


def _perfherder() -> dict[str, Any]:
    return {
        f"{PROJECT_PATH}/performance/signatures": _get(
            "performance_signatures", "A repository's performance series", {
                200: answer("Signature hash → series.", {"type": "object",
                                                         "additionalProperties": schema_ref("Signature")}),
                **PROJECT_ERRORS},
            [PROJECT, query_param("signature", "Only these hashes (comma-separated or repeated)."),
             query_param("framework", "Only these framework ids.", COMMA_INTEGERS),
             query_param("platform", "Only this machine platform (repeat for more)."),
             _int("interval", "Only series with data in the last this many seconds."),
             query_param("start_date", "Only series updated after this ISO date-time."),
             query_param("end_date", "Only series updated before this ISO date-time."),
             query_param("subtests", "`0`: no subtest series.", {"enum": ["", "0", "1"]}),
             query_param("id", "Only these signature ids.", COMMA_INTEGERS)],
            tags=PERF_TAG),
        f"{PROJECT_PATH}/performance/data": _get(
            "performance_data", "The points of performance series, oldest push first", {
                200: answer("Signature hash → points.", {"type": "object",
                                                        "additionalProperties": _list(schema_ref("PerfDatum"))}),
                400: answer("Treeherder's refusals in its shapes: `[\"Need to specify either signature_id, "
                            "signatures, push_id, or job_id\"]`, `[\"Can't specify both signature_id and signatures "
                            "in same query\"]`, `{\"message\": \"Provide either interval only -or- start (and end) "
                            "date\"}`, `{\"message\": \"Job id(s) must be specified as integers\"}`; another wrong "
                            "value is `{\"detail\"}`.",
                            {"oneOf": [_list(STRING), _object({"message": STRING}, required=["message"]),
                                       schema_ref("Detail")]}),
                404: response_ref("ProjectNotFound"), **POLICY},
            [PROJECT, query_param("signatures", "Signature hashes (comma-separated or repeated).",
                                  example=EXAMPLE_SIGNATURE),
             query_param("signature", "`signatures`' other name."),
             query_param("signature_id", "Signature ids (not with `signatures`).", COMMA_INTEGERS),
             _int("interval", "Only the last this many seconds (not with `start_date`/`end_date`).", minimum=1),
             query_param("start_date", "Only pushes after this ISO date-time (UTC when it names no offset)."),
             query_param("end_date", "Only pushes before this ISO date-time."),
             query_param("startday", "First day (`YYYY-MM-DD`), UTC."),
             query_param("endday", "Last day (`YYYY-MM-DD`), UTC, inclusive."),
             query_param("push_id", "Only these pushes' points (every series of the repository when no "
                                    "signature is named).", COMMA_INTEGERS),
             query_param("job_id", "Only these jobs' points: Shipyard's points come from Datazilla runs and name "
                                   "no job, so none.", COMMA_INTEGERS),
             query_param("framework", "Only series of these framework ids.", COMMA_INTEGERS)],
            tags=PERF_TAG),
    }


def build() -> dict[str, Any]:
    return document(
        FAMILY, "Shipyard: Treeherder and Perfherder",
        "Treeherder's pushes, jobs (read, and Hawk-signed submission), job logs and details, reference data, and "
        "Perfherder's performance signatures and data, under `/treeherder` (treeherder-client's `server_url`). "
        "Errors are `{\"detail\"}`. Generic HTTP libraries' default User-Agents are refused (403) so every client "
        "names itself; no User-Agent at all is allowed.",
        {**_pushes(), **_jobs(), **_reference(), **_perfherder()},
        {"schemas": SCHEMAS, "responses": RESPONSES, "securitySchemes": {"hawk": {
            "type": "http", "scheme": "Hawk",
            "description": "Hawk (SHA-256, payload hash required) with a client of `shipyard hawk create`. Local "
                           "stack: `treeherder-dev` / `treeherder-dev-secret`.",
        }}},
    )
