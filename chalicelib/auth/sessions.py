"""Browser sessions: a cookie that names the user, and the CSRF token bound to it.

API clients authenticate every request with a bearer token, which a browser
never sends on its own, so they need no CSRF protection. A cookie, though, is
sent by the browser with any request to its path, including one a hostile
page triggers: a request authenticated by the session cookie must also carry
the CSRF token, which only a page that could read ``GET /csrf_token`` has.

The CSRF token is an HMAC of the session token (keyed by it), so it needs no
storage, changes with every session, and cannot be derived without the
cookie. The session token itself is stored only as its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

from chalicelib.auth.bearer import token_hash
from chalicelib.store import balrog_tokens

COOKIE = "balrog_session"
LIFETIME_SECONDS = 8 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CSRF_PURPOSE = b"shipyard-balrog-csrf-v1"


def create(username: str) -> tuple[str, int]:
    """A new session for ``username``: (its token, for the cookie only; when it expires)."""
    token = secrets.token_urlsafe(32)
    expires_at = int(time.time()) + LIFETIME_SECONDS
    balrog_tokens.put(token_hash(token), username, kind=balrog_tokens.SESSION, expires_at=expires_at)
    return token, expires_at


def end(token: str) -> None:
    balrog_tokens.remove(token_hash(token))


def from_cookies(headers: Mapping[str, str]) -> str | None:
    """The session token of a request's ``Cookie`` header, if it has one."""
    raw = headers.get("cookie") or headers.get("Cookie") or ""
    if not raw:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(raw)
    except CookieError:
        return None
    morsel = cookies.get(COOKIE)
    return morsel.value if morsel and morsel.value else None


def user_of(token: str) -> str | None:
    """Who a live session belongs to (None when unknown or expired)."""
    return balrog_tokens.username_for(token_hash(token), kinds=(balrog_tokens.SESSION,))


def csrf_token(token: str) -> str:
    return hmac.new(token.encode(), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


def csrf_valid(token: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(csrf_token(token), sent)


def cookie(token: str, expires_at: int, path: str, secure: bool) -> str:
    """The ``Set-Cookie`` value: script cannot read it, other sites' requests do not carry it."""
    max_age = max(0, expires_at - int(time.time()))
    value = f"{COOKIE}={token}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict"
    return value + ("; Secure" if secure else "")


def expired_cookie(path: str) -> str:
    return f"{COOKIE}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict"
