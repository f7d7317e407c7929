"""``/treeherder/docs/``: the Treeherder API's browsable documentation, where Treeherder served its own.

The page renders Shipyard's Treeherder OpenAPI document (the same as
``/openapi/treeherder.html``); every family's page is ``/openapi/<family>.html``.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.openapi.served import page
from chalicelib.api.treeherder.openapi import FAMILY

bp = Blueprint(__name__)


@bp.route("/docs", methods=["GET"])
def api_docs() -> Response:
    shown = page(FAMILY, bp.current_request)
    assert shown is not None  # the family's document is always registered
    return shown
