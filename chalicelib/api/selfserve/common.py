"""What every self-serve route shares: format, method override, branch, user, errors, job request submission.

A route module declares one function per method of a path; :func:`route`
registers one view that, in order:

1. chooses the answer's format (``?format=``, then ``Accept``; 400 for an
   unknown format, in JSON);
2. reads the form (``application/x-www-form-urlencoded``, or a JSON object)
   of a write and the ``_method`` override of a POST (PUT or DELETE);
3. resolves ``{branch}`` (a branch name, an alternative name or its
   Treeherder repository name; 404 ``Branch X not found``);
4. runs the handler, whose data is rendered as JSON or HTML.

Errors are BuildAPI's ``{"status": "FAILED", "msg": ...}``: a
:class:`SelfserveError` as given, a bad parameter 400, a storage failure 503
(the client retries) unless the store refused the values (400).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import config, safe_json
from chalicelib.api.selfserve import render_html
from chalicelib.auth import bearer, passwords
from chalicelib.selfserve import actions, negotiation
from chalicelib.selfserve.params import BadParameter
from chalicelib.store import branches, build_requests, queues
from chalicelib.store.balrog_permissions import permissions
from chalicelib.store.branches import Branch
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)
access_log = logging.getLogger("chalicelib.selfserve.access")

ANY_CONTENT = ["*/*"]
MAX_BODY = 64_000
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
ADMIN_PERMISSION = "admin"
# The query parameters self-serve reads; one of them given twice is refused (others are ignored).
KNOWN_QUERY = ("format", "date", "num", "offset", "_method")


class SelfserveError(Exception):
    """An answer other than success, raised from anywhere below a handler."""

    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.msg = status, msg


@dataclass
class Answer:
    data: Any
    status: int = 200
    title: str = "self-serve"


@dataclass
class Call:
    request: Request
    fmt: str
    method: str
    query: dict[str, str]
    form: dict[str, Any]
    params: dict[str, str]
    branch: Branch | None = None
    _user: str | None = field(default=None, repr=False)

    @property
    def user(self) -> str:
        """Who asks: HTTP Basic credentials (as BuildAPI's LDAP front end took them) or a bearer token; 403
        without valid ones."""
        if self._user is None:
            headers = self.request.headers
            if passwords.basic_credentials(headers) is not None:
                found = passwords.authenticate(headers)
                if found is None:
                    raise SelfserveError(403, "Access denied: wrong user name or password")
            elif bearer.bearer_token(headers) is not None:
                found = bearer.authenticate(headers)
                if found is None:
                    raise SelfserveError(403, "Access denied: unknown bearer token")
            else:
                raise SelfserveError(403, "Access denied: send HTTP Basic credentials or a bearer token")
            self._user = found
        return self._user

    def require_owner_or_admin(self, owner: str, what: str) -> str:
        """The user, if it made ``what`` or is an admin (holds Balrog's ``admin`` permission unrestricted)."""
        user = self.user
        if user != owner and not is_admin(user):
            raise SelfserveError(403, f"Access denied: only {owner or 'its requester'} or an admin may change {what}")
        return user


Handler = Callable[[Call], Answer]


def is_admin(user: str) -> bool:
    """A self-serve admin holds Balrog's ``admin`` permission with no product restriction (one Query)."""
    row = permissions.of_user(user).get(ADMIN_PERMISSION)
    return row is not None and not (row.get("options") or {}).get("products")


def _form(request: Request) -> dict[str, Any]:
    raw = request.raw_body or b""
    if not raw.strip():
        return {}
    if len(raw) > MAX_BODY:
        raise SelfserveError(400, f"Bad request: body over {MAX_BODY} bytes")
    text = raw.decode("utf-8", "replace")
    content_type = (request.headers.get("content-type") or "").lower()
    if content_type.startswith(JSON_TYPE):
        try:
            body = safe_json.loads(raw)
        except safe_json.UnsafeJson as err:
            raise SelfserveError(400, "Bad request: the body is not JSON" if err.not_json
                                 else f"Bad request: {err}") from None
        if not isinstance(body, dict):
            raise SelfserveError(400, "Bad request: the body must be a JSON object")
        return body
    fields = parse_qsl(text, keep_blank_values=True)
    _once([name for name, _ in fields], "form field")
    return dict(fields)


def _once(names: list[str], what: str) -> None:
    """A parameter given twice is refused: which one counts would be a guess."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SelfserveError(400, f"Bad request: {what} {name[:40]} given more than once")
        seen.add(name)


def resolve_branch(name: str) -> Branch:
    found = branches.resolve(name) if len(name) <= 200 else None
    if found is None and len(name) <= 100:
        found = branches.resolve_repository(name)
    if found is None:
        raise SelfserveError(404, f"Branch {name[:100]} not found")
    return found


def failed(msg: str, status: int, fmt: str) -> Response:
    return render(Answer({"status": "FAILED", "msg": msg}, status, "self-serve: failed"), fmt)


def render(answer: Answer, fmt: str) -> Response:
    if fmt == negotiation.HTML:
        return Response(render_html.page(answer.title, answer.data), status_code=answer.status,
                        headers={"Content-Type": HTML_TYPE})
    return Response(json.dumps(answer.data), status_code=answer.status, headers={"Content-Type": JSON_TYPE})


def _run(request: Request, handlers: dict[str, Handler], params: dict[str, str]) -> Response:
    query = dict(request.query_params or {})
    try:
        fmt = negotiation.answer_format(query, request.headers.get("accept"))
    except negotiation.BadFormat as err:
        return failed(str(err), 400, negotiation.JSON)
    try:
        if request.query_params:
            _once([k for k in KNOWN_QUERY if k in query for _ in request.query_params.getlist(k)], "query parameter")
        form = _form(request) if request.method in ("POST", "PUT", "DELETE") else {}
        method = negotiation.effective_method(request.method, query, form)
        handler = handlers.get(method)
        if handler is None:
            raise SelfserveError(405, f"Method {method} not allowed here (allowed: {', '.join(sorted(handlers))})")
        call = Call(request, fmt, method, query, form, params)
        if "branch" in params:
            call.branch = resolve_branch(params["branch"])
        answer = handler(call)
    except SelfserveError as err:
        return failed(err.msg, err.status, fmt)
    except BadParameter as err:
        return failed(str(err), 400, fmt)
    except TRANSIENT as err:
        if refused_values(err):
            log.warning("storage refused the values of %s %s: %s", request.method, request.context.get("path"), err)
            return failed("Bad request: a value is too large or malformed for the store", 400, fmt)
        log.error("storage unavailable for %s %s: %s", request.method, request.context.get("path"),
                  type(err).__name__)
        return failed("Storage is unavailable; retry later", 503, fmt)
    return render(answer, fmt)


def route(bp: Blueprint, path: str, handlers: dict[str, Handler]) -> None:
    """Register ``handlers`` (by method) at ``path``; a POST may stand for a PUT or DELETE handler."""
    methods = set(handlers)
    if methods & set(negotiation.OVERRIDABLE):
        methods.add("POST")

    def view(**params: str) -> Response:
        # Path parameters arrive decoded once, by API Gateway or the local server: never again here.
        return _run(bp.current_request, handlers, dict(params))

    view.__name__ = "selfserve_" + (re.sub(r"\W+", "_", path).strip("_") or "index")
    bp.route(path, methods=sorted(methods), content_types=ANY_CONTENT)(view)


# --- job requests -------------------------------------------------------------------------------


def submit(call: Call, action: str, what: dict[str, Any], targets: list[dict[str, Any]] | None = None) -> Answer:
    """Record a job request and queue it for the CI → 202 ``{"status": "OK", "request_id": N}``.

    Never half done: a request that cannot be recorded is 503 with nothing
    stored; one recorded but not queued is closed as failed (or, if even that
    write fails, by the sweeper, which closes requests left unsent) and is 503.
    """
    who, branch = call.user, call.branch
    assert branch is not None
    stored_what = {**what, **({"target_ids": [t["job_id"] for t in targets]} if targets is not None else {})}
    try:
        job_request = build_requests.record(action, who, branch.name, stored_what)
    except TRANSIENT as err:
        log.error("%s by %s: not recorded: %s", action, who, type(err).__name__)
        raise SelfserveError(503, "The job request could not be recorded; retry later") from None
    message = actions.message(action, job_request.request_id, who, job_request.when, branch.name,
                              branch.repository or branch.name.lower(),
                              {**what, **({"targets": targets} if targets is not None else {})})
    try:
        queues.send(config.SELFSERVE_BUILD_REQUESTS_QUEUE, message)
    except TRANSIENT as err:
        log.error("job request %s (%s): not queued: %s", job_request.request_id, action, type(err).__name__)
        try:
            build_requests.mark_failed(job_request.request_id, "The job request could not be queued")
        except TRANSIENT:
            log.error("job request %s: not closed either; the sweeper will", job_request.request_id)
        raise SelfserveError(503, "The job request could not be queued; retry later") from None
    try:
        build_requests.mark_queued(job_request.request_id)
    except TRANSIENT:
        log.warning("job request %s queued but not marked so; a late result still completes it",
                    job_request.request_id)
    access_log.info("%s %s %s: job request %s", who, action, branch.name, job_request.request_id)
    return Answer({"status": "OK", "msg": f"Job request {job_request.request_id} queued",
                   "request_id": job_request.request_id}, 202, "self-serve: job request accepted")


def now() -> int:
    return int(time.time())
