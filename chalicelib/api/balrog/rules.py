"""``/rules``: list, create, read, change, delete, revisions and revert, column values."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.balrog import rule_fields
from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    change_of,
    int_value,
    json_body,
    page_and_limit,
    query_params,
    require,
)
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import (
    CREATE_ERRORS,
    CSRF_FIELD,
    DATA_VERSION,
    DELETE_VERSION,
    DELETED,
    INTEGER_LIKE,
    LIMIT,
    NEW_RULE,
    PAGE,
    READ_ERRORS,
    RULE,
    RULE_COLUMN,
    WRITE_ERRORS,
    admin_op,
    column_op,
    head_op,
    json_content,
    new_version,
    obj,
)
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.services.balrog import gates, scheduled_changes
from chalicelib.services.balrog.scheduled_kinds import RULES
from chalicelib.store import balrog_table_history as table_history
from chalicelib.store.balrog_releases import releases
from chalicelib.store.balrog_rules import COLUMNS, render, rules

bp = blueprint(__name__)

RULE_BODY = json_content({"allOf": [oa.schema_ref("RuleFields"), {"type": "object", "properties": {
    "data_version": INTEGER_LIKE, "csrf_token": CSRF_FIELD}}]}, "The columns to change and `data_version`.")
CHANGE = {200: new_version(), **WRITE_ERRORS}


def _found(id_or_alias: str) -> dict[str, Any]:
    rule = rules.find(id_or_alias)
    if rule is None:
        raise BalrogError(404, f"Requested rule wasn't found: {id_or_alias}")
    return rule


def check_mappings(fields: dict[str, Any], creating: bool) -> None:
    """Balrog's ``process_rule_form`` checks: a rule maps to releases that exist, and a new rule maps somewhere.

    One GetItem per named release.
    """
    if ("mapping" in fields or creating) and fields.get("mapping") is None:
        raise BalrogError(400, "mapping value cannot be set to null/empty")
    for column in ("mapping", "fallbackMapping"):
        name = fields.get(column)
        if name is not None and releases.get({"name": name}) is None:
            raise BalrogError(400, f"Invalid {column} value. No release name found in DB")


def _check_alias_free(alias: str | None, rule_id: int | None = None) -> None:
    """A friendly early answer; the rule's write transaction is what keeps an alias unique."""
    if alias is None:
        return
    owner = rules.id_for_alias(alias)
    if owner is not None and owner != rule_id:
        raise BalrogError(400, "Rule with alias exists.", f"Rule with alias '{alias}' already exists.")


