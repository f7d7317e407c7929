"""``/emergency_shutoff``: turn a product's updates off on one channel now, and back on later.

Turning updates off is immediate (``emergency_shutoff``/``create``); turning
them back on is a deletion, which the channel's required signoffs gate, so it
is normally scheduled (``/scheduled_changes/emergency_shutoff``). The update
endpoint answers an empty update for a shut-off product and channel.
"""

from __future__ import annotations

from chalice import Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    int_value,
    json_body,
    query_params,
)
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import (
    CREATE_ERRORS,
    DATA_VERSION,
    DELETE_VERSION,
    READ_ERRORS,
    WRITE_ERRORS,
    admin_op,
    json_content,
    obj,
)
from chalicelib.api.balrog.openapi_signoffs import CHANNEL, PRODUCT
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.balrog import errors
from chalicelib.services.balrog import gates
from chalicelib.services.balrog.access import require
from chalicelib.store.balrog_scheduled_changes import scheduled
from chalicelib.store.balrog_shutoffs import render, shutoffs

bp = blueprint(__name__)


def _found(product: str, channel: str) -> dict:
    row = shutoffs.get({"product": product, "channel": channel})
    if row is None:
        raise BalrogError(404, "Shutoff wasn't found", "Shutoff does not exist")
    return row


@admin(
    bp, "/emergency_shutoff", ["GET"],
    admin_op("list_shutoffs", "Product/channels whose updates are shut off", {
        200: oa.answer("The shutoffs.", obj({"count": {"type": "integer"}, "shutoffs": {
            "type": "array", "items": oa.schema_ref("Shutoff")}})),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")}),
)
def list_shutoffs(changed_by: str) -> Response:
    rows = [render(r) for r in shutoffs.everything()]
    return answer({"count": len(rows), "shutoffs": rows})


@admin(
    bp, "/emergency_shutoff", ["POST"],
    admin_op("create_shutoff", "Shut off a product's updates on a channel, now", {
        201: oa.answer("The shutoff.", oa.schema_ref("Shutoff")), **CREATE_ERRORS},
        request_body=json_content(obj({"product": {"type": "string"}, "channel": {"type": "string"},
                                       "comment": {"type": "string"}}, required=["product", "channel"]),
                                  "The product and channel.", {"product": "Firefox", "channel": "aurora"}),
        writes=True),
    content_types=BODY_TYPES,
)
def create_shutoff(changed_by: str) -> Response:
    body = json_body(bp)
    product, channel, comment = body.get("product"), body.get("channel"), body.get("comment")
    for name, value in (("product", product), ("channel", channel)):
        if not isinstance(value, str) or not value.strip():
            raise BalrogError(400, f"'{name}' is required.")
    if comment is not None and not isinstance(comment, str):
        raise BalrogError(400, "'comment' must be a string.")
    require(changed_by, "emergency_shutoff", "create", product)
    if shutoffs.get({"product": product, "channel": channel}) is not None:
        raise BalrogError(400, "Invalid Emergency shutoff data",
                          "Emergency shutoff for product/channel already exists.")
    row = shutoffs.insert({"product": product, "channel": channel, "comment": comment or None}, changed_by)
    return answer(render(row), 201)


@admin(
    bp, "/emergency_shutoff/{product}/{channel}", ["GET"],
    admin_op("get_shutoff", "One shutoff", {
        200: oa.answer("The shutoff.", oa.schema_ref("Shutoff"), headers=DATA_VERSION), **READ_ERRORS},
        [PRODUCT, CHANNEL]),
)
def get_shutoff(product: str, channel: str, changed_by: str) -> Response:
    row = _found(product, channel)
    return answer(render(row), headers={"X-Data-Version": str(row["data_version"])})


@admin(
    bp, "/emergency_shutoff/{product}/{channel}", ["DELETE"],
    admin_op("delete_shutoff", "Turn updates back on (where no signoff is required)", {
        200: oa.answer("Deleted (no body)."), **WRITE_ERRORS}, [PRODUCT, CHANNEL, DELETE_VERSION],
        writes=True),
)
def delete_shutoff(product: str, channel: str, changed_by: str) -> Response:
    """Turn updates back on directly: only where no signoff is required and no deletion is scheduled."""
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    row = _found(product, channel)
    require(changed_by, "emergency_shutoff", "delete", product)
    gates.verify(gates.for_shutoff(row), None)
    if scheduled["emergency_shutoff"].scheduled_for(f"{product}\x1f{channel}") is not None:
        raise errors.change_scheduled("Cannot delete rows that have changes scheduled.")
    assert data_version is not None
    shutoffs.delete({"product": product, "channel": channel}, data_version, changed_by)
    return Response(body="", status_code=200)
