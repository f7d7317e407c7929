"""The OpenAPI document of the KernelCI family: every route of ``chalicelib/api/kernelci``.

The resources answer at the host root, each under its singular and plural
names (``/job`` and ``/jobs``; ``/test/group``, ``/tests/group``,
``/test/groups``, ``/tests/groups``), with and without a path id, as
:func:`chalicelib.api.kernelci.common.paths` registers them; the document is
made from the same table, so an alias cannot be left out.

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

from chalicelib.api.kernelci import common
from chalicelib.api.kernelci.common import STATUS_MESSAGES, paths
from chalicelib.api.kit import openapi_parts as parts
from chalicelib.kernelci import keys, regressions
from chalicelib.kernelci.documents import BUILD_IDENTITY, build_fields, derived_id, job_id

FAMILY = "kernelci"
TOKEN = [{"token": []}]
NO_AUTH: list[dict[str, list[str]]] = []
ALL = ("get", "post", "put", "delete", "patch", "head", "options")
VERBS = tuple(v.lower() for v in common.VERBS)
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


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], **extra}


def _list(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _envelope(result: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return _object({
        "code": {"type": "integer"}, "result": _list(result), "count": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 0}, "skip": {"type": "integer", "minimum": 0},
        "reason": {"type": "string"}, "errors": _list({"type": "string"}), "messages": _list({"type": "string"}),
    }, required=["code", *(required or [])])


# What a stored document of each resource is sure to hold (a `field`/`nfield` projection may remove any of it).
DOCUMENT_FIELDS: dict[str, dict[str, Any]] = {
    keys.JOB: {"job": NOT_BLANK, "kernel": NOT_BLANK, "git_branch": NOT_BLANK,
               "status": {"enum": list(keys.JOB_STATUSES)}},
    keys.BUILD: {"job_id": OID, "build_type": {"const": "kernel"},
                 "status": {"enum": list(keys.BUILD_STATUSES)},
                 **{k: NOT_BLANK for k in (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full")}},
    keys.TEST_GROUP: {"build_id": OID, "job_id": OID,
                      "test_cases": _list(OID),
                      **{k: NOT_BLANK for k in keys.POST_KEYS[keys.TEST_GROUP].mandatory}},
    keys.TEST_CASE: {"name": NOT_BLANK, "test_group_id": OID, "regression_id": OID,
                     "status": {"enum": list(keys.TEST_CASE_STATUSES)}, "plan": NOT_BLANK},
    keys.TEST_REGRESSION: {"kernel": NOT_BLANK, "test_case_path": {"type": "string"},
                           "hierarchy": _list({"type": "string"}), "regressions": _list({"type": "object"})},
}
SCHEMA_NAMES = {keys.JOB: "Job", keys.BUILD: "Build", keys.TEST_GROUP: "TestGroup", keys.TEST_CASE: "TestCase",
                keys.TEST_REGRESSION: "TestRegression"}


def _stored(collection: str) -> dict[str, Any]:
    return _object({"_id": OID, "created_on": DATE, **DOCUMENT_FIELDS[collection]})


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
    "Oid": _object({"$oid": {"type": "string"}}, required=["$oid"], description="A document id (24 characters)."),
    "Date": _object({"$date": {"type": "integer"}}, required=["$date"], description="Milliseconds since the epoch."),
    "Error": _object({"code": {"type": "integer"}, "reason": {"type": "string"},
                      "errors": _list({"type": "string"})}, required=["code", "reason"],
                     description="The envelope of an error: its status as `code`, why as `reason`."),
    "Done": _envelope({"type": "object"}, required=["reason"]),
    **{name: _stored(coll) for coll, name in SCHEMA_NAMES.items()},
    "Token": _object({
        "_id": OID, "created_on": DATE,
        "expires_on": {"oneOf": [DATE, {"type": "null"}]}, "expired": {"type": "boolean"},
        "email": {"type": "string"}, "username": {"type": ["string", "null"]},
        "ip_address": {"type": ["array", "null"], "items": {"type": "string"}},
        "properties": _list({"enum": [0, 1]}), "token": {"type": "string"},
    }, description="A token; `token` (its value) only when it was read by its value."),
    "Count": _object({"collection": {"enum": list(keys.COUNTED)}, "count": {"type": "integer", "minimum": 0}},
                     required=["collection", "count"]),
    "StoredFile": _object({"status": {"enum": [200, 201]}, "error": {"type": "null"},
                           "bytes": {"type": "integer", "minimum": 0}, "filename": {"type": "string"},
                           "url": {"type": "string"}}, required=["status", "error", "bytes", "filename", "url"]),
    "Version": _object({"version": {"type": "string"}, "full_version": {"type": "string"}},
                       required=["version", "full_version"]),
    "JobStatus": _object({
        **{k: NOT_BLANK for k in keys.POST_KEYS[keys.JOB].mandatory},
        "status": {"enum": [*keys.JOB_STATUSES, None], "description": "Default PASS."},
        **{k: ANY for k in ("git_commit", "git_describe", "kernel_version")},
    }, required=list(keys.POST_KEYS[keys.JOB].mandatory),
        description="An existing job and the status to give it; other keys are dropped (listed in `errors`)."),
    "BuildImport": _object({
        **{k: NOT_BLANK for k in (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full")},
        **{k: ANY for k in ("kernel_version", "version")},
    }, required=list(keys.POST_KEYS[keys.BUILD].mandatory),
        description="What `kernelci.build.publish_kernel` sends; other keys are dropped (listed in `errors`)."),
    "TestCaseInGroup": _object(CASE_FIELDS, required=["name"]),
    "TestGroupImport": _object({
        **{k: NOT_BLANK for k in keys.POST_KEYS[keys.TEST_GROUP].mandatory},
        "build_id": OID_TEXT, "job_id": OID_TEXT,
        "test_cases": {"type": ["array", "null"], "items": parts.schema_ref("TestCaseInGroup")},
        **{k: ANY for k in sorted(keys.POST_KEYS[keys.TEST_GROUP].accepted - set(keys.POST_KEYS[keys.TEST_GROUP]
                                                                             .mandatory)
                                  - {"build_id", "job_id", "test_cases"})},
    }, required=list(keys.POST_KEYS[keys.TEST_GROUP].mandatory),
        description="A lab's results on one device: the group and its cases inline."),
    "TestCaseImport": _object({**CASE_FIELDS, "test_group_id": OID_TEXT}, required=["name", "test_group_id"],
                              description="One more case of an existing group."),
    "NewToken": _object({**TOKEN_FIELDS, "email": {"type": "string", "minLength": 1}}, required=["email"],
                        description="A token's owner and properties (`admin` sets every management flag)."),
    "TokenChange": _object(TOKEN_FIELDS, minProperties=1, description="The properties to change."),
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


def _error(status: int, description: str) -> dict[str, Any]:
    return parts.answer(description, parts.schema_ref("Error"), media="application/json")


RESPONSES: dict[str, Any] = {
    "BadRequest": _error(400, "A bad id, query parameter or body (`errors` says which); a value storage refuses."),
    "Forbidden": _error(403, f"`{STATUS_MESSAGES[403]}`: no token, an unknown or expired one, one whose "
                             "properties do not allow this verb here, or a caller outside its IP list."),
    "NotFound": _error(404, "No document with that id."),
    "MethodNotAllowed": _error(405, f"`{STATUS_MESSAGES[405]}`: the backend has no such verb."),
    "NotAcceptable": _error(406, "`Accept: application/vN` asks for an API version other than v1."),
    "UnsupportedMediaType": _error(415, "The body is not of the content type this verb takes."),
    "UnprocessableEntity": _error(422, "The body is not JSON."),
    "NotImplemented": _error(501, f"`{STATUS_MESSAGES[501]}`: this resource does not do this verb."),
    "ServiceUnavailable": _error(503, "Storage is unavailable, or the document kept changing; retry later."),
    "WrongResponseType": _error(506, "A stored document could not be read."),
}

GZIP_HEADERS = {"Content-Encoding": parts.header("`gzip` when the request's `Accept-Encoding` takes it.",
                                           {"const": "gzip"}, required=False)}


def _ok(description: str, schema: dict[str, Any], status_headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return parts.answer(description, schema, media="application/json",
                        headers={**GZIP_HEADERS, **(status_headers or {})})


def _common(*statuses: int) -> dict[int, Any]:
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


def _filters(names: frozenset[str]) -> list[dict[str, Any]]:
    return [parts.query_param(name, f"Only documents whose `{name}` is this (repeat: any of; `null`: missing).")
            for name in sorted(names - {"created_on", "_id"})]


def _list_params(names: frozenset[str]) -> list[dict[str, Any]]:
    return [*_filters(names), *WINDOW, *ORDER, *PAGING, *PROJECTION]


def _doc_id(description: str, example: str | None = None, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return parts.path_param("doc_id", description, schema or parts.segment(), example=example)


def _valid_id(example: str | None) -> dict[str, Any]:
    return _doc_id("The document's id (24 hex digits; another is 400).", example)


# --- operations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One registered path of a resource, and how its operations are named."""

    path: str
    resource: str  # the singular name, e.g. "test/group"
    with_id: bool

    @property
    def stem(self) -> str:
        return self.path.strip("/").replace("/{doc_id}", "_id").replace("/", "_")