@admin(
    bp, "/rules", ["GET"],
    admin_op("list_rules", "Every rule, ordered by priority, version, mapping", {
        200: oa.answer("The rules.", obj({"count": {"type": "integer"},
                                          "rules": {"type": "array", "items": oa.schema_ref("Rule")}})),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")},
        [oa.query_param("product", "Only this product's rules.")]),
)
def list_rules(changed_by: str) -> Response:
    """The rules, or with ``timestamp`` (ms) the rules as they were then, each with the change that made it so."""
    params = query_params(bp)
    if "timestamp" in params and not params["timestamp"].isdigit():
        raise BalrogError(400, f"'{params['timestamp']}' is not of type 'integer' - 'timestamp'")
    if params.get("timestamp") and params.get("product"):
        raise BalrogError(400, "Cannot query with a timestamp and a product at the same time")
    if params.get("timestamp"):
        found = [{**render(r), **change_of(r)} for r in table_history.as_of(rules.history_name,
                                                                            int(params["timestamp"]))]
    else:
        found = [render(r) for r in rules.all_rules(params.get("product") or None)]
    return answer({"count": len(found), "rules": found})


@admin(
    bp, "/rules", ["POST"],
    admin_op("create_rule", "Create a rule", {
        200: oa.answer("The new rule's id.", {"type": "string", "pattern": "^[0-9]+$"}, media="text/plain"),
        **CREATE_ERRORS},
        request_body=json_content({"allOf": [oa.schema_ref("RuleFields"), {
            "required": ["priority", "backgroundRate", "update_type"]}]},
            "The rule's columns; `priority`, `backgroundRate` and `update_type` are required.", NEW_RULE),
        writes=True),
    content_types=BODY_TYPES,
)
def create_rule(changed_by: str) -> Response:
    fields = rule_fields.parse(json_body(bp), creating=True)
    check_mappings(fields, creating=True)
    require(changed_by, "rule", "create", fields.get("product"))
    gates.verify(gates.for_rule(None, fields), None)
    _check_alias_free(fields.get("alias"))
    rule = rules.create(fields, changed_by)
    return Response(body=str(rule["rule_id"]), status_code=200, headers={"Content-Type": "text/plain"})


@admin(
    bp, "/rules/{id_or_alias}", ["GET", "HEAD"],
    admin_op("get_rule", "One rule", {
        200: oa.answer("The rule.", oa.schema_ref("Rule"), headers=DATA_VERSION), **READ_ERRORS}, [RULE]),
    also={"HEAD": head_op("head_rule", "A rule's data_version", [RULE], DATA_VERSION)},
)
def get_rule(id_or_alias: str, changed_by: str) -> Response:
    rule = _found(id_or_alias)
    headers = {"X-Data-Version": str(rule["data_version"])}
    if bp.current_request.method == "HEAD":
        return Response(body="", status_code=200, headers=headers)
    return answer(render(rule), headers=headers)


def _update(rule: dict[str, Any], changes: dict[str, Any], data_version: int, changed_by: str) -> Response:
    """A change of an existing rule; the user must be allowed for its old and its new product."""
    require(changed_by, "rule", "modify", rule.get("product"))
    if "product" in changes and changes["product"] != rule.get("product"):
        require(changed_by, "rule", "modify", changes["product"])
    if "alias" in changes:
        _check_alias_free(changes["alias"], rule["rule_id"])
    after = {k: v for k, v in {**rule, **changes, "data_version": data_version + 1}.items() if v is not None}
    gates.verify(gates.for_rule(rule, after), None)
    follow = scheduled_changes.follow_update(RULES, rule, after) if rule["data_version"] == data_version else []
    new = rules.update({"rule_id": rule["rule_id"]}, changes, data_version, changed_by, follow)
    return answer({"new_data_version": new["data_version"]})


@admin(
    bp, "/rules/{id_or_alias}", ["POST", "PUT"],
    admin_op("change_rule", "Change a rule", CHANGE, [RULE], RULE_BODY, writes=True),
    also={"PUT": admin_op("put_rule", "Change a rule (as POST)", CHANGE, [RULE], RULE_BODY, writes=True)},
    content_types=BODY_TYPES,
)
def change_rule(id_or_alias: str, changed_by: str) -> Response:
    body = json_body(bp)
    data_version = int_value(body.get("data_version"), "data_version", required=True)
    rule = _found(id_or_alias)
    changes = rule_fields.parse(body, creating=False)
    check_mappings(changes, creating=False)
    return _update(rule, changes, data_version, changed_by)


@admin(
    bp, "/rules/{id_or_alias}", ["DELETE"],
    admin_op("delete_rule", "Delete a rule", {200: DELETED, **WRITE_ERRORS}, [RULE, DELETE_VERSION],
             writes=True),
)
def delete_rule(id_or_alias: str, changed_by: str) -> Response:
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    rule = _found(id_or_alias)
    require(changed_by, "rule", "delete", rule.get("product"))
    gates.verify(gates.for_rule(rule, None), None)
    pending = scheduled_changes.refuse_if_scheduled(RULES, rule)
    rules.delete({"rule_id": rule["rule_id"]}, data_version, changed_by, pending)
    return Response(body="", status_code=200)


@admin(
    bp, "/rules/{id_or_alias}/revisions", ["GET"],
    admin_op("rule_revisions", "A rule's versions, newest first", {
        200: oa.answer("A page of versions.", obj({"count": {"type": "integer"}, "rules": {
            "type": "array", "items": oa.schema_ref("RuleRevision")}})),
        400: oa.response_ref("BadRequest"), **READ_ERRORS}, [RULE, PAGE, LIMIT]),
)
def rule_revisions(id_or_alias: str, changed_by: str) -> Response:
    page, limit = page_and_limit(bp)
    rule = _found(id_or_alias)
    count, revisions = rules.revisions({"rule_id": rule["rule_id"]}, page, limit)
    shown = [{**render(r), **change_of(r)} for r in revisions]
    return answer({"count": count, "rules": shown})


@admin(
    bp, "/rules/{id_or_alias}/revisions", ["POST"],
    admin_op("revert_rule", "Apply an earlier version's values", CHANGE, [RULE],
             json_content(obj({"change_id": INTEGER_LIKE}, required=[]), "The `change_id` to apply."), writes=True),
    content_types=BODY_TYPES,
)
def revert_rule(id_or_alias: str, changed_by: str) -> Response:
    """Apply an earlier revision's values as a normal update at the current data_version."""
    rule = _found(id_or_alias)
    change_id = int_value(json_body(bp).get("change_id"), "change_id", required=True)
    old = rules.change({"rule_id": rule["rule_id"]}, change_id)
    if old is None or old.get("data_version") is None:
        raise BalrogError(400, f"Bad change_id: {change_id} is not a revision of rule {rule['rule_id']}.")
    changes = {c: old.get(c) for c in rule_fields.WRITABLE}
    _update(rule, changes, rule["data_version"], changed_by)
    return Response(body="Excellent!", status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@admin(
    bp, "/rules/columns/{column}", ["GET"],
    column_op("rule_column", "rule", RULE_COLUMN),
)
def rule_column(column: str, changed_by: str) -> Response:
    if column not in COLUMNS:
        raise BalrogError(404, f"Requested column '{column}' does not exist.")
    values = rules.distinct(column)
    return answer({"count": len(values), column: values})
