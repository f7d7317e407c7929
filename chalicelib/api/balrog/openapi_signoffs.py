"""The OpenAPI pieces of Balrog's signoff workflow: scheduled changes, signoffs, required signoffs, roles, shutoffs.

Part of the Balrog family's pieces (``chalicelib.api.balrog.openapi``), kept
apart because it is one workflow: a change is scheduled, signed off by users
holding the required roles, and enacted when its time has come. The
operations are declared beside their handlers.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.balrog.openapi import (
    DELETE_VERSION,
    INTEGER_LIKE,
    LIMIT,
    PAGE,
    READ_ERRORS,
    WRITE_ERRORS,
    admin_op,
    json_content,
    obj,
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
    "RequiredSignoff": obj({"product": {"type": "string"}, "channel": {"type": "string"},
                                "role": {"type": "string"}, "signoffs_required": {"type": "integer"},
                                "data_version": {"type": "integer"}}, required=["product", "role",
                                                                                  "signoffs_required"]),
    "Shutoff": obj({"product": {"type": "string"}, "channel": {"type": "string"},
                        "comment": {"type": ["string", "null"]}, "data_version": {"type": "integer"}}),
}

SC_ID = path_param("sc_id", "A scheduled change of that table.", {"type": "integer", "minimum": 1}, example=1)
EMPTY = answer("Done.", {"type": "object"})


BASE = path_param("base", "The table the changes change.", segment(enum=BASES), example="rules")
KIND = path_param("kind", "Which requirements.", segment(enum=KINDS), example="product")
ROLE = path_param("role", "A role.", example="releng")
PRODUCT = path_param("product", "A product.", example="Firefox")
CHANNEL = path_param("channel", "A channel.", example="nightly")
RS_LIST = obj({"count": {"type": "integer"},
               "required_signoffs": {"type": "array", "items": schema_ref("RequiredSignoff")}})


def scheduled_operations(first: dict[str, Any], tag: str) -> dict[str, dict[str, Any]]:
    """The operations of one table's scheduled changes (``first``: the path parameter naming the table), by
    handler: list, schedule, get, modify, delete, enact, sign, revoke, revisions."""
    one = [first, SC_ID]
    listed = obj({"count": {"type": "integer"},
                  "scheduled_changes": {"type": "array", "items": schema_ref("ScheduledChange")}})
    body = json_content(schema_ref("ScheduledChangeBody"), "The change.")
    return {
        "list": admin_op(f"list_{tag}_scheduled_changes", "Incomplete scheduled changes (`all` for every one)",
                         {200: answer("The changes.", listed), 400: response_ref("BadRequest"), **READ_ERRORS},
                         [first, query_param("all", "Present: completed changes too.")]),
        "schedule": admin_op(f"schedule_{tag}_change", "Schedule a change", {
            200: answer("The new change and its signoffs.", obj({"sc_id": {"type": "integer"},
                                                                  "signoffs": SIGNOFFS})),
            **WRITE_ERRORS}, [first], body, writes=True),
        "get": admin_op(f"get_{tag}_scheduled_change", "One scheduled change", {
            200: answer("The change.", obj({"scheduled_change": schema_ref("ScheduledChange")})),
            400: response_ref("BadRequest"), **READ_ERRORS}, one),
        "modify": admin_op(f"modify_{tag}_scheduled_change", "Modify a scheduled change (others' signoffs reset)", {
            200: answer("Its new version and signoffs.", obj({"new_data_version": {"type": "integer"},
                                                               "signoffs": SIGNOFFS})),
            **WRITE_ERRORS}, one, body, writes=True),
        "delete": admin_op(f"delete_{tag}_scheduled_change", "Delete a scheduled change", {
            200: EMPTY, **WRITE_ERRORS}, [*one, DELETE_VERSION], writes=True),
        "enact": admin_op(f"enact_{tag}_scheduled_change",
                          "Enact now (`scheduled_change`/`enact`; signoffs still required)",
                          {200: EMPTY, **WRITE_ERRORS}, one, writes=True),
        "sign": admin_op(f"sign_{tag}_scheduled_change", "Sign off with a role the user holds", {
            200: EMPTY, **WRITE_ERRORS}, one, json_content(obj({"role": {"type": "string"}}), "The role."),
            writes=True),
        "revoke": admin_op(f"revoke_{tag}_signoff", "Revoke a signoff (one's own, or as its role or an admin)", {
            200: answer("Revoked, or `{\"error\"}` when there was none.", {"type": "object"}), **WRITE_ERRORS},
            [*one, query_param("username", "Whose signoff (default: the user's own).")], writes=True),
        "revisions": admin_op(f"{tag}_scheduled_change_revisions", "A scheduled change's versions, newest first", {
            200: answer("A page of versions.", obj({"count": {"type": "integer"},
                                                     "revisions": {"type": "array", "items": {"type": "object"}}})),
            400: response_ref("BadRequest"), **READ_ERRORS}, [*one, PAGE, LIMIT]),
    }