def _op(route: Route, verb: str, summary: str, responses: dict[Any, Any], *, security: list[Any],
        parameters: list[Any] | None = None, request_body: dict[str, Any] | None = None,
        description: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    return parts.operation(f"kernelci_{verb}_{route.stem}", summary, {**responses, **_common(406)},
                     parameters=parameters, request_body=request_body, security=security, description=description,
                     tags=[route.resource, *(tags or [])])


def _unsupported(route: Route, verbs: dict[str, str], params: list[Any],
                 refused_outright: tuple[str, ...] = ()) -> dict[str, Any]:
    """The verbs a resource does not do: 501 past the token (403 without one; ``refused_outright``: 501 without
    a token, as the backend's count, version and distinct handlers), 405 (no such verb), OPTIONS (200)."""
    ops: dict[str, Any] = {}
    for verb in ALL:
        if verb in verbs:
            continue
        if verb == "options":
            ops[verb] = _op(route, verb, "The verbs of this resource", {
                200: _ok("An empty envelope; the verbs are in `Allow`.", _envelope({}), ALLOW)},
                security=NO_AUTH, parameters=params)
        elif verb in refused_outright:
            ops[verb] = _op(route, verb, f"{verb.upper()}: not implemented here", _common(501), security=NO_AUTH,
                            parameters=params, tags=[NOT_IMPLEMENTED_TAG])
        elif verb in VERBS:
            ops[verb] = _op(route, verb, f"{verb.upper()}: not implemented here", _common(403, 501),
                            security=TOKEN, parameters=params, tags=[NOT_IMPLEMENTED_TAG])
        elif verb == "head":
            ops[verb] = _op(route, verb, "HEAD: not a verb of the backend", {
                405: parts.answer("Refused; no body.")}, security=NO_AUTH, parameters=params)
        else:
            ops[verb] = _op(route, verb, f"{verb.upper()}: not a verb of the backend", _common(405),
                            security=NO_AUTH, parameters=params)
    return ops


def _json(schema_name: str, description: str, example: Any = None) -> dict[str, Any]:
    return parts.body({"application/json": parts.schema_ref(schema_name)}, description, required=True,
                examples=None if example is None else {"application/json": example})


WRITE_ERRORS = (400, 403, 415, 422, 503)


def _reader(route: Route, collection: str, example: str | None) -> dict[str, Any]:
    item = parts.schema_ref(SCHEMA_NAMES[collection])
    name = route.resource
    if route.with_id:
        return _op(route, "get", f"One {name} document", {
            200: _ok("The document, alone in `result`.", _envelope(item, ["result"])),
            **_common(400, 403, 404, 503, 506)},
            security=TOKEN, parameters=[_valid_id(example), *PROJECTION])
    return _op(route, "get", f"{name} documents matching the query", {
        200: _ok("The page of matching documents, newest first unless sorted; `count` is every match.",
                 _envelope(item, ["result", "count", "limit", "skip"])),
        **_common(400, 403, 503, 506)},
        security=TOKEN, parameters=_list_params(keys.GET_KEYS[collection]))


def _delete(route: Route, what: str) -> dict[str, Any]:
    if not route.with_id:
        return _op(route, "delete", f"Delete {what}: an id is needed (400)", _common(400, 403, 503), security=TOKEN)
    return _op(route, "delete", f"Delete {what}", {
        200: _ok("Deleted.", parts.schema_ref("Done")), **_common(400, 403, 404, 503)},
        security=TOKEN, parameters=[_doc_id("The document's id (24 hex digits; another is 400).")])


def _job(route: Route, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete(route, "a job and its builds"),
            "post": _op(route, "post", "Set the status of an existing job", {
        200: _ok("Marked.", parts.schema_ref("Done")), **_common(*WRITE_ERRORS, 404)},
        security=TOKEN, parameters=params, description="A path id is ignored.",
        request_body=_json("JobStatus", "The job (tree, kernel, branch) and its status.",
                           {**{k: EXAMPLE_BUILD[k] for k in ("job", "kernel", "git_branch")}, "status": "PASS"}))}


def _build(route: Route, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete(route, "a build"), "post": _op(route, "post", "Import a build (and its job when new)", {
        202: _ok("`Request accepted and being imported`: the import queue stores it.", parts.schema_ref("Done")),
        **_common(*WRITE_ERRORS)},
        security=TOKEN, parameters=params, description="A path id is ignored.",
        request_body=_json("BuildImport", "The build.", EXAMPLE_BUILD))}


def _created(route: Route, schema_name: str, summary: str, example: Any) -> dict[str, Any]:
    if route.with_id:
        return _op(route, "post", f"{summary}: not with an id (400: use PUT)", _common(*WRITE_ERRORS),
                   security=TOKEN, parameters=[_doc_id("Any id: refused.")],
                   request_body=_json(schema_name, "Ignored."))
    return _op(route, "post", summary, {
        201: _ok("Created: its id in `result`, `messages` names new regressions.",
                 _envelope(_object({"_id": OID}, ["_id"]), ["result"]), LOCATION),
        **_common(*WRITE_ERRORS)},
        security=TOKEN, request_body=_json(schema_name, summary, example))


def _test_group(route: Route, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete(route, "a test group and its cases"),
            "post": _created(route, "TestGroupImport", "Store a test group with its cases", EXAMPLE_GROUP)}


def _test_case(route: Route, params: list[Any]) -> dict[str, Any]:
    return {"delete": _delete(route, "a test case (and its id from its group)"),
            "post": _created(route, "TestCaseImport", "Add a case to a test group",
                             {"name": "dmesg", "status": "PASS", "test_group_id": "0" * 24})}


def _count(route: Route) -> dict[str, Any]:
    result = _envelope(parts.schema_ref("Count"), ["result"])
    filters = [*_filters(keys.COUNT_KEYS), *WINDOW]
    if route.with_id:
        return {"get": _op(route, "get", "How many documents of one collection match", {
            200: _ok("The collection's count.", result), 404: _error(404, "Not a counted collection."),
            **_common(400, 403, 503)},
            security=TOKEN, parameters=[_doc_id("The collection.", "build", parts.segment(enum=list(keys.COUNTED))),
                                        *filters])}
    return {"get": _op(route, "get", "How many documents of each collection match", {
        200: _ok("One count per collection.", result), **_common(400, 403, 503)},
        security=TOKEN, parameters=filters)}


def _token(route: Route) -> dict[str, Any]:
    token = parts.schema_ref("Token")
    token_id = _doc_id("The token's `_id` (24 letters and digits; another is 400).")
    if not route.with_id:
        return {
            "get": _op(route, "get", "Every token (no values: only their hashes are kept)", {
                200: _ok("The page of tokens.", _envelope(token, ["result", "count", "limit", "skip"])),
                **_common(400, 403, 503, 506)},
                security=TOKEN, parameters=_list_params(keys.GET_KEYS[keys.TOKEN])),
            "post": _op(route, "post", "Create a token", {
                201: _ok("Created: its value, shown this once.",
                         _envelope(_object({"token": {"type": "string"}}, ["token"]), ["result"]), LOCATION),
                **_common(*WRITE_ERRORS)},
                security=TOKEN, request_body=_json("NewToken", "Its owner and properties.",
                                                   {"email": "lab@example.com", "username": "lab", "test_lab": 1})),
            "put": _op(route, "put", "Change a token: an id is needed (400)", _common(*WRITE_ERRORS),
                       security=TOKEN, request_body=_json("TokenChange", "Ignored.")),
            "delete": _op(route, "delete", "Delete a token: an id is needed (400)", _common(400, 403, 503),
                          security=TOKEN),
        }
    return {
        "get": _op(route, "get", "The token with this value", {
            200: _ok("The token, with its value.", _envelope(token, ["result"])), **_common(400, 403, 404, 503, 506)},
            security=TOKEN, parameters=[_doc_id("A token's value.", EXAMPLE_TOKEN_VALUE), *PROJECTION]),
        "post": _op(route, "post", "Create a token: not with an id (400: use PUT)", _common(*WRITE_ERRORS),
                    security=TOKEN, parameters=[_doc_id("Any id: refused.")],
                    request_body=_json("NewToken", "Ignored.")),
        "put": _op(route, "put", "Change a token's properties", {
            200: _ok("Changed: its id in `result`.", _envelope(_object({"_id": OID}, ["_id"]),
                                                             ["result", "reason"])),
            **_common(*WRITE_ERRORS, 404)},
            security=TOKEN, parameters=[token_id], request_body=_json("TokenChange", "The properties to change.")),
        "delete": _op(route, "delete", "Delete a token", {
            200: _ok("Deleted.", parts.schema_ref("Done")), **_common(400, 403, 404, 503)},
            security=TOKEN, parameters=[token_id]),
    }


def _upload(route: Route) -> dict[str, Any]:
    return {"post": _op(route, "post", "Store build artifacts under a path", {
        200: _ok("Each file: 201 new, 200 replaced, its size and URL.",
                 _envelope(parts.schema_ref("StoredFile"), ["result", "reason"])),
        **_common(400, 403, 415, 503)},
        security=TOKEN, request_body=parts.body({"multipart/form-data": parts.schema_ref("UploadForm")},
                                          "What `kernelci.storage.upload_files` sends.", required=True,
                                          examples={"multipart/form-data": {
                                              "path": EXAMPLE_BUILD["file_server_resource"],
                                              "file0": "CONFIG_ARM64=y\n"}}))}


def _upload_file(route: Route) -> dict[str, Any]:
    path = parts.path_param("path", "Where the file goes: a relative path, one segment or more (`/` between "
                                    "them is part of the path; `..` is 400).", parts.segment(), example="zImage")
    return {
        "put": _op(route, "put", "Store one file, the body, at the path", {
            200: _ok("Replaced.", _envelope(parts.schema_ref("StoredFile"), ["result", "reason"])),
            201: _ok("Saved; `Location` is its URL.", _envelope(parts.schema_ref("StoredFile"), ["result", "reason"]),
                     {"Location": parts.header("The stored file's URL.")}),
            **_common(400, 403, 503)},
            security=TOKEN, parameters=[path],
            request_body=parts.body({"application/octet-stream": {"type": "string", "format": "binary"}},
                                    "The file's bytes.", required=True)),
        "post": _op(route, "post", "Store build artifacts (the path of the URL is not used)", {
            200: _ok("Each file: 201 new, 200 replaced, its size and URL.",
                     _envelope(parts.schema_ref("StoredFile"), ["result", "reason"])),
            **_common(400, 403, 415, 503)},
            security=TOKEN, parameters=[path],
            request_body=parts.body({"multipart/form-data": parts.schema_ref("UploadForm")},
                                    "What `kernelci.storage.upload_files` sends.", required=True)),
    }


def _distinct(route: Route, collection: str) -> dict[str, Any]:
    field = parts.path_param("field", "A field whose values are listed (another is 400).",
                             parts.segment(enum=list(keys.DISTINCT_FIELDS[collection])), example="job")
    return {"get": _op(route, "get", f"The distinct values of a {route.resource} field", {
        200: _ok("Each value once (ids as `$oid`); with a query, among the documents it finds.",
                 _envelope(ANY, ["result", "count"])),
        **_common(400, 403, 503, 506)},
        security=TOKEN, parameters=[field, *_list_params(keys.GET_KEYS[collection])])}


def _version(route: Route) -> dict[str, Any]:
    return {"get": _op(route, "get", "Which backend API this is", {
        200: _ok("The version.", _envelope(parts.schema_ref("Version"), ["result"]))}, security=NO_AUTH)}


EXAMPLE_IDS = {keys.JOB: example_job_id, keys.BUILD: example_build_id, keys.TEST_REGRESSION: example_regression_id}
WRITERS = {"job": _job, "build": _build, "test/group": _test_group, "test/case": _test_case}
COLLECTIONS = {"job": keys.JOB, "build": keys.BUILD, "test/group": keys.TEST_GROUP, "test/case": keys.TEST_CASE,
               "test/regression": keys.TEST_REGRESSION}


def _resource_routes(resource: str, with_id: bool = True) -> list[Route]:
    return [Route(path, resource, path.endswith("{doc_id}")) for path in paths(resource, with_id=with_id)]


def _paths() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for resource, collection in COLLECTIONS.items():
        example = EXAMPLE_IDS[collection]() if collection in EXAMPLE_IDS else None
        for route in _resource_routes(resource):
            params = [_doc_id("Any id: ignored.")] if route.with_id else []
            ops = {"get": _reader(route, collection, example)}
            if resource in WRITERS:
                ops.update(WRITERS[resource](route, params))
            unchecked = [_doc_id("Any id: not looked at.", example)] if route.with_id else []
            out[route.path] = {**ops, **_unsupported(route, ops, unchecked)}
    for resource, build_ops, with_id, outright in (
            ("count", _count, True, ("post", "delete")), ("token", _token, True, ()),
            ("upload", _upload, False, ()), ("version", _version, False, ("post", "delete"))):
        for route in _resource_routes(resource, with_id):
            ops = build_ops(route)
            params = [_doc_id("Any id.")] if route.with_id else []
            out[route.path] = {**ops, **_unsupported(route, ops, params, outright)}
    for base in paths("upload", with_id=False):
        route = Route(f"{base}/{{path}}", "upload", False)
        ops = _upload_file(route)
        path = parts.path_param("path", "Any path.", parts.segment())
        out[route.path] = {**ops, **_unsupported(route, ops, [path])}
    for resource in ("job", "build", "test/group", "test/case"):
        for base in paths(resource, with_id=False):
            route = Route(f"{base}/distinct/{{field}}", resource, False)
            ops = _distinct(route, COLLECTIONS[resource])
            field = parts.path_param("field", "Any field.", parts.segment())
            out[route.path] = {**ops, **_unsupported(route, ops, [field], ("post", "put", "delete"))}
    return out


def build() -> dict[str, Any]:
    return parts.document(
        FAMILY, "Shipyard: KernelCI",
        "The KernelCI backend API (v1) at the host root: jobs, builds (imported through a queue), test groups, "
        "cases and regressions, counts, artifact uploads, tokens. Every answer is the envelope `{\"code\", "
        "\"result\", \"count\", \"limit\", \"skip\", \"reason\", \"errors\", \"messages\"}` (only the keys "
        "set), `application/json; charset=UTF-8`, gzip-compressed (`Content-Encoding: gzip`) when "
        "`Accept-Encoding` takes it. Each resource answers singular and plural (`/job`, `/jobs`). "
        "`Accept: application/vN` for a version other than 1 is 406 on every operation. Filters: repeat a key for "
        "any of; unknown keys are ignored.",
        _paths(),
        {"schemas": SCHEMAS, "responses": RESPONSES, "securitySchemes": {"token": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "The token itself, no scheme word (`Authorization: <token>`). Local stack: "
                           "`kernelci-dev-token` (admin).",
        }}},
    )
