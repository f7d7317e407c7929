"""``/scheduled_changes/<table>``: Balrog's scheduled changes, their signoffs and their enactment.

Tables: ``rules``, ``releases``, ``permissions``, ``emergency_shutoff``,
``required_signoffs/product`` and ``required_signoffs/permissions``. This
module reads a request's fields into a change of the table's row; what a
change means (validation, signoffs, enactment) is
``chalicelib.services.balrog.scheduled_changes``'.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    nested,
    page_and_limit,
    query_params,
)
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi_signoffs import BASE, KIND, scheduled_operations
from chalicelib.api.balrog.rules import check_mappings
from chalicelib.balrog.blob_schema import blob_errors
from chalicelib.balrog.permissions import canonical, validate_options
from chalicelib.services.balrog import scheduled_changes as sc
from chalicelib.services.balrog.scheduled_kinds import KINDS, current_blob

bp = blueprint(__name__)
BASE_OPS = scheduled_operations(BASE, "base")
RS_OPS = scheduled_operations(KIND, "rs")


def _kind(base: str) -> sc.Kind:
    kind = KINDS.get(base)
    if kind is None:
        raise BalrogError(404, f"No scheduled changes of '{base}'.")
    return kind


def _sc_id(raw: str) -> int:
    value = int_value(raw, "sc_id", required=True)
    assert value is not None
    return value


def _string(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise BalrogError(400, f"'{field}' must be a string.")
    return value.strip()


def _rule_change(body: dict[str, Any], change_type: str, creating: bool) -> dict[str, Any]:
    change: dict[str, Any] = {}
    if change_type != "delete":
        fields = {k: v for k, v in body.items() if k not in ("rule_id", "data_version")}
        change.update(rule_fields.parse(fields, creating=False))
        if creating and change_type == "insert":
            missing = [f for f in ("update_type", "backgroundRate", "priority") if change.get(f) is None]
            if missing:
                raise BalrogError(400, f"{missing[0]} cannot be set to null/empty when scheduling insertion of a "
                                       "new rule")
        check_mappings({k: v for k, v in change.items() if k in body}, creating and change_type == "insert")
    if change_type != "insert":
        change["rule_id"] = int_value(body.get("rule_id"), "rule_id")
        change["data_version"] = int_value(body.get("data_version"), "data_version")
        if change["data_version"] is None and change_type == "update" or (creating and change["rule_id"] is None):
            missing = "rule_id" if change["rule_id"] is None else "data_version"
            raise BalrogError(400, f"Missing field: {missing} is missing")
    return change


def _permission_change(body: dict[str, Any], change_type: str, creating: bool) -> dict[str, Any]:
    change: dict[str, Any] = {"permission": _string(body, "permission"), "username": _string(body, "username")}
    if change["permission"] is not None:
        change["permission"] = canonical(change["permission"])
    if change_type != "delete" and change["permission"] is not None:
        change["options"] = validate_options(change["permission"], nested(body.get("options"), "options")) or None
    if change_type != "insert":
        change["data_version"] = int_value(body.get("data_version"), "data_version", required=creating)
    return change


def _shutoff_change(body: dict[str, Any], change_type: str, creating: bool) -> dict[str, Any]:
    return {"product": _string(body, "product"), "channel": _string(body, "channel"),
            "data_version": int_value(body.get("data_version"), "data_version")}


# What a modification may change, per change type (Balrog's ``update_scheduled_change`` for releases):
# a release's name is its key and its product is kept, except while it is still to be created.
RELEASE_MODIFIABLE = {"delete": ("data_version",), "update": ("data", "data_version"),
                      "insert": ("name", "product", "data")}


def _release_blob(body: dict[str, Any]) -> dict[str, Any] | None:
    """``data``: the blob as a JSON string (Balrog's ``JSONStringField``), checked against its schema."""
    raw = body.get("data")
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise BalrogError(400, f"{json.dumps(raw)[:200]} is not of type 'string' - 'data'")
    blob = nested(raw, "data")
    if not isinstance(blob, dict):
        raise BalrogError(400, "'data' must be a JSON object marshalled as a string.")
    problems = blob_errors(blob)
    if problems:
        raise BalrogError(400, "Invalid Blob", problems)
    return blob


def _read_only(body: dict[str, Any]) -> bool | None:
    value = body.get("read_only")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):  # a form's field
        return value.lower() == "true"
    raise BalrogError(400, f"{json.dumps(value)[:200]} is not of type 'boolean' - 'read_only'")


