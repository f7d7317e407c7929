"""The OpenAPI pieces every KernelCI operation is built from: schemas, responses, parameters, helpers.

Each resource's module gives, beside its handlers, the operations of the
verbs it implements for each of its paths (:class:`Alias`); the family
(:func:`chalicelib.api.kernelci.family.resource`) adds the answers to every
other method (:func:`unsupported`) and registers them with the routes, so the
document ``/openapi/kernelci.json`` is assembled from the registered routes
and an alias cannot be left out.

Every answer is the backend's envelope ``{"code", "result", "count", "limit",
"skip", "reason", "errors", "messages"}`` as ``application/json;
charset=UTF-8``, gzip-compressed for a client that accepts it. Each path
takes every method: what a resource does not implement is 501 (PUT...) past
the token check (403 without one), except where the backend refuses a verb
outright (``/count`` and ``/version`` POST and DELETE, the distinct
resources' writes); what the backend never does is 405 (PATCH, HEAD),
OPTIONS lists the verbs. The token (``Authorization: <token>``, no scheme
word) is checked after the API version and the verb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.api.kernelci.envelope import STATUS_MESSAGES
from chalicelib.api.kit import openapi_parts as parts
from chalicelib.kernelci import keys, regressions
from chalicelib.kernelci.documents import BUILD_IDENTITY, build_fields, derived_id, job_id

TOKEN = [{"token": []}]
NO_AUTH: list[dict[str, list[str]]] = []
ALL = ("get", "post", "put", "delete", "patch", "head", "options")
VERBS = ("get", "post", "put", "delete")
# The tag of the operations a resource does not implement: the backend answers them 501 by design, the one 5xx a
# client gets for its own request (the fuzz tests accept it there and nowhere else).
NOT_IMPLEMENTED_TAG = "not implemented"

# The build, test results and regression the document's examples name; the local stack's seed for the fuzz tests
# (tests/support/api_fuzzing.py) posts exactly these, and the ids follow from them as the import derives them.
EXAMPLE_BUILD = {"job": "mainline", "git_branch": "master", "kernel": "v5.8", "arch": "arm64",
                 "defconfig": "defconfig", "build_environment": "gcc-8",
                 "file_server_resource": "mainline/master/v5.8/arm64/defconfig/gcc-8"}
EXAMPLE_GROUP = {"name": "baseline", "lab_name": "lab-collabora", "arch": "arm64", "defconfig": "defconfig",
                 "build_environment": "gcc-8", "device_type": "rk3399-gru-kevin", "git_branch": "master",
                 "git_commit": "a" * 40, "job": "mainline", "kernel": "v5.8",
                 "test_cases": [{"name": "login", "status": "FAIL"}]}
EXAMPLE_CASE = "login"
EXAMPLE_TOKEN_VALUE = "kernelci-dev-token"  # noqa: S105 - the local stack's documented development token


def example_job_id() -> str:
    return job_id(EXAMPLE_BUILD["job"], EXAMPLE_BUILD["git_branch"], EXAMPLE_BUILD["kernel"])


def example_build_id() -> str:
    fields = build_fields(EXAMPLE_BUILD)
    return derived_id("build", *(str(fields[k]) for k in BUILD_IDENTITY))


def example_regression_id() -> str:
    group = {**EXAMPLE_GROUP, "defconfig_full": EXAMPLE_GROUP["defconfig"]}
    return regressions.regression_id(group, EXAMPLE_CASE, group["kernel"])


# --- schemas -------------------------------------------------------------------------------------

NOT_BLANK = {"type": "string", "pattern": r"\S", "description": "A non-empty string."}
ANY: dict[str, Any] = {"description": "Any JSON value, kept as given."}
OID = parts.schema_ref("Oid")
DATE = parts.schema_ref("Date")
OID_TEXT = {"type": "string", "pattern": "^[A-Za-z0-9]{24}$"}
FLAG = {"enum": [True, False, 0, 1, -1, None], "description": "On (`true`, `1`, `-1`) or off (`false`, `0`)."}


def record(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], **extra}


def listing(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def envelope(result: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return record({
        "code": {"type": "integer"}, "result": listing(result), "count": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 0}, "skip": {"type": "integer", "minimum": 0},
        "reason": {"type": "string"}, "errors": listing({"type": "string"}), "messages": listing({"type": "string"}),
    }, required=["code", *(required or [])])


# What a stored document of each resource is sure to hold (a `field`/`nfield` projection may remove any of it).
DOCUMENT_FIELDS: dict[str, dict[str, Any]] = {
    keys.JOB: {"job": NOT_BLANK, "kernel": NOT_BLANK, "git_branch": NOT_BLANK,
               "status": {"enum": list(keys.JOB_STATUSES)}},
    keys.BUILD: {"job_id": OID, "build_type": {"const": "kernel"},
                 "status": {"enum": list(keys.BUILD_STATUSES)},
                 **{k: NOT_BLANK for k in (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full")}},
    keys.TEST_GROUP: {"build_id": OID, "job_id": OID,
                      "test_cases": listing(OID),
                      **{k: NOT_BLANK for k in keys.POST_KEYS[keys.TEST_GROUP].mandatory}},
    keys.TEST_CASE: {"name": NOT_BLANK, "test_group_id": OID, "regression_id": OID,
                     "status": {"enum": list(keys.TEST_CASE_STATUSES)}, "plan": NOT_BLANK},
    keys.TEST_REGRESSION: {"kernel": NOT_BLANK, "test_case_path": {"type": "string"},
                           "hierarchy": listing({"type": "string"}), "regressions": listing({"type": "object"})},
}
SCHEMA_NAMES = {keys.JOB: "Job", keys.BUILD: "Build", keys.TEST_GROUP: "TestGroup", keys.TEST_CASE: "TestCase",
                keys.TEST_REGRESSION: "TestRegression"}


def _stored(collection: str) -> dict[str, Any]:
    return record({"_id": OID, "created_on": DATE, **DOCUMENT_FIELDS[collection]})


CASE_FIELDS = {"name": NOT_BLANK, "status": {"enum": [*keys.TEST_CASE_STATUSES, None]},
               **{k: ANY for k in ("definition_uri", "index", "measurements", "time", "version")}}
TOKEN_FIELDS = {
    "email": {"type": ["string", "null"]}, "username": {"type": ["string", "null"]},
    "expires_on": {"type": ["string", "null"], "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
                   "description": "YYYY-MM-DD (UTC midnight); empty or null: unchanged."},
    "ip_address": {"type": ["string", "array", "null"], "items": {"type": "string"},
                   "description": "Addresses or networks allowed, with `ip_restricted`."},
    "version": ANY,
    **{name: FLAG for name in ("admin", "superuser", "get", "post", "delete", "ip_restricted", "lab", "upload",
                               "test_lab", "expired")},
}

SCHEMAS: dict[str, Any] = {
    "Oid": record({"$oid": {"type": "string"}}, required=["$oid"], description="A document id (24 characters)."),
    "Date": record({"$date": {"type": "integer"}}, required=["$date"], description="Milliseconds since the epoch."),
    "Error": record({"code": {"type": "integer"}, "reason": {"type": "string"},
                      "errors": listing({"type": "string"})}, required=["code", "reason"],
                     description="The envelope of an error: its status as `code`, why as `reason`."),
    "Done": envelope({"type": "object"}, required=["reason"]),
    **{name: _stored(coll) for coll, name in SCHEMA_NAMES.items()},
    "Token": record({
        "_id": OID, "created_on": DATE,
        "expires_on": {"oneOf": [DATE, {"type": "null"}]}, "expired": {"type": "boolean"},
        "email": {"type": "string"}, "username": {"type": ["string", "null"]},
        "ip_address": {"type": ["array", "null"], "items": {"type": "string"}},
        "properties": listing({"enum": [0, 1]}), "token": {"type": "string"},
    }, description="A token; `token` (its value) only when it was read by its value."),
    "Count": record({"collection": {"enum": list(keys.COUNTED)}, "count": {"type": "integer", "minimum": 0}},
                     required=["collection", "count"]),
    "StoredFile": record({"status": {"enum": [200, 201]}, "error": {"type": "null"},
                           "bytes": {"type": "integer", "minimum": 0}, "filename": {"type": "string"},
                           "url": {"type": "string"}}, required=["status", "error", "bytes", "filename", "url"]),
    "Version": record({"version": {"type": "string"}, "full_version": {"type": "string"}},
                       required=["version", "full_version"]),
    "JobStatus": record({
        **{k: NOT_BLANK for k in keys.POST_KEYS[keys.JOB].mandatory},
        "status": {"enum": [*keys.JOB_STATUSES, None], "description": "Default PASS."},
        **{k: ANY for k in ("git_commit", "git_describe", "kernel_version")},
    }, required=list(keys.POST_KEYS[keys.JOB].mandatory),
        description="An existing job and the status to give it; other keys are dropped (listed in `errors`)."),
    "BuildImport": record({
        **{k: NOT_BLANK for k in (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full")},
        **{k: ANY for k in ("kernel_version", "version")},
    }, required=list(keys.POST_KEYS[keys.BUILD].mandatory),
        description="What `kernelci.build.publish_kernel` sends; other keys are dropped (listed in `errors`)."),
    "TestCaseInGroup": record(CASE_FIELDS, required=["name"]),
    "TestGroupImport": record({
        **{k: NOT_BLANK for k in keys.POST_KEYS[keys.TEST_GROUP].mandatory},
        "build_id": OID_TEXT, "job_id": OID_TEXT,
        "test_cases": {"type": ["array", "null"], "items": parts.schema_ref("TestCaseInGroup")},
        **{k: ANY for k in sorted(keys.POST_KEYS[keys.TEST_GROUP].accepted - set(keys.POST_KEYS[keys.TEST_GROUP]
                                                                             .mandatory)
                                  - {"build_id", "job_id", "test_cases"})},
    }, required=list(keys.POST_KEYS[keys.TEST_GROUP].mandatory),
        description="A lab's results on one device: the group and its cases inline."),
    "TestCaseImport": record({**CASE_FIELDS, "test_group_id": OID_TEXT}, required=["name", "test_group_id"],
                              description="One more case of an existing group."),
    "NewToken": record({**TOKEN_FIELDS, "email": {"type": "string", "minLength": 1}}, required=["email"],
                        description="A token's owner and properties (`admin` sets every management flag)."),
    "TokenChange": record(TOKEN_FIELDS, minProperties=1, description="The properties to change."),
    "UploadForm": {
        "type": "object",
        "description": "The destination (`path`, or `job`, `kernel`, `arch`, `defconfig`/`defconfig_full` and "
                       "optionally `lab_name` to make one) and the files in any other fields (`file0`...).",
        "properties": {**{k: {"type": "string"} for k in ("path", "job", "kernel", "arch", "defconfig",
                                                          "defconfig_full", "lab_name")},
                       "file0": {"type": "string", "format": "binary"}},
        "additionalProperties": {"type": "string", "format": "binary"},
    },
}


def error(status: int, description: str) -> dict[str, Any]:
    return parts.answer(description, parts.schema_ref("Error"), media="application/json")


RESPONSES: dict[str, Any] = {
    "BadRequest": error(400, "A bad id, query parameter or body (`errors` says which); a value storage refuses."),
    "Forbidden": error(403, f"`{STATUS_MESSAGES[403]}`: no token, an unknown or expired one, one whose "
                             "properties do not allow this verb here, or a caller outside its IP list."),
    "NotFound": error(404, "No document with that id."),
    "MethodNotAllowed": error(405, f"`{STATUS_MESSAGES[405]}`: the backend has no such verb."),
    "NotAcceptable": error(406, "`Accept: application/vN` asks for an API version other than v1."),
    "UnsupportedMediaType": error(415, "The body is not of the content type this verb takes."),
    "UnprocessableEntity": error(422, "The body is not JSON."),
    "NotImplemented": error(501, f"`{STATUS_MESSAGES[501]}`: this resource does not do this verb."),
    "ServiceUnavailable": error(503, "Storage is unavailable, or the document kept changing; retry later."),
    "WrongResponseType": error(506, "A stored document could not be read."),
}

GZIP_HEADERS = {"Content-Encoding": parts.header("`gzip` when the request's `Accept-Encoding` takes it.",
                                           {"const": "gzip"}, required=False)}


def ok(description: str, schema: dict[str, Any], status_headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return parts.answer(description, schema, media="application/json",
                        headers={**GZIP_HEADERS, **(status_headers or {})})


def common(*statuses: int) -> dict[int, Any]:
    names = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
             415: "UnsupportedMediaType", 422: "UnprocessableEntity", 501: "NotImplemented",
             503: "ServiceUnavailable", 506: "WrongResponseType"}
    return {status: parts.response_ref(names[status]) for status in statuses}


LOCATION = {"Location": parts.header("Where the new document is (`/<resource>/<id>`).")}
ALLOW = {"Allow": parts.header("`OPTIONS` and the verbs the resource implements.")}

# --- parameters ----------------------------------------------------------------------------------

COUNT = {"type": "integer", "minimum": 0}
PAGING = [parts.query_param("limit", "At most this many documents (0: no limit).", COUNT),
          parts.query_param("skip", "Leave out this many first.", COUNT)]
PROJECTION = [parts.query_param("field", "Show only this field (and `_id`); repeatable."),
              parts.query_param("nfield", "Leave this field out; repeatable.")]
WINDOW = [parts.query_param("date_range", "Created from 00:00 UTC this many days before today (or `created_on`) to the "
                                    "end of that day; not a number: 5."),
          parts.query_param("created_on", "`YYYY-MM-DD`: created that day (with `date_range`, the window's last day).")]
ORDER = [parts.query_param("sort", "Sort by this field; repeatable."),
         parts.query_param("sort_order", "`1` ascending; anything else descending (the default).")]


def filters(names: frozenset[str]) -> list[dict[str, Any]]:
    return [parts.query_param(name, f"Only documents whose `{name}` is this (repeat: any of; `null`: missing).")
            for name in sorted(names - {"created_on", "_id"})]


def list_params(names: frozenset[str]) -> list[dict[str, Any]]:
    return [*filters(names), *WINDOW, *ORDER, *PAGING, *PROJECTION]


def doc_id(description: str, example: str | None = None, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return parts.path_param("doc_id", description, schema or parts.segment(), example=example)


def valid_id(example: str | None) -> dict[str, Any]:
    return doc_id("The document's id (24 hex digits; another is 400).", example)


# --- operations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alias:
    """One registered path of a resource (as the document has it), and how its operations are named."""

    path: str
    resource: str  # the singular name, e.g. "test/group"
    with_id: bool

    @property
    def stem(self) -> str:
        return self.path.strip("/").replace("/{doc_id}", "_id").replace("/", "_")


def op(route: Alias, verb: str, summary: str, responses: dict[Any, Any], *, security: list[Any],
       parameters: list[Any] | None = None, request_body: dict[str, Any] | None = None,
       description: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    """An operation of ``verb`` on the path (``kernelci_<verb>_<stem>``), with the 406 every one answers."""
    return parts.operation(f"kernelci_{verb}_{route.stem}", summary, {**responses, **common(406)},
                           parameters=parameters, request_body=request_body, security=security,
                           description=description, tags=[route.resource, *(tags or [])])


def unsupported(route: Alias, verbs: dict[str, Any], params: list[Any],
                refused_outright: tuple[str, ...] = ()) -> dict[str, Any]:
    """The verbs a resource does not do: 501 past the token (403 without one; ``refused_outright``: 501 without
    a token, as the backend's count, version and distinct handlers), 405 (no such verb), OPTIONS (200)."""
    ops: dict[str, Any] = {}
    for verb in ALL:
        if verb in verbs:
            continue
        if verb == "options":
            ops[verb] = op(route, verb, "The verbs of this resource", {
                200: ok("An empty envelope; the verbs are in `Allow`.", envelope({}), ALLOW)},
                security=NO_AUTH, parameters=params)
        elif verb in refused_outright:
            ops[verb] = op(route, verb, f"{verb.upper()}: not implemented here", common(501), security=NO_AUTH,
                           parameters=params, tags=[NOT_IMPLEMENTED_TAG])
        elif verb in VERBS:
            ops[verb] = op(route, verb, f"{verb.upper()}: not implemented here", common(403, 501),
                           security=TOKEN, parameters=params, tags=[NOT_IMPLEMENTED_TAG])
        elif verb == "head":
            ops[verb] = op(route, verb, "HEAD: not a verb of the backend", {
                405: parts.answer("Refused; no body.")}, security=NO_AUTH, parameters=params)
        else:
            ops[verb] = op(route, verb, f"{verb.upper()}: not a verb of the backend", common(405),
                           security=NO_AUTH, parameters=params)
    return ops


def json_body(schema_name: str, description: str, example: Any = None) -> dict[str, Any]:
    return parts.body({"application/json": parts.schema_ref(schema_name)}, description, required=True,
                      examples=None if example is None else {"application/json": example})


WRITE_ERRORS = (400, 403, 415, 422, 503)


def no_params(route: Alias) -> list[Any]:
    """The path parameters of the verbs a resource does not do, on a path whose only one is ``{doc_id}``."""
    return [doc_id("Any id.")] if route.with_id else []


TITLE = "Shipyard: KernelCI"
DESCRIPTION = (
    "The KernelCI backend API (v1) at the host root: jobs, builds (imported through a queue), test groups, "
    "cases and regressions, counts, artifact uploads, tokens. Every answer is the envelope `{\"code\", "
    "\"result\", \"count\", \"limit\", \"skip\", \"reason\", \"errors\", \"messages\"}` (only the keys "
    "set), `application/json; charset=UTF-8`, gzip-compressed (`Content-Encoding: gzip`) when "
    "`Accept-Encoding` takes it. Each resource answers singular and plural (`/job`, `/jobs`). "
    "`Accept: application/vN` for a version other than 1 is 406 on every operation. Filters: repeat a key for "
    "any of; unknown keys are ignored.")
COMPONENTS = {"schemas": SCHEMAS, "responses": RESPONSES, "securitySchemes": {"token": {
    "type": "apiKey", "in": "header", "name": "Authorization",
    "description": "The token itself, no scheme word (`Authorization: <token>`). Local stack: "
                   "`kernelci-dev-token` (admin).",
}}}
