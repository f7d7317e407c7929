"""``/csrf_token`` and ``/session``: what a browser needs to write, and nothing an API client needs.

balrogclient asks for a CSRF token before writing and sends it back; its
bearer token already proves the request is its own, so for bearer requests
the token is a fresh random value that nothing checks. A cookie session gets
the token bound to its session, which its writes must send
(``X-CSRF-Token``; see ``chalicelib.auth.sessions``).

``POST /session`` turns a bearer token into a cookie session (a web UI signs
in once); ``DELETE /session`` ends it.
"""

from __future__ import annotations

import secrets

from chalice import Blueprint, Response

from chalicelib.api.balrog.common import BODY_TYPES, answer, balrog_route
from chalicelib.auth import sessions

bp = Blueprint(__name__)


def _cookie_path() -> str:
    """The API's own prefix (``/balrog/api``): the cookie goes nowhere else."""
    path = bp.current_request.context.get("resourcePath") or bp.current_request.path or ""
    prefix = path.rsplit("/", 1)[0]
    return prefix or "/"


def _secure() -> bool:
    """Mark the cookie Secure unless the request came over plain HTTP (the local stack)."""
    headers = bp.current_request.headers
    proto = headers.get("x-forwarded-proto") or ""
    return proto != "http" if proto else not (headers.get("host") or "").startswith(("127.0.0.1", "localhost"))


@bp.route("/csrf_token", methods=["GET", "HEAD"])
@balrog_route(bp)
def csrf_token(changed_by: str) -> Response:
    session = sessions.from_cookies(bp.current_request.headers)
    if session is not None and sessions.user_of(session) == changed_by:
        token = sessions.csrf_token(session)
    else:
        token = secrets.token_hex(16)
    return Response(body="", status_code=200, headers={"X-CSRF-Token": token})


@bp.route("/session", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def sign_in(changed_by: str) -> Response:
    token, expires_at = sessions.create(changed_by)
    cookie = sessions.cookie(token, expires_at, _cookie_path(), _secure())
    return answer({"username": changed_by, "expires_at": expires_at, "csrf_token": sessions.csrf_token(token)},
                  headers={"Set-Cookie": cookie})


@bp.route("/session", methods=["DELETE"])
@balrog_route(bp)
def sign_out(changed_by: str) -> Response:
    session = sessions.from_cookies(bp.current_request.headers)
    if session is not None:
        sessions.end(session)
    return Response(body="", status_code=200, headers={"Set-Cookie": sessions.expired_cookie(_cookie_path())})
