"""``/emergency_shutoff``: turn a product's updates off on one channel now, and back on later.

Turning updates off is immediate (``emergency_shutoff``/``create``); turning
them back on is a deletion, which the channel's required signoffs gate, so it
is normally scheduled (``/scheduled_changes/emergency_shutoff``). The update
endpoint answers an empty update for a shut-off product and channel.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    balrog_route,
    int_value,
    json_body,
    query_params,
)
from chalicelib.balrog import errors
from chalicelib.services.balrog import gates
from chalicelib.services.balrog.access import require
from chalicelib.store.balrog_scheduled_changes import scheduled
from chalicelib.store.balrog_shutoffs import render, shutoffs

bp = Blueprint(__name__)


def _found(product: str, channel: str) -> dict:
    row = shutoffs.get({"product": product, "channel": channel})
    if row is None:
        raise BalrogError(404, "Shutoff wasn't found", "Shutoff does not exist")
    return row


@bp.route("/emergency_shutoff", methods=["GET"])
@balrog_route(bp)
def list_shutoffs(changed_by: str) -> Response:
    rows = [render(r) for r in shutoffs.everything()]
    return answer({"count": len(rows), "shutoffs": rows})


@bp.route("/emergency_shutoff", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
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


@bp.route("/emergency_shutoff/{product}/{channel}", methods=["GET"])
@balrog_route(bp)
def get_shutoff(product: str, channel: str, changed_by: str) -> Response:
    row = _found(product, channel)
    return answer(render(row), headers={"X-Data-Version": str(row["data_version"])})


@bp.route("/emergency_shutoff/{product}/{channel}", methods=["DELETE"])
@balrog_route(bp)
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
