"""The OpenAPI pieces of the Balrog family: schemas, responses, parameters and operation helpers.

Each operation is declared beside its handler; the document
``/openapi/balrog.json`` is assembled from the registered routes
(:mod:`chalicelib.api.kit.documents`). Paths are the app's own: the admin API under ``/balrog/api``, the
client-credentials grant at ``/balrog/oauth/token`` and the update endpoint
under ``/balrog/update``. Admin errors are Balrog's problem bodies
(``{"title", "detail", "status", "exception"?}``), the token endpoint's are
RFC 6749's (``{"error", "error_description"}``). Admin operations take a
bearer token or a cookie session; a session's writes must also send the CSRF
token (``X-CSRF-Token``), else 400 ``CSRFError``.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.api.kit.openapi_parts import (
    answer,
    body,
    header,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
    segment,
)
from chalicelib.balrog.permissions import OPTIONS
from chalicelib.store.balrog_rules import COLUMNS

API = "/balrog/api"
ADMIN = ["balrog admin"]
AUTHED: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
NO_AUTH: list[dict[str, list[str]]] = []

STRING_OR_NULL = {"type": ["string", "null"]}
INT_OR_NULL = {"type": ["integer", "null"]}
BOOL_OR_NULL = {"type": ["boolean", "null"]}
INTEGER_LIKE = {"type": ["integer", "string"], "description": "An integer, or its decimal digits as a string."}
CSRF_FIELD = {"description": "A cookie session's CSRF token, as the `X-CSRF-Token` header may carry it; "
                             "ignored on bearer requests."}
NESTED_OBJECT = {"type": ["object", "string"], "description": "A JSON object, or the same JSON-encoded as a string."}
JSON_STRING = {"type": "string", "description": "A JSON object encoded as a string (Balrog's JSONStringField); "
                                                "the object itself is refused with 400."}
NAME_LIST = {"type": ["array", "string"], "items": {"type": "string"},
             "description": "A list of names, or the same JSON-encoded as a string."}

RULE_TYPES: dict[str, Any] = {"rule_id": {"type": "integer"}, "priority": INT_OR_NULL, "backgroundRate": INT_OR_NULL,
                              "mig64": BOOL_OR_NULL, "jaws": BOOL_OR_NULL, "data_version": {"type": "integer"}}
RULE_INPUT_TYPES: dict[str, Any] = {
    "priority": INTEGER_LIKE, "backgroundRate": INTEGER_LIKE,
    "mig64": {"type": ["boolean", "string", "integer", "null"]},
    "jaws": {"type": ["boolean", "string", "integer", "null"]},
    "update_type": {"enum": ["minor", "major", None]},
    "alias": {"type": ["string", "null"], "pattern": "^([a-zA-Z][a-zA-Z0-9-]*)?$", "description": "Empty: none."},
    "memory": {"type": ["string", "integer", "null"]},
}
WRITABLE_COLUMNS = [c for c in COLUMNS if c not in ("rule_id", "data_version")]
CHANGE_FIELDS = {"change_id": {"type": "integer"}, "timestamp": {"type": "integer"}, "changed_by": {"type": "string"}}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


SCHEMAS: dict[str, Any] = {
    "Problem": obj({"title": {"type": "string"}, "detail": {"type": "string"}, "status": {"type": "integer"},
                        "exception": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                                      "description": "The exception's message; Invalid Blob: the schema's "
                                                     "complaints, one per item."}},
                        required=["title", "detail", "status"],
                       description="Balrog's error body."),
    "TokenError": obj({"error": {"enum": ["invalid_request", "unsupported_grant_type", "access_denied",
                                              "temporarily_unavailable"]},
                           "error_description": {"type": "string"}}, description="RFC 6749 section 5.2."),
    "NewDataVersion": obj({"new_data_version": {"type": "integer"}}),
    "Rule": obj({c: RULE_TYPES.get(c, STRING_OR_NULL) for c in COLUMNS},
                    description="Every column, NULL as null."),
    "RuleRevision": {"allOf": [schema_ref("Rule"), obj(CHANGE_FIELDS)]},
    "RuleFields": {"type": "object", "description": "Rule columns (others are ignored).",
                   "properties": {c: RULE_INPUT_TYPES.get(c, STRING_OR_NULL) for c in WRITABLE_COLUMNS}},
    "ReleaseSummary": obj({"name": {"type": "string"}, "product": STRING_OR_NULL,
                               "data_version": {"type": "integer"}, "read_only": {"type": "boolean"}}),
    "ReleaseRevision": {"allOf": [schema_ref("ReleaseSummary"), obj(CHANGE_FIELDS)]},
    "ReleaseChange": {
        "type": "object",
        "description": "A change merged into the blob (created first when the release does not exist).",
        "properties": {"product": {"type": "string"}, "data": JSON_STRING, "data_version": INTEGER_LIKE,
                       "schema_version": INTEGER_LIKE, "hashFunction": {"type": "string"}, "copyTo": NAME_LIST,
                       "csrf_token": CSRF_FIELD},
        "required": ["product", "data"],
    },
    "Permission": obj({"data_version": {"type": "integer"}, "options": {"type": ["object", "null"]}}),
    "PermissionChange": {"type": "object", "properties": {
        "options": {"type": ["object", "string", "null"], "description": "`{\"products\": [...], "
                                                                          "\"actions\": [...]}` or its JSON."},
        "data_version": INTEGER_LIKE, "csrf_token": CSRF_FIELD}},
    "ColumnValues": {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}},
                     "additionalProperties": {"type": "array"},
                     "description": "`count` and the column's distinct values under the column's name."},
    "Token": obj({"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                      "expires_in": {"type": "integer"}, "audience": {"type": "string"}},
                     required=["access_token", "token_type", "expires_in"]),
    "TokenRequest": {"type": "object", "properties": {
        "grant_type": {"const": "client_credentials"}, "client_id": {"type": "string"},
        "client_secret": {"type": "string"},
        "audience": {"description": "Echoed in the answer when it is a string; anything else is ignored."}},
        "required": ["grant_type", "client_id", "client_secret"]},
}


def _problem(description: str) -> dict[str, Any]:
    return answer(description, schema_ref("Problem"))


RESPONSES: dict[str, Any] = {
    "BadRequest": _problem("Bad input, a stale `data_version` (`OutdatedDataError`), a merge conflict "
                           "(`UpdateMergeError`), or a session's write without its CSRF token (`CSRFError`)."),
    "Unauthorized": _problem("No bearer token or session cookie, or an unknown or expired one."),
    "Forbidden": _problem("The user lacks the permission (`PermissionDeniedError`) or the release is read only "
                          "(`ReadOnlyError`)."),
    "NotFound": _problem("No such object."),
    "ServiceUnavailable": _problem("Storage is unavailable; retry later."),
    "UnsupportedMediaType": _problem("The body's `Content-Type` is not one the operation takes (JSON, or a "
                                     "form where the operation says so)."),
}

DATA_VERSION = {"X-Data-Version": header("The object's current `data_version`.", {"type": "string",
                                                                                 "pattern": "^[0-9]+$"})}
CSRF_HEADER = {"name": "X-CSRF-Token", "in": "header", "required": False, "schema": {"type": "string"},
               "description": "A cookie session's CSRF token (`GET /csrf_token`); bearer requests need none."}
NAME = path_param("name", "A release name.", example="Firefox-53.0-build1")
RULE = path_param("id_or_alias", "A rule id, or its alias (`^[a-zA-Z][a-zA-Z0-9-]*$`).",
                  example="firefox-release")
USERNAME = path_param("username", "A user.", example="ffxbld")
PERMISSION = path_param("permission", "A permission name; another is 400.", segment(enum=sorted(OPTIONS)),
                        example="release")
RULE_COLUMN = path_param("column", "A rule column; another is 404.", segment(enum=list(COLUMNS)), example="product")
PAGE = query_param("page", "Page of the list, from 1.", {"type": "integer", "minimum": 1})
LIMIT = query_param("limit", "Entries per page (default 10).", {"type": "integer", "minimum": 1})
DELETE_VERSION = query_param("data_version", "The object's current data_version.", {"type": "integer"},
                             required=True)

READ_ERRORS = {401: response_ref("Unauthorized"), 404: response_ref("NotFound"),
               503: response_ref("ServiceUnavailable")}
WRITE_ERRORS = {400: response_ref("BadRequest"), 401: response_ref("Unauthorized"), 403: response_ref("Forbidden"),
                404: response_ref("NotFound"), 503: response_ref("ServiceUnavailable")}
CREATE_ERRORS = {k: v for k, v in WRITE_ERRORS.items() if k != 404}


def admin_op(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any] | None = None,
           request_body: dict[str, Any] | None = None, writes: bool = False,
           description: str | None = None) -> dict[str, Any]:
    params = list(parameters or [])
    if writes:
        params.append(CSRF_HEADER)
    return operation(operation_id, summary, responses, parameters=params, request_body=request_body,
                     security=AUTHED, description=description, tags=ADMIN)


def head_op(operation_id: str, summary: str, parameters: list[Any], headers: dict[str, Any] | None,
          bad_request: bool = False) -> dict[str, Any]:
    """HEAD: the GET's status and headers, never a body."""
    responses = {
        200: answer("Found; the headers only.", headers=headers),
        401: answer("Not authenticated (no body)."),
        404: answer("No such object (no body)."),
        503: answer("Storage is unavailable (no body)."),
    }
    if bad_request:
        responses[400] = answer("Bad input (no body).")
    return admin_op(operation_id, summary, responses, parameters)


