"""``/required_signoffs/product`` and ``/required_signoffs/permissions``: who must approve which changes.

A requirement can be created directly when none exists for its product
(and channel) yet; changing or removing one, or adding another where one
exists, is itself gated and goes through
``/scheduled_changes/required_signoffs/...`` (Balrog answers 400 "Signoff
Required" otherwise).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    change_of,
    int_value,
    json_body,
    query_params,
)
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import (
    CREATE_ERRORS,
    LIMIT,
    PAGE,
    READ_ERRORS,
    WRITE_ERRORS,
    admin_op,
    json_content,
    new_version,
)
from chalicelib.api.balrog.openapi_signoffs import KIND, RS_LIST
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.balrog import errors
from chalicelib.services.balrog import gates
from chalicelib.services.balrog.access import require
from chalicelib.services.balrog.scheduled_kinds import check_holders
from chalicelib.store.balrog_required_signoffs import (
    RequiredSignoffs,
    permissions_required_signoffs,
    product_required_signoffs,
)

bp = blueprint(__name__)

TABLES: dict[str, RequiredSignoffs] = {"product": product_required_signoffs,
                                       "permissions": permissions_required_signoffs}


def _table(kind: str) -> RequiredSignoffs:
    table = TABLES.get(kind)
    if table is None:
        raise BalrogError(404, f"No required signoffs of kind '{kind}'.")
    return table


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BalrogError(400, f"'{field}' is required.")
    return value.strip()


@admin(
    bp, "/required_signoffs/{kind}", ["GET"],
    admin_op("list_required_signoffs", "Required signoffs", {
        200: oa.answer("The requirements.", RS_LIST), **READ_ERRORS},
        [KIND, oa.query_param("product", "Only this product's."), oa.query_param("channel", "Only this channel's.")]),
)
def list_required_signoffs(kind: str, changed_by: str) -> Response:
    table = _table(kind)
    params = query_params(bp)
    rows = [table.render(r) for r in table.rows(params.get("product") or None)
            if not params.get("channel") or r.get("channel") == params["channel"]]
    return answer({"count": len(rows), "required_signoffs": rows})


@admin(
    bp, "/required_signoffs/{kind}", ["POST"],
    admin_op("create_required_signoff", "Add the first requirement of a product (and channel)", {
        201: new_version("Created."), **CREATE_ERRORS, 404: oa.response_ref("NotFound")}, [KIND],
        json_content(oa.schema_ref("RequiredSignoff"), "The requirement.",
                     {"product": "Firefox", "channel": "beta", "role": "releng", "signoffs_required": 1}),
        writes=True),
    content_types=BODY_TYPES,
)
def create_required_signoff(kind: str, changed_by: str) -> Response:
    """A first requirement for its product (and channel); any later change is scheduled."""
    table = _table(kind)
    body = json_body(bp)
    row = {c: _text(body.get(c), c) for c in (*table.decision_columns, "role")}
    row["signoffs_required"] = int_value(body.get("signoffs_required"), "signoffs_required", required=True)
    if row["signoffs_required"] < 1:
        raise BalrogError(400, "'signoffs_required' must be at least 1.")
    if table.get(table.key(row)) is not None:
        raise errors.signoff_required("Required Signoffs cannot be directly modified")
    check_holders(table, row)
    require(changed_by, "required_signoff", "create", row["product"])
    gates.verify(gates.for_required_signoff(table.kind, row), None)  # another role's requirement gates this one
    table.insert({**table.key(row), **row}, changed_by)
    return answer({"new_data_version": 1}, 201)


@admin(
    bp, "/required_signoffs/{kind}", ["DELETE"],
    admin_op("delete_required_signoff", "Refused: a requirement is removed by a scheduled change", {
        **WRITE_ERRORS}, [KIND], writes=True),
)
def delete_required_signoff(kind: str, changed_by: str) -> Response:
    _table(kind)
    raise errors.signoff_required("Required Signoffs cannot be directly deleted.")


@admin(
    bp, "/required_signoffs/{kind}/revisions", ["GET"],
    admin_op("required_signoff_revisions", "One requirement's versions", {
        200: oa.answer("A page of versions.", RS_LIST), 400: oa.response_ref("BadRequest"), **READ_ERRORS},
        [KIND, oa.query_param("product", "Its product."), oa.query_param("channel", "Its channel (product kind)."),
         oa.query_param("role", "Its role."), PAGE, LIMIT]),
)
def required_signoff_revisions(kind: str, changed_by: str) -> Response:
    """Versions of one requirement (named by the query's product, channel and role), newest first."""
    table = _table(kind)
    params = query_params(bp)
    fields = {c: params.get(c) for c in (*table.decision_columns, "role")}
    if any(v is None for v in fields.values()) or table.get(table.key(fields)) is None:
        raise BalrogError(404, "Requested Required Signoff does not exist")
    page = int_value(params.get("page"), "page") or 1
    limit = int_value(params.get("limit"), "limit") or 100
    count, revisions = table.revisions(table.key(fields), page, limit)
    shown = [{**{c: r.get(c) for c in (*table.decision_columns, "role", "signoffs_required", "data_version")},
              **change_of(r)} for r in revisions]
    return answer({"count": count, "required_signoffs": shown})
