"""Treeherder and Perfherder as a route-kit family: ``{"detail"}`` errors, the client policy, Hawk, projects.

A route module declares one handler per method of a path, each with its
operation (``@documented(read(...))``), and registers them with
``TREEHERDER.route``. Before a handler runs:

1. the client policy: 403 ``Forbidden user agent`` for a generic HTTP
   library's default User-Agent, 406 for an ``Accept`` asking for an API
   version other than 1.0 (Django's and DRF's checks, made on every route);
2. on a signed-in route (job submission), the Hawk signature: 403 with
   hawkrest's words, before the project is looked at (DRF authenticates
   before the view runs);
3. ``{project}`` is resolved to its branch (404 ``No project with name <p>``),
   and the handler gets ``branch=`` beside the path parameters.

A handler returns a JSON value (200), or a ``Response`` when it answers with
another status or media type. Errors are ``{"detail": ...}``, or the body a
:class:`~chalicelib.api.kit.refusal.Refusal` carries as ``body`` where
Treeherder answers another shape (a bare JSON string, a list).
"""

from __future__ import annotations

from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.api.kit.auth import Auth
from chalicelib.api.kit.family import Envelope, Family, Incoming, Route
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.request_url import full_url
from chalicelib.api.treeherder import openapi
from chalicelib.auth import hawk
from chalicelib.perf.perfherder_query import DataQueryRefused
from chalicelib.store import branches
from chalicelib.store.branches import Branch
from chalicelib.treeherder.client_policy import accept_refusal, user_agent_refusal
from chalicelib.treeherder.job_schema import InvalidJobMessage
from chalicelib.treeherder.params import BadParameter

JSON = {"Content-Type": "application/json"}


def answer(body: Any, status: int = 200) -> Response:
    """A JSON answer with a status other than 200 (a handler's plain value is answered 200)."""
    return Response(body=body, status_code=status, headers=JSON)


def _success(value: Any, context: None) -> Response:
    return value if isinstance(value, Response) else answer(value)


def _error(refusal: Refusal, context: None) -> Response:
    return answer(refusal.extra.get("body", {"detail": refusal.message}), refusal.status)


def client_policy(request: Request) -> None:
    """Who Treeherder answers (:mod:`chalicelib.treeherder.client_policy`): 403, then 406."""
    refused = user_agent_refusal(request.headers.get("user-agent"))
    if refused is not None:
        raise Refusal(403, refused)
    refused = accept_refusal(request.headers.get("accept"))
    if refused is not None:
        raise Refusal(406, refused)


def hawk_client(request: Request) -> str:
    """The Hawk client that signed the request (403 with hawkrest's reason otherwise)."""
    try:
        return hawk.authenticate(hawk.HawkRequest(
            request.headers.get("authorization"), full_url(request), request.method, request.raw_body or b"",
            request.headers.get("content-type", "")))
    except hawk.HawkRefused as err:
        raise Refusal(403, str(err)) from None


def resolve_project(project: str) -> Branch:
    """A repository name (or its branch's name) as its branch (one Query); 404 if none."""
    found = branches.resolve_repository(project)
    if found is None:
        raise Refusal(404, f"No project with name {project}")
    return found


def dispatch(route: Route, incoming: Incoming) -> Any:
    """The method's handler with the path parameters, ``branch=`` for a ``{project}`` path and ``user=`` (the
    Hawk client) on a signed-in route."""
    params: dict[str, Any] = dict(incoming.params)
    if "project" in params:
        params["branch"] = resolve_project(params["project"])
    if route.signed_in:
        params["user"] = incoming.user
    return route.handlers[incoming.request.method](**params)


TREEHERDER = Family(
    name="treeherder",
    prefix="/treeherder",
    title="Shipyard: Treeherder and Perfherder",
    description="Treeherder's pushes, jobs (read, and Hawk-signed submission), job logs and details, reference "
                "data, and Perfherder's performance signatures and data, under `/treeherder` (treeherder-client's "
                "`server_url`). Errors are `{\"detail\"}`. Generic HTTP libraries' default User-Agents are refused "
                "(403) so every client names itself; no User-Agent at all is allowed.",
    envelope=Envelope(success=_success, error=_error),
    errors=(
        (BadParameter, lambda err, request: Refusal(400, str(err))),
        (InvalidJobMessage, lambda err, request: Refusal(400, str(err))),
        # Treeherder's own shapes for a wrong performance data query: a list of strings, or {"message"}.
        (DataQueryRefused, lambda err, request: Refusal(400, str(err), body=err.body)),
    ),
    auth=Auth(openapi.SECURITY_SCHEMES, hawk_client),
    policies=(client_policy,),
    dispatch=dispatch,
    components=openapi.COMPONENTS,
)
