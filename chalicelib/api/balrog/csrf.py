"""``/csrf_token``: balrogclient asks for one before writing.

Bearer-token clients are not subject to CSRF (only browser sessions with
cookies are, and Shipyard has none yet), so the token is a fresh random
value that nothing checks; it exists so unmodified clients can proceed.
"""

from __future__ import annotations

import secrets

from chalice import Blueprint, Response

from chalicelib.api.balrog.common import balrog_route

bp = Blueprint(__name__)


@bp.route("/csrf_token", methods=["GET", "HEAD"])
@balrog_route(bp)
def csrf_token(changed_by: str) -> Response:
    return Response(body="", status_code=200, headers={"X-CSRF-Token": secrets.token_hex(16)})
