"""Balrog as a route-kit family: problem bodies, its error table, bearer-or-session login, mounts.

Admin routes (``/balrog/api``) are registered with :func:`admin`: the user
is found first (401; a cookie session's write also needs its CSRF token,
else 400 ``CSRFError``) and the handler gets it as ``changed_by``. The token
endpoint (``/balrog/oauth``) and the update endpoints (``/balrog/update``,
``/balrog/json``) are public and answer in their own protocols.

Errors are Balrog's problem body ``{"type", "title", "detail", "status",
"exception"?}``; the error table maps the store's and the domain's exceptions
as Balrog's error handlers do (a stale ``data_version`` is 400, not 409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.balrog import openapi, openapi_signoffs
from chalicelib.api.balrog.common import login, problem
from chalicelib.api.kit.auth import Auth
from chalicelib.api.kit.family import Envelope, Family, Handler, Incoming, Route
from chalicelib.api.kit.refusal import Refusal
from chalicelib.balrog import errors
from chalicelib.balrog import permissions as perms
from chalicelib.balrog.errors import BalrogError
from chalicelib.balrog.merge import MergeConflict
from chalicelib.store.balrog_releases import ReleaseMapped, ReleaseReadOnly
from chalicelib.store.balrog_rules import AliasTaken
from chalicelib.store.balrog_scheduled_changes import ChangeScheduled
from chalicelib.store.versioned import AlreadyExists, NotFound, StaleDataVersion


def _refusal(err: BalrogError) -> Refusal:
    return Refusal(err.status, err.detail, exception=err.exception, fields=err.extra)


def _answer(value: Response, context: None) -> Response:
    """Balrog's handlers answer with their own status and headers (``X-Data-Version``, text, empty bodies)."""
    return value


def _problem(refusal: Refusal, context: None) -> Response:
    """``exception`` and any more ``fields`` (Balrog's ``data``) where the refusal has them."""
    return problem(refusal.status, refusal.message, refusal.extra.get("exception"), refusal.extra.get("fields"))


ERRORS = (
    (BalrogError, lambda err, request: _refusal(err)),
    (MergeConflict, lambda err, request: Refusal(
        400, "UpdateMergeError", exception=f"Couldn't perform the request {request.method} due to merge error: {err}")),
    (StaleDataVersion, lambda err, request: Refusal(
        400, "OutdatedDataError", exception=f"Couldn't perform the request {request.method}. Outdated Data Version. "
                                            "old_data_version doesn't match current data_version")),
    (NotFound, lambda err, request: Refusal(404, f"{err} does not exist")),
    (ReleaseReadOnly, lambda err, request: Refusal(403, "Couldn't update release. Release is marked read only",
                                                   exception=f"Release '{err}' is read only")),
    (ReleaseMapped, lambda err, request: Refusal(
        400, f"Release '{err}' is mapped to by a rule; change the rule(s) first.")),
    (ChangeScheduled, lambda err, request: _refusal(
        errors.change_scheduled("Cannot delete rows that have changes scheduled."))),
    (AliasTaken, lambda err, request: Refusal(400, "Rule with alias exists.",
                                              exception=f"Rule with alias '{err}' already exists.")),
    (AlreadyExists, lambda err, request: Refusal(400, f"{err} already exists")),
    (perms.InvalidPermission, lambda err, request: Refusal(400, str(err))),
)


def _dispatch(route: Route, incoming: Incoming) -> Any:
    """The method's handler with the path parameters, and ``changed_by`` on an admin route."""
    handler = route.handlers[incoming.request.method]
    if route.signed_in:
        return handler(**incoming.params, changed_by=incoming.user)
    return handler(**incoming.params)


def _login(request: Request) -> str:
    return login(request)


BALROG = Family(
    name="balrog",
    prefix="/balrog",
    title="Shipyard: Balrog",
    description="Balrog's admin API (rules, releases, permissions, history; `data_version` concurrency), the "
                "token endpoint balrogclient asks for its bearer token, and the public update endpoint.",
    envelope=Envelope(success=_answer, error=_problem),
    errors=ERRORS,
    auth=Auth(openapi.SECURITY_SCHEMES, _login),
    dispatch=_dispatch,
    components={"schemas": {**openapi.SCHEMAS, **openapi_signoffs.SCHEMAS}, "responses": openapi.RESPONSES,
                "securitySchemes": openapi.SECURITY_SCHEMES},
)


def blueprint(import_name: str, mount: str = "/api") -> Blueprint:
    """A Balrog blueprint, by default one of the admin API's."""
    return BALROG.blueprint(import_name, mount)


def admin(bp: Blueprint, path: str, methods: list[str], operation: dict[str, Any], *,
          also: dict[str, dict[str, Any]] | None = None,
          content_types: list[str] | None = None) -> Callable[[Handler], Handler]:
    """Register an admin handler: the user signed in first, then ``handler(**params, changed_by=user)``."""
    return BALROG.handles(bp, path, methods, operation, also=also, content_types=content_types, signed_in=True)


def public(bp: Blueprint, path: str, methods: list[str], operation: dict[str, Any], *,
           content_types: list[str] | None = None) -> Callable[[Handler], Handler]:
    """Register a handler anyone may call (the token endpoint, the update endpoints)."""
    return BALROG.handles(bp, path, methods, operation, content_types=content_types)
