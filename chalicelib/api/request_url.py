"""The URL a client used, as seen behind API Gateway or the local server.

Signatures (OAuth) cover the full URL, and responses hand back absolute URLs,
so both need the scheme, host and any stage prefix the client saw.
"""

from __future__ import annotations

from urllib.parse import urlencode

from chalice.app import Request


def _origin(request: Request) -> str:
    headers = request.headers
    proto = headers.get("x-forwarded-proto", "http").split(",")[0].strip()
    host = headers.get("host", "127.0.0.1")
    return f"{proto}://{host}"


def _paths(request: Request) -> tuple[str, str]:
    event = request.to_original_event()
    route_path = event.get("path") or "/"
    seen_path = (request.context or {}).get("path") or route_path
    return seen_path, route_path


def full_url(request: Request) -> str:
    """Scheme, host, path and query string as the client sent them."""
    seen_path, _ = _paths(request)
    url = _origin(request) + seen_path
    params = request.query_params
    if params:
        pairs = [(k, v) for k in params for v in params.getlist(k)]
        url += "?" + urlencode(pairs)
    return url


def base_url(request: Request) -> str:
    """Scheme, host and stage prefix: where the app's routes start."""
    seen_path, route_path = _paths(request)
    seen, route = seen_path.rstrip("/"), route_path.rstrip("/")
    prefix = seen[: -len(route)] if route and seen.endswith(route) else ""
    return _origin(request) + prefix
