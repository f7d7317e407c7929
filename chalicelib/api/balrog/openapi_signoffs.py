"""The OpenAPI paths of Balrog's signoff workflow: scheduled changes, signoffs, required signoffs, roles, shutoffs.

Part of the Balrog family's document (``chalicelib.api.balrog.openapi``),
kept apart because it is one workflow: a change is scheduled, signed off by
users holding the required roles, and enacted when its time has come.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.balrog.openapi import (
    API,
    CREATE_ERRORS,
    DATA_VERSION,
    DELETE_VERSION,
    INTEGER_LIKE,
    LIMIT,
    PAGE,
    READ_ERRORS,
    USERNAME,
    WRITE_ERRORS,
    _admin,
    _json_body,
    _new_version,
    _object,
)
from chalicelib.api.kit.openapi_parts import answer, path_param, query_param, response_ref, schema_ref, segment

BASES = ["rules", "releases", "permissions", "emergency_shutoff"]
KINDS = ["product", "permissions"]
SIGNOFFS = {"type": "object", "additionalProperties": {"type": "string"}, "description": "username → role."}
REQUIRED = {"type": "object", "additionalProperties": {"type": "integer"}, "description": "role → signoffs needed."}

SCHEMAS: dict[str, Any] = {
    "ScheduledChange": {
        "type": "object", "required": ["sc_id", "scheduled_by", "complete", "change_type", "when", "sc_data_version",
                                       "data_version", "signoffs", "required_signoffs"],
        "properties": {"sc_id": {"type": "integer"}, "scheduled_by": {"type": "string"},
                       "complete": {"type": "boolean"}, "change_type": {"enum": ["insert", "update", "delete"]},
                       "when": {"type": ["integer", "null"]}, "sc_data_version": {"type": "integer"},
                       "data_version": {"type": ["integer", "null"], "description": "The object's, when scheduled."},
                       "signoffs": SIGNOFFS, "required_signoffs": REQUIRED},
        "description": "A scheduled change: the object's columns (unprefixed) and the schedule's own fields.",
    },
    "ScheduledChangeBody": {
        "type": "object",
        "properties": {"when": INTEGER_LIKE, "change_type": {"enum": ["insert", "update", "delete"]},
                       "data_version": INTEGER_LIKE, "sc_data_version": INTEGER_LIKE},
        "description": "`when` (milliseconds since the epoch, in the future), `change_type`, and the object's "
                       "columns; `data_version` for an update or delete; `sc_data_version` to modify one.",
    },
    "RequiredSignoff": _object({"product": {"type": "string"}, "channel": {"type": "string"},
                                "role": {"type": "string"}, "signoffs_required": {"type": "integer"},
                                "data_version": {"type": "integer"}}, required=["product", "role",
                                                                                  "signoffs_required"]),
    "Shutoff": _object({"product": {"type": "string"}, "channel": {"type": "string"},
                        "comment": {"type": ["string", "null"]}, "data_version": {"type": "integer"}}),
}

SC_ID = path_param("sc_id", "A scheduled change of that table.", {"type": "integer", "minimum": 1}, example=1)
EMPTY = answer("Done.", {"type": "object"})


def _scheduled(prefix: str, first: dict[str, Any], tag: str) -> dict[str, Any]:
    one = [first, SC_ID]
    listed = _object({"count": {"type": "integer"},
                      "scheduled_changes": {"type": "array", "items": schema_ref("ScheduledChange")}})
    body = _json_body(schema_ref("ScheduledChangeBody"), "The change.")
    return {
        prefix: {
            "get": _admin(f"list_{tag}_scheduled_changes", "Incomplete scheduled changes (`all` for every one)",
                          {200: answer("The changes.", listed), 400: response_ref("BadRequest"), **READ_ERRORS},
                          [first, query_param("all", "Present: completed changes too.")]),
            "post": _admin(f"schedule_{tag}_change", "Schedule a change", {
                200: answer("The new change and its signoffs.", _object({"sc_id": {"type": "integer"},
                                                                           "signoffs": SIGNOFFS})),
                **WRITE_ERRORS}, [first], body, writes=True),
        },
        f"{prefix}/{{sc_id}}": {
            "get": _admin(f"get_{tag}_scheduled_change", "One scheduled change", {
                200: answer("The change.", _object({"scheduled_change": schema_ref("ScheduledChange")})),
                400: response_ref("BadRequest"), **READ_ERRORS}, one),
            "post": _admin(f"modify_{tag}_scheduled_change", "Modify a scheduled change (others' signoffs reset)", {
                200: answer("Its new version and signoffs.", _object({"new_data_version": {"type": "integer"},
                                                                        "signoffs": SIGNOFFS})),
                **WRITE_ERRORS}, one, body, writes=True),
            "delete": _admin(f"delete_{tag}_scheduled_change", "Delete a scheduled change", {
                200: EMPTY, **WRITE_ERRORS}, [*one, DELETE_VERSION], writes=True),
        },
        f"{prefix}/{{sc_id}}/enact": {"post": _admin(
            f"enact_{tag}_scheduled_change", "Enact now (`scheduled_change`/`enact`; signoffs still required)",
            {200: EMPTY, **WRITE_ERRORS}, one, writes=True)},
        f"{prefix}/{{sc_id}}/signoffs": {
            "post": _admin(f"sign_{tag}_scheduled_change", "Sign off with a role the user holds", {
                200: EMPTY, **WRITE_ERRORS}, one, _json_body(_object({"role": {"type": "string"}}), "The role."),
                writes=True),
            "delete": _admin(f"revoke_{tag}_signoff", "Revoke a signoff (one's own, or as its role or an admin)", {
                200: answer("Revoked, or `{\"error\"}` when there was none.", {"type": "object"}), **WRITE_ERRORS},
                [*one, query_param("username", "Whose signoff (default: the user's own).")], writes=True),
        },
        f"{prefix}/{{sc_id}}/revisions": {"get": _admin(
            f"{tag}_scheduled_change_revisions", "A scheduled change's versions, newest first", {
                200: answer("A page of versions.", _object({"count": {"type": "integer"},
                                                            "revisions": {"type": "array", "items": {
                                                                "type": "object"}}})),
                400: response_ref("BadRequest"), **READ_ERRORS}, [*one, PAGE, LIMIT])},
    }


def paths() -> dict[str, Any]:
    base = path_param("base", "The table the changes change.", segment(enum=BASES), example="rules")
    kind = path_param("kind", "Which requirements.", segment(enum=KINDS), example="product")
    role = path_param("role", "A role.", example="releng")
    product = path_param("product", "A product.", example="Firefox")
    channel = path_param("channel", "A channel.", example="nightly")
    rs_list = _object({"count": {"type": "integer"},
                       "required_signoffs": {"type": "array", "items": schema_ref("RequiredSignoff")}})
    return {
        **_scheduled(f"{API}/scheduled_changes/{{base}}", base, "base"),
        **_scheduled(f"{API}/scheduled_changes/required_signoffs/{{kind}}", kind, "rs"),
        f"{API}/required_signoffs/{{kind}}": {
            "get": _admin("list_required_signoffs", "Required signoffs", {
                200: answer("The requirements.", rs_list), **READ_ERRORS},
                [kind, query_param("product", "Only this product's."), query_param("channel", "Only this channel's.")]),
            "post": _admin("create_required_signoff", "Add the first requirement of a product (and channel)", {
                201: _new_version("Created."), **CREATE_ERRORS, 404: response_ref("NotFound")}, [kind],
                _json_body(schema_ref("RequiredSignoff"), "The requirement.",
                           {"product": "Firefox", "channel": "beta", "role": "releng", "signoffs_required": 1}),
                writes=True),
            "delete": _admin("delete_required_signoff", "Refused: a requirement is removed by a scheduled change", {
                **WRITE_ERRORS}, [kind], writes=True),
        },
        f"{API}/required_signoffs/{{kind}}/revisions": {"get": _admin(
            "required_signoff_revisions", "One requirement's versions", {
                200: answer("A page of versions.", rs_list), 400: response_ref("BadRequest"), **READ_ERRORS},
            [kind, query_param("product", "Its product."), query_param("channel", "Its channel (product kind)."),
             query_param("role", "Its role."), PAGE, LIMIT])},
        f"{API}/emergency_shutoff": {
            "get": _admin("list_shutoffs", "Product/channels whose updates are shut off", {
                200: answer("The shutoffs.", _object({"count": {"type": "integer"}, "shutoffs": {
                    "type": "array", "items": schema_ref("Shutoff")}})),
                401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")}),
            "post": _admin("create_shutoff", "Shut off a product's updates on a channel, now", {
                201: answer("The shutoff.", schema_ref("Shutoff")), **CREATE_ERRORS},
                request_body=_json_body(_object({"product": {"type": "string"}, "channel": {"type": "string"},
                                                 "comment": {"type": "string"}}, required=["product", "channel"]),
                                        "The product and channel.", {"product": "Firefox", "channel": "aurora"}),
                writes=True),
        },
        f"{API}/emergency_shutoff/{{product}}/{{channel}}": {
            "get": _admin("get_shutoff", "One shutoff", {
                200: answer("The shutoff.", schema_ref("Shutoff"), headers=DATA_VERSION), **READ_ERRORS},
                [product, channel]),
            "delete": _admin("delete_shutoff", "Turn updates back on (where no signoff is required)", {
                200: answer("Deleted (no body)."), **WRITE_ERRORS}, [product, channel, DELETE_VERSION],
                writes=True),
        },
        f"{API}/users/{{username}}/roles": {"get": _admin("user_roles", "A user's roles", {
            200: answer("The roles.", _object({"roles": {"type": "array", "items": _object({
                "role": {"type": "string"}, "data_version": {"type": "integer"}})}})),
            401: response_ref("Unauthorized"), 503: response_ref("ServiceUnavailable")}, [USERNAME])},
        f"{API}/users/{{username}}/roles/{{role}}": {
            "put": _admin("grant_role", "Grant a role (200 when held already)", {
                200: _new_version("Held already."), 201: _new_version("Granted."), **WRITE_ERRORS},
                [USERNAME, role], writes=True),
            "delete": _admin("revoke_role", "Revoke a role", {200: answer("Revoked (no body)."), **WRITE_ERRORS},
                             [USERNAME, role, DELETE_VERSION], writes=True),
        },
    }
