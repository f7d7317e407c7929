"""What every Balrog admin route shares: problem bodies, login, permission checks, body parsing.

Errors are raised as :class:`BalrogError` anywhere below a route and turned
into Balrog's problem body ``{"title", "detail", "status", "exception"?}`` by
the family's error table (:mod:`chalicelib.api.balrog.family`), which also
maps store exceptions (stale ``data_version`` → 400, as Balrog answers, not 409).
"""

from __future__ import annotations

import email.policy
import logging
from email.parser import BytesParser
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import safe_json
from chalicelib.auth import bearer, sessions
from chalicelib.balrog.body_values import int_value, nested
from chalicelib.balrog.errors import BalrogError
from chalicelib.services.balrog.access import require

log = logging.getLogger(__name__)

__all__ = ["BalrogError", "int_value", "nested", "require"]  # raised and called by every route module

JSON = {"Content-Type": "application/json"}
# What a write may carry: JSON, or a form as Balrog's admin UI and older scripts send it.
BODY_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={**JSON, **(headers or {})})


# Balrog's own titles where they are not the status phrase (``problem(401, "Unauthenticated", ...)``).
TITLES = {401: "Unauthenticated"}


def problem(status: int, detail: str, exception: str | list[str] | None = None,
            extra: dict[str, Any] | None = None) -> Response:
    """Balrog's error body (connexion's problem): ``{"type", "title", "detail", "status", "exception"?}``.

    Where Balrog answers an exception (its error handlers), ``detail`` names
    the kind (``OutdatedDataError``, ``Signoff Required``...) and
    ``exception`` carries the message; a view's own refusal has the message
    in ``detail``.
    """
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, HTTPStatus(status).phrase),
                            "detail": detail, "status": status}
    if exception is not None:
        body["exception"] = exception
    body.update(extra or {})
    return answer(body, status)


def login(request: Request) -> str:
    """Who makes the request: a bearer token, or a session cookie plus its CSRF token on a write.

    A request with an ``Authorization`` header is judged by it alone (API
    clients; no CSRF, a browser never sends the header by itself). A storage
    fault while looking the user up is the family's 503, not a 500.
    """
    if bearer.bearer_token(request.headers) is not None:
        username = bearer.authenticate(request.headers)
        if username is None:
            raise BalrogError(401, "Unknown bearer token.")
        return username
    session = sessions.from_cookies(request.headers)
    if session is None:
        raise BalrogError(401, "A bearer token (Authorization: Bearer <token>) or a session cookie is required.")
    username = sessions.user_of(session)
    if username is None:
        raise BalrogError(401, "The session is unknown or has expired; sign in again.")
    if request.method not in sessions.SAFE_METHODS:
        sent = request.headers.get("x-csrf-token") or _body_field(request, "csrf_token")
        if not sessions.csrf_valid(session, sent):
            raise BalrogError(400, "Missing or invalid CSRF token: a session's writes must send the "
                                   "X-CSRF-Token header from GET /csrf_token.", "CSRFError")
    return username


def _body_field(request: Request, field: str) -> str | None:
    try:
        value = body_of(request).get(field)
    except BalrogError:
        return None
    return value if isinstance(value, str) else None


def json_body(bp: Blueprint) -> dict[str, Any]:
    """The request body as an object: JSON (any content type) or, as old clients send, a form."""
    return body_of(bp.current_request)


def body_of(request: Request) -> dict[str, Any]:
    """:func:`json_body` of ``request``."""
    raw = request.raw_body or b""
    if not raw.strip():
        return {}
    content_type = (request.headers.get("content-type") or "").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if content_type.startswith("multipart/form-data"):
        return _multipart_fields(request.headers.get("content-type") or "", raw)
    try:
        body = strict_json(raw)
    except ValueError:
        raise BalrogError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BalrogError(400, "The body must be a JSON object.")
    return body


def _multipart_fields(content_type: str, raw: bytes) -> dict[str, Any]:
    """A ``multipart/form-data`` body's fields (what Balrog's admin UI and old scripts send), read by the
    stdlib's MIME parser; a body it cannot read is 400."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        raise BalrogError(400, "The multipart body could not be read.")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        fields[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return fields


def strict_json(text: str | bytes) -> Any:
    """JSON as RFC 8259 has it, holding only values Shipyard can keep (:mod:`chalicelib.safe_json`)."""
    return safe_json.loads(text)


def query_params(bp: Blueprint) -> dict[str, str]:
    return bp.current_request.query_params or {}


def page_and_limit(bp: Blueprint) -> tuple[int, int]:
    """A revisions list's ``page`` (from 1) and ``limit`` (default 10)."""
    params = query_params(bp)
    page = int_value(params.get("page"), "page")
    limit = int_value(params.get("limit"), "limit")
    page, limit = 1 if page is None else page, 10 if limit is None else limit
    if page < 1 or limit < 1:
        raise BalrogError(400, "'page' and 'limit' must be at least 1.")
    return page, limit


def change_of(revision: dict[str, Any]) -> dict[str, Any]:
    """Who changed a revision, and when: the fields every revisions list adds to the row."""
    return {"change_id": revision["change_id"], "timestamp": revision["timestamp"],
            "changed_by": revision["changed_by"]}
