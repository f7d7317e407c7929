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
from typing import Any
from urllib.parse import parse_qsl

from chalice import Response

from chalicelib import safe_json
from chalicelib.api.balrog.family import blueprint, public
from chalicelib.api.balrog.openapi import NO_AUTH
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.auth import bearer
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)
bp = blueprint(__name__, mount="")

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


NO_STORE = {"Cache-Control": oa.header("`no-store`", {"const": "no-store"}),
            "Pragma": oa.header("`no-cache`", {"const": "no-cache"})}


def _token_error(description: str) -> dict[str, Any]:
    return oa.answer(description, oa.schema_ref("TokenError"), headers=NO_STORE)


@public(
    bp, "/oauth/token", ["POST"],
    oa.operation(
        "oauth_token", "Exchange a user's Shipyard token for an access token (client-credentials grant)",
        {200: oa.answer("An access token valid for `expires_in` seconds.", oa.schema_ref("Token"), headers=NO_STORE),
         400: _token_error("`invalid_request` (not a JSON object or form; no client_id or client_secret) or "
                           "`unsupported_grant_type`."),
         401: _token_error("`access_denied`: the secret is not a token of that client_id."),
         503: _token_error("`temporarily_unavailable`: storage is unavailable.")},
        request_body=oa.body({"application/json": oa.schema_ref("TokenRequest"),
                              "application/x-www-form-urlencoded": oa.schema_ref("TokenRequest")},
                             "`client_id` is the user, `client_secret` a token `shipyard token create` issued to "
                             "them (the example is the local stack's development token).",
                             examples={"application/json": {"grant_type": "client_credentials", "client_id": "admin",
                                                            "client_secret": "shipyard-dev-token",
                                                            "audience": "balrog"}}),
        security=NO_AUTH, tags=["balrog oauth"],
        description="What balrogclient asks Auth0 for; errors are RFC 6749's, not problem bodies.",
    ),
    content_types=["application/json", "application/x-www-form-urlencoded"],
)
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