def _release_change(body: dict[str, Any], change_type: str, creating: bool) -> dict[str, Any]:
    """A release's scheduled change, with Balrog's ``create_scheduled_change`` refusals in its order."""
    if creating:
        if "sc_id" in body:
            raise BalrogError(400, "sc_id cannot be set when scheduling a new change")
        if body.get("when") is None:
            raise BalrogError(400, "'when' cannot be set to null when scheduling a new change for a Release")
    change: dict[str, Any] = {"name": _string(body, "name"), "product": _string(body, "product"),
                              "read_only": _read_only(body), "data": _release_blob(body),
                              "data_version": int_value(body.get("data_version"), "data_version")}
    if not creating:
        change = {k: v for k, v in change.items() if k in RELEASE_MODIFIABLE[change_type]}
        if change_type != "insert" and not change.get("data_version"):
            raise BalrogError(400, "Missing field", "data_version is missing")
        if change_type == "insert" and "data" in body and change.get("data") is None:
            raise BalrogError(400, "Null/Empty Value",
                              "data cannot be set to null when scheduling insertion of a new release")
        return change
    if change_type in ("update", "delete") and not change["data_version"]:
        raise BalrogError(400, "Missing field", "data_version is missing")
    if change_type == "update" and change["read_only"] is not None and change["data"] is None:
        change["data"] = current_blob(change["name"])  # Balrog copies the blob a flag change keeps
    if change_type == "insert":
        if not change["product"]:
            raise BalrogError(400, "Missing field", "product is missing")
        if change["data"] is None:
            raise BalrogError(400, "Missing field", "Missing blob 'data' value")
    if change_type == "delete":
        change = {k: change[k] for k in ("name", "data_version")}
    return change


def _rs_change(columns: tuple[str, ...]) -> Callable[[dict[str, Any], str, bool], dict[str, Any]]:
    def parse(body: dict[str, Any], change_type: str, creating: bool) -> dict[str, Any]:
        change: dict[str, Any] = {c: _string(body, c) for c in (*columns, "role")}
        if change_type != "delete":
            change["signoffs_required"] = int_value(body.get("signoffs_required"), "signoffs_required")
        if change_type != "insert":
            change["data_version"] = int_value(body.get("data_version"), "data_version", required=True)
        return change

    return parse


PARSERS: dict[str, Callable[[dict[str, Any], str, bool], dict[str, Any]]] = {
    "rules": _rule_change, "releases": _release_change, "permissions": _permission_change,
    "emergency_shutoff": _shutoff_change,
    "required_signoffs/product": _rs_change(("product", "channel")),
    "required_signoffs/permissions": _rs_change(("product",)),
}
# Query filters of each list, as Balrog names them (column of the change, cast).
FILTERS: dict[str, tuple[tuple[str, Callable[[str], Any]], ...]] = {
    "rules": (("rule_id", int),), "releases": (("name", str),), "permissions": (("username", str),),
    "required_signoffs/product": (("product", str),), "required_signoffs/permissions": (("product", str),),
}


def _list(base: str) -> Response:
    kind = _kind(base)
    params = query_params(bp)
    rows = kind.table.every() if params.get("all") is not None else kind.table.incomplete()
    for column, cast in FILTERS.get(base, ()):
        if params.get(column):
            try:
                wanted = cast(params[column])
            except ValueError:
                raise BalrogError(400, f"'{column}' must be an integer.") from None
            rows = [r for r in rows if r["change"].get(column) == wanted]
    shown = [sc.render(kind, r) for r in sorted(rows, key=lambda r: r["sc_id"])]
    return answer({"count": len(shown), "scheduled_changes": shown})


def _create(base: str, changed_by: str) -> Response:
    kind = _kind(base)
    body = json_body(bp)
    change_type = body.get("change_type")
    if not isinstance(change_type, str) or change_type not in kind.change_types:  # {} is not hashable
        raise BalrogError(400, "Invalid or missing change_type")
    change = PARSERS[base](body, change_type, True)
    try:
        return answer(sc.schedule(kind, body, change, changed_by))
    except BalrogError as err:
        if base == "releases" and err.detail == "Read only":  # Balrog's view words its ReadOnlyError itself
            raise BalrogError(400, f"Failed to schedule change - {err.exception}", extra={"data": [err.exception]}) \
                from None
        raise


def _get(base: str, sc_id: str) -> Response:
    kind = _kind(base)
    return answer({"scheduled_change": sc.render(kind, sc.found(kind, _sc_id(sc_id)))})


def _modify(base: str, sc_id: str, changed_by: str) -> Response:
    kind = _kind(base)
    number = _sc_id(sc_id)
    existing = sc.found(kind, number)
    body = json_body(bp)
    fixed = () if kind.renamable_insert and existing["change_type"] == "insert" else kind.keys
    changes = {k: v for k, v in PARSERS[base](body, existing["change_type"], False).items()
               if k in body and k not in fixed}
    sc_data_version = int_value(body.get("sc_data_version"), "sc_data_version")
    return answer(sc.modify(kind, number, body, changes, changed_by, sc_data_version))


def _delete(base: str, sc_id: str, changed_by: str) -> Response:
    kind = _kind(base)
    data_version = int_value(query_params(bp).get("data_version"), "data_version")
    sc.remove(kind, _sc_id(sc_id), data_version, changed_by)
    return answer({})


