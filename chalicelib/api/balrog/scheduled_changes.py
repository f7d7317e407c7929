"""``/scheduled_changes/<table>``: Balrog's scheduled changes, their signoffs and their enactment.

Tables: ``rules``, ``permissions``, ``emergency_shutoff``,
``required_signoffs/product`` and ``required_signoffs/permissions``. This
module reads a request's fields into a change of the table's row; what a
change means (validation, signoffs, enactment) is
``chalicelib.services.balrog.scheduled_changes``'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.balrog import rule_fields
from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    balrog_route,
    change_of,
    int_value,
    json_body,
    nested,
    page_and_limit,
    query_params,
)
from chalicelib.api.balrog.rules import check_mappings
from chalicelib.balrog.permissions import canonical, validate_options
from chalicelib.services.balrog import scheduled_changes as sc
from chalicelib.services.balrog.scheduled_kinds import KINDS

bp = Blueprint(__name__)


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
    "rules": _rule_change, "permissions": _permission_change, "emergency_shutoff": _shutoff_change,
    "required_signoffs/product": _rs_change(("product", "channel")),
    "required_signoffs/permissions": _rs_change(("product",)),
}
# Query filters of each list, as Balrog names them (column of the change, cast).
FILTERS: dict[str, tuple[tuple[str, Callable[[str], Any]], ...]] = {
    "rules": (("rule_id", int),), "permissions": (("username", str),),
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
    if change_type not in kind.change_types:
        raise BalrogError(400, "Invalid or missing change_type")
    change = PARSERS[base](body, change_type, True)
    return answer(sc.schedule(kind, body, change, changed_by))


def _get(base: str, sc_id: str) -> Response:
    kind = _kind(base)
    return answer({"scheduled_change": sc.render(kind, sc.found(kind, _sc_id(sc_id)))})


def _modify(base: str, sc_id: str, changed_by: str) -> Response:
    kind = _kind(base)
    number = _sc_id(sc_id)
    existing = sc.found(kind, number)
    body = json_body(bp)
    changes = {k: v for k, v in PARSERS[base](body, existing["change_type"], False).items()
               if k in body and k not in kind.keys}
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

@bp.route("/scheduled_changes/{base}", methods=["GET"])
@balrog_route(bp)
def list_changes(base: str, changed_by: str) -> Response:
    return _list(base)


@bp.route("/scheduled_changes/{base}", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def create_change(base: str, changed_by: str) -> Response:
    return _create(base, changed_by)


@bp.route("/scheduled_changes/{base}/{sc_id}", methods=["GET"])
@balrog_route(bp)
def get_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _get(base, sc_id)


@bp.route("/scheduled_changes/{base}/{sc_id}", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def modify_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _modify(base, sc_id, changed_by)


@bp.route("/scheduled_changes/{base}/{sc_id}", methods=["DELETE"])
@balrog_route(bp)
def delete_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _delete(base, sc_id, changed_by)


@bp.route("/scheduled_changes/{base}/{sc_id}/enact", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def enact_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _enact(base, sc_id, changed_by)


@bp.route("/scheduled_changes/{base}/{sc_id}/signoffs", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def sign_change(base: str, sc_id: str, changed_by: str) -> Response:
    return _sign(base, sc_id, changed_by)


@bp.route("/scheduled_changes/{base}/{sc_id}/signoffs", methods=["DELETE"])
@balrog_route(bp)
def revoke_signoff(base: str, sc_id: str, changed_by: str) -> Response:
    return _revoke(base, sc_id, changed_by)


@bp.route("/scheduled_changes/{base}/{sc_id}/revisions", methods=["GET"])
@balrog_route(bp)
def change_revisions(base: str, sc_id: str, changed_by: str) -> Response:
    return _revisions(base, sc_id)


RS = "/scheduled_changes/required_signoffs/{kind}"


@bp.route(RS, methods=["GET"])
@balrog_route(bp)
def list_rs_changes(kind: str, changed_by: str) -> Response:
    return _list(f"required_signoffs/{kind}")


@bp.route(RS, methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def create_rs_change(kind: str, changed_by: str) -> Response:
    return _create(f"required_signoffs/{kind}", changed_by)


@bp.route(RS + "/{sc_id}", methods=["GET"])
@balrog_route(bp)
def get_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _get(f"required_signoffs/{kind}", sc_id)


@bp.route(RS + "/{sc_id}", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def modify_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _modify(f"required_signoffs/{kind}", sc_id, changed_by)


@bp.route(RS + "/{sc_id}", methods=["DELETE"])
@balrog_route(bp)
def delete_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _delete(f"required_signoffs/{kind}", sc_id, changed_by)


@bp.route(RS + "/{sc_id}/enact", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def enact_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _enact(f"required_signoffs/{kind}", sc_id, changed_by)


@bp.route(RS + "/{sc_id}/signoffs", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def sign_rs_change(kind: str, sc_id: str, changed_by: str) -> Response:
    return _sign(f"required_signoffs/{kind}", sc_id, changed_by)


@bp.route(RS + "/{sc_id}/signoffs", methods=["DELETE"])
@balrog_route(bp)
def revoke_rs_signoff(kind: str, sc_id: str, changed_by: str) -> Response:
    return _revoke(f"required_signoffs/{kind}", sc_id, changed_by)


@bp.route(RS + "/{sc_id}/revisions", methods=["GET"])
@balrog_route(bp)
def rs_change_revisions(kind: str, sc_id: str, changed_by: str) -> Response:
    return _revisions(f"required_signoffs/{kind}", sc_id)