def json_content(schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
    return body({"application/json": schema}, description,
                examples=None if example is None else {"application/json": example})


NEW_RULE = {"priority": 90, "backgroundRate": 100, "update_type": "minor", "product": "Firefox", "channel": "beta",
            "mapping": "Firefox-53.0-build1"}
NEW_RELEASE = {"name": "Firefox-54.0-build1", "product": "Firefox",
               "blob": json.dumps({"name": "Firefox-54.0-build1", "schema_version": 1, "hashFunction": "sha512"})}
LOCALE_CHANGE = {"product": "Firefox", "schema_version": 1, "hashFunction": "sha512", "data_version": 1,
                 "data": json.dumps({"buildID": "20170401000000", "complete": {"from": "*", "filesize": 4000,
                                                                               "hashValue": "c0ffee"}})}


def new_version(description: str = "Written.") -> dict[str, Any]:
    return answer(description, schema_ref("NewDataVersion"))


DELETED = answer("Deleted (no body).")


UPDATE_PARAM_TEXT = {
    "product": ("Product.", "Firefox"), "version": ("The client's version.", "52.0"),
    "buildID": ("The client's build id.", "20170301000000"), "buildTarget": ("Build target.", "WINNT_x86-msvc"),
    "locale": ("Locale.", "en-US"), "channel": ("Update channel.", "release"),
    "osVersion": ("OS version (url-quoted).", "Windows_NT 10.0.0.0.19045 (x64)"),
    "systemCapabilities": ("`ISET:<instruction set>,MEM:<MB>,JAWS:<0|1>` (or the old `SSE3,8095`).",
                           "ISET:SSE4_2,MEM:16384,JAWS:0"),
    "distribution": ("Partner distribution, or `default`.", "default"),
    "distVersion": ("Partner distribution version, or `default`.", "default"),
    "platformVersion": ("Gecko version (URL version 4).", "52.0"), "IMEI": ("Device IMEI (URL version 5).", "0"),
}
UPDATE_QUERY_TEXT = {
    "force": "`1` skips the backgroundRate roll, `-1` forces the fallback.",
    "mig64": "`1`: the client may migrate to 64-bit.",
    "avast": "Set by Avast when it mangles `force` (repaired).",
    "pin": "A version pin such as `102.` or `102.3.` (Firefox ESR policies).",
}


def column_op(operation_id: str, what: str, column: dict[str, Any]) -> dict[str, Any]:
    return admin_op(operation_id, f"The distinct values of one {what} column",
                    {200: answer("The values.", schema_ref("ColumnValues")), **READ_ERRORS}, [column])


def table_history_op(table: str, own: str, scheduled: str, product_channel: bool = False,
                     requirements: dict[str, Any] | None = None) -> dict[str, Any]:
    """``/rules/history``, ``/permissions/history``: the table's versions and its scheduled changes' versions;
    with ``requirements`` (the ``kind`` path parameter), ``/required_signoffs/{kind}/history``."""
    def page(key: str = "revisions") -> dict[str, Any]:
        return obj({"count": {"type": "integer"}, key: {"type": "array", "items": {"type": "object"}}})
    params = [PAGE, LIMIT, query_param("changed_by", "Only changes by this user."),
              query_param("change_id", "Only this change.", {"type": "integer"}),
              query_param("data_version", "Only this version.", {"type": "integer"}),
              query_param("timestamp_from", "Only changes since (ms, inclusive).", {"type": "integer"}),
              query_param("timestamp_to", "Only changes until (ms, inclusive).", {"type": "integer"})]
    if product_channel:
        params += [query_param("product", "Only this product's."), query_param("channel", "Only this channel's.")]
    if requirements is not None:
        params = [requirements, *params, query_param("product", "Only this product's."),
                  query_param("channel", "Only this channel's (product requirements)."),
                  query_param("role", "Only this role's.")]
        body = {"oneOf": [obj({f"{kind} Required Signoffs": page("required_signoffs"),
                               f"{kind} Required Signoffs Scheduled Change": page()})
                          for kind in ("Product", "Permissions")]}
    else:
        body = obj({own: page(), scheduled: page()})
    return admin_op(f"{table}_history", f"Every {table[:-1]} version and scheduled change version, newest first", {
        200: answer("Both lists, each paged.", body),
        400: response_ref("BadRequest"), **READ_ERRORS}, params)


def update_parameter(name: str) -> dict[str, Any]:
    return path_param(name, UPDATE_PARAM_TEXT[name][0], example=UPDATE_PARAM_TEXT[name][1])


SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A token of `shipyard token create`, or an access token of "
                              "`/balrog/oauth/token`. Local stack: `shipyard-dev-token` (user `admin`)."},
    "session": {"type": "apiKey", "in": "cookie", "name": "balrog_session",
                "description": "A session of `POST /session`; its writes must send `X-CSRF-Token`."},
}