def _enact(base: str, sc_id: str, changed_by: str) -> Response:
    sc.enact(_kind(base), _sc_id(sc_id), changed_by)
    return answer({})


def _sign(base: str, sc_id: str, changed_by: str) -> Response:
    body = json_body(bp)
    sc.sign(_kind(base), _sc_id(sc_id), body.get("role"), changed_by)
    return answer({})


def _revoke(base: str, sc_id: str, changed_by: str) -> Response:
    whose = query_params(bp).get("username") or changed_by
    return answer(sc.revoke(_kind(base), _sc_id(sc_id), whose, changed_by))


def _revisions(base: str, sc_id: str) -> Response:
    kind = _kind(base)
    page, limit = page_and_limit(bp)
    found = sc.found(kind, _sc_id(sc_id))
    count, revisions = kind.table.revisions(kind.table.key_of(found), page, limit)
    shown = []
    for revision in revisions:
        row = sc.render_revision(kind, revision)
        shown.append({**row, **change_of(revision)})
    return answer({"count": count, "revisions": shown})


# --- routes: one table name per path segment, and the two required-signoff tables by kind ------

@admin(
    bp, "/scheduled_changes/{base}", ["GET"],
    BASE_OPS["list"],
)
def list_changes(base: str, changed_by: str) -> Response:
    return _list(base)


@admin(
    bp, "/scheduled_changes/{base}", ["POST"],
    BASE_OPS["schedule"],
    content_types=BODY_TYPES,
)
def create_change(base: str, changed_by: str) -> Response:
    return _create(base, changed_by)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}", ["GET"],
    BASE_OPS["get"],
)
def get_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _get(base, sc_id)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}", ["POST"],
    BASE_OPS["modify"],
    content_types=BODY_TYPES,
)
def modify_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _modify(base, sc_id, changed_by)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}", ["DELETE"],
    BASE_OPS["delete"],
)
def delete_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _delete(base, sc_id, changed_by)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}/enact", ["POST"],
    BASE_OPS["enact"],
    content_types=BODY_TYPES,
)
def enact_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _enact(base, sc_id, changed_by)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}/signoffs", ["POST"],
    BASE_OPS["sign"],
    content_types=BODY_TYPES,
)
def sign_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _sign(base, sc_id, changed_by)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}/signoffs", ["DELETE"],
    BASE_OPS["revoke"],
)
def revoke_signoff(base: str, sc_id: str, changed_by: str) -> Response:
    return _revoke(base, sc_id, changed_by)


@admin(
    bp, "/scheduled_changes/{base}/{sc_id}/revisions", ["GET"],
    BASE_OPS["revisions"],
)
def change_revisions(base: str, sc_id: str, changed_by: str) -> Response:
    return _revisions(base, sc_id)


RS = "/scheduled_changes/required_signoffs/{kind}"


@admin(
    bp, RS, ["GET"],
    RS_OPS["list"],
)
def list_rs_changes(kind: str, changed_by: str) -> Response:
    return _list(f"required_signoffs/{kind}")


@admin(
    bp, RS, ["POST"],
    RS_OPS["schedule"],
    content_types=BODY_TYPES,
)
def create_rs_change(kind: str, changed_by: str) -> Response:
    return _create(f"required_signoffs/{kind}", changed_by)


@admin(
    bp, RS + "/{sc_id}", ["GET"],
    RS_OPS["get"],
)
def get_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _get(f"required_signoffs/{kind}", sc_id)


@admin(
    bp, RS + "/{sc_id}", ["POST"],
    RS_OPS["modify"],
    content_types=BODY_TYPES,
)
def modify_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _modify(f"required_signoffs/{kind}", sc_id, changed_by)


@admin(
    bp, RS + "/{sc_id}", ["DELETE"],
    RS_OPS["delete"],
)
def delete_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _delete(f"required_signoffs/{kind}", sc_id, changed_by)


@admin(
    bp, RS + "/{sc_id}/enact", ["POST"],
    RS_OPS["enact"],
    content_types=BODY_TYPES,
)
def enact_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _enact(f"required_signoffs/{kind}", sc_id, changed_by)


@admin(
    bp, RS + "/{sc_id}/signoffs", ["POST"],
    RS_OPS["sign"],
    content_types=BODY_TYPES,
)
def sign_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _sign(f"required_signoffs/{kind}", sc_id, changed_by)


@admin(
    bp, RS + "/{sc_id}/signoffs", ["DELETE"],
    RS_OPS["revoke"],
)
def revoke_rs_signoff(kind: str, sc_id: str, changed_by: str) -> Response:
    return _revoke(f"required_signoffs/{kind}", sc_id, changed_by)


@admin(
    bp, RS + "/{sc_id}/revisions", ["GET"],
    RS_OPS["revisions"],
)
def rs_change_revisions(kind: str, sc_id: str, changed_by: str) -> Response:
    return _revisions(f"required_signoffs/{kind}", sc_id)
