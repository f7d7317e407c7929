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

from chalice import Response

from chalicelib.api.balrog.common import BODY_TYPES, answer
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import admin_op, obj
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.auth import sessions

bp = blueprint(__name__)

CSRF = {"X-CSRF-Token": oa.header("The CSRF token: the session's, or a fresh unchecked one for a bearer.")}
COOKIE = {"Set-Cookie": oa.header("The session cookie `balrog_session` (HttpOnly, SameSite=Strict).")}
SESSION_ERRORS = {400: oa.response_ref("BadRequest"), 401: oa.response_ref("Unauthorized"),
                  503: oa.response_ref("ServiceUnavailable")}


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


@admin(
    bp, "/csrf_token", ["GET", "HEAD"],
    admin_op("csrf_token", "A CSRF token for a session's writes", {
        200: oa.answer("The token, in the header; no body.", headers=CSRF),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")}),
    also={"HEAD": admin_op("head_csrf_token", "A CSRF token (headers only)", {
        200: oa.answer("The token, in the header.", headers=CSRF), 401: oa.answer("Not authenticated (no body)."),
        503: oa.answer("Storage is unavailable (no body).")})},
)
def csrf_token(changed_by: str) -> Response:
    session = sessions.from_cookies(bp.current_request.headers)
    if session is not None and sessions.user_of(session) == changed_by:
        token = sessions.csrf_token(session)
    else:
        token = secrets.token_hex(16)
    return Response(body="", status_code=200, headers={"X-CSRF-Token": token})


@admin(
    bp, "/session", ["POST"],
    admin_op("sign_in", "Start a cookie session for the authenticated user", {
        200: oa.answer("The session.", obj({"username": {"type": "string"}, "expires_at": {"type": "integer"},
                                            "csrf_token": {"type": "string"}}), headers=COOKIE),
        **SESSION_ERRORS}, writes=True),
    content_types=BODY_TYPES,
)
def sign_in(changed_by: str) -> Response:
    token, expires_at = sessions.create(changed_by)
    cookie = sessions.cookie(token, expires_at, _cookie_path(), _secure())
    return answer({"username": changed_by, "expires_at": expires_at, "csrf_token": sessions.csrf_token(token)},
                  headers={"Set-Cookie": cookie})


@admin(
    bp, "/session", ["DELETE"],
    admin_op("sign_out", "End the request's cookie session", {
        200: oa.answer("Ended; the cookie expired (no body).", headers=COOKIE), **SESSION_ERRORS}, writes=True),
)
def sign_out(changed_by: str) -> Response:
    session = sessions.from_cookies(bp.current_request.headers)
    if session is not None:
        sessions.end(session)
    return Response(body="", status_code=200, headers={"Set-Cookie": sessions.expired_cookie(_cookie_path())})
