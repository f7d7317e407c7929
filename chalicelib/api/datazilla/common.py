"""Datazilla's answer format and the checks every project route shares."""

from __future__ import annotations

import functools
import logging
import re
import time
from typing import Any, Callable

from chalice import Response

from chalicelib.store import projects
from chalicelib.store.errors import TRANSIENT, refused_values

log = logging.getLogger(__name__)

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
    """Look the project up (404 if unknown; a found one is cached briefly: ``projects.cached``) and pass it in.

    Storage faults become 503.
    """

    @functools.wraps(handler)
    def wrapper(project: str, *args: Any, **kwargs: Any) -> Response:
        found = projects.cached(project)
        if found is None:
            return unknown_project(project)
        return handler(found, *args, **kwargs)

    return storage_guard(wrapper)


# Decimal digits with an optional sign, few enough for any field (Python's int() takes far more: spaces inside,
# "_", non-ASCII digits, and past 4,300 digits a message about its own settings).
INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def int_param(params: dict[str, str] | None, name: str, default: int | None = None, minimum: int = 0,
              maximum: int | None = None) -> int | None:
    """An integer query parameter; ValueError with a readable message otherwise."""
    raw = (params or {}).get(name)
    if raw is None or raw == "":
        return default
    if not INTEGER.fullmatch(raw.strip()):
        raise ValueError(f"'{name}' must be an integer, got {raw[:40]!r}")
    value = int(raw.strip())
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ValueError(f"'{name}' must be {bound}, got {value}")
    return value


DAY = 86400


def date_window(params: dict[str, str] | None) -> tuple[int, int]:
    """Datazilla's ``days_ago`` (required) and ``numdays`` as a [start, end] range of unix seconds."""
    days_ago = int_param(params, "days_ago")
    if days_ago is None:
        raise ValueError("'days_ago' is required")
    numdays = int_param(params, "numdays")
    now = int(time.time())
    start = now - days_ago * DAY
    end = start + numdays * DAY if numdays is not None else now
    return start, end


def comma_list(params: dict[str, str] | None, name: str) -> list[str]:
    raw = (params or {}).get(name) or ""
    return [v.strip() for v in raw.split(",") if v.strip()]


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
