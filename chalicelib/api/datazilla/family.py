"""Datazilla as a route-kit family: its envelope, its storage words, and the project every project route needs.

A route module declares each handler with its operation and path
(``@DATAZILLA.handles(bp, path, ["GET"], read(...))``). Before a handler runs,
``{project}`` is looked up (404 ``{"status": "Unknown project '<name>'"}``)
and the handler gets the :class:`~chalicelib.store.projects.Project`, the
other path parameters as they came.

A handler returns the answer's JSON value (a ``Response`` of its own, such as
an HTML page, is answered as it is). Errors are Datazilla's
``{"status": <text>, "message"?: ...}``: raise
``Refusal(status, <status text>, detail=<message>, ...)``; other keyword
arguments (the upload's ``url``) join the body. A storage fault is 503
``Service unavailable`` (the client retries), 400 ``Bad request`` when the
store refused the values.
"""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.datazilla import openapi
from chalicelib.api.kit.family import Envelope, Family, Incoming, Route
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.kit.storage import StorageWords
from chalicelib.store import projects

JSON = {"Content-Type": "application/json"}


def success(value: Any, context: None) -> Response:
    if isinstance(value, Response):
        return value
    return Response(body=value, status_code=200, headers=JSON)


def failure(refusal: Refusal, context: None) -> Response:
    """Datazilla's error body: the refusal's message as ``status``, its ``detail`` as ``message``."""
    extra = dict(refusal.extra)
    body: dict[str, Any] = {"status": refusal.message}
    detail = extra.pop("detail", None)
    if detail is not None:
        body["message"] = detail
    body.update(extra)
    return Response(body=body, status_code=refusal.status, headers=JSON)


def with_project(route: Route, incoming: Incoming) -> Any:
    """The handler of the request's method, given the ``{project}`` it names (404 when there is none).

    A found project is kept for a minute per container (``projects.cached``): a warm upload is verified
    without reading its credentials again.
    """
    params = dict(incoming.params)
    if "project" in params:
        found = projects.cached(params["project"])
        if found is None:
            raise Refusal(404, f"Unknown project '{params['project']}'")
        params["project"] = found
    return route.handlers[incoming.request.method](**params)


DATAZILLA = Family(
    name="datazilla",
    prefix="",
    title=openapi.TITLE,
    description=openapi.DESCRIPTION,
    envelope=Envelope(success=success, error=failure),
    storage=StorageWords(refused="Bad request", unavailable="Service unavailable",
                         refused_extra={"detail": "A value of the request is too large or malformed for the store."},
                         unavailable_extra={"detail": "Storage is unavailable; retry later."}),
    dispatch=with_project,
    components=openapi.COMPONENTS,
)
