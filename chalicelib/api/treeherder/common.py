"""Treeherder's answer format and the checks every Treeherder route shares.

Errors are ``{"detail": ...}``. Every route first applies the client policy
(403 for a forbidden User-Agent, 406 for an unsupported ``Accept`` version);
project routes resolve the repository (404 ``No project with name <p>``);
storage faults become 503, never 500.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

from chalice import Blueprint, Response

from chalicelib.store import branches
from chalicelib.store.errors import TRANSIENT, refused_values
from chalicelib.treeherder.client_policy import accept_refusal, user_agent_refusal
from chalicelib.treeherder.params import BadParameter, Params

log = logging.getLogger(__name__)

JSON = {"Content-Type": "application/json"}


def answer(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers=JSON)


def detail(status: int, message: str) -> Response:
    return answer({"detail": message}, status)


def treeherder_route(bp: Blueprint) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Client policy, 400 for :class:`BadParameter`, 503 for storage faults."""

    def decorate(handler: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            headers = bp.current_request.headers
            refusal = user_agent_refusal(headers.get("user-agent"))
            if refusal is not None:
                return detail(403, refusal)
            refusal = accept_refusal(headers.get("accept"))
            if refusal is not None:
                return detail(406, refusal)
            try:
                return handler(*args, **kwargs)
            except BadParameter as err:
                return detail(400, str(err))
            except TRANSIENT as err:
                if refused_values(err):
                    log.warning("storage refused the values of %s: %s", handler.__name__, err)
                    return detail(400, "A value of the request is too large or malformed for the store.")
                log.error("storage unavailable in %s: %s", handler.__name__, err.__class__.__name__)
                return detail(503, "Storage is unavailable; retry later.")

        return wrapper

    return decorate


def project_route(bp: Blueprint) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """As :func:`treeherder_route`, and the project resolved to its branch (404 if unknown)."""

    def decorate(handler: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def with_project(project: str, *args: Any, **kwargs: Any) -> Response:
            branch = branches.resolve_repository(project)
            if branch is None:
                return detail(404, f"No project with name {project}")
            return handler(branch, project, *args, **kwargs)

        return treeherder_route(bp)(with_project)

    return decorate


def request_params(bp: Blueprint) -> Params:
    return Params(bp.current_request.query_params)
