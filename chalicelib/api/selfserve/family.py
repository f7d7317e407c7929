"""BuildAPI self-serve as a route-kit family: its envelope, errors, users, and how a request reaches a handler.

A route module declares one handler per method of a path, each with its
operation (``@documented``), and registers them with ``SELFSERVE.route``.
Before a handler runs:

1. the answer's format is chosen (``?format=``, then ``Accept``; 400 for an
   unknown format, in JSON);
2. a write's form (``application/x-www-form-urlencoded``, or a JSON object)
   is read, and a POST's ``_method`` override (PUT or DELETE) applied;
3. ``{branch}`` is resolved (a branch name, an alternative name or its
   Treeherder repository name; 404 ``Branch X not found``).

The handler's :class:`~chalicelib.api.selfserve.common.Answer` is rendered as
JSON or HTML. Errors are BuildAPI's ``{"status": "FAILED", "msg": ...}``: a
:class:`~chalicelib.api.kit.refusal.Refusal` as given, a bad parameter 400, a thing not found 404, a
storage failure 503 (the client retries) unless the store refused the values (400).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from chalice import Response
from chalice.app import Request

from chalicelib import safe_json
from chalicelib.api.kit.auth import Auth
from chalicelib.api.kit.family import Envelope, Family, Incoming, Route
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.kit.storage import StorageWords
from chalicelib.api.selfserve import openapi, render_html
from chalicelib.api.selfserve.common import Answer, Call
from chalicelib.auth import bearer, passwords
from chalicelib.selfserve import negotiation
from chalicelib.selfserve.errors import NotFound
from chalicelib.selfserve.params import BadParameter
from chalicelib.store import branches
from chalicelib.store.branches import Branch

ANY_CONTENT = ["*/*"]
MAX_BODY = 64_000
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
# The query parameters self-serve reads; one of them given twice is refused (others are ignored).
KNOWN_QUERY = ("format", "date", "num", "offset", "_method")
WRITES = ("POST", "PUT", "DELETE")


def render(answer: Answer, fmt: str | None) -> Response:
    if fmt == negotiation.HTML:
        return Response(render_html.page(answer.title, answer.data), status_code=answer.status,
                        headers={"Content-Type": HTML_TYPE})
    return Response(json.dumps(answer.data), status_code=answer.status, headers={"Content-Type": JSON_TYPE})


def render_refusal(refusal: Refusal, fmt: str | None) -> Response:
    """BuildAPI's error body, in the request's format (JSON when the format itself was refused)."""
    return render(Answer({"status": "FAILED", "msg": refusal.message}, refusal.status, "self-serve: failed"), fmt)


def answer_format(request: Request) -> str:
    try:
        return negotiation.answer_format(dict(request.query_params or {}), request.headers.get("accept"))
    except negotiation.BadFormat as err:
        raise Refusal(400, str(err)) from None


def user_of(request: Request) -> str:
    """Who asks: HTTP Basic credentials (as BuildAPI's LDAP front end took them) or a bearer token; 403
    without valid ones."""
    headers = request.headers
    if passwords.basic_credentials(headers) is not None:
        found = passwords.authenticate(headers)
        if found is None:
            raise Refusal(403, "Access denied: wrong user name or password")
    elif bearer.bearer_token(headers) is not None:
        found = bearer.authenticate(headers)
        if found is None:
            raise Refusal(403, "Access denied: unknown bearer token")
    else:
        raise Refusal(403, "Access denied: send HTTP Basic credentials or a bearer token")
    return found


def _form(request: Request) -> dict[str, Any]:
    raw = request.raw_body or b""
    if not raw.strip():
        return {}
    if len(raw) > MAX_BODY:
        raise Refusal(400, f"Bad request: body over {MAX_BODY} bytes")
    text = raw.decode("utf-8", "replace")
    content_type = (request.headers.get("content-type") or "").lower()
    if content_type.startswith(JSON_TYPE):
        try:
            body = safe_json.loads(raw)
        except safe_json.UnsafeJson as err:
            raise Refusal(400, "Bad request: the body is not JSON" if err.not_json else f"Bad request: {err}") from None
        if not isinstance(body, dict):
            raise Refusal(400, "Bad request: the body must be a JSON object")
        return body
    fields = parse_qsl(text, keep_blank_values=True)
    _once([name for name, _ in fields], "form field")
    return dict(fields)


def _once(names: list[str], what: str) -> None:
    """A parameter given twice is refused: which one counts would be a guess."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise Refusal(400, f"Bad request: {what} {name[:40]} given more than once")
        seen.add(name)


def resolve_branch(name: str) -> Branch:
    found = branches.resolve(name) if len(name) <= 200 else None
    if found is None and len(name) <= 100:
        found = branches.resolve_repository(name)
    if found is None:
        raise Refusal(404, f"Branch {name[:100]} not found")
    return found


def dispatch(route: Route, incoming: Incoming) -> Answer:
    """The handler of the method the request stands for, given a :class:`Call`.

    A write finds its user before its branch: BuildAPI sat behind HTTP authentication, so a write without
    valid credentials was refused whatever its path named (403 here, before a branch's 404 and before
    its parameters' 400). A read needs no user."""
    request, params = incoming.request, incoming.params
    query = dict(request.query_params or {})
    if request.query_params:
        _once([k for k in KNOWN_QUERY if k in query for _ in request.query_params.getlist(k)], "query parameter")
    form = _form(request) if request.method in ("POST", "PUT", "DELETE") else {}
    method = negotiation.effective_method(request.method, query, form)
    handler = route.handlers.get(method)
    assert route.family.auth is not None
    if handler is None:
        raise Refusal(405, f"Method {method} not allowed here (allowed: {', '.join(sorted(route.handlers))})")
    call = Call(request, incoming.context, method, query, form, params, route.family.auth.identify)
    if method in WRITES:
        call.user  # noqa: B018 - 403 before the branch's 404
    if "branch" in params:
        call.branch = resolve_branch(params["branch"])
    return handler(call)


def _post_stands_in(methods: frozenset[str]) -> frozenset[str]:
    """A path with a PUT or DELETE also answers POST (``_method``)."""
    return frozenset({"POST"}) if methods & set(negotiation.OVERRIDABLE) else frozenset()


SELFSERVE = Family(
    name="selfserve",
    prefix="/self-serve",
    title="Shipyard: BuildAPI self-serve",
    description="BuildAPI's self-serve: branches, builds and build requests (views of the Treeherder jobs CI "
                "systems report), and job requests queued to the CI (202, or 503 to retry).",
    envelope=Envelope(success=render, error=render_refusal),
    errors=((BadParameter, lambda err, request: Refusal(400, str(err))),
            (NotFound, lambda err, request: Refusal(404, str(err)))),
    storage=StorageWords(refused="Bad request: a value is too large or malformed for the store",
                         unavailable="Storage is unavailable; retry later"),
    auth=Auth(openapi.SECURITY_SCHEMES, user_of),
    context=answer_format,
    dispatch=dispatch,
    implied_methods=_post_stands_in,
    components=openapi.COMPONENTS,
    content_types=ANY_CONTENT,
)
