"""``POST /balrog/oauth/token``: the client-credentials grant balrogclient asks Auth0 for.

balrogclient never takes a bearer token directly: it POSTs
``{client_id, client_secret, audience, grant_type: "client_credentials"}`` to
``https://<domain>/oauth/token`` and uses the ``access_token`` it gets back
until ``expires_in`` is nearly over. Shipyard answers that grant itself, so the
client runs unmodified with ``domain`` pointing at Shipyard: ``client_id`` is
the user, ``client_secret`` a bearer token Shipyard issued to that user
(``shipyard token create``), and the answer a fresh access token that expires
within the hour, so the long-lived token is not sent with every request.

Errors follow RFC 6749 section 5.2 (``{"error", "error_description"}``), as
Auth0's do, rather than Balrog's problem bodies: this is the token endpoint's
protocol, not the admin API's.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import parse_qsl

from chalice import Blueprint, Response

from chalicelib import safe_json
from chalicelib.auth import bearer
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)
bp = Blueprint(__name__)

ACCESS_TOKEN_SECONDS = 3600
_NO_STORE = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str) -> Response:
    return Response(body=json.dumps({"error": error, "error_description": description}), status_code=status,
                    headers=_NO_STORE)


def _fields() -> dict[str, str] | None:
    request = bp.current_request
    raw = (request.raw_body or b"").decode("utf-8", "replace")
    if (request.headers.get("content-type") or "").lower().startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw, keep_blank_values=True))
    try:
        body = safe_json.loads(request.raw_body or b"") if raw.strip() else {}
    except safe_json.UnsafeJson:
        return None
    return body if isinstance(body, dict) else None


@bp.route("/oauth/token", methods=["POST"], content_types=["application/json", "application/x-www-form-urlencoded"])
def token() -> Response:
    fields = _fields()
    if fields is None:
        return _error(400, "invalid_request", "The body must be a JSON object or a form.")
    if fields.get("grant_type") != "client_credentials":
        return _error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    client_id, client_secret = fields.get("client_id"), fields.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str) or not client_id or not client_secret:
        return _error(400, "invalid_request", "client_id and client_secret are required.")
    try:
        owner = bearer.owner_of_long_lived(client_secret)
        if owner is None or not hmac.compare_digest(owner.encode(), client_id.encode()):
            return _error(401, "access_denied", "Unauthorized")
        access_token = bearer.issue_access_token(owner, ACCESS_TOKEN_SECONDS)
    except TRANSIENT as err:
        if refused_values(err):  # a secret no stored token can hash to... or a client_id too long to be a user
            return _error(401, "access_denied", "Unauthorized")
        log.error("storage unavailable for the token endpoint: %s", err.__class__.__name__)
        return _error(503, "temporarily_unavailable", "Storage is unavailable; retry later.")
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": ACCESS_TOKEN_SECONDS}
    if isinstance(fields.get("audience"), str):
        body["audience"] = fields["audience"]
    return Response(body=json.dumps(body), status_code=200, headers=_NO_STORE)
