"""Every family answers a path it does not serve with its own 404, never API Gateway's 403.

API Gateway (REST) answers a request whose path matches no resource, or a
resource that has no method, with 403 ``{"message": "Missing Authentication
Token"}`` (or an AWS signature complaint when an ``Authorization`` header is
present): a client of any family reads that as a refused credential. The
answer must come from the app, so every path has to reach a resource with
methods.

A greedy resource ``<parent>/{proxy+}`` takes every path below its parent
that no more specific resource matches, but API Gateway allows only one
variable part per level, and the root already has Datazilla's
``/{project}``: a single root ``/{proxy+}`` is impossible. So the catch-all
is derived from the routes themselves (:func:`register`, called once every
blueprint is in): each resource the route tree implies but no route
declares (``/treeherder/api``) gets a catch-all view, and each resource
without a variable child gets a greedy child. Walking any path then ends at
a resource with methods: a static child, the level's variable child, or the
nearest greedy one.

Which family a path belongs to is its first segment (``/treeherder``,
``/balrog``, ``/self-serve``, KernelCI's root resources); everything else is
Datazilla's, which owns ``/{project}``. Locally, Chalice's router knows no
greedy parts: ``chalicelib.local.greedy_routes`` matches them as API Gateway
does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from chalice import Chalice, Response

from chalicelib.kernelci.keys import RESERVED_ROOT_NAMES

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
GREEDY = "{proxy+}"
# Route attribute naming the catch-all views (the OpenAPI tests leave them out: they document nothing).
MARK = "shipyard_catch_all"

BALROG_NOT_FOUND = ("The requested URL was not found on the server. If you entered the URL manually please check "
                    "your spelling and try again.")


def family_of(path: str) -> str:
    """The family whose paths ``path`` is among (by its first segment)."""
    first = path.lstrip("/").split("/", 1)[0]
    if first in ("treeherder", "balrog", "self-serve"):
        return first
    if first in RESERVED_ROOT_NAMES:
        return "kernelci"
    if first == "openapi":
        return "openapi"
    return "datazilla"  # /<project>/..., /refdata, /static: Datazilla's and its graphs'



def not_found(path: str, headers: Any, query: dict[str, str]) -> Response:
    """The 404 the family of ``path`` gives for a URL it has no resource for, in its own format."""
    family = family_of(path)
    if family == "treeherder":  # Django REST framework's NotFound
        return Response({"detail": "Not found."}, status_code=404, headers={"Content-Type": "application/json"})
    if family == "balrog" and path.startswith("/balrog/update/"):
        # Balrog's 404 handler gives update clients "no update", never a 404.
        from chalicelib.api.balrog.update import no_update
        return no_update()
    if family == "balrog":  # Flask's NotFound as Balrog's problem body
        return Response({"title": "Not Found", "detail": BALROG_NOT_FOUND, "status": 404, "type": "about:blank"},
                        status_code=404, headers={"Content-Type": "application/problem+json"})
    if family == "self-serve":
        from chalicelib.api.kit.refusal import Refusal
        from chalicelib.api.selfserve.family import SELFSERVE
        from chalicelib.selfserve import negotiation

        try:
            fmt = negotiation.answer_format(query, headers.get("accept"))
        except negotiation.BadFormat:
            fmt = negotiation.JSON
        return SELFSERVE.refuse(Refusal(404, f"Not found: {path[:200]}"), fmt)
    if family == "kernelci":  # the backend's default handler (handlers/app.py AppHandler)
        body = json.dumps({"code": 404, "message": "Resource not found"}, separators=(",", ":"))
        return Response(body, status_code=404, headers={"Content-Type": "application/json; charset=UTF-8"})
    if family == "openapi":
        return Response({"message": f"No API document at {path[:200]}"}, status_code=404,
                        headers={"Content-Type": "application/json"})
    return Response({"status": "Not Found", "message": f"No Datazilla resource at {path[:200]}"},
                    status_code=404, headers={"Content-Type": "application/json"})


def catch_all_paths(routes: Iterable[str]) -> list[str]:
    """The resources to add so that every path reaches one with methods (see the module docstring)."""
    declared = set(routes)
    nodes: set[str] = set()
    children: dict[str, set[str]] = {}
    for route in declared:
        parts = route.strip("/").split("/")
        for depth in range(len(parts) + 1):
            node = "/" + "/".join(parts[:depth])
            nodes.add(node)
            if depth < len(parts):
                children.setdefault(node, set()).add(parts[depth])
    added = {node for node in nodes if node not in declared}
    for node in nodes:
        below = children.get(node, set())
        if node.endswith("+}") or any(part.startswith("{") for part in below):
            continue
        added.add(node.rstrip("/") + "/" + GREEDY)
    return sorted(added)


def _path_of(request: Any) -> str:
    """The path asked for: the event's own on API Gateway (no stage prefix), the context's locally."""
    return request.to_original_event().get("path") or (request.context or {}).get("path") or "/"


def register(app: Chalice) -> None:
    """Add the catch-all resources to ``app`` (after every family's routes are registered)."""
    for path in catch_all_paths(list(app.routes)):
        def view(**_params: str) -> Response:
            request = app.current_request
            return not_found(_path_of(request), request.headers, dict(request.query_params or {}))

        view.__name__ = "not_found_" + re.sub(r"\W+", "_", path).strip("_")
        app.route(path, methods=METHODS, content_types=["*/*"])(view)
        for entry in app.routes[path].values():
            setattr(entry, MARK, True)


def is_catch_all(app: Chalice, path: str) -> bool:
    return any(getattr(entry, MARK, False) for entry in app.routes.get(path, {}).values())
