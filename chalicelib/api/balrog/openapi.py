"""The OpenAPI document of the Balrog family: the admin API, the token endpoint and update.xml.

Paths are the app's own: the admin API under ``/balrog/api``, the
client-credentials grant at ``/balrog/oauth/token`` and the update endpoint
under ``/balrog/update``. Admin errors are Balrog's problem bodies
(``{"title", "detail", "status", "exception"?}``), the token endpoint's are
RFC 6749's (``{"error", "error_description"}``). Admin operations take a
bearer token or a cookie session; a session's writes must also send the CSRF
token (``X-CSRF-Token``), else 400 ``CSRFError``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.balrog.history import TABLES as HISTORY_TABLES
from chalicelib.api.balrog.releases import RELEASE_COLUMNS
from chalicelib.api.balrog.update import json_route_for, route_for
from chalicelib.api.kit.openapi_parts import (
    answer,
    body,
    document,
    header,
    operation,
    path_param,
    query_param,
    response_ref,
    schema_ref,
    segment,
)
from chalicelib.balrog.permissions import OPTIONS
from chalicelib.balrog.update_query import JSON_SEGMENTS, QUERY_PARAMETERS, SEGMENTS
from chalicelib.store.balrog_rules import COLUMNS

FAMILY = "balrog"
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


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            **extra}


SCHEMAS: dict[str, Any] = {
    "Problem": _object({"title": {"type": "string"}, "detail": {"type": "string"}, "status": {"type": "integer"},
                        "exception": {"type": "string"}}, required=["title", "detail", "status"],
                       description="Balrog's error body."),
    "TokenError": _object({"error": {"enum": ["invalid_request", "unsupported_grant_type", "access_denied",
                                              "temporarily_unavailable"]},
                           "error_description": {"type": "string"}}, description="RFC 6749 section 5.2."),
    "NewDataVersion": _object({"new_data_version": {"type": "integer"}}),
    "Rule": _object({c: RULE_TYPES.get(c, STRING_OR_NULL) for c in COLUMNS},
                    description="Every column, NULL as null."),
    "RuleRevision": {"allOf": [schema_ref("Rule"), _object(CHANGE_FIELDS)]},
    "RuleFields": {"type": "object", "description": "Rule columns (others are ignored).",
                   "properties": {c: RULE_INPUT_TYPES.get(c, STRING_OR_NULL) for c in WRITABLE_COLUMNS}},
    "ReleaseSummary": _object({"name": {"type": "string"}, "product": STRING_OR_NULL,
                               "data_version": {"type": "integer"}, "read_only": {"type": "boolean"}}),
    "ReleaseRevision": {"allOf": [schema_ref("ReleaseSummary"), _object(CHANGE_FIELDS)]},
    "ReleaseChange": {
        "type": "object",
        "description": "A change merged into the blob (created first when the release does not exist).",
        "properties": {"product": {"type": "string"}, "data": NESTED_OBJECT, "data_version": INTEGER_LIKE,
                       "schema_version": INTEGER_LIKE, "hashFunction": {"type": "string"}, "copyTo": NAME_LIST,
                       "csrf_token": CSRF_FIELD},
        "required": ["product", "data"],
    },
    "Permission": _object({"data_version": {"type": "integer"}, "options": {"type": ["object", "null"]}}),
    "PermissionChange": {"type": "object", "properties": {
        "options": {"type": ["object", "string", "null"], "description": "`{\"products\": [...], "
                                                                          "\"actions\": [...]}` or its JSON."},
        "data_version": INTEGER_LIKE, "csrf_token": CSRF_FIELD}},
    "ColumnValues": {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}},
                     "additionalProperties": {"type": "array"},
                     "description": "`count` and the column's distinct values under the column's name."},
    "Token": _object({"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
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
RELEASE_COLUMN = path_param("column", "A release column; another is 404.", segment(enum=list(RELEASE_COLUMNS)),
                            example="product")
PAGE = query_param("page", "Page of the list, from 1.", {"type": "integer", "minimum": 1})
LIMIT = query_param("limit", "Entries per page (default 10).", {"type": "integer", "minimum": 1})
DELETE_VERSION = query_param("data_version", "The object's current data_version.", {"type": "integer"},
                             required=True)

READ_ERRORS = {401: response_ref("Unauthorized"), 404: response_ref("NotFound"),
               503: response_ref("ServiceUnavailable")}
WRITE_ERRORS = {400: response_ref("BadRequest"), 401: response_ref("Unauthorized"), 403: response_ref("Forbidden"),
                404: response_ref("NotFound"), 503: response_ref("ServiceUnavailable")}
CREATE_ERRORS = {k: v for k, v in WRITE_ERRORS.items() if k != 404}


def _admin(operation_id: str, summary: str, responses: dict[Any, Any], parameters: list[Any] | None = None,
           request_body: dict[str, Any] | None = None, writes: bool = False,
           description: str | None = None) -> dict[str, Any]:
    params = list(parameters or [])
    if writes:
        params.append(CSRF_HEADER)
    return operation(operation_id, summary, responses, parameters=params, request_body=request_body,
                     security=AUTHED, description=description, tags=ADMIN)


def _head(operation_id: str, summary: str, parameters: list[Any], headers: dict[str, Any] | None,
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
    return _admin(operation_id, summary, responses, parameters)


def _json_body(schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
    return body({"application/json": schema}, description,
                examples=None if example is None else {"application/json": example})


NEW_RULE = {"priority": 90, "backgroundRate": 100, "update_type": "minor", "product": "Firefox", "channel": "beta",
            "mapping": "Firefox-53.0-build1"}
NEW_RELEASE = {"name": "Firefox-54.0-build1", "product": "Firefox",
               "blob": {"name": "Firefox-54.0-build1", "schema_version": 1}}
LOCALE_CHANGE = {"product": "Firefox", "schema_version": 4, "hashFunction": "sha512", "data_version": 1,
                 "data": {"buildID": "20170401000000", "completes": [{"from": "*", "filesize": 4000,
                                                                     "hashValue": "c0ffee"}]}}


def _new_version(description: str = "Written.") -> dict[str, Any]:
    return answer(description, schema_ref("NewDataVersion"))


DELETED = answer("Deleted (no body).")


def _column(operation_id: str, what: str, column: dict[str, Any]) -> dict[str, Any]:
    return {"get": _admin(operation_id, f"The distinct values of one {what} column",
                          {200: answer("The values.", schema_ref("ColumnValues")), **READ_ERRORS}, [column])}


def _rules() -> dict[str, Any]:
    rule_body = _json_body({"allOf": [schema_ref("RuleFields"), {"type": "object", "properties": {
        "data_version": INTEGER_LIKE, "csrf_token": CSRF_FIELD}}]}, "The columns to change and `data_version`.")
    change = {200: _new_version(), **WRITE_ERRORS}
    return {
        f"{API}/rules": {
            "get": _admin("list_rules", "Every rule, ordered by priority, version, mapping",
                          {200: answer("The rules.", _object({
                              "count": {"type": "integer"}, "rules": {"type": "array", "items": schema_ref("Rule")}})),
                           401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")},
                          [query_param("product", "Only this product's rules.")]),
            "post": _admin("create_rule", "Create a rule", {
                200: answer("The new rule's id.", {"type": "string", "pattern": "^[0-9]+$"}, media="text/plain"),
                **CREATE_ERRORS},
                request_body=_json_body({"allOf": [schema_ref("RuleFields"), {
                    "required": ["priority", "backgroundRate", "update_type"]}]},
                    "The rule's columns; `priority`, `backgroundRate` and `update_type` are required.", NEW_RULE),
                writes=True),
        },
        f"{API}/rules/columns/{{column}}": _column("rule_column", "rule", RULE_COLUMN),
        f"{API}/rules/history": {"get": _table_history("rules", "Rules", "Rules scheduled change",
                                                       product_channel=True)},
        f"{API}/rules/{{id_or_alias}}": {
            "get": _admin("get_rule", "One rule", {200: answer("The rule.", schema_ref("Rule"), headers=DATA_VERSION),
                                                  **READ_ERRORS}, [RULE]),
            "head": _head("head_rule", "A rule's data_version", [RULE], DATA_VERSION),
            "post": _admin("change_rule", "Change a rule", change, [RULE], rule_body, writes=True),
            "put": _admin("put_rule", "Change a rule (as POST)", change, [RULE], rule_body, writes=True),
            "delete": _admin("delete_rule", "Delete a rule", {200: DELETED, **WRITE_ERRORS}, [RULE, DELETE_VERSION],
                             writes=True),
        },
        f"{API}/rules/{{id_or_alias}}/revisions": {
            "get": _admin("rule_revisions", "A rule's versions, newest first", {
                200: answer("A page of versions.", _object({"count": {"type": "integer"}, "rules": {
                    "type": "array", "items": schema_ref("RuleRevision")}})),
                400: response_ref("BadRequest"), **READ_ERRORS}, [RULE, PAGE, LIMIT]),
            "post": _admin("revert_rule", "Apply an earlier version's values", change, [RULE],
                           _json_body(_object({"change_id": INTEGER_LIKE}, required=[]), "The `change_id` to apply."),
                           writes=True),
        },
    }


def _table_history(table: str, own: str, scheduled: str, product_channel: bool = False) -> dict[str, Any]:
    """``/rules/history``, ``/permissions/history``: the table's versions and its scheduled changes' versions."""
    page = _object({"count": {"type": "integer"}, "revisions": {"type": "array", "items": {"type": "object"}}})
    params = [PAGE, LIMIT, query_param("changed_by", "Only changes by this user."),
              query_param("change_id", "Only this change.", {"type": "integer"}),
              query_param("data_version", "Only this version.", {"type": "integer"}),
              query_param("timestamp_from", "Only changes since (ms, inclusive).", {"type": "integer"}),
              query_param("timestamp_to", "Only changes until (ms, inclusive).", {"type": "integer"})]
    if product_channel:
        params += [query_param("product", "Only this product's."), query_param("channel", "Only this channel's.")]
    return _admin(f"{table}_history", f"Every {table[:-1]} version and scheduled change version, newest first", {
        200: answer("Both lists, each paged.", _object({own: page, scheduled: page})),
        400: response_ref("BadRequest"), **READ_ERRORS}, params)


def _releases() -> dict[str, Any]:
    locale = [NAME, path_param("platform", "A build platform.", example="WINNT_x86-msvc"),
              path_param("locale", "A locale.", example="en-US")]
    created_or_changed = {200: _new_version("Changed."), 201: _new_version("Created."), **WRITE_ERRORS}
    return {
        f"{API}/releases": {
            "get": _admin("list_releases", "Release records (never blobs)", {
                200: answer("The records, or their names with `names_only=1`.", {"oneOf": [
                    _object({"releases": {"type": "array", "items": schema_ref("ReleaseSummary")}}),
                    _object({"names": {"type": "array", "items": {"type": "string"}}})]}),
                401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")},
                [query_param("product", "Only this product's releases."),
                 query_param("name_prefix", "Only names starting so."),
                 query_param("names_only", "`1` or `true`: names only.")]),
            "post": _admin("create_release", "Create a release", {
                201: _new_version("Created (`new_data_version` 1)."),
                **CREATE_ERRORS},
                request_body=_json_body(_object({"name": {"type": "string"}, "product": {"type": "string"},
                                                 "blob": NESTED_OBJECT, "csrf_token": CSRF_FIELD},
                                                required=["name", "product", "blob"]),
                                        "The release; the blob's `name` must equal `name`.", NEW_RELEASE),
                writes=True),
        },
        f"{API}/releases/columns/{{column}}": _column("release_column", "release", RELEASE_COLUMN),
        f"{API}/releases/{{name}}": {
            "get": _admin("get_release", "A release's blob", {
                200: answer("The blob.", {"type": "object"}, headers=DATA_VERSION), **READ_ERRORS},
                [NAME, query_param("pretty", "`1` or `true`: indented, keys sorted.")]),
            "head": _head("head_release", "A release's data_version", [NAME], DATA_VERSION),
            "put": _admin("put_release", "Overwrite a release's blob, or create it", created_or_changed, [NAME],
                          _json_body(_object({"name": {"type": "string"}, "product": {"type": "string"},
                                              "blob": NESTED_OBJECT, "data_version": INTEGER_LIKE,
                                              "csrf_token": CSRF_FIELD}, required=["product", "blob"]),
                                     "The blob (`data_version` required when the release exists)."),
                          writes=True),
            "post": _admin("post_release", "Merge top-level fields into a release's blob", created_or_changed, [NAME],
                           _json_body(schema_ref("ReleaseChange"), "The fields to merge."), writes=True),
            "delete": _admin("delete_release", "Delete a release no rule maps to", {200: DELETED, **WRITE_ERRORS},
                             [NAME, DELETE_VERSION], writes=True),
        },
        f"{API}/releases/{{name}}/builds/{{platform}}/{{locale}}": {
            "get": _admin("get_locale", "One locale's entry of a release", {
                200: answer("The entry.", {"type": "object"}, headers=DATA_VERSION), **READ_ERRORS}, locale),
            "head": _head("head_locale", "The release's data_version, if the locale exists", locale, DATA_VERSION),
            "put": _admin("put_locale", "Set one locale's entry", created_or_changed, locale,
                          _json_body({"allOf": [schema_ref("ReleaseChange"), {"type": "object", "properties": {
                              "alias": NAME_LIST}}]}, "The entry in `data`; `alias` adds platforms aliased to this.",
                              LOCALE_CHANGE),
                          writes=True),
        },
        f"{API}/releases/{{name}}/read_only": {
            "get": _admin("get_read_only", "Whether a release is read only", {
                200: answer("The flag.", _object({"read_only": {"type": "boolean"}})), **READ_ERRORS}, [NAME]),
            "put": _admin("put_read_only", "Set or unset read only", {
                201: _new_version("Set (or already set)."), **WRITE_ERRORS}, [NAME],
                _json_body(_object({"read_only": {"type": ["boolean", "string"]}, "data_version": INTEGER_LIKE,
                                    "csrf_token": CSRF_FIELD}, required=["read_only", "data_version"]),
                           "The flag and `data_version`."), writes=True),
        },
        f"{API}/releases/{{name}}/revisions": {
            "get": _admin("release_revisions", "A release's versions, newest first", {
                200: answer("A page of versions.", _object({"count": {"type": "integer"}, "revisions": {
                    "type": "array", "items": schema_ref("ReleaseRevision")}})),
                400: response_ref("BadRequest"), **READ_ERRORS}, [NAME, PAGE, LIMIT]),
            "post": _admin("revert_release", "Write an earlier version's blob and product", {
                200: _new_version(), **WRITE_ERRORS}, [NAME],
                _json_body(_object({"change_id": INTEGER_LIKE}, required=[]), "The `change_id` to apply."),
                writes=True),
        },
    }


def _users() -> dict[str, Any]:
    params = [USERNAME, PERMISSION]
    permission_body = _json_body(schema_ref("PermissionChange"), "Options and, to change one, `data_version`.",
                                 {"options": {"products": ["Firefox"], "actions": ["create", "modify"]},
                                  "data_version": 1})
    return {
        f"{API}/permissions/history": {"get": _table_history("permissions", "Permissions",
                                                             "Permissions Scheduled Change")},
        f"{API}/users": {"get": _admin("list_users", "Users with at least one permission, with roles and permissions", {
            200: answer("username → its roles and permissions.", {"type": "object", "additionalProperties": _object({
                "roles": {"type": "array", "items": _object({"role": {"type": "string"},
                                                             "data_version": {"type": "integer"}})},
                "permissions": {"type": "object", "additionalProperties": schema_ref("Permission")}})}),
            401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")})},
        f"{API}/users/{{username}}": {"get": _admin("get_user", "One user's permissions and roles", {
            200: answer("The user.", _object({"username": {"type": "string"}, "permissions": {
                "type": "object", "additionalProperties": schema_ref("Permission")}, "roles": {"type": "object"}})),
            **READ_ERRORS}, [USERNAME])},
        f"{API}/users/{{username}}/permissions": {"get": _admin("user_permissions", "A user's permissions", {
            200: answer("Permission → row.", {"type": "object", "additionalProperties": schema_ref("Permission")}),
            401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")}, [USERNAME])},
        f"{API}/users/{{username}}/permissions/{{permission}}": {
            "get": _admin("get_permission", "One permission of a user", {
                200: answer("The row.", schema_ref("Permission"), headers=DATA_VERSION),
                400: response_ref("BadRequest"), **READ_ERRORS}, params),
            "head": _head("head_permission", "A permission's data_version", params, DATA_VERSION, bad_request=True),
            "put": _admin("put_permission", "Create or overwrite a permission", {
                200: _new_version("Changed."), 201: _new_version("Created."), **WRITE_ERRORS},
                params, permission_body, writes=True),
            "post": _admin("post_permission", "Overwrite a permission", {200: _new_version("Changed."), **WRITE_ERRORS},
                           params, permission_body, writes=True),
            "delete": _admin("delete_permission", "Delete a permission", {200: DELETED, **WRITE_ERRORS},
                             [*params, DELETE_VERSION], writes=True),
        },
    }


def _history() -> dict[str, Any]:
    tables = sorted(name + plural for name in HISTORY_TABLES for plural in ("", "s"))
    params = [path_param("table", "A versioned table; another is 404.", segment(enum=tables), example="rule"),
              path_param("change_id", "A change of that table.", {"type": "integer", "minimum": 1}, example=1),
              path_param("field", "A field of that table; another is 400.", example="priority")]
    errors = {400: response_ref("BadRequest"), **READ_ERRORS}
    return {
        f"{API}/history/view/{{table}}/{{change_id}}/{{field}}": {"get": _admin(
            "history_view", "A field's value at a change", {
                200: answer("The value as text (objects as indented JSON, NULL as `NULL`).", {"type": "string"},
                            media="text/plain"), **errors}, params)},
        f"{API}/history/diff/{{table}}/{{change_id}}/{{field}}": {"get": _admin(
            "history_diff", "A unified diff of a field against the object's previous change", {
                200: answer("The diff.", {"type": "string"}, media="text/plain"), **errors}, params)},
    }


def _sessions() -> dict[str, Any]:
    csrf = {"X-CSRF-Token": header("The CSRF token: the session's, or a fresh unchecked one for a bearer.")}
    cookie = {"Set-Cookie": header("The session cookie `balrog_session` (HttpOnly, SameSite=Strict).")}
    csrf_responses = {200: answer("The token, in the header; no body.", headers=csrf),
                      401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")}
    session_errors = {400: response_ref("BadRequest"), 401: response_ref("Unauthorized"),
                      503: response_ref("ServiceUnavailable")}
    return {
        f"{API}/csrf_token": {
            "get": _admin("csrf_token", "A CSRF token for a session's writes", csrf_responses),
            "head": _admin("head_csrf_token", "A CSRF token (headers only)", {
                200: answer("The token, in the header.", headers=csrf), 401: answer("Not authenticated (no body)."),
                503: answer("Storage is unavailable (no body).")}),
        },
        f"{API}/session": {
            "post": _admin("sign_in", "Start a cookie session for the authenticated user", {
                200: answer("The session.", _object({"username": {"type": "string"}, "expires_at": {"type": "integer"},
                                                     "csrf_token": {"type": "string"}}), headers=cookie),
                **session_errors}, writes=True),
            "delete": _admin("sign_out", "End the request's cookie session", {
                200: answer("Ended; the cookie expired (no body).", headers=cookie), **session_errors}, writes=True),
        },
    }


def _token() -> dict[str, Any]:
    no_store = {"Cache-Control": header("`no-store`", {"const": "no-store"}),
                "Pragma": header("`no-cache`", {"const": "no-cache"})}

    def token_error(description: str) -> dict[str, Any]:
        return answer(description, schema_ref("TokenError"), headers=no_store)

    return {"/balrog/oauth/token": {"post": operation(
        "oauth_token", "Exchange a user's Shipyard token for an access token (client-credentials grant)",
        {200: answer("An access token valid for `expires_in` seconds.", schema_ref("Token"), headers=no_store),
         400: token_error("`invalid_request` (not a JSON object or form; no client_id or client_secret) or "
                          "`unsupported_grant_type`."),
         401: token_error("`access_denied`: the secret is not a token of that client_id."),
         503: token_error("`temporarily_unavailable`: storage is unavailable.")},
        request_body=body({"application/json": schema_ref("TokenRequest"),
                           "application/x-www-form-urlencoded": schema_ref("TokenRequest")},
                          "`client_id` is the user, `client_secret` a token `shipyard token create` issued to them "
                          "(the example is the local stack's development token).",
                          examples={"application/json": {"grant_type": "client_credentials", "client_id": "admin",
                                                         "client_secret": "shipyard-dev-token",
                                                         "audience": "balrog"}}),
        security=NO_AUTH, tags=["balrog oauth"],
        description="What balrogclient asks Auth0 for; errors are RFC 6749's, not problem bodies.",
    )}}


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


def _update() -> dict[str, Any]:
    """One path per URL version Balrog serves (other shapes under /balrog/update get the empty answer)."""
    xml = {"type": "string", "pattern": "^<\\?xml"}
    paths: dict[str, Any] = {}
    for version in sorted(SEGMENTS):
        paths["/balrog/update" + route_for(version)] = {"get": operation(
            f"update_xml_v{version}", f"The update a client of URL version {version} should apply, if any", {
                200: answer("Balrog's update XML; an empty `<updates>` when there is no update.", xml,
                            media="text/xml"),
                400: {**answer("A query Balrog refuses: an unknown query parameter or an empty pin (a problem "
                               "body, as Balrog's OpenAPI layer answers), an invalid version or pin, a platform or "
                               "locale the release lacks (plain text).", {"type": "string"}, media="text/plain"),
                      "content": {"text/plain": {"schema": {"type": "string"}},
                                  "application/problem+json": {"schema": {"type": "object"}}}},
                503: answer("Storage is unavailable: an empty `<updates>`; retry later.", xml, media="text/xml")},
            parameters=[*(path_param(name, UPDATE_PARAM_TEXT[name][0], example=UPDATE_PARAM_TEXT[name][1])
                          for name in SEGMENTS[version]),
                        *(query_param(name, text) for name, text in UPDATE_QUERY_TEXT.items()
                          if name in QUERY_PARAMETERS[version])],
            security=NO_AUTH, tags=["balrog update"],
        )}
    json_schema = {"type": "object", "properties": {
        "version": {"type": "string"}, "url": {"type": "string"}, "required": {"type": "boolean"},
        "hashFunction": {"type": "string"}, "hashValue": {"type": "string"}}}
    for version in sorted(JSON_SEGMENTS):
        paths["/balrog/json" + json_route_for(version)] = {"get": operation(
            f"update_json_v{version}", "The update a Guardian (Mozilla VPN) client should apply", {
                200: answer("The update: version, installer URL and hash, whether it is required; `{}` when the "
                            "installer's host is not allowlisted for the product.", json_schema),
                400: answer("A query parameter other than `force` (a problem body).", {"type": "object"},
                            media="application/problem+json"),
                404: answer("No update (an empty body).", {"type": "string"}, media="text/html")},
            parameters=[*(path_param(name, UPDATE_PARAM_TEXT[name][0], example=UPDATE_PARAM_TEXT[name][1])
                          for name in JSON_SEGMENTS[version]),
                        query_param("force", UPDATE_QUERY_TEXT["force"])],
            security=NO_AUTH, tags=["balrog update"],
        )}
    return paths


def build() -> dict[str, Any]:
    from chalicelib.api.balrog import openapi_signoffs as signoff_workflow  # it builds on this module's parts

    return document(
        FAMILY, "Shipyard: Balrog",
        "Balrog's admin API (rules, releases, permissions, history; `data_version` concurrency), the token "
        "endpoint balrogclient asks for its bearer token, and the public update endpoint.",
        {**_rules(), **_releases(), **_users(), **_history(), **_sessions(), **_token(), **_update(),
         **signoff_workflow.paths()},
        {"schemas": {**SCHEMAS, **signoff_workflow.SCHEMAS}, "responses": RESPONSES, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "A token of `shipyard token create`, or an access token of "
                                      "`/balrog/oauth/token`. Local stack: `shipyard-dev-token` (user `admin`)."},
            "session": {"type": "apiKey", "in": "cookie", "name": "balrog_session",
                        "description": "A session of `POST /session`; its writes must send `X-CSRF-Token`."},
        }},
    )
