"""The route mechanism Datazilla had before the route kit, left for the perf pages (``chalicelib/api/perf``).

Datazilla's own routes are on the kit (:mod:`chalicelib.api.datazilla.family`);
the alerts and graph routes, served in the same envelope, still use these
until they move onto the kit too. Then this module goes.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

from chalice import Response

from chalicelib.api.datazilla.params import int_param
from chalicelib.store import projects
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)

__all__ = ["answer", "int_param", "problem", "project_route", "storage_guard"]

JSON = {"Content-Type": "application/json"}


def answer(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers=JSON)


def problem(status: int, status_text: str, message: str | None = None, **extra: Any) -> Response:
    """Datazilla's error body: ``{"status": ..., "message": ...}``."""
    body: dict[str, Any] = {"status": status_text}
    if message is not None:
        body["message"] = message
    body.update(extra)
    return answer(body, status)


def unknown_project(name: str) -> Response:
    return problem(404, f"Unknown project '{name}'")


def project_route(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Look the project up (404 if unknown) and pass it in; storage faults become 503."""

    @functools.wraps(handler)
    def wrapper(project: str, *args: Any, **kwargs: Any) -> Response:
        found = projects.get(project)
        if found is None:
            return unknown_project(project)
        return handler(found, *args, **kwargs)

    return storage_guard(wrapper)


def storage_guard(handler: Callable[..., Response]) -> Callable[..., Response]:
    """For routes without a project: storage faults become 503, never 500."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except TRANSIENT as err:
            if refused_values(err):
                log.warning("storage refused the values of %s: %s", handler.__name__, err)
                return problem(400, "Bad request", "A value of the request is too large or malformed for the store.")
            log.error("storage unavailable in %s: %s", handler.__name__, err.__class__.__name__)
            return problem(503, "Service unavailable", "Storage is unavailable; retry later.")

    return wrapper
